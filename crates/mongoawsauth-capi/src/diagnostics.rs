//! `mongoawsauth_diagnose`: the core's walk through the default chain that reports what every
//! source said, for drivers that want to explain a failed login (and for `mongoawsauth
//! diagnose`-style tools).

use std::ffi::c_char;
use std::time::Duration;

use mongoawsauth_core::diagnostics::{self, Diagnosis, SourceStatus};
use mongoawsauth_core::runtime;

use crate::credentials::mongoawsauth_credentials_t;
use crate::error::{
    MONGOAWSAUTH_ATTEMPT_FAILED, MONGOAWSAUTH_ATTEMPT_NONE, MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED,
    MONGOAWSAUTH_ATTEMPT_NOT_TRIED, MONGOAWSAUTH_ATTEMPT_SUCCEEDED, mongoawsauth_attempt_outcome_t,
    mongoawsauth_error_t,
};
use crate::ffi;
use crate::options::mongoawsauth_options_t;
use crate::result::mongoawsauth_result_t;
use crate::units;

#[derive(Debug)]
struct CReport {
    source: Box<[u8]>,
    status: mongoawsauth_attempt_outcome_t,
    detail: Box<[u8]>,
    elapsed: Duration,
}

/// What every source of the default chain said during one `mongoawsauth_diagnose` walk, in chain
/// order, and the credentials a login would use.
///
/// Created by `mongoawsauth_diagnose`. The caller owns it and must release it with
/// `mongoawsauth_diagnosis_destroy`, which zeroizes the credentials it holds. No text in it
/// contains a secret.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
#[derive(Debug)]
pub struct mongoawsauth_diagnosis_t {
    sources: Vec<CReport>,
    credentials: Option<mongoawsauth_credentials_t>,
    used_source: Option<Box<[u8]>>,
    advice: Option<Box<[u8]>>,
}

impl From<Diagnosis> for mongoawsauth_diagnosis_t {
    fn from(diagnosis: Diagnosis) -> Self {
        let credentials_text = diagnosis.credentials.as_ref().map(ToString::to_string).unwrap_or_default();
        let sources = diagnosis
            .sources
            .iter()
            .map(|r| {
                let (status, detail) = match &r.status {
                    // The credentials' Display: kind, access key id, source and expiry, never a secret.
                    SourceStatus::Used { .. } => (MONGOAWSAUTH_ATTEMPT_SUCCEEDED, credentials_text.as_str()),
                    SourceStatus::NotConfigured(why) => (MONGOAWSAUTH_ATTEMPT_NOT_CONFIGURED, why.as_str()),
                    SourceStatus::Failed(why) => (MONGOAWSAUTH_ATTEMPT_FAILED, why.as_str()),
                    SourceStatus::NotTried(why) => (MONGOAWSAUTH_ATTEMPT_NOT_TRIED, why.as_str()),
                };
                CReport {
                    source: ffi::c_text(&r.source),
                    status,
                    detail: ffi::c_text(detail),
                    elapsed: r.elapsed,
                }
            })
            .collect();
        mongoawsauth_diagnosis_t {
            sources,
            used_source: diagnosis.used_source().map(ffi::c_text),
            advice: diagnosis.advice().map(|a| ffi::c_text(&a)),
            credentials: diagnosis.credentials.map(mongoawsauth_credentials_t::new),
        }
    }
}

/// Walks the default chain of `options` (provider callback, environment, the AWS shared config
/// files' profile, web identity, container, EC2 instance metadata: the MongoDB specification's
/// order with the AWS SDKs' profile step; the environment step is left out when
/// `mongoawsauth_options_set_profile` names a profile, as that profile is what was asked for)
/// without the cache, asking every source afresh, blocking for
/// at most `timeout_ms` milliseconds per source (0: the options' credentials timeout). A source's
/// failure is reported in the diagnosis, not as this function's result.
///
/// This function does not take ownership of `options`. On success the caller owns
/// `*diagnosis_out` and must release it with `mongoawsauth_diagnosis_destroy`. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL argument, and
/// `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnose(
    options: *const mongoawsauth_options_t,
    timeout_ms: u32,
    diagnosis_out: *mut *mut mongoawsauth_diagnosis_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(diagnosis_out, "diagnosis_out")?;
        // SAFETY: `options` is NULL or a live handle (documented contract).
        let options = unsafe { ffi::try_ref(options, "options") }?.core();
        let per_source = match timeout_ms {
            0 => options.credentials_timeout(),
            ms => std::time::Duration::from_millis(u64::from(ms)),
        };
        let diagnosis = runtime::block_on(diagnostics::diagnose(options, per_source))?;
        // SAFETY: `diagnosis_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_diagnosis_t::from(diagnosis)) };
        Ok(())
    })
}

/// # Safety
/// `diagnosis` is NULL or a live handle.
unsafe fn report<'a>(diagnosis: *const mongoawsauth_diagnosis_t, index: usize) -> Option<&'a CReport> {
    // SAFETY: forwarded from the caller.
    unsafe { ffi::opt_ref(diagnosis) }.and_then(|d| d.sources.get(index))
}

/// # Safety
/// `len` is NULL or writable.
unsafe fn text_out(text: Option<&[u8]>, len: *mut usize) -> *const c_char {
    match text {
        Some(text) => {
            // SAFETY: forwarded from the caller.
            unsafe { ffi::write_len(len, text.len() - 1) };
            text.as_ptr().cast::<c_char>()
        }
        None => std::ptr::null(),
    }
}

/// The number of sources the walk reports (every source of the chain, tried or not); 0 for
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_count(
    diagnosis: *const mongoawsauth_diagnosis_t,
) -> usize {
    ffi_infallible!(0, {
        // SAFETY: `diagnosis` is NULL or a live handle.
        unsafe { ffi::opt_ref(diagnosis) }.map_or(0, |d| d.sources.len())
    })
}

/// The name of the `index`th source (`"custom"`, `"environment"`, `"web_identity"`,
/// `"container"`, `"imds"`), NUL-terminated, with its length stored in `*len` when `len` is not
/// NULL.
///
/// Borrowed: valid until `diagnosis` is destroyed. NULL if `diagnosis` is NULL or `index` is out
/// of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_name(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text_out(report(diagnosis, index).map(|r| &*r.source), len) }
    })
}

/// What the `index`th source did: `MONGOAWSAUTH_ATTEMPT_SUCCEEDED` (it supplied the credentials a
/// login would use), `_NOT_CONFIGURED`, `_FAILED` (a login stops there) or `_NOT_TRIED`;
/// `MONGOAWSAUTH_ATTEMPT_NONE` if `diagnosis` is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_status(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
) -> mongoawsauth_attempt_outcome_t {
    ffi_infallible!(MONGOAWSAUTH_ATTEMPT_NONE, {
        // SAFETY: `diagnosis` is NULL or a live handle.
        unsafe { report(diagnosis, index) }.map_or(MONGOAWSAUTH_ATTEMPT_NONE, |r| r.status)
    })
}

/// What the `index`th source said: which credentials it supplied (kind, access key id, expiry),
/// why it is not configured, how it failed, or why it was not tried. Never a secret.
/// NUL-terminated, with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `diagnosis` is destroyed. NULL if `diagnosis` is NULL or `index` is out
/// of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_detail(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text_out(report(diagnosis, index).map(|r| &*r.detail), len) }
    })
}

/// How long the `index`th source took, in milliseconds (fractional; 0 when not tried); 0 if
/// `diagnosis` is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_elapsed_ms(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
) -> f64 {
    ffi_infallible!(0.0, {
        // SAFETY: `diagnosis` is NULL or a live handle.
        unsafe { report(diagnosis, index) }.map_or(0.0, |r| units::millis_f64(r.elapsed))
    })
}

/// How long the `index`th source took, for the deprecated microsecond accessor.
///
/// # Safety
/// `diagnosis` is NULL or a live handle.
pub(crate) unsafe fn source_elapsed(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
) -> Option<Duration> {
    // SAFETY: forwarded from the caller.
    unsafe { report(diagnosis, index) }.map(|r| r.elapsed)
}

/// The name of the source a login would use, NUL-terminated, with its length stored in `*len`
/// when `len` is not NULL.
///
/// Borrowed: valid until `diagnosis` is destroyed. NULL when no source supplied credentials, or
/// if `diagnosis` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_used_source(
    diagnosis: *const mongoawsauth_diagnosis_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `diagnosis` is NULL or a live handle.
        let used = unsafe { ffi::opt_ref(diagnosis) }.and_then(|d| d.used_source.as_deref());
        // SAFETY: `len` is NULL or writable (documented contract).
        unsafe { text_out(used, len) }
    })
}

/// The credentials a login would use, readable with the `mongoawsauth_credentials_*` accessors.
///
/// Borrowed: valid until `diagnosis` is destroyed; do not destroy it. NULL when no source
/// supplied credentials, or if `diagnosis` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_credentials(
    diagnosis: *const mongoawsauth_diagnosis_t,
) -> *const mongoawsauth_credentials_t {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `diagnosis` is NULL or a live handle.
        let credentials = unsafe { ffi::opt_ref(diagnosis) }.and_then(|d| d.credentials.as_ref());
        credentials.map_or(std::ptr::null(), ffi::borrowed)
    })
}

/// What to do next, in one sentence, when no source supplied credentials, NUL-terminated, with
/// its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `diagnosis` is destroyed. NULL when a source supplied credentials, or if
/// `diagnosis` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_advice(
    diagnosis: *const mongoawsauth_diagnosis_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `diagnosis` is NULL or a live handle.
        let advice = unsafe { ffi::opt_ref(diagnosis) }.and_then(|d| d.advice.as_deref());
        // SAFETY: `len` is NULL or writable (documented contract).
        unsafe { text_out(advice, len) }
    })
}

/// Zeroizes and releases a diagnosis. NULL is a no-op. Must not be called twice with the same
/// value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_destroy(diagnosis: *mut mongoawsauth_diagnosis_t) {
    ffi_infallible!((), {
        // SAFETY: `diagnosis` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(diagnosis) }
    })
}
