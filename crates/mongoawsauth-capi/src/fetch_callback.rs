//! Credential fetches that complete through a callback, for hosts with an event loop: the
//! fetch runs on the library runtime and the callback reports the outcome exactly once.

use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use mongoawsauth_core::{Credentials, Error, ErrorKind, runtime};

use crate::authenticator::{self, mongoawsauth_authenticator_t};
use crate::credentials::mongoawsauth_credentials_t;
use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::result::{MONGOAWSAUTH_RESULT_OK, mongoawsauth_result_t};

/// Receives the outcome of `mongoawsauth_authenticator_credentials_async`, exactly once.
///
/// On success `result` is `MONGOAWSAUTH_RESULT_OK`, `credentials` is new credentials and `error`
/// is NULL; on failure `credentials` is NULL and `error` says why. The callback owns both and
/// must release them (`mongoawsauth_credentials_destroy`, `mongoawsauth_error_destroy`), possibly
/// later on another thread.
///
/// Called on a library thread: it should hand the outcome to the host's event loop and return
/// quickly, and it must not call a blocking libmongoawsauth function (that fails with
/// `MONGOAWSAUTH_RESULT_RUNTIME`).
pub type mongoawsauth_credentials_fetch_cb_t = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        result: mongoawsauth_result_t,
        credentials: *mut mongoawsauth_credentials_t,
        error: *mut mongoawsauth_error_t,
    ),
>;

type FetchFn = unsafe extern "C" fn(
    *mut c_void,
    mongoawsauth_result_t,
    *mut mongoawsauth_credentials_t,
    *mut mongoawsauth_error_t,
);

/// Calls the host back exactly once: with the outcome, or, if the fetch is dropped unfinished,
/// with why: a runtime error if the runtime shut down, a panic error if the library panicked.
struct Completion {
    callback: FetchFn,
    userdata: *mut c_void,
    done: bool,
}

// SAFETY: `mongoawsauth_authenticator_credentials_async` documents that the callback runs
// on a library thread with this `userdata`; the host promises that is fine by passing them.
unsafe impl Send for Completion {}

impl Completion {
    fn complete(mut self, outcome: Result<Credentials, Failure>) {
        let (result, credentials, error) = match outcome {
            Ok(c) => (
                MONGOAWSAUTH_RESULT_OK,
                ffi::into_raw(mongoawsauth_credentials_t::new(c)),
                std::ptr::null_mut(),
            ),
            Err(failure) => (failure.code(), std::ptr::null_mut(), ffi::into_raw(failure.into_error())),
        };
        // Set only now: if building the handles above panicked, `drop` still owes the call.
        self.done = true;
        // SAFETY: the host registered this callback for this `userdata`; ownership of the two
        // handles passes to it as documented.
        unsafe { (self.callback)(self.userdata, result, credentials, error) };
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            // Dropped while unwinding means the library panicked on the way to `complete`;
            // otherwise only a runtime shutdown drops an unfinished fetch.
            let failure = if std::thread::panicking() {
                crate::panic::panic_failure(&"while completing a credential fetch")
            } else {
                Failure::from(Error::new(
                    ErrorKind::Runtime,
                    "the credential fetch was cancelled because the library runtime shut down \
                     (mongoawsauth_cleanup)",
                ))
            };
            let code = failure.code();
            let error = ffi::into_raw(failure.into_error());
            // SAFETY: as in `complete`; this is the one call the host was promised.
            unsafe { (self.callback)(self.userdata, code, std::ptr::null_mut(), error) };
        }
    }
}

/// Polls a future inside `catch_unwind`, so that a panic in a background fetch becomes an
/// outcome to report instead of a task that vanishes.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Failure>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match std::panic::catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            // A panicked future is never polled again: this is its last poll.
            Err(payload) => Poll::Ready(Err(crate::panic::panic_failure(payload.as_ref()))),
        }
    }
}

/// Runs `fetch` and reports its outcome through `completion`: the credentials, the library
/// error, or `MONGOAWSAUTH_RESULT_PANIC` if the fetch panicked (never the runtime-shutdown
/// error, which would send the host looking for a `mongoawsauth_cleanup` call that never
/// happened).
async fn drive<F>(fetch: F, completion: Completion)
where
    F: Future<Output = Result<Credentials, Error>>,
{
    let outcome = match CatchUnwind(Box::pin(fetch)).await {
        Ok(Ok(credentials)) => Ok(credentials),
        Ok(Err(error)) => Err(Failure::from(error)),
        Err(panicked) => Err(panicked),
    };
    completion.complete(outcome);
}

impl std::fmt::Debug for Completion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion").field("done", &self.done).finish_non_exhaustive()
    }
}

/// Starts resolving credentials in the background and returns at once. `callback` is called
/// exactly once, on a library thread, with the outcome, within `timeout_ms` milliseconds (0:
/// the options' credentials timeout) plus scheduling time.
///
/// `userdata` is passed to `callback` untouched and must stay valid until it is called. The
/// fetch keeps its own reference to the authenticator's configuration, so `authenticator` may
/// be destroyed before the callback runs.
///
/// Returns `MONGOAWSAUTH_RESULT_OK` once the fetch is started; then, and only then, `callback`
/// will be called: with `MONGOAWSAUTH_RESULT_RUNTIME` if `mongoawsauth_cleanup` cancels the
/// fetch, with `MONGOAWSAUTH_RESULT_PANIC` if the library panics during it. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` or
/// `callback` is NULL, `MONGOAWSAUTH_RESULT_RUNTIME` if the runtime cannot start.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_credentials_async(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    callback: mongoawsauth_credentials_fetch_cb_t,
    userdata: *mut c_void,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?.core().clone();
        let callback = callback.ok_or_else(|| Failure::invalid_argument("callback must not be NULL"))?;
        let deadline = authenticator::deadline(timeout_ms);
        let runtime = runtime::handle()?;
        // From here the callback is owed exactly once: by the task, or by `Completion`'s drop if
        // the runtime shuts down before the task finishes.
        let completion = Completion { callback, userdata, done: false };
        drop(
            runtime.spawn(drive(
                async move { authenticator::fetch(&authenticator, deadline).await },
                completion,
            )),
        );
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::{Sender, channel};
    use std::time::Duration;

    use super::*;
    use crate::result::{MONGOAWSAUTH_RESULT_PANIC, MONGOAWSAUTH_RESULT_RUNTIME};

    /// Sends the callback's result code and error message to the test.
    unsafe extern "C" fn record(
        userdata: *mut c_void,
        result: mongoawsauth_result_t,
        credentials: *mut mongoawsauth_credentials_t,
        error: *mut mongoawsauth_error_t,
    ) {
        // SAFETY: the tests pass a leaked `Sender` and the callback runs exactly once.
        let sender = unsafe { Box::from_raw(userdata.cast::<Sender<(mongoawsauth_result_t, String)>>()) };
        // SAFETY: NULL or a live error handed to the callback, read before it is freed.
        let message = unsafe { error.as_ref() }.map(|e| e.message().to_owned()).unwrap_or_default();
        // SAFETY: ownership of both handles passed to the callback; each is freed once.
        unsafe {
            ffi::free(error);
            ffi::free(credentials);
        }
        let _ = sender.send((result, message));
    }

    fn outcome_of<F>(fetch: F) -> (mongoawsauth_result_t, String)
    where
        F: Future<Output = Result<Credentials, Error>> + Send + 'static,
    {
        let (sender, receiver) = channel();
        let completion =
            Completion { callback: record, userdata: Box::into_raw(Box::new(sender)).cast(), done: false };
        drop(runtime::handle().unwrap().spawn(drive(fetch, completion)));
        receiver.recv_timeout(Duration::from_secs(10)).expect("the callback was called")
    }

    fn never_true() -> bool {
        std::env::var_os("MONGOAWSAUTH_TEST_NEVER_SET_THIS").is_some()
    }

    /// A fetch that panics is reported as a panic, with its message, not as the misleading
    /// "the library runtime shut down".
    #[test]
    fn a_panicking_fetch_is_reported_as_a_panic() {
        let (code, message) = outcome_of(async {
            if !never_true() {
                panic!("the fetch exploded");
            }
            Err(Error::new(ErrorKind::Internal, "unreachable"))
        });
        assert_eq!(code, MONGOAWSAUTH_RESULT_PANIC, "{message}");
        assert!(message.contains("the fetch exploded") && !message.contains("shut down"), "{message}");
    }

    /// A library error keeps its own code; a runtime error is reported as such.
    #[test]
    fn a_failed_fetch_keeps_its_code() {
        let (code, message) =
            outcome_of(async { Err(Error::new(ErrorKind::Runtime, "the runtime is gone")) });
        assert_eq!(code, MONGOAWSAUTH_RESULT_RUNTIME);
        assert!(message.contains("the runtime is gone"), "{message}");
    }
}
