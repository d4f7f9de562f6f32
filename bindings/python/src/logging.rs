//! The core's `tracing` events as records of Python's `logging`, on loggers named after the
//! event's module (`mongoawsauth.authenticator`, `mongoawsauth.cache`, ...), all children of the
//! `mongoawsauth` logger.
//!
//! Events are forwarded synchronously from whichever thread emits them. Debug and info events
//! are forwarded only if the application has imported `logging` (otherwise nothing could be
//! listening, and importing it would slow every cold start); warnings and errors always are, so
//! Python's last-resort handler shows them. The core never puts a secret in an event.

use std::fmt::{self, Write as _};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Makes this module's subscriber the process-wide one, unless the host already set one.
pub fn install() {
    let _ = tracing::subscriber::set_global_default(PythonLogging);
}

#[derive(Debug)]
struct PythonLogging;

/// `logging`'s numeric levels.
fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

/// The message, then `name=value` for every other field.
#[derive(Default)]
struct Text {
    message: String,
    fields: String,
}

impl Visit for Text {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

fn forward(py: Python<'_>, target: &str, level: u8, event: &Event<'_>) -> PyResult<()> {
    let logging = if level >= 30 {
        py.import("logging")?.into_any()
    } else {
        let modules = py.import("sys")?.getattr("modules")?.cast_into::<PyDict>()?;
        match modules.get_item("logging")? {
            Some(logging) => logging,
            None => return Ok(()),
        }
    };
    let logger = logging.call_method1("getLogger", (target.replace("::", "."),))?;
    if !logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
        return Ok(());
    }
    let mut text = Text::default();
    event.record(&mut text);
    logger.call_method1("log", (level, "%s%s", text.message, text.fields))?;
    Ok(())
}

impl Subscriber for PythonLogging {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        // The core's events only; spans carry nothing the log needs.
        metadata.is_event() && metadata.target().starts_with("mongoawsauth")
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let metadata = event.metadata();
        let level = python_level(metadata.level());
        // Not during interpreter shutdown; and a failing handler must not break a login.
        let _ = crate::exit::attach(|py| {
            if let Err(e) = forward(py, metadata.target(), level, event) {
                drop(e);
            }
        });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}
