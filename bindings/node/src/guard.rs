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
use std::panic::{AssertUnwindSafe, catch_unwind};

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

/// Runs `f`, turning a panic into a thrown `InternalError`.
pub(crate) fn sync<T>(env: &Env, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch(f) {
        Some(result) => result,
        None => Err(errors::to_js(env, &panic_error())),
    }
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
