//! The panic boundary: every exported function's body runs inside exactly one of these macros,
//! so a panic in the library becomes `MONGOAWSAUTH_RESULT_PANIC` (or a harmless default value)
//! instead of unwinding into C, which Rust turns into an abort of the host process.
//!
//! - `ffi_try!(error, { ... })` for fallible functions: the body returns
//!   `Result<(), Failure>`; the macro returns the result code and, on failure, stores a
//!   `mongoawsauth_error_t` through the optional `error` out-parameter.
//! - `ffi_infallible!(default, { ... })` for accessors and destructors: the body's value, or
//!   `default` if it panicked.

use std::any::Any;

use crate::error::{Failure, mongoawsauth_error_t};
use crate::result::{MONGOAWSAUTH_RESULT_OK, MONGOAWSAUTH_RESULT_PANIC, mongoawsauth_result_t};

macro_rules! ffi_try {
    ($error:expr, $body:block) => {{
        let error_out: *mut *mut $crate::error::mongoawsauth_error_t = $error;
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Failure> { $body },
        ));
        $crate::panic::finish(outcome, error_out)
    }};
}

macro_rules! ffi_infallible {
    ($default:expr, $body:block) => {{
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $default,
        }
    }};
}

/// Turns a fallible body's outcome into a result code, storing the error when asked to.
pub(crate) fn finish(
    outcome: std::thread::Result<Result<(), Failure>>,
    error_out: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    let failure = match outcome {
        Ok(Ok(())) => return MONGOAWSAUTH_RESULT_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => Failure::new(
            MONGOAWSAUTH_RESULT_PANIC,
            format!(
                "libmongoawsauth panicked ({}); this is a bug, please report it with this message",
                panic_text(payload.as_ref())
            ),
        ),
    };
    let code = failure.code();
    // Building the error object allocates; if even that panics there is nothing left to report.
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::ffi::write_error(error_out, failure);
    }));
    code
}

/// The panic's message when it is a string. Library code never formats a secret into a panic.
fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi;

    #[test]
    fn a_panic_becomes_a_code_and_an_error() {
        let mut error: *mut mongoawsauth_error_t = std::ptr::null_mut();
        let code = ffi_try!(&mut error, {
            if error_out_is_set() {
                panic!("boom at the boundary");
            }
            Ok(())
        });
        assert_eq!(code, MONGOAWSAUTH_RESULT_PANIC);
        // SAFETY: the boundary just stored a live error object created by `ffi::into_raw`.
        let err = unsafe { &*error };
        assert!(err.message().contains("boom at the boundary"));
        // SAFETY: `error` came from the library and is freed once.
        unsafe { ffi::free(error) };
    }

    #[test]
    fn an_infallible_panic_returns_the_default() {
        let value: usize = ffi_infallible!(7, {
            if error_out_is_set() {
                panic!("boom");
            }
            1
        });
        assert_eq!(value, 7);
    }

    fn error_out_is_set() -> bool {
        true
    }
}
