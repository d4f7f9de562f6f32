//! The only place this crate turns raw pointers into references, boxes values for C or frees
//! them. Every exported function goes through these helpers instead of casting ad hoc, so the
//! safety argument lives here once:
//!
//! - every handle the library returns is a `Box<T>` leaked with [`into_raw`] and reclaimed once
//!   with [`free`]; the C types are distinct Rust structs, so a handle of one type cannot be
//!   freed as another without an explicit cast in C;
//! - every pointer argument is checked for NULL before use, and a NULL becomes an
//!   invalid-argument failure naming the parameter;
//! - C strings are checked for UTF-8; byte arguments may be NULL only when their length is 0.

use std::ffi::{CStr, c_char};

use crate::error::{Failure, mongoawsauth_error_t};

/// Moves `value` to the heap and hands its ownership to C.
pub(crate) fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Takes back and drops a handle created by [`into_raw`]. NULL is a no-op.
///
/// # Safety
/// `ptr` is NULL or came from [`into_raw`] with the same `T` and has not been freed.
pub(crate) unsafe fn free<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller guarantees `ptr` is a live `Box<T>` leaked by `into_raw`.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// Takes back ownership of a handle created by [`into_raw`], or `None` for NULL.
///
/// # Safety
/// As for [`free`].
pub(crate) unsafe fn take<T>(ptr: *mut T) -> Option<T> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: the caller guarantees `ptr` is a live `Box<T>` leaked by `into_raw`.
        Some(*unsafe { Box::from_raw(ptr) })
    }
}

fn null(name: &str) -> Failure {
    Failure::invalid_argument(format!("{name} must not be NULL"))
}

/// Borrows a handle argument.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that outlives `'a` and is not mutated meanwhile.
pub(crate) unsafe fn try_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: NULL is handled by `as_ref`; otherwise the caller's guarantee applies.
    unsafe { ptr.as_ref() }.ok_or_else(|| null(name))
}

/// Borrows a handle argument mutably.
///
/// # Safety
/// `ptr` is NULL or points to a live `T` that nothing else uses during `'a`.
pub(crate) unsafe fn try_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: NULL is handled by `as_mut`; otherwise the caller's guarantee applies.
    unsafe { ptr.as_mut() }.ok_or_else(|| null(name))
}

/// Borrows a handle for an infallible accessor: `None` for NULL.
///
/// # Safety
/// As for [`try_ref`].
pub(crate) unsafe fn opt_ref<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: NULL is handled by `as_ref`; otherwise the caller's guarantee applies.
    unsafe { ptr.as_ref() }
}

/// A pointer to a value inside a live handle, handed to C as "borrowed: valid until the handle
/// is destroyed".
pub(crate) fn borrowed<T>(value: &T) -> *const T {
    std::ptr::from_ref(value)
}

/// A required string argument: not NULL, valid UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded to `opt_str_arg` with the same guarantee.
    unsafe { opt_str_arg(ptr, name) }?.ok_or_else(|| null(name))
}

/// An optional string argument: NULL means "none"; otherwise valid UTF-8.
///
/// # Safety
/// As for [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL, and the caller guarantees a NUL-terminated string living for `'a`.
    let text = unsafe { CStr::from_ptr(ptr) };
    text.to_str().map(Some).map_err(|_| Failure::invalid_argument(format!("{name} is not valid UTF-8")))
}

/// A byte-buffer argument: `ptr` may be NULL only when `len` is 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> Result<&'a [u8], Failure> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid_argument(format!("{name}_len is out of range")));
    }
    // SAFETY: not NULL, `len` is within `isize::MAX`, and the caller guarantees `len` readable
    // bytes living for `'a`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A required out-parameter, checked before any work so that a NULL one fails without effect.
#[derive(Debug)]
pub(crate) struct Out<T>(*mut *mut T);

/// Checks an out-parameter.
pub(crate) fn out_arg<T>(ptr: *mut *mut T, name: &str) -> Result<Out<T>, Failure> {
    if ptr.is_null() { Err(null(name)) } else { Ok(Out(ptr)) }
}

impl<T> Out<T> {
    /// Hands `value` to C through the out-parameter. Called last, once the function has
    /// succeeded, so that outputs are written only on success.
    ///
    /// # Safety
    /// The pointer given to [`out_arg`] is still valid for a write.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: checked non-NULL in `out_arg`; the caller guarantees it is writable.
        unsafe { self.0.write(into_raw(value)) };
    }

    /// Writes NULL through the out-parameter ("no value", on success).
    ///
    /// # Safety
    /// As for [`Out::write`].
    pub(crate) unsafe fn write_null(self) {
        // SAFETY: as for `write`.
        unsafe { self.0.write(std::ptr::null_mut()) };
    }
}

/// Stores a failure through the optional `error` out-parameter of a fallible function.
pub(crate) fn write_error(error_out: *mut *mut mongoawsauth_error_t, failure: Failure) {
    if !error_out.is_null() {
        // SAFETY: every exported function documents `error` as NULL or a writable
        // `mongoawsauth_error_t *` location, and it was checked for NULL above.
        unsafe { error_out.write(into_raw(failure.into_error())) };
    }
}

/// Writes an optional length out-parameter of an accessor.
///
/// # Safety
/// `len_out` is NULL or writable.
pub(crate) unsafe fn write_len(len_out: *mut usize, len: usize) {
    if !len_out.is_null() {
        // SAFETY: not NULL, and the caller guarantees it is writable.
        unsafe { len_out.write(len) };
    }
}

/// Writes an optional scalar out-parameter.
///
/// # Safety
/// `out` is NULL or writable.
pub(crate) unsafe fn write_scalar<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: not NULL, and the caller guarantees it is writable.
        unsafe { out.write(value) };
    }
}

/// A NUL-terminated copy of `text` for C. An interior NUL (never in library text, possible in
/// a host-supplied name) would cut the C string short, so it is replaced.
pub(crate) fn c_text(text: &str) -> Box<[u8]> {
    let mut bytes: Vec<u8> = text.bytes().map(|b| if b == 0 { b'?' } else { b }).collect();
    bytes.push(0);
    bytes.into_boxed_slice()
}

#[cfg(test)]
#[path = "ffi_tests.rs"]
mod tests;
