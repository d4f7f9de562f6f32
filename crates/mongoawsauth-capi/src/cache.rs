//! The MongoDB spec's caching tests, from C: hooks that clear, read, overwrite, expire and
//! poison the core's process-wide credentials cache (`mongoawsauth::cache`). Applications have
//! no use for them; drivers call them from their spec test runners only.
//!
//! This module is declared last in `lib.rs` so that its functions close the header, under the
//! banner in the first one's documentation.

use std::ffi::c_char;

use mongoawsauth_core::cache::{self, CacheEntryInfo};

use crate::credentials::{self, mongoawsauth_credentials_t};
use crate::error::mongoawsauth_error_t;
use crate::ffi;
use crate::result::mongoawsauth_result_t;

#[derive(Debug)]
struct CEntry {
    key: Box<[u8]>,
    access_key_id: Box<[u8]>,
    source: Box<[u8]>,
    expiration_unix_ms: i64,
    generation: u64,
}

impl From<CacheEntryInfo> for CEntry {
    fn from(info: CacheEntryInfo) -> Self {
        CEntry {
            key: ffi::c_text(&info.key),
            access_key_id: ffi::c_text(&info.access_key_id),
            source: ffi::c_text(&info.source),
            expiration_unix_ms: credentials::unix_ms(info.expiry),
            generation: info.generation,
        }
    }
}

/// Test hook: a copy of the entries the process-wide credentials cache held at one moment, one
/// per cache key, sorted by key. It holds no secret: only keys, access key ids, source names,
/// expirations and generations.
///
/// Created by `mongoawsauth_cache_entries_new`. The caller owns it and must release it with
/// `mongoawsauth_cache_entries_destroy`. Later changes to the cache do not affect it.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
#[derive(Debug)]
pub struct mongoawsauth_cache_entries_t {
    entries: Vec<CEntry>,
}

/// ============================================================================================
/// Test hooks (for the MongoDB spec's caching tests)
/// ============================================================================================
///
/// The functions from here to the end of the header read and change the process-wide credentials
/// cache that every authenticator shares (one entry per configured network source: web
/// identity, container, EC2 instance metadata, SAML). They exist so that a driver can run the
/// spec's "cached credentials" tests through this library; applications must not call them.
///
/// Empties the cache. Fetches already in flight still complete and store what they fetch.
///
/// Fails only with `MONGOAWSAUTH_RESULT_PANIC`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_clear(
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        cache::clear();
        Ok(())
    })
}

/// Test hook: copies the current cache entries.
///
/// On success the caller owns `*entries_out` and must release it with
/// `mongoawsauth_cache_entries_destroy`. Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if
/// `entries_out` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_new(
    entries_out: *mut *mut mongoawsauth_cache_entries_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(entries_out, "entries_out")?;
        let entries = cache::entries().into_iter().map(CEntry::from).collect();
        // SAFETY: `entries_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_cache_entries_t { entries }) };
        Ok(())
    })
}

/// Test hook: the number of entries copied; 0 for NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_count(
    entries: *const mongoawsauth_cache_entries_t,
) -> usize {
    ffi_infallible!(0, {
        // SAFETY: `entries` is NULL or a live handle.
        unsafe { ffi::opt_ref(entries) }.map_or(0, |s| s.entries.len())
    })
}

/// # Safety
/// `entries` is NULL or a live handle.
unsafe fn entry<'a>(entries: *const mongoawsauth_cache_entries_t, index: usize) -> Option<&'a CEntry> {
    // SAFETY: forwarded from the caller.
    unsafe { ffi::opt_ref(entries) }.and_then(|s| s.entries.get(index))
}

/// # Safety
/// `entries` is NULL or a live handle; `len` is NULL or writable.
unsafe fn entry_text(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
    len: *mut usize,
    pick: fn(&CEntry) -> &[u8],
) -> *const c_char {
    // SAFETY: forwarded from the caller.
    match unsafe { entry(entries, index) } {
        Some(e) => {
            let text = pick(e);
            // SAFETY: forwarded from the caller.
            unsafe { ffi::write_len(len, text.len() - 1) };
            text.as_ptr().cast::<c_char>()
        }
        None => std::ptr::null(),
    }
}

/// Test hook: the cache key of the `index`th entry (it describes the source's configuration; pass
/// it to `mongoawsauth_cache_get`, `_set`, `_expire` or `_poison`). NUL-terminated, with its
/// length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_key(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { entry_text(entries, index, len, |e| &e.key) }
    })
}

/// Test hook: the access key id cached in the `index`th entry (not a secret), NUL-terminated,
/// with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_access_key_id(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { entry_text(entries, index, len, |e| &e.access_key_id) }
    })
}

/// Test hook: the name of the source that produced the `index`th entry (`"container"`,
/// `"imds"`, ...), NUL-terminated, with its length stored in `*len` when `len` is not NULL.
///
/// Borrowed: valid until `entries` is destroyed. NULL if `entries` is NULL or `index` is out of
/// range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_source(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: documented contract of this function.
        unsafe { entry_text(entries, index, len, |e| &e.source) }
    })
}

/// Test hook: when the `index`th entry expires. Returns true and stores the expiration in
/// milliseconds since the Unix epoch in `*expiration_unix_ms`; returns false and leaves it
/// untouched if an argument is NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_expiration(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
    expiration_unix_ms: *mut i64,
) -> bool {
    ffi_infallible!(false, {
        // SAFETY: `entries` is NULL or a live handle.
        match unsafe { entry(entries, index) } {
            Some(e) if !expiration_unix_ms.is_null() => {
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                unsafe { ffi::write_scalar(expiration_unix_ms, e.expiration_unix_ms) };
                true
            }
            _ => false,
        }
    })
}

/// Test hook: the generation of the `index`th entry (what
/// `mongoawsauth_authenticator_report_failure` takes); 0, never a generation, if `entries` is
/// NULL or `index` is out of range.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_generation(
    entries: *const mongoawsauth_cache_entries_t,
    index: usize,
) -> u64 {
    ffi_infallible!(0, {
        // SAFETY: `entries` is NULL or a live handle.
        unsafe { entry(entries, index) }.map_or(0, |e| e.generation)
    })
}

/// Test hook: releases a copy of the cache entries. NULL is a no-op. Must not be called twice
/// with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_entries_destroy(entries: *mut mongoawsauth_cache_entries_t) {
    ffi_infallible!((), {
        // SAFETY: `entries` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(entries) }
    })
}

/// Test hook: the credentials cached under `key`, or, when `key` is NULL, those of the only
/// entry (the spec's tests configure one source).
///
/// This function does not take ownership of `key`. On success `*credentials_out` receives new
/// credentials (with their generation, see `mongoawsauth_credentials_generation`), which the
/// caller owns and must release with `mongoawsauth_credentials_destroy`, or NULL when there is no
/// such entry (or, for a NULL `key`, not exactly one entry). Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `credentials_out` is NULL or `key` is not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_get(
    key: *const c_char,
    credentials_out: *mut *mut mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(credentials_out, "credentials_out")?;
        // SAFETY: `key` is NULL or NUL-terminated (documented contract).
        let key = unsafe { ffi::opt_str_arg(key, "key") }?;
        match cache::get(key) {
            // SAFETY: `credentials_out` was checked and is writable.
            Some(c) => unsafe { out.write(mongoawsauth_credentials_t::new(c)) },
            // SAFETY: as above.
            None => unsafe { out.write_null() },
        }
        Ok(())
    })
}

/// Test hook: stores `credentials` under `key` as a fresh entry with a new generation, replacing
/// any entry there. The credentials must have an expiration (`mongoawsauth_credentials_new`
/// with `expiration_unix_ms`); it becomes the entry's expiration.
///
/// This function does not take ownership of its arguments; it copies them. On success, if
/// `generation` is not NULL, `*generation` receives the new entry's generation. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` or `credentials` is NULL, `key` is not UTF-8,
/// or the credentials have no expiration.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_set(
    key: *const c_char,
    credentials: *const mongoawsauth_credentials_t,
    generation: *mut u64,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `key` is NULL or NUL-terminated (documented contract).
        let key = unsafe { ffi::str_arg(key, "key") }?;
        // SAFETY: `credentials` is NULL or a live handle (documented contract).
        let credentials = unsafe { ffi::try_ref(credentials, "credentials") }?;
        let stored = cache::set(key, credentials.core().clone())?;
        // SAFETY: `generation` is NULL or writable (documented contract).
        unsafe { ffi::write_scalar(generation, stored) };
        Ok(())
    })
}

/// Test hook: sets the expiration of the entry under `key` (of every entry when `key` is NULL)
/// to `expiration_unix_ms`, milliseconds since the Unix epoch; the spec's tests set it to one minute
/// from now, inside the refresh window, to force the next fetch.
///
/// This function does not take ownership of `key`. On success, if `changed` is not NULL,
/// `*changed` receives the number of entries changed (0 when there is no such key). Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` is not UTF-8 or `expiration_unix_ms` is
/// negative.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_expire(
    key: *const c_char,
    expiration_unix_ms: i64,
    changed: *mut usize,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `key` is NULL or NUL-terminated (documented contract).
        let key = unsafe { ffi::opt_str_arg(key, "key") }?;
        let expiration = credentials::expiration_from_unix_ms(expiration_unix_ms, "expiration_unix_ms")?;
        let count = cache::expire(key, expiration);
        // SAFETY: `changed` is NULL or writable (documented contract).
        unsafe { ffi::write_scalar(changed, count) };
        Ok(())
    })
}

/// Test hook: replaces the access key id of the entry under `key` (of every entry when `key` is
/// NULL) with one no STS knows, keeping its generation, so that the next login with it fails:
/// the spec's "poisoned cache" test.
///
/// This function does not take ownership of `key`. On success, if `changed` is not NULL,
/// `*changed` receives the number of entries changed. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `key` is not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cache_poison(
    key: *const c_char,
    changed: *mut usize,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `key` is NULL or NUL-terminated (documented contract).
        let key = unsafe { ffi::opt_str_arg(key, "key") }?;
        let count = cache::poison(key);
        // SAFETY: `changed` is NULL or writable (documented contract).
        unsafe { ffi::write_scalar(changed, count) };
        Ok(())
    })
}
