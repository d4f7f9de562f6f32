//! The pointer helpers and the handle lifecycles built on them, exercised the way a C program
//! uses them. Pure memory work, no I/O and no runtime, so that Miri (`make miri`) can check every
//! cast, borrow and free for undefined behaviour, which the C tests under valgrind cannot see.

use std::ffi::{CStr, c_char};
use std::ptr;

use super::*;
use crate::bytes::*;
use crate::conversation::*;
use crate::credentials::*;
use crate::error::*;
use crate::result::*;

#[test]
fn handles_are_boxed_once_and_freed_once() {
    let raw = into_raw(String::from("handle"));
    // SAFETY: a live handle from `into_raw`, borrowed then taken back once.
    unsafe {
        assert_eq!(opt_ref(raw).map(String::as_str), Some("handle"));
        try_mut(raw, "h").unwrap().push('!');
        assert_eq!(take(raw).as_deref(), Some("handle!"));
        free(ptr::null_mut::<String>());
        assert!(take(ptr::null_mut::<String>()).is_none());
        assert!(opt_ref(ptr::null::<String>()).is_none());
        let failure = try_ref(ptr::null::<String>(), "thing").unwrap_err();
        assert!(failure.into_error().message().contains("thing must not be NULL"));
    }
    let other = into_raw(vec![1u8, 2, 3]);
    // SAFETY: freed once.
    unsafe { free(other) };
}

#[test]
fn string_and_byte_arguments() {
    let text = c"caf\xc3\xa9";
    // SAFETY: NUL-terminated strings and readable buffers that outlive the borrows.
    unsafe {
        assert_eq!(str_arg(text.as_ptr(), "s").unwrap(), "café");
        assert_eq!(opt_str_arg(ptr::null(), "s").unwrap(), None);
        assert!(str_arg(ptr::null(), "s").is_err());
        assert!(str_arg(c"\xff".as_ptr(), "s").is_err());
        let bytes = [7u8; 5];
        assert_eq!(bytes_arg(bytes.as_ptr(), 5, "b").unwrap(), &bytes);
        assert_eq!(bytes_arg(bytes.as_ptr(), 0, "b").unwrap(), &[] as &[u8]);
        assert_eq!(bytes_arg(ptr::null(), 0, "b").unwrap(), &[] as &[u8]);
        assert!(bytes_arg(ptr::null(), 1, "b").is_err());
        // Rejected before any read: no slice over `len` bytes is ever made.
        assert!(bytes_arg(bytes.as_ptr(), usize::MAX, "b").is_err());
    }
    let c = c_text("a\0b");
    assert_eq!(&*c, b"a?b\0");
}

#[test]
fn out_parameters_are_written_only_when_asked() {
    let mut slot: *mut u32 = ptr::null_mut();
    assert!(out_arg::<u32>(ptr::null_mut(), "out").is_err());
    let out = out_arg(&mut slot, "out").unwrap();
    // SAFETY: `slot` is writable; the handle written is freed once.
    unsafe {
        out.write(42);
        assert_eq!(*slot, 42);
        free(slot);
        out_arg(&mut slot, "out").unwrap().write_null();
    }
    assert!(slot.is_null());
    let mut len = 0usize;
    let mut scalar = 0i64;
    // SAFETY: writable locations, or NULL.
    unsafe {
        write_len(&mut len, 9);
        write_len(ptr::null_mut(), 9);
        write_scalar(&mut scalar, -3);
        write_scalar(ptr::null_mut::<i64>(), -3);
    }
    assert_eq!((len, scalar), (9, -3));
    let mut error: *mut mongoawsauth_error_t = ptr::null_mut();
    write_error(ptr::null_mut(), crate::error::Failure::invalid_argument("x"));
    write_error(&mut error, crate::error::Failure::invalid_argument("went wrong"));
    // SAFETY: the error just written is live until destroyed once.
    unsafe {
        assert_eq!(mongoawsauth_error_code(error), MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        let mut len = 0;
        let message = CStr::from_ptr(mongoawsauth_error_message(error, &mut len));
        assert_eq!(message.to_bytes().len(), len);
        assert!(message.to_str().unwrap().contains("went wrong"));
        mongoawsauth_error_destroy(error);
    }
}

/// A whole C-side lifecycle: credentials, a conversation, both payloads read through the
/// borrowed pointers the header documents, a failed step with its error, then every handle
/// destroyed once.
#[test]
fn conversation_lifecycle_through_the_exported_functions() {
    let mut credentials: *mut mongoawsauth_credentials_t = ptr::null_mut();
    let mut conversation: *mut mongoawsauth_conversation_t = ptr::null_mut();
    let mut first: *mut mongoawsauth_bytes_t = ptr::null_mut();
    let mut last: *mut mongoawsauth_bytes_t = ptr::null_mut();
    let mut error: *mut mongoawsauth_error_t = ptr::null_mut();
    // SAFETY: every pointer is NULL, a live handle from these calls, or a writable location.
    unsafe {
        let expiry = 4_102_444_800_000i64;
        let code = mongoawsauth_credentials_new(
            c"ASIAEXAMPLE".as_ptr(),
            c"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY".as_ptr(),
            c"session-token".as_ptr(),
            &expiry,
            &mut credentials,
            &mut error,
        );
        assert_eq!(code, MONGOAWSAUTH_RESULT_OK);
        let mut len = 0;
        let id: *const c_char = mongoawsauth_credentials_access_key_id(credentials, &mut len);
        assert_eq!(CStr::from_ptr(id).to_bytes(), b"ASIAEXAMPLE");
        assert_eq!(len, 11);

        assert_eq!(mongoawsauth_conversation_new(credentials, &mut conversation, &mut error), 0);
        // The conversation keeps its own reference: the credentials may go first.
        mongoawsauth_credentials_destroy(credentials);
        assert_eq!(mongoawsauth_conversation_client_first(conversation, &mut first, &mut error), 0);
        let data = mongoawsauth_bytes_data(first);
        let payload = std::slice::from_raw_parts(data, mongoawsauth_bytes_len(first));
        // A BSON document: its little-endian length first.
        let declared = i32::from_le_bytes(payload[..4].try_into().unwrap());
        assert!(payload.len() > 32 && usize::try_from(declared) == Ok(payload.len()));

        // A reply that is not BSON ends the conversation with an error and no payload.
        let reply = [5u8, 0, 0, 0, 0, 1];
        let code =
            mongoawsauth_conversation_client_final(conversation, reply.as_ptr(), 6, &mut last, &mut error);
        assert_ne!(code, MONGOAWSAUTH_RESULT_OK);
        assert!(last.is_null() && !error.is_null());
        assert!(!mongoawsauth_error_message(error, ptr::null_mut()).is_null());
        mongoawsauth_error_destroy(error);

        mongoawsauth_bytes_destroy(first);
        mongoawsauth_bytes_destroy(ptr::null_mut());
        mongoawsauth_conversation_destroy(conversation);
    }
}
