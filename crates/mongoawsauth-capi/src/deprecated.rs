//! The C names renamed in 0.2.0 to match the other faces (`credentials`, `expiration`, cache
//! `entries`, elapsed times in milliseconds), kept for one release so that programs built against
//! 0.1 still link and compile. Each forwards to its new name. The header marks them with
//! `MONGOAWSAUTH_DEPRECATED` (cbindgen's `deprecated_with_note`), so a compiler warns at every
//! call; this module is declared last so that they close the header under their own banner.

use std::ffi::{c_char, c_void};

use crate::authenticator::{self, mongoawsauth_authenticator_t};
use crate::cache::{self, mongoawsauth_cache_entries_t};
use crate::credentials::{self, mongoawsauth_credentials_t};
use crate::diagnostics::{self, mongoawsauth_diagnosis_t};
use crate::error::{self, mongoawsauth_error_t};
use crate::fetch_callback::{self, mongoawsauth_credentials_fetch_cb_t};
use crate::resolution::{self, mongoawsauth_resolution_t};
use crate::result::{MONGOAWSAUTH_RESULT_PANIC, mongoawsauth_result_t};
use crate::units;

/// The old name of `mongoawsauth_cache_entries_t`. Deprecated since 0.2.0: use
/// `mongoawsauth_cache_entries_t`.
pub type mongoawsauth_cache_snapshot_t = mongoawsauth_cache_entries_t;

/// ============================================================================================
/// Deprecated names (kept for one release)
/// ============================================================================================
///
/// The functions from here to the end of the header are the 0.1 names of functions renamed in
/// 0.2.0 so that C says what Rust, Python and Node say. They behave exactly as their new names
/// and will be removed in the next release. Compilers that know `deprecated` warn at each call;
/// define `MONGOAWSAUTH_DEPRECATED(note)` as empty before including this header to silence that.
///
/// Deprecated since 0.2.0: use `mongoawsauth_authenticator_credentials`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_authenticator_credentials")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_fetch_credentials(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    credentials_out: *mut *mut mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_infallible!(MONGOAWSAUTH_RESULT_PANIC, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe {
            authenticator::mongoawsauth_authenticator_credentials(
                authenticator,
                timeout_ms,
                credentials_out,
                error,
            )
        }
    })
}

/// Deprecated since 0.2.0: use `mongoawsauth_authenticator_credentials_async`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_authenticator_credentials_async")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_fetch_credentials_async(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    callback: mongoawsauth_credentials_fetch_cb_t,
    userdata: *mut c_void,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_infallible!(MONGOAWSAUTH_RESULT_PANIC, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe {
            fetch_callback::mongoawsauth_authenticator_credentials_async(
                authenticator,
                timeout_ms,
                callback,
                userdata,
                error,
            )
        }
    })
}

/// Deprecated since 0.2.0: use `mongoawsauth_credentials_expiration`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_credentials_expiration")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_expiry(
    credentials: *const mongoawsauth_credentials_t,
    expiry_unix_ms: *mut i64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { credentials::mongoawsauth_credentials_expiration(credentials, expiry_unix_ms) }
    })
}

/// Deprecated since 0.2.0: use `mongoawsauth_error_attempt_elapsed_ms` (milliseconds, as a
/// double). How long the `index`th source took, in whole microseconds; 0 if `error` is NULL or
/// `index` is out of range.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_error_attempt_elapsed_ms")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_error_attempt_elapsed_us(
    error: *const mongoawsauth_error_t,
    index: usize,
) -> u64 {
    ffi_infallible!(0, {
        // SAFETY: `error` is NULL or a live error handle (documented contract).
        unsafe { error::attempt_elapsed(error, index) }.map_or(0, units::micros_u64)
    })
}

/// Deprecated since 0.2.0: use `mongoawsauth_resolution_elapsed_ms` (milliseconds, as a
/// double). How long the resolution took, in whole microseconds; 0 for NULL.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_resolution_elapsed_ms")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_resolution_elapsed_us(
    resolution: *const mongoawsauth_resolution_t,
) -> u64 {
    ffi_infallible!(0, {
        // SAFETY: `resolution` is NULL or a live handle (documented contract).
        unsafe { resolution::elapsed(resolution) }.map_or(0, units::micros_u64)
    })
}

/// Deprecated since 0.2.0: use `mongoawsauth_diagnosis_source_elapsed_ms` (milliseconds, as a
/// double). How long the `index`th source took, in whole microseconds; 0 if `diagnosis` is NULL
/// or `index` is out of range.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_diagnosis_source_elapsed_ms")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_diagnosis_source_elapsed_us(
    diagnosis: *const mongoawsauth_diagnosis_t,
    index: usize,
) -> u64 {
    ffi_infallible!(0, {
        // SAFETY: `diagnosis` is NULL or a live handle (documented contract).
        unsafe { diagnostics::source_elapsed(diagnosis, index) }.map_or(0, units::micros_u64)
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_new`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_new")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_new(
    snapshot_out: *mut *mut mongoawsauth_cache_snapshot_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_infallible!(MONGOAWSAUTH_RESULT_PANIC, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_new(snapshot_out, error) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_count`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_count")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_count(
    snapshot: *const mongoawsauth_cache_snapshot_t,
) -> usize {
    ffi_infallible!(0, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_count(snapshot) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_key`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_key")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_key(
    snapshot: *const mongoawsauth_cache_snapshot_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_key(snapshot, index, len) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_access_key_id`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_access_key_id")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_access_key_id(
    snapshot: *const mongoawsauth_cache_snapshot_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_access_key_id(snapshot, index, len) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_source`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_source")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_source(
    snapshot: *const mongoawsauth_cache_snapshot_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_source(snapshot, index, len) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_expiration`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_expiration")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_expiry(
    snapshot: *const mongoawsauth_cache_snapshot_t,
    index: usize,
    expiry_unix_ms: *mut i64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_expiration(snapshot, index, expiry_unix_ms) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_generation`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_generation")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_generation(
    snapshot: *const mongoawsauth_cache_snapshot_t,
    index: usize,
) -> u64 {
    ffi_infallible!(0, {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_generation(snapshot, index) }
    })
}

/// Test hook. Deprecated since 0.2.0: use `mongoawsauth_cache_entries_destroy`.
#[deprecated(since = "0.2.0", note = "use mongoawsauth_cache_entries_destroy")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_snapshot_destroy(snapshot: *mut mongoawsauth_cache_snapshot_t) {
    ffi_infallible!((), {
        // SAFETY: the same contract as the function it forwards to.
        unsafe { cache::mongoawsauth_cache_entries_destroy(snapshot) }
    })
}
