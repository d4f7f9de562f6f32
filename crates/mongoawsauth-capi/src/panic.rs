//! The panic boundary: every exported function's body runs inside exactly one of these macros,
//! so a panic in the library becomes `MONGOAWSAUTH_RESULT_PANIC` (or a harmless default value)
//! instead of unwinding into C, which Rust turns into an abort of the host process.
//!
//! - `ffi_try!(error, { ... })` for fallible functions: the body returns
//!   `Result<(), Failure>`; the macro returns the result code and, on failure, stores a
//!   `mongoawsauth_error_t` through the optional `error` out-parameter.
//! - `ffi_infallible!(default, { ... })` for accessors and destructors: the body's value, or
//!   `default` if it panicked.
//!
//! Both also install, once, a panic hook: Rust's default hook prints every panic to stderr,
//! which is the host's stderr, not ours. The hook keeps the library's own panics (inside a
//! boundary, or on the library runtime's threads) quiet unless `MONGOAWSAUTH_LOG` is set, and
//! hands every other panic to the hook it replaced. The panic is still reported, as
//! `MONGOAWSAUTH_RESULT_PANIC` with its message in the error object.

use std::any::Any;
use std::cell::Cell;
use std::sync::{Once, OnceLock};

use crate::error::{Failure, mongoawsauth_error_t};
use crate::result::{MONGOAWSAUTH_RESULT_OK, MONGOAWSAUTH_RESULT_PANIC, mongoawsauth_result_t};

macro_rules! ffi_try {
    ($error:expr, $body:block) => {{
        let error_out: *mut *mut $crate::error::mongoawsauth_error_t = $error;
        let _inside = $crate::panic::Boundary::enter();
        let outcome = ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(
            || -> ::std::result::Result<(), $crate::error::Failure> { $body },
        ));
        $crate::panic::finish(outcome, error_out)
    }};
}

macro_rules! ffi_infallible {
    ($default:expr, $body:block) => {{
        let _inside = $crate::panic::Boundary::enter();
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $default,
        }
    }};
}

/// The variable that turns on the library's diagnostics on stderr, panic messages included.
pub(crate) const LOG_VARIABLE: &str = "MONGOAWSAUTH_LOG";

thread_local! {
    /// How many boundaries this thread is inside (a host callback can call back in).
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

/// Marks the current thread as inside a boundary until dropped; the first one installs the hook.
pub(crate) struct Boundary(());

impl Boundary {
    pub(crate) fn enter() -> Boundary {
        HOOK.call_once(install_hook);
        let _ = DEPTH.try_with(|d| d.set(d.get().saturating_add(1)));
        Boundary(())
    }
}

impl Drop for Boundary {
    fn drop(&mut self) {
        let _ = DEPTH.try_with(|d| d.set(d.get().saturating_sub(1)));
    }
}

type Hook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook ours replaced. Kept here rather than captured, so that our hook captures nothing and
/// boxing it allocates nothing: a leak checker at the host's exit sees no block of ours.
static PREVIOUS: OnceLock<Hook> = OnceLock::new();

/// Replaces the process's panic hook with one that stays quiet for the library's own panics
/// unless logging is on, and chains to the previous hook for everything else.
fn install_hook() {
    let _ = PREVIOUS.set(std::panic::take_hook());
    std::panic::set_hook(Box::new(|info| {
        if (!is_library_panic() || logging_on())
            && let Some(previous) = PREVIOUS.get()
        {
            previous(info);
        }
    }));
}

/// A panic is the library's when it happens inside a boundary, or on a thread of the library
/// runtime (a fetch running in the background for a callback variant).
fn is_library_panic() -> bool {
    DEPTH.try_with(|d| d.get() > 0).unwrap_or(false)
        || std::thread::current().name() == Some(mongoawsauth_core::runtime::THREAD_NAME)
}

/// Read at panic time, not once, so that a host can turn logging on after its first call.
fn logging_on() -> bool {
    std::env::var_os(LOG_VARIABLE).is_some_and(|v| !v.is_empty())
}

/// The failure a caught panic becomes: `MONGOAWSAUTH_RESULT_PANIC` with the panic's message.
pub(crate) fn panic_failure(payload: &(dyn Any + Send)) -> Failure {
    Failure::new(
        MONGOAWSAUTH_RESULT_PANIC,
        format!(
            "libmongoawsauth panicked ({}); this is a bug, please report it with this message",
            panic_text(payload)
        ),
    )
}

/// Turns a fallible body's outcome into a result code, storing the error when asked to.
pub(crate) fn finish(
    outcome: std::thread::Result<Result<(), Failure>>,
    error_out: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    let failure = match outcome {
        Ok(Ok(())) => return MONGOAWSAUTH_RESULT_OK,
        Ok(Err(failure)) => failure,
        Err(payload) => panic_failure(payload.as_ref()),
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

    /// Set in the copy of this test binary that `library_panics_stay_off_stderr` starts.
    const CHILD: &str = "MONGOAWSAUTH_TEST_PANIC_HOOK_CHILD";

    /// The panics a child run causes: one inside a boundary, one on the library runtime, one on
    /// a plain thread that is not the library's.
    fn panic_three_ways() {
        let code = ffi_try!(std::ptr::null_mut(), {
            if error_out_is_set() {
                panic!("boom-inside-the-boundary");
            }
            Ok(())
        });
        assert_eq!(code, MONGOAWSAUTH_RESULT_PANIC);
        let runtime = mongoawsauth_core::runtime::handle().unwrap();
        let task = runtime.spawn(async {
            if error_out_is_set() {
                panic!("boom-on-the-runtime");
            }
        });
        assert!(mongoawsauth_core::runtime::block_on(task).unwrap().is_err());
        let host = std::thread::spawn(|| {
            if error_out_is_set() {
                panic!("boom-on-a-host-thread");
            }
        });
        assert!(host.join().is_err());
    }

    /// The default panic hook writes to the host's stderr. The library's panics stay off it
    /// unless MONGOAWSAUTH_LOG is set; panics that are not the library's still reach the hook
    /// that was there before. Runs this test again in a child process to see its stderr.
    #[test]
    fn library_panics_stay_off_stderr() {
        if std::env::var_os(CHILD).is_some() {
            panic_three_ways();
            return;
        }
        for (logging, library_messages_shown) in [(None, false), (Some("mongoawsauth=debug"), true)] {
            let mut child = std::process::Command::new(std::env::current_exe().unwrap());
            child
                .args(["--exact", "panic::tests::library_panics_stay_off_stderr", "--nocapture"])
                .env(CHILD, "1")
                .env_remove(LOG_VARIABLE);
            if let Some(filter) = logging {
                child.env(LOG_VARIABLE, filter);
            }
            let out = child.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "{stderr}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"), "the child ran nothing");
            assert_eq!(stderr.contains("boom-inside-the-boundary"), library_messages_shown, "{stderr}");
            assert_eq!(stderr.contains("boom-on-the-runtime"), library_messages_shown, "{stderr}");
            assert!(stderr.contains("boom-on-a-host-thread"), "{stderr}");
        }
    }
}
