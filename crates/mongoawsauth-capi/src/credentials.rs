//! `mongoawsauth_credentials_t`: AWS credentials handed to or from C.

use std::ffi::c_char;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mongoawsauth_core::{APPLICATION_SOURCE, Credentials};
use zeroize::Zeroizing;

use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::result::mongoawsauth_result_t;

/// AWS credentials: an access key id, a secret access key, an optional session token, an
/// optional expiration and the name of the source that produced them.
///
/// Created by `mongoawsauth_credentials_new` or by a fetch. The caller owns the handle and must
/// release it with `mongoawsauth_credentials_destroy`, which zeroizes the library's copies of the
/// secret and the token.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
pub struct mongoawsauth_credentials_t {
    inner: Credentials,
    access_key_id: Box<[u8]>,
    // NUL-terminated copies of the secrets for C, zeroized on drop.
    secret_access_key: Zeroizing<Vec<u8>>,
    session_token: Option<Zeroizing<Vec<u8>>>,
    source: Box<[u8]>,
}

fn secret_c_text(text: &str) -> Zeroizing<Vec<u8>> {
    let mut bytes = Zeroizing::new(Vec::with_capacity(text.len() + 1));
    bytes.extend_from_slice(text.as_bytes());
    bytes.push(0);
    bytes
}

impl mongoawsauth_credentials_t {
    pub(crate) fn new(inner: Credentials) -> Self {
        mongoawsauth_credentials_t {
            access_key_id: ffi::c_text(inner.access_key_id()),
            secret_access_key: secret_c_text(inner.secret_access_key()),
            session_token: inner.session_token().map(secret_c_text),
            source: ffi::c_text(inner.source()),
            inner,
        }
    }

    pub(crate) fn core(&self) -> &Credentials {
        &self.inner
    }
}

impl std::fmt::Debug for mongoawsauth_credentials_t {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The core's Debug redacts the secret and the token.
        f.debug_tuple("mongoawsauth_credentials_t").field(&self.inner).finish()
    }
}

/// Creates credentials from their parts, validated by the library's rules: the access key id
/// and the secret access key are required, the session token is optional (NULL or empty for
/// long-term keys). `expiration_unix_ms`, when not NULL, points to the expiration in milliseconds
/// since the Unix epoch (the unit of BSON date-times).
///
/// The source name of the result is `"application"` (or `"custom"` once returned by a provider
/// callback).
///
/// This function does not take ownership of its arguments; it copies them. On success the
/// caller owns `*credentials_out` and must release it with `mongoawsauth_credentials_destroy`.
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL or non-UTF-8 string, a missing
/// part, or an expiration before 1970 or after 9999-12-31T23:59:59Z (253402300799000 ms; so
/// `INT64_MIN` and `INT64_MAX` are refused: pass NULL for no expiration).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_new(
    access_key_id: *const c_char,
    secret_access_key: *const c_char,
    session_token: *const c_char,
    expiration_unix_ms: *const i64,
    credentials_out: *mut *mut mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(credentials_out, "credentials_out")?;
        // SAFETY: the strings are NULL or NUL-terminated (documented contract).
        let id = unsafe { ffi::str_arg(access_key_id, "access_key_id") }?;
        // SAFETY: as above.
        let secret = unsafe { ffi::str_arg(secret_access_key, "secret_access_key") }?;
        // SAFETY: as above.
        let token = unsafe { ffi::opt_str_arg(session_token, "session_token") }?;
        // SAFETY: `expiration_unix_ms` is NULL or points to a readable int64_t.
        let expiration = match unsafe { ffi::opt_ref(expiration_unix_ms) } {
            None => None,
            Some(&ms) => Some(expiration_from_unix_ms(ms, "expiration_unix_ms")?),
        };
        let credentials = Credentials::new(Some(id), Some(secret), token, expiration, APPLICATION_SOURCE)?;
        // SAFETY: `credentials_out` was checked and is writable (documented contract).
        unsafe { out.write(mongoawsauth_credentials_t::new(credentials)) };
        Ok(())
    })
}

/// The latest expiration in milliseconds since the epoch: 9999-12-31T23:59:59Z, the core's bound.
const LATEST_EXPIRATION_UNIX_MS: u64 = Credentials::LATEST_EXPIRY_UNIX_SECS * 1000;

/// Converts an expiration from C, refusing what no credentials can have (before 1970, after
/// 9999-12-31T23:59:59Z: `INT64_MAX` and `INT64_MIN` are sentinels, not expirations) with a
/// message that names the parameter (`parameter`), and never doing unchecked arithmetic on the
/// host's value.
pub(crate) fn expiration_from_unix_ms(ms: i64, parameter: &str) -> Result<SystemTime, Failure> {
    let ms = u64::try_from(ms).map_err(|_| {
        Failure::invalid_argument(format!(
            "{parameter} {ms} is before 1970: pass milliseconds since the Unix epoch"
        ))
    })?;
    if ms > LATEST_EXPIRATION_UNIX_MS {
        return Err(Failure::invalid_argument(format!(
            "{parameter} {ms} is after 9999-12-31T23:59:59Z ({LATEST_EXPIRATION_UNIX_MS}): pass \
             milliseconds since the Unix epoch (not microseconds or nanoseconds)"
        )));
    }
    UNIX_EPOCH
        .checked_add(Duration::from_millis(ms))
        .ok_or_else(|| Failure::invalid_argument(format!("{parameter} {ms} is out of range")))
}

/// # Safety
/// `credentials` is NULL or a live handle; `len` is NULL or writable.
unsafe fn text(
    credentials: *const mongoawsauth_credentials_t,
    len: *mut usize,
    pick: fn(&mongoawsauth_credentials_t) -> Option<&[u8]>,
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    match unsafe { ffi::opt_ref(credentials) }.and_then(pick) {
        Some(bytes) => {
            // SAFETY: forwarded from the caller.
            unsafe { ffi::write_len(len, bytes.len() - 1) };
            bytes.as_ptr().cast::<c_char>()
        }
        None => std::ptr::null(),
    }
}

/// The access key id (`AKIA...` or `ASIA...`; not a secret), NUL-terminated, with its length
/// stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `credentials` is destroyed. NULL if `credentials` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_access_key_id(
    credentials: *const mongoawsauth_credentials_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text(credentials, len, |c| Some(&c.access_key_id)) }
    })
}

/// The secret access key, NUL-terminated, with its length stored in `*len` when `len` is not
/// NULL. A secret: never log it.
///
/// Borrowed: valid until `credentials` is destroyed, which zeroizes it. NULL if `credentials` is
/// NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_secret_access_key(
    credentials: *const mongoawsauth_credentials_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text(credentials, len, |c| Some(&c.secret_access_key)) }
    })
}

/// The session token of temporary credentials, NUL-terminated, with its length stored in
/// `*len` when `len` is not NULL. A secret: never log it.
///
/// Borrowed: valid until `credentials` is destroyed, which zeroizes it. NULL (and `*len`
/// untouched) for long-term keys, or if `credentials` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_session_token(
    credentials: *const mongoawsauth_credentials_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text(credentials, len, |c| c.session_token.as_deref().map(Vec::as_slice)) }
    })
}

/// The name of the source that produced the credentials (`"environment"`, `"custom"`,
/// `"application"`, ...), NUL-terminated, with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `credentials` is destroyed. NULL if `credentials` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_source(
    credentials: *const mongoawsauth_credentials_t,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { text(credentials, len, |c| Some(&c.source)) }
    })
}

/// Whether these are temporary credentials (they carry a session token). False for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_is_temporary(
    credentials: *const mongoawsauth_credentials_t,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `credentials` is NULL or a live handle.
        unsafe { ffi::opt_ref(credentials) }.is_some_and(|c| c.inner.is_temporary())
    })
}

/// When the credentials expire. Returns true and stores the expiration in milliseconds since
/// the Unix epoch in `*expiration_unix_ms` when the source gave one; returns false and leaves
/// `*expiration_unix_ms` untouched when it did not, or when an argument is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_expiration(
    credentials: *const mongoawsauth_credentials_t,
    expiration_unix_ms: *mut i64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `credentials` is NULL or a live handle.
        let expiration = unsafe { ffi::opt_ref(credentials) }.and_then(|c| c.inner.expiration());
        match expiration {
            Some(at) if !expiration_unix_ms.is_null() => {
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { ffi::write_scalar(expiration_unix_ms, unix_ms(at)) };
                true
            }
            _ => false,
        }
    })
}

/// A time as milliseconds since the Unix epoch (the unit of BSON date-times), saturating.
pub(crate) fn unix_ms(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// The generation of the process-wide cache entry these credentials came from. Returns true and
/// stores it in `*generation` when they were fetched through the cache (web identity, container,
/// EC2 instance metadata, SAML); returns false and leaves `*generation` untouched for credentials
/// that are never cached (environment, provider callback, `mongoawsauth_credentials_new`), or
/// when an argument is NULL.
///
/// When a login with these credentials fails, pass the generation to
/// `mongoawsauth_authenticator_report_failure`, so that exactly that cache entry is dropped.
/// Generations are never 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_generation(
    credentials: *const mongoawsauth_credentials_t,
    generation: *mut u64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `credentials` is NULL or a live handle.
        let found = unsafe { ffi::opt_ref(credentials) }.and_then(|c| c.inner.generation());
        match found {
            Some(g) if !generation.is_null() => {
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { ffi::write_scalar(generation, g) };
                true
            }
            _ => false,
        }
    })
}

/// Zeroizes and releases credentials. NULL is a no-op. Must not be called twice with the same
/// value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_credentials_destroy(credentials: *mut mongoawsauth_credentials_t) {
    ffi_infallible!((), {
        // SAFETY: `credentials` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(credentials) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, MONGOAWSAUTH_RESULT_OK};

    /// Calls `mongoawsauth_credentials_new` with `expiration` and returns the code and the error
    /// message (empty on success).
    fn new_with_expiration(expiration: i64) -> (mongoawsauth_result_t, String) {
        let mut out: *mut mongoawsauth_credentials_t = std::ptr::null_mut();
        let mut error: *mut mongoawsauth_error_t = std::ptr::null_mut();
        // SAFETY: NUL-terminated strings, a readable expiration, writable out-parameters.
        let code = unsafe {
            mongoawsauth_credentials_new(
                c"ASIAEXAMPLE".as_ptr(),
                c"secret".as_ptr(),
                c"token".as_ptr(),
                &expiration,
                &mut out,
                &mut error,
            )
        };
        let mut message = String::new();
        if !error.is_null() {
            // SAFETY: the library stored a live error object.
            message = unsafe { &*error }.message().to_owned();
            // SAFETY: freed once.
            unsafe { ffi::free(error) };
        }
        if !out.is_null() {
            // SAFETY: the library stored a live handle; freed once.
            unsafe { ffi::free(out) };
        }
        (code, message)
    }

    /// INT64_MAX and INT64_MIN are what a C caller passes for "never" or "unset"; both are
    /// invalid arguments that say which bound they crossed, and the bounds themselves work.
    #[test]
    fn sentinel_expirations_are_invalid_arguments() {
        let (code, message) = new_with_expiration(i64::MAX);
        assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{message}");
        assert!(
            message.contains("expiration_unix_ms 9223372036854775807 is after 9999-12-31T23:59:59Z"),
            "{message}"
        );
        let (code, message) = new_with_expiration(253_402_300_799_001);
        assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{message}");
        let (code, message) = new_with_expiration(i64::MIN);
        assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{message}");
        assert!(message.contains("before 1970"), "{message}");
        assert_eq!(new_with_expiration(253_402_300_799_000).0, MONGOAWSAUTH_RESULT_OK);
        assert_eq!(new_with_expiration(0).0, MONGOAWSAUTH_RESULT_OK);
    }
}
