//! `mongoawsauth_resolution_t`: a credential fetch together with where its credentials came
//! from (the process-wide cache or the source itself) and how long it took, for a driver's
//! diagnostics and for the spec's caching tests.

use std::time::{Duration, Instant};

use mongoawsauth_core::{Resolution, runtime};

use crate::authenticator::{self, mongoawsauth_authenticator_t};
use crate::credentials::mongoawsauth_credentials_t;
use crate::error::mongoawsauth_error_t;
use crate::ffi;
use crate::result::mongoawsauth_result_t;
use crate::units;

/// The outcome of one credential resolution: the credentials, whether they were served from the
/// process-wide cache, and how long the resolution took.
///
/// Created by `mongoawsauth_authenticator_resolve`. The caller owns it and must release it with
/// `mongoawsauth_resolution_destroy`, which zeroizes the credentials it holds.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
#[derive(Debug)]
pub struct mongoawsauth_resolution_t {
    credentials: mongoawsauth_credentials_t,
    from_cache: bool,
    elapsed: Duration,
}

async fn resolve(
    authenticator: &mongoawsauth_core::Authenticator,
    deadline: Option<Instant>,
) -> mongoawsauth_core::Result<Resolution> {
    match deadline {
        Some(deadline) => authenticator.resolve_until(deadline).await,
        None => authenticator.resolve().await,
    }
}

/// Resolves credentials like `mongoawsauth_authenticator_credentials` (blocking for at
/// most `timeout_ms` milliseconds; 0: the options' credentials timeout) and also reports whether
/// they were served from the process-wide cache and how long that took.
///
/// On success the caller owns `*resolution_out` and must release it with
/// `mongoawsauth_resolution_destroy`. Fails like `mongoawsauth_authenticator_credentials`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_resolve(
    authenticator: *const mongoawsauth_authenticator_t,
    timeout_ms: u32,
    resolution_out: *mut *mut mongoawsauth_resolution_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(resolution_out, "resolution_out")?;
        // SAFETY: `authenticator` is NULL or a live handle (documented contract).
        let authenticator = unsafe { ffi::try_ref(authenticator, "authenticator") }?;
        let deadline = authenticator::deadline(timeout_ms);
        let resolution = runtime::block_on(resolve(authenticator.core(), deadline))??;
        let resolution = mongoawsauth_resolution_t {
            credentials: mongoawsauth_credentials_t::new(resolution.credentials),
            from_cache: resolution.from_cache,
            elapsed: resolution.elapsed,
        };
        // SAFETY: `resolution_out` was checked and is writable.
        unsafe { out.write(resolution) };
        Ok(())
    })
}

/// The resolved credentials, readable with the `mongoawsauth_credentials_*` accessors and usable
/// with `mongoawsauth_conversation_new` (which keeps its own reference).
///
/// Borrowed: valid until `resolution` is destroyed; do not destroy it. NULL if `resolution` is
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_resolution_credentials(
    resolution: *const mongoawsauth_resolution_t,
) -> *const mongoawsauth_credentials_t {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `resolution` is NULL or a live handle (documented contract).
        unsafe { ffi::opt_ref(resolution) }.map_or(std::ptr::null(), |r| ffi::borrowed(&r.credentials))
    })
}

/// Whether the credentials were served from the process-wide cache rather than fetched from
/// their source. False for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_resolution_from_cache(
    resolution: *const mongoawsauth_resolution_t,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `resolution` is NULL or a live handle.
        unsafe { ffi::opt_ref(resolution) }.is_some_and(|r| r.from_cache)
    })
}

/// How long the resolution took, in milliseconds (fractional: a cache hit takes microseconds,
/// which are in the decimals); 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_resolution_elapsed_ms(
    resolution: *const mongoawsauth_resolution_t,
) -> f64 {
    ffi_infallible!(0.0, {
        // SAFETY: `resolution` is NULL or a live handle.
        unsafe { ffi::opt_ref(resolution) }.map_or(0.0, |r| units::millis_f64(r.elapsed))
    })
}

/// How long the resolution took, for the deprecated microsecond accessor; `None` for NULL.
///
/// # Safety
/// `resolution` is NULL or a live handle.
pub(crate) unsafe fn elapsed(resolution: *const mongoawsauth_resolution_t) -> Option<Duration> {
    // SAFETY: forwarded from the caller.
    unsafe { ffi::opt_ref(resolution) }.map(|r| r.elapsed)
}

/// Zeroizes and releases a resolution and its credentials. NULL is a no-op. Must not be called
/// twice with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_resolution_destroy(resolution: *mut mongoawsauth_resolution_t) {
    ffi_infallible!((), {
        // SAFETY: `resolution` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(resolution) }
    })
}
