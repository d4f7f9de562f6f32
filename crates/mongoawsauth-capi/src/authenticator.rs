//! `mongoawsauth_authenticator_t`: resolves credentials and starts conversations, blocking on
//! the library runtime.

use std::time::{Duration, Instant};

use mongoawsauth_core::{Authenticator, Credentials, Result, runtime};

use crate::conversation::mongoawsauth_conversation_t;
use crate::credentials::mongoawsauth_credentials_t;
use crate::error::mongoawsauth_error_t;
use crate::ffi;
use crate::options::mongoawsauth_options_t;
use crate::result::mongoawsauth_result_t;

/// Resolves credentials and starts one conversation per login. Keep one per client.
///
/// Created by `mongoawsauth_authenticator_new`. The caller owns it and must release it with
/// `mongoawsauth_authenticator_destroy`, after every call using it has returned (pending
/// callback fetches keep what they need alive on their own).
///
/// Thread safety: safe to share. Every function taking a `const mongoawsauth_authenticator_t *`
/// may be called from any number of threads at once.
#[derive(Debug)]
pub struct mongoawsauth_authenticator_t {
    inner: Authenticator,
}

impl mongoawsauth_authenticator_t {
    pub(crate) fn core(&self) -> &Authenticator {
        &self.inner
    }

    pub(crate) fn from_core(inner: Authenticator) -> Self {
        mongoawsauth_authenticator_t { inner }
    }
}

/// The deadline for a call's `timeout_ms`: 0 means the options' credentials timeout.
pub(crate) fn deadline(timeout_ms: u32) -> Option<Instant> {
    (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(u64::from(timeout_ms)))
}

pub(crate) async fn fetch(authenticator: &Authenticator, deadline: Option<Instant>) -> Result<Credentials> {
    match deadline {
        Some(deadline) => authenticator.credentials_until(deadline).await,
        None => authenticator.credentials().await,
    }
}

/// Creates an authenticator from `options`.
///
/// This function does not take ownership of `options`; it copies what it needs. On success the
/// caller owns `*authenticator_out` and must release it with
/// `mongoawsauth_authenticator_destroy`. Fails with `MONGOAWSAUTH_RESULT_CONFIGURATION` for
/// explicit credentials under the strict policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_new(
    options: *const mongoawsauth_options_t,
    authenticator_out: *mut *mut mongoawsauth_authenticator_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(authenticator_out, "authenticator_out")?;
        // SAFETY: `options` is NULL or a live handle (documented contract).
        let options = unsafe { ffi::try_ref(options, "options") }?;
        let inner = Authenticator::new(options.core().clone())?;
        // SAFETY: `authenticator_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_authenticator_t { inner }) };
        Ok(())
    })
}

/// Releases an authenticator. NULL is a no-op. Must not be called twice with the same value,
/// nor while another thread is still using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_destroy(
    authenticator: *mut mongoawsauth_authenticator_t,
) {
    ffi_infallible!((), {
        // SAFETY: `authenticator` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(authenticator) }
    })
}

/// Resolves credentials from the configured sources, blocking the calling thread for at most
/// `timeout_ms` milliseconds (0: the options' credentials timeout, 10 s by default).
///
/// On success the caller owns `*credentials_out` and must release it with
/// `mongoawsauth_credentials_destroy`. Fails with `MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND`
/// (the error lists every source tried), `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`,
/// `MONGOAWSAUTH_RESULT_CONFIGURATION`, `MONGOAWSAUTH_RESULT_TIMEOUT`, or
/// `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_credentials(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    credentials_out: *mut *mut mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(credentials_out, "credentials_out")?;
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?;
        let deadline = deadline(timeout_ms);
        let credentials = runtime::block_on(fetch(&authenticator.inner, deadline))??;
        // SAFETY: `credentials_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_credentials_t::new(credentials)) };
        Ok(())
    })
}

/// Resolves credentials like `mongoawsauth_authenticator_credentials` and starts a
/// conversation with them (with a fresh nonce). Credentials are resolved before the caller
/// sends `saslStart`, so a slow source never holds a server-side conversation open.
///
/// On success the caller owns `*conversation_out` and must release it with
/// `mongoawsauth_conversation_destroy`. Fails like `mongoawsauth_authenticator_credentials`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_start_conversation(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    conversation_out: *mut *mut mongoawsauth_conversation_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(conversation_out, "conversation_out")?;
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?;
        let deadline = deadline(timeout_ms);
        let conversation = runtime::block_on(async {
            match deadline {
                Some(deadline) => authenticator.inner.conversation_until(deadline).await,
                None => authenticator.inner.conversation().await,
            }
        })??;
        // SAFETY: `conversation_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_conversation_t::new(conversation)) };
        Ok(())
    })
}

/// Reports that a login with credentials of cache generation `generation` failed (the server
/// refused `saslStart` or `saslContinue`), as the MongoDB spec requires: the process-wide cache
/// entry of that generation is dropped, so the next fetch asks the source again.
///
/// Only an entry that still has that generation is dropped: when a burst of connections fails
/// with the same credentials the entry is dropped once, and credentials fetched since then
/// survive an old report. Get the generation from `mongoawsauth_conversation_generation` or
/// `mongoawsauth_credentials_generation`; credentials without one were never cached and need no
/// report (use `mongoawsauth_authenticator_report_failed_conversation` to skip the check).
///
/// On success, if `dropped` is not NULL, `*dropped` says whether an entry was dropped (false
/// for an unknown or outdated generation, which is not an error). Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_report_failure(
    authenticator: *const mongoawsauth_authenticator_t,
    generation: u64,
    dropped: *mut bool,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?;
        let was_dropped = authenticator.inner.report_failure(generation);
        // SAFETY: `dropped` is NULL or writable (documented contract).
        unsafe { ffi::write_scalar(dropped, was_dropped) };
        Ok(())
    })
}

/// `mongoawsauth_authenticator_report_failure` for the credentials `conversation` signed with:
/// what a driver calls when the server refuses a login. Does nothing (and reports
/// `*dropped = false`) when those credentials were not cached.
///
/// This function does not take ownership of `conversation`. On success, if `dropped` is not
/// NULL, `*dropped` says whether a cache entry was dropped. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `authenticator` or `conversation` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_report_failed_conversation(
    authenticator: *const mongoawsauth_authenticator_t,
    conversation: *const mongoawsauth_conversation_t,
    dropped: *mut bool,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?;
        // SAFETY: `conversation` is NULL or a live handle not mutated meanwhile (documented).
        let conversation = unsafe { ffi::try_ref(conversation, "conversation") }?;
        let was_dropped = authenticator.inner.report_failed_conversation(conversation.core());
        // SAFETY: `dropped` is NULL or writable (documented contract).
        unsafe { ffi::write_scalar(dropped, was_dropped) };
        Ok(())
    })
}
