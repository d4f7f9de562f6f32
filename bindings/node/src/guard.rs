//! The panic boundary of the addon.
//!
//! Node calls into Rust through `extern "C"` functions; a panic that unwinds out of one aborts
//! the whole process. Every export therefore runs in two guards: napi's `catch_unwind` attribute
//! (which also covers napi's own argument and return-value conversion) and, inside it, [`sync`],
//! which turns a panic in our code into an `InternalError` of the package's hierarchy instead
//! of napi's plain `Error`. The callbacks napi runs on the JS thread outside any export (the
//! value a custom provider or SAML callback returns, a promise's settlement, the conversion of a
//! finished future) are guarded with [`catch`], because napi does not guard those at all.
//!
//! A panic message never holds a secret (the core's rule), but the message is not shown to
//! JavaScript anyway: it goes to stderr through the panic hook, like any Rust panic, and the
//! error says what to do.

use std::any::Any;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use mongoawsauth::{Error as CoreError, ErrorKind};
use napi::Env;
use napi::bindgen_prelude::*;

use crate::errors;

/// The message of every error that stands for a caught panic.
pub(crate) const PANIC_MESSAGE: &str = "mongoawsauth hit an internal error (a panic) and gave up on this call; the process is fine. \
     Please report it with the panic message printed on stderr";

/// The core error standing for a caught panic.
pub(crate) fn panic_error() -> CoreError {
    CoreError::new(ErrorKind::Internal, PANIC_MESSAGE)
}

/// Runs `f`, the body of the export JavaScript knows as `export` (`Credentials.toJSON`,
/// `new Conversation`, `testing.entries`), turning a panic into a thrown `InternalError`.
pub(crate) fn sync<T>(env: &Env, export: &'static str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let guarded = || {
        if forced(export) {
            panic!("a panic forced in {export} by {FORCE_PANIC_VAR}");
        }
        f()
    };
    match catch(guarded) {
        Some(result) => result,
        None => Err(errors::to_js(env, &panic_error())),
    }
}

/// The test suite's switch for proving every boundary holds: a comma-separated list of export
/// names (as passed to [`sync`]); each listed export panics inside its guard on every call.
///
/// Why a variable and not a cargo feature: the tests run against the very addon that ships,
/// not a second build of it. It cannot fire by accident: it is read once, at the first guarded
/// call, only exact export names count (`1`, `true` or a typo match nothing), and even a
/// deliberate one only makes the named calls throw `InternalError`, which is the behaviour
/// under test. The addon says on stderr when it is set, so it cannot stay set unnoticed.
pub(crate) const FORCE_PANIC_VAR: &str = "MONGOAWSAUTH_TEST_FORCE_PANIC";

/// Whether [`FORCE_PANIC_VAR`] names `export`.
pub(crate) fn forced(export: &str) -> bool {
    static FORCED: OnceLock<Box<[String]>> = OnceLock::new();
    FORCED
        .get_or_init(|| {
            let names: Box<[String]> = std::env::var(FORCE_PANIC_VAR)
                .unwrap_or_default()
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            if !names.is_empty() {
                // Not eprintln!, which panics when stderr is closed.
                let _ = writeln!(
                    std::io::stderr(),
                    "mongoawsauth: {FORCE_PANIC_VAR}={} is set: an export it names panics on purpose when \
                     called (a test switch; unset it)",
                    names.join(",")
                );
            }
            names
        })
        .iter()
        .any(|name| name == export)
}

/// Runs `f`; `None` if it panicked.
pub(crate) fn catch<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            drop_payload(payload);
            None
        }
    }
}

/// Drops a panic payload; a payload whose own `Drop` panics is leaked rather than allowed to
/// unwind out of the boundary it was caught at.
fn drop_payload(payload: Box<dyn Any + Send>) {
    let mut slot = Some(payload);
    if catch_unwind(AssertUnwindSafe(|| drop(slot.take()))).is_err() {
        std::mem::forget(slot);
    }
}
