//! `mongoawsauth_error_t`: the detail behind a failed call, and the attempt list of a credential
//! chain that found nothing.

use std::ffi::c_char;
use std::time::Duration;

use mongoawsauth_core::{Attempt, AttemptOutcome, Error};

use crate::ffi;
use crate::option_names;
use crate::result::{
    self, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, MONGOAWSAUTH_RESULT_OK, mongoawsauth_result_t,
};
use crate::units;

/// What a fallible body returns on failure: a code and the text for the error object.
#[derive(Debug)]
pub(crate) struct Failure {
    code: mongoawsauth_result_t,
    message: String,
    attempts: Vec<Attempt>,
}

impl Failure {
    pub(crate) fn new(code: mongoawsauth_result_t, message: impl Into<String>) -> Self {
        Failure { code, message: message.into(), attempts: Vec::new() }
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Failure::new(MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, message)
    }

    pub(crate) fn code(&self) -> mongoawsauth_result_t {
        self.code
    }

    pub(crate) fn into_error(self) -> mongoawsauth_error_t {
        let attempts = self
            .attempts
            .iter()
            .map(|a| {
                let (outcome, code, text) = match &a.outcome {
                    AttemptOutcome::Succeeded => (MONGOAWSAUTH_ATTEMPT_SUCCEEDED, MONGOAWSAUTH_RESULT_OK, ""),
                    AttemptOutcome::NotConfigured(why) => {
                        (MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED, MONGOAWSAUTH_RESULT_OK, why.as_str())
                    }
                    AttemptOutcome::Failed { kind, message } => {
                        (MONGOAWSAUTH_ATTEMPT_FAILED, result::from_kind(*kind), message.as_str())
                    }
                };
                CAttempt {
                    source: ffi::c_text(&a.source),
                    outcome,
                    code,
                    message: ffi::c_text(text),
                    elapsed: a.elapsed,
                }
            })
            .collect();
        let mut full = self.message;
        for attempt in &self.attempts {
            full.push_str("\n  - ");
            full.push_str(&attempt.to_string());
        }
        mongoawsauth_error_t { code: self.code, message: ffi::c_text(&full), attempts }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        // An option the core refused is named as the C setter that sets it.
        let message = error
            .option()
            .and_then(|concept| option_names::message(concept, error.message()))
            .unwrap_or_else(|| error.message().to_owned());
        Failure { code: result::from_kind(error.kind()), message, attempts: error.attempts().to_vec() }
    }
}

/// The outcome of one credential source a chain tried (`uint32_t`, stable values).
pub type mongoawsauth_attempt_outcome_t = u32;

/// No such attempt: the index is out of range or the error is NULL.
pub const MONGOAWSAUTH_ATTEMPT_NONE: mongoawsauth_attempt_outcome_t = 0;
/// The source supplied credentials.
pub const MONGOAWSAUTH_ATTEMPT_SUCCEEDED: mongoawsauth_attempt_outcome_t = 1;
/// The source is not configured in this environment; the chain moved on.
pub const MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED: mongoawsauth_attempt_outcome_t = 2;
/// The source was configured and failed; the chain stopped there.
pub const MONGOAWSAUTH_ATTEMPT_FAILED: mongoawsauth_attempt_outcome_t = 3;
/// The source was not asked: an earlier one already decided the outcome, or (for IMDS) the
/// process runs in a container. Only `mongoawsauth_diagnosis_source_status` reports it.
pub const MONGOAWSAUTH_ATTEMPT_NOT_TRIED: mongoawsauth_attempt_outcome_t = 4;

#[derive(Debug)]
struct CAttempt {
    source: Box<[u8]>,
    outcome: mongoawsauth_attempt_outcome_t,
    code: mongoawsauth_result_t,
    message: Box<[u8]>,
    elapsed: Duration,
}

/// Why a call failed: a result code, a message, and for a credential chain that found nothing,
/// every source it tried.
///
/// Created by the library through the optional `mongoawsauth_error_t **error` parameter of a
/// fallible function. The caller owns it and must release it with `mongoawsauth_error_destroy`.
/// Messages never contain a secret.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
pub struct mongoawsauth_error_t {
    code: mongoawsauth_result_t,
    message: Box<[u8]>,
    attempts: Vec<CAttempt>,
}

impl std::fmt::Debug for mongoawsauth_error_t {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("mongoawsauth_error_t")
            .field("code", &self.code)
            .field("message", &self.message())
            .field("attempts", &self.attempts.len())
            .finish()
    }
}

impl mongoawsauth_error_t {
    pub(crate) fn message(&self) -> &str {
        std::str::from_utf8(&self.message[..self.message.len() - 1]).unwrap_or("")
    }
}

/// Returns a NUL-terminated C string and stores its length (without the NUL) in `*len` if `len`
/// is not NULL.
///
/// # Safety
/// `len` is NULL or writable.
unsafe fn text_out(text: &[u8], len: *mut usize) -> *const c_char {
    // SAFETY: forwarded from the caller.
    unsafe { ffi::write_len(len, text.len() - 1) };
    text.as_ptr().cast::<c_char>()
}

/// The result code of the failed call; `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_code(
    error: *const mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_infallible!(MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, {
        // SAFETY: `error` is NULL or a live error handle (documented contract).
        match unsafe { ffi::opt_ref(error) } {
            Some(e) => e.code,
            None => MONGOAWSAUTH_RESULT_INVALID_ARGUMENT,
        }
    })
}

/// The error message: one sentence saying what failed and what to do next, followed for a chain
/// failure by one line per source tried. UTF-8, NUL-terminated; its length without the NUL is
/// stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `error` is destroyed. Returns NULL (and leaves `*len` untouched) if
/// `error` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_message(
    error: *const mongoawsauth_error_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `error` is NULL or a live error handle (documented contract).
        let error = unsafe { ffi::opt_ref(error) };
        // SAFETY: `len` is NULL or writable (documented contract).
        error.map_or(std::ptr::null(), |e| unsafe { text_out(&e.message, len) })
    })
}

/// The number of credential sources the chain tried (0 for errors that are not chain failures,
/// and for NULL).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_count(error: *const mongoawsauth_error_t) -> usize {
    ffi_infallible!(0, {
        // SAFETY: `error` is NULL or a live error handle.
        unsafe { ffi::opt_ref(error) }.map_or(0, |e| e.attempts.len())
    })
}

/// # Safety
/// `error` is NULL or a live error handle.
unsafe fn attempt<'a>(error: *const mongoawsauth_error_t, index: usize) -> Option<&'a CAttempt> {
    // SAFETY: forwarded from the caller.
    unsafe { ffi::opt_ref(error) }.and_then(|e| e.attempts.get(index))
}

/// The name of the `index`th source tried (`"environment"`, `"custom"`, ...), NUL-terminated,
/// with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `error` is destroyed. NULL if `error` is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_source(
    error: *const mongoawsauth_error_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `error` is NULL or a live error handle (documented contract).
        let attempt = unsafe { attempt(error, index) };
        // SAFETY: `len` is NULL or writable (documented contract).
        attempt.map_or(std::ptr::null(), |a| unsafe { text_out(&a.source, len) })
    })
}

/// The outcome of the `index`th source tried; `MONGOAWSAUTH_ATTEMPT_NONE` if `error` is NULL or
/// `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_outcome(
    error: *const mongoawsauth_error_t,
    index: usize,
) -> mongoawsauth_attempt_outcome_t {
    ffi_infallible!(MONGOAWSAUTH_ATTEMPT_NONE, {
        // SAFETY: `error` is NULL or live.
        unsafe { attempt(error, index) }.map_or(MONGOAWSAUTH_ATTEMPT_NONE, |a| a.outcome)
    })
}

/// What the `index`th source said: why it is not configured, or how it failed; empty for a
/// success. NUL-terminated, with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `error` is destroyed. NULL if `error` is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_message(
    error: *const mongoawsauth_error_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `error` is NULL or a live error handle (documented contract).
        let attempt = unsafe { attempt(error, index) };
        // SAFETY: `len` is NULL or writable (documented contract).
        attempt.map_or(std::ptr::null(), |a| unsafe { text_out(&a.message, len) })
    })
}

/// The result code of the `index`th source's failure (`MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`,
/// `MONGOAWSAUTH_RESULT_TIMEOUT`, ...) when its outcome is `MONGOAWSAUTH_ATTEMPT_FAILED`;
/// `MONGOAWSAUTH_RESULT_OK` for a source that succeeded or is not configured, or if `error` is
/// NULL or `index` is out of range. `mongoawsauth_result_name` spells it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_code(
    error: *const mongoawsauth_error_t,
    index: usize,
) -> mongoawsauth_result_t {
    ffi_infallible!(MONGOAWSAUTH_RESULT_OK, {
        // SAFETY: `error` is NULL or live.
        unsafe { attempt(error, index) }.map_or(MONGOAWSAUTH_RESULT_OK, |a| a.code)
    })
}

/// How long the `index`th source took, in milliseconds (fractional: microseconds are in the
/// decimals); 0 if `error` is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_elapsed_ms(
    error: *const mongoawsauth_error_t,
    index: usize,
) -> f64 {
    ffi_infallible!(0.0, {
        // SAFETY: `error` is NULL or live.
        unsafe { attempt(error, index) }.map_or(0.0, |a| units::millis_f64(a.elapsed))
    })
}

/// How long the `index`th attempt took, for the deprecated microsecond accessor.
///
/// # Safety
/// `error` is NULL or a live error handle.
pub(crate) unsafe fn attempt_elapsed(error: *const mongoawsauth_error_t, index: usize) -> Option<Duration> {
    // SAFETY: forwarded from the caller.
    unsafe { attempt(error, index) }.map(|a| a.elapsed)
}

/// Releases an error. NULL is a no-op. Must not be called twice with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_destroy(error: *mut mongoawsauth_error_t) {
    ffi_infallible!((), {
        // SAFETY: `error` is NULL or an error handle from this library, destroyed once.
        unsafe { ffi::free(error) }
    })
}
