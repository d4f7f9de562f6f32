//! Credential fetches that complete through a callback, for hosts with an event loop: the
//! fetch runs on the library runtime and the callback reports the outcome exactly once.

use std::ffi::c_void;

use mongoawsauth_core::{Credentials, Error, ErrorKind, runtime};

use crate::authenticator::{self, mongoawsauth_authenticator_t};
use crate::credentials::mongoawsauth_credentials_t;
use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::result::{MONGOAWSAUTH_RESULT_OK, mongoawsauth_result_t};

/// Receives the outcome of `mongoawsauth_authenticator_fetch_credentials_async`, exactly once.
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

/// Calls the host back exactly once: with the outcome, or, if the fetch is dropped unfinished
/// (the runtime shut down), with a runtime error.
struct Completion {
    callback: FetchFn,
    userdata: *mut c_void,
    done: bool,
}

// SAFETY: `mongoawsauth_authenticator_fetch_credentials_async` documents that the callback runs
// on a library thread with this `userdata`; the host promises that is fine by passing them.
unsafe impl Send for Completion {}

impl Completion {
    fn complete(mut self, outcome: Result<Credentials, Error>) {
        self.done = true;
        let (result, credentials, error) = match outcome {
            Ok(c) => (
                MONGOAWSAUTH_RESULT_OK,
                ffi::into_raw(mongoawsauth_credentials_t::new(c)),
                std::ptr::null_mut(),
            ),
            Err(e) => {
                let failure = Failure::from(e);
                (failure.code(), std::ptr::null_mut(), ffi::into_raw(failure.into_error()))
            }
        };
        // SAFETY: the host registered this callback for this `userdata`; ownership of the two
        // handles passes to it as documented.
        unsafe { (self.callback)(self.userdata, result, credentials, error) };
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if !self.done {
            self.done = true;
            let failure = Failure::from(Error::new(
                ErrorKind::Runtime,
                "the credential fetch was cancelled because the library runtime shut down \
                 (mongoawsauth_cleanup)",
            ));
            let code = failure.code();
            let error = ffi::into_raw(failure.into_error());
            // SAFETY: as in `complete`; this is the one call the host was promised.
            unsafe { (self.callback)(self.userdata, code, std::ptr::null_mut(), error) };
        }
    }
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
/// will be called. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` or
/// `callback` is NULL, `MONGOAWSAUTH_RESULT_RUNTIME` if the runtime cannot start.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_fetch_credentials_async(
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
        drop(runtime.spawn(async move {
            let outcome = authenticator::fetch(&authenticator, deadline).await;
            completion.complete(outcome);
        }));
        Ok(())
    })
}
