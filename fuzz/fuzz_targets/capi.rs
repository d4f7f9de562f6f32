//! The C ABI's functions that take input, called as a C program would, with arbitrary bytes:
//! the conversation steps (server payload bytes), the credentials constructor, the options
//! setters (URLs, timeouts, the policy) and the settings functions (a connection string, the
//! setters, validation). Nothing here sends a request: no fetch is started.
//!
//! The input is a selector byte, then NUL-separated fields (the C strings; an empty field is
//! passed as NULL when the selector's high bit is set, to exercise the NULL checks).
//!
//! Invariants: no call panics (the panic boundary would turn a panic into
//! `MONGOAWSAUTH_RESULT_PANIC`, and libFuzzer's panic hook aborts first); outputs are written
//! only on success; no error message shows the secret key or session token it was given.
#![no_main]
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::ffi::{CString, c_char};
use std::ptr;

use common::{NONCE_PLACEHOLDER, SECRET, TOKEN, assert_hidden, with_nonce};
use libfuzzer_sys::fuzz_target;
use mongoawsauth_capi::authenticator::*;
use mongoawsauth_capi::bytes::*;
use mongoawsauth_capi::conversation::*;
use mongoawsauth_capi::credentials::*;
use mongoawsauth_capi::error::*;
use mongoawsauth_capi::options::*;
use mongoawsauth_capi::result::*;
use mongoawsauth_capi::settings::*;

/// The C strings of the input's fields; `None` stands for NULL.
struct Fields {
    owned: Vec<Option<CString>>,
}

impl Fields {
    fn new(data: &[u8], nulls: bool) -> Fields {
        let owned = data
            .split(|b| *b == 0)
            .map(|f| if nulls && f.is_empty() { None } else { Some(CString::new(f).unwrap()) })
            .collect();
        Fields { owned }
    }

    /// Field `i` as a C string pointer, or NULL; fields past the end are empty strings.
    fn ptr(&self, i: usize) -> *const c_char {
        match self.owned.get(i) {
            Some(Some(s)) => s.as_ptr(),
            Some(None) => ptr::null(),
            None => c"".as_ptr(),
        }
    }

    fn text(&self, i: usize) -> String {
        match self.owned.get(i) {
            Some(Some(s)) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
            _ => String::new(),
        }
    }
}

/// Checks a call's result and, on failure, its error; frees the error and resets `error` to
/// NULL for the next call (the library leaves it untouched on success).
fn check(
    result: mongoawsauth_result_t,
    error: &mut *mut mongoawsauth_error_t,
    secrets: &[&str],
    public: &str,
) {
    let error = std::mem::replace(error, ptr::null_mut());
    assert_ne!(result, MONGOAWSAUTH_RESULT_PANIC, "a C ABI call panicked");
    if result == MONGOAWSAUTH_RESULT_OK {
        assert!(error.is_null(), "an error was written on success");
        return;
    }
    assert!(!error.is_null(), "no error was written on failure");
    // SAFETY: `error` is a live error the library just wrote; the message pointer and length it
    // returns stay valid until the error is destroyed, which happens last.
    unsafe {
        assert_eq!(mongoawsauth_error_code(error), result);
        let mut len = 0usize;
        let message = mongoawsauth_error_message(error, &mut len);
        assert!(!message.is_null());
        let text = String::from_utf8_lossy(std::slice::from_raw_parts(message.cast::<u8>(), len));
        for secret in secrets {
            assert_hidden(&text, secret, public, "a C ABI error message");
        }
        mongoawsauth_error_destroy(error);
    }
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    for (i, slot) in b.iter_mut().enumerate() {
        *slot = data.get(at + i).copied().unwrap_or(0);
    }
    u32::from_le_bytes(b)
}

/// A conversation with known credentials, fed `payload` (the placeholder replaced by its nonce).
unsafe fn conversation(payload: &[u8]) {
    // SAFETY: every pointer passed is a live local, a C string that outlives the call, or a
    // handle the library returned and that is destroyed once, after its last use.
    unsafe {
        let mut error = ptr::null_mut();
        let mut credentials = ptr::null_mut();
        let (id, secret, token) =
            (c"ASIAFUZZEXAMPLE", CString::new(SECRET).unwrap(), CString::new(TOKEN).unwrap());
        let r = mongoawsauth_credentials_new(
            id.as_ptr(),
            secret.as_ptr(),
            token.as_ptr(),
            ptr::null(),
            &mut credentials,
            &mut error,
        );
        check(r, &mut error, &[], "");
        let mut conversation = ptr::null_mut();
        check(mongoawsauth_conversation_new(credentials, &mut conversation, &mut error), &mut error, &[], "");
        mongoawsauth_credentials_destroy(credentials);
        let mut first = ptr::null_mut();
        check(
            mongoawsauth_conversation_client_first(conversation, &mut first, &mut error),
            &mut error,
            &[],
            "",
        );
        let nonce = std::slice::from_raw_parts(mongoawsauth_bytes_data(first), mongoawsauth_bytes_len(first))
            [12..44]
            .to_vec();
        mongoawsauth_bytes_destroy(first);
        let reply = with_nonce(payload, &nonce);
        let secrets: &[&str] =
            if common::contains(payload, SECRET.as_bytes()) || common::contains(payload, TOKEN.as_bytes()) {
                &[]
            } else {
                &[SECRET, TOKEN]
            };
        let mut last = ptr::null_mut();
        let r = mongoawsauth_conversation_client_final(
            conversation,
            reply.as_ptr(),
            reply.len(),
            &mut last,
            &mut error,
        );
        check(r, &mut error, secrets, "");
        if r == MONGOAWSAUTH_RESULT_OK {
            assert!(!last.is_null());
            mongoawsauth_bytes_destroy(last);
        } else {
            assert!(last.is_null(), "a payload was written on failure");
        }
        let r = mongoawsauth_conversation_client_final(
            conversation,
            reply.as_ptr(),
            reply.len(),
            &mut last,
            &mut error,
        );
        assert_ne!(r, MONGOAWSAUTH_RESULT_OK, "a finished conversation took another step");
        check(r, &mut error, secrets, "");
        mongoawsauth_conversation_destroy(conversation);
    }
}

/// The credentials constructor with three arbitrary strings and an arbitrary expiry.
unsafe fn credentials(fields: &Fields, data: &[u8]) {
    // SAFETY: as in `conversation`: live locals, C strings that outlive the calls, handles
    // destroyed once.
    unsafe {
        let expiry = i64::from(u32_at(data, 0))
            * 1_000_000
            * if data.first().is_some_and(|b| b & 1 == 1) { -1 } else { 1 };
        let expiry_ptr: *const i64 =
            if data.get(1).is_some_and(|b| b & 1 == 1) { &expiry } else { ptr::null() };
        let mut out = ptr::null_mut();
        let mut error = ptr::null_mut();
        let secret = fields.text(1);
        let token = fields.text(2);
        let public = format!("{}\n{}", fields.text(0), fields.text(3));
        let secrets = [secret.as_str(), token.as_str()];
        let r = mongoawsauth_credentials_new(
            fields.ptr(0),
            fields.ptr(1),
            fields.ptr(2),
            expiry_ptr,
            &mut out,
            &mut error,
        );
        check(r, &mut error, &secrets, &public);
        if r == MONGOAWSAUTH_RESULT_OK {
            let mut conversation = ptr::null_mut();
            check(mongoawsauth_conversation_new(out, &mut conversation, &mut error), &mut error, &[], "");
            mongoawsauth_conversation_destroy(conversation);
            mongoawsauth_credentials_destroy(out);
        } else {
            assert!(out.is_null(), "credentials were written on failure");
        }
    }
}

/// The options setters, then an authenticator from them (which builds, but fetches nothing).
unsafe fn options(fields: &Fields, data: &[u8]) {
    // SAFETY: as in `conversation`: live locals, C strings that outlive the calls, handles
    // destroyed once.
    unsafe {
        let options = mongoawsauth_options_new();
        let mut error = ptr::null_mut();
        check(mongoawsauth_options_set_ecs_base_url(options, fields.ptr(0), &mut error), &mut error, &[], "");
        check(
            mongoawsauth_options_set_imds_endpoint(options, fields.ptr(1), &mut error),
            &mut error,
            &[],
            "",
        );
        check(mongoawsauth_options_set_sts_endpoint(options, fields.ptr(2), &mut error), &mut error, &[], "");
        let n = |i: usize| u32_at(data, i * 4);
        check(
            mongoawsauth_options_set_credentials_timeout_ms(options, n(0), &mut error),
            &mut error,
            &[],
            "",
        );
        check(
            mongoawsauth_options_set_metadata_connect_timeout_ms(options, n(1), &mut error),
            &mut error,
            &[],
            "",
        );
        check(
            mongoawsauth_options_set_metadata_read_timeout_ms(options, n(2), &mut error),
            &mut error,
            &[],
            "",
        );
        check(mongoawsauth_options_set_sts_timeout_ms(options, n(3), &mut error), &mut error, &[], "");
        check(mongoawsauth_options_set_refresh_window_ms(options, n(4), &mut error), &mut error, &[], "");
        check(mongoawsauth_options_set_refresh_ahead_ms(options, n(5), &mut error), &mut error, &[], "");
        check(mongoawsauth_options_set_credential_policy(options, n(6) % 3, &mut error), &mut error, &[], "");
        let mut authenticator = ptr::null_mut();
        let r = mongoawsauth_authenticator_new(options, &mut authenticator, &mut error);
        check(r, &mut error, &[], "");
        mongoawsauth_authenticator_destroy(authenticator);
        mongoawsauth_options_destroy(options);
    }
}

/// A connection string, the setters, a property, then validation under a policy.
unsafe fn settings(fields: &Fields, data: &[u8]) {
    // SAFETY: as in `conversation`: live locals, C strings that outlive the calls, handles
    // destroyed once.
    unsafe {
        let mut error = ptr::null_mut();
        let mut settings = ptr::null_mut();
        let password = fields.text(3);
        let token = fields.text(6);
        let public: String = [0, 1, 2, 4, 5].iter().map(|i| fields.text(*i)).collect::<Vec<_>>().join("\n");
        let secrets = [password.as_str(), token.as_str()];
        let r = mongoawsauth_settings_new_from_uri(fields.ptr(0), &mut settings, &mut error);
        check(r, &mut error, &[], "");
        if r != MONGOAWSAUTH_RESULT_OK {
            assert!(settings.is_null());
            settings = mongoawsauth_settings_new();
        }
        check(mongoawsauth_settings_set_mechanism(settings, fields.ptr(1), &mut error), &mut error, &[], "");
        check(mongoawsauth_settings_set_username(settings, fields.ptr(2), &mut error), &mut error, &[], "");
        check(mongoawsauth_settings_set_password(settings, fields.ptr(3), &mut error), &mut error, &[], "");
        check(mongoawsauth_settings_set_source(settings, fields.ptr(4), &mut error), &mut error, &[], "");
        check(
            mongoawsauth_settings_add_mechanism_property(settings, fields.ptr(5), fields.ptr(6), &mut error),
            &mut error,
            &[],
            "",
        );
        let mut credentials = ptr::null_mut();
        let policy = u32_at(data, 0) % 3;
        let r = mongoawsauth_settings_validate(settings, policy, &mut credentials, &mut error);
        check(r, &mut error, &secrets, &public);
        mongoawsauth_credentials_destroy(credentials);
        mongoawsauth_settings_destroy(settings);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    // The numbers some calls take come from the end of the input, the strings from the start.
    let (strings, numbers) = rest.split_at(rest.len() - rest.len().min(32));
    let fields = Fields::new(strings, selector & 0x80 != 0);
    // SAFETY: the four callers take only borrowed Rust data and keep their own calls sound.
    unsafe {
        match selector % 4 {
            0 => conversation(rest),
            1 => credentials(&fields, numbers),
            2 => options(&fields, numbers),
            _ => settings(&fields, numbers),
        }
    }
    let _ = NONCE_PLACEHOLDER;
});
