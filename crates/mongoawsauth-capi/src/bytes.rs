//! `mongoawsauth_bytes_t`: a library-owned byte buffer (the SASL payloads).

use zeroize::Zeroizing;

use crate::ffi;

/// An immutable byte buffer owned by the library, such as a SASL payload. Read it with
/// `mongoawsauth_bytes_data` and `mongoawsauth_bytes_len`.
///
/// The caller owns the handle and must release it with `mongoawsauth_bytes_destroy` (never with
/// `free()`); the buffer is zeroized on release, because a client-final payload carries the
/// session token.
///
/// Thread safety: immutable; may be read from several threads at once and destroyed from any
/// thread.
pub struct mongoawsauth_bytes_t {
    data: Zeroizing<Vec<u8>>,
}

impl mongoawsauth_bytes_t {
    pub(crate) fn new(data: Vec<u8>) -> Self {
        mongoawsauth_bytes_t { data: Zeroizing::new(data) }
    }
}

impl std::fmt::Debug for mongoawsauth_bytes_t {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("mongoawsauth_bytes_t").field("len", &self.data.len()).finish_non_exhaustive()
    }
}

/// The first byte of the buffer. Never NULL for a valid handle, even when the length is 0.
///
/// Borrowed: valid until `bytes` is destroyed. Returns NULL if `bytes` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_bytes_data(bytes: *const mongoawsauth_bytes_t) -> *const u8 {
    ffi_infallible!(std::ptr::null(), {
        // SAFETY: `bytes` is NULL or a live handle (documented contract).
        unsafe { ffi::opt_ref(bytes) }.map_or(std::ptr::null(), |b| b.data.as_ptr())
    })
}

/// The length of the buffer in bytes; 0 if `bytes` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_bytes_len(bytes: *const mongoawsauth_bytes_t) -> usize {
    ffi_infallible!(0, {
        // SAFETY: `bytes` is NULL or a live handle.
        unsafe { ffi::opt_ref(bytes) }.map_or(0, |b| b.data.len())
    })
}

/// Zeroizes and releases a buffer. NULL is a no-op. Must not be called twice with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_bytes_destroy(bytes: *mut mongoawsauth_bytes_t) {
    ffi_infallible!((), {
        // SAFETY: `bytes` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(bytes) }
    })
}
