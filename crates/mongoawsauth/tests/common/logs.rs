//! One log recorder per test binary, installed as the global `tracing` subscriber.
//!
//! A scoped subscriber (`with_default`) can miss events when another test thread registers the
//! same log call site at the same moment (tracing caches per call site whether anyone listens);
//! a global one installed before anything logs cannot. Tests that check logs for secrets read
//! every line recorded, theirs and those of tests running beside them. A test that must count
//! its own events installs a [`Recorder`] of its own with `with_default` instead, on a
//! current-thread runtime, and checks that it saw what it expects.

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

/// Records every field of every event and span, one line each.
#[derive(Clone, Default)]
pub struct Recorder {
    /// Every line recorded so far, by every test of the binary.
    pub lines: Arc<Mutex<Vec<String>>>,
}

struct Visitor<'a>(&'a mut String);

impl tracing::field::Visit for Visitor<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn Debug) {
        self.0.push_str(&format!(" {}={value:?}", field.name()));
    }

    /// Strings as they are, not as `Debug` escapes them: a secret holding a quote or a backslash
    /// would otherwise be recorded escaped, and a search for it would miss it.
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(&format!(" {}={value}", field.name()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = span.metadata().name().to_owned();
        span.record(&mut Visitor(&mut line));
        self.lines.lock().unwrap().push(line);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::new();
        values.record(&mut Visitor(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = event.metadata().target().to_owned();
        event.record(&mut Visitor(&mut line));
        self.lines.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Installs the recorder (once per process) and returns it.
pub fn logs() -> &'static Recorder {
    static RECORDER: std::sync::OnceLock<Recorder> = std::sync::OnceLock::new();
    RECORDER.get_or_init(|| {
        let recorder = Recorder::default();
        tracing::subscriber::set_global_default(recorder.clone()).unwrap();
        recorder
    })
}
