//! `mongoawsauth_result_t`: the code every fallible function returns.
//!
//! The codes 1–99 are the core's `ErrorKind` codes, number for number, so a code means the same
//! thing in every language. Codes 100–199 come from the C layer itself. A value is never reused.
//!
//! The type is a `uint32_t` with `#define`d values rather than a C enum: its size is then part
//! of the ABI, and a value the library does not know (from a newer header, or a garbage
//! argument) can never be undefined behaviour on the Rust side.

use std::ffi::c_char;

use mongoawsauth_core::ErrorKind;

/// A result code. `MONGOAWSAUTH_RESULT_OK` (0) is success; every other value is a failure whose
/// detail, when the caller asked for it, is in the `mongoawsauth_error_t` the function wrote.
///
/// Values are stable and never reused. Codes 1–99 match the core library's error kinds in every
/// language binding; codes 100–199 are raised by the C layer only. Branch on the code, never on
/// the message text.
pub type mongoawsauth_result_t = u32;

/// Success.
pub const MONGOAWSAUTH_RESULT_OK: mongoawsauth_result_t = 0;

/// An argument was invalid: NULL where a value is required, not valid UTF-8, out of range, or a
/// call made in the wrong order (such as reusing a finished conversation).
pub const MONGOAWSAUTH_RESULT_INVALID_ARGUMENT: mongoawsauth_result_t = 1;
/// The configuration cannot work: explicit credentials under the strict policy, a half-set
/// environment (a key without a secret), an invalid connection string for MONGODB-AWS.
pub const MONGOAWSAUTH_RESULT_CONFIGURATION: mongoawsauth_result_t = 2;
/// No configured source could supply credentials; the error lists every source tried.
pub const MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND: mongoawsauth_result_t = 3;
/// A credential source was configured and failed (including the host's provider callback).
pub const MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER: mongoawsauth_result_t = 4;
/// The server's part of the SASL conversation was malformed or failed validation.
pub const MONGOAWSAUTH_RESULT_AUTHENTICATION: mongoawsauth_result_t = 5;
/// SigV4 signing of the GetCallerIdentity request failed.
pub const MONGOAWSAUTH_RESULT_SIGNING: mongoawsauth_result_t = 6;
/// The timeout passed before the operation finished.
pub const MONGOAWSAUTH_RESULT_TIMEOUT: mongoawsauth_result_t = 7;
/// The operation cannot run in this context: a blocking call from a library callback thread, or
/// the library's runtime could not start or was shut down while the operation was pending.
pub const MONGOAWSAUTH_RESULT_RUNTIME: mongoawsauth_result_t = 8;
/// A bug in libmongoawsauth. Please report it with the error message.
pub const MONGOAWSAUTH_RESULT_INTERNAL: mongoawsauth_result_t = 99;

/// A panic inside libmongoawsauth was caught at the C boundary (or in a fetch running for
/// `mongoawsauth_authenticator_fetch_credentials_async`): a bug in the library, reported as an
/// error instead of aborting the host. The call had no effect. The panic's message is in the
/// error; it reaches stderr only when `MONGOAWSAUTH_LOG` is set.
pub const MONGOAWSAUTH_RESULT_PANIC: mongoawsauth_result_t = 100;

/// The C code for a core error kind.
pub(crate) fn from_kind(kind: ErrorKind) -> mongoawsauth_result_t {
    match kind {
        ErrorKind::InvalidArgument => MONGOAWSAUTH_RESULT_INVALID_ARGUMENT,
        ErrorKind::Configuration => MONGOAWSAUTH_RESULT_CONFIGURATION,
        ErrorKind::CredentialsNotFound => MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND,
        ErrorKind::CredentialsProvider => MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER,
        ErrorKind::Authentication => MONGOAWSAUTH_RESULT_AUTHENTICATION,
        ErrorKind::Signing => MONGOAWSAUTH_RESULT_SIGNING,
        ErrorKind::Timeout => MONGOAWSAUTH_RESULT_TIMEOUT,
        ErrorKind::Runtime => MONGOAWSAUTH_RESULT_RUNTIME,
        ErrorKind::Internal => MONGOAWSAUTH_RESULT_INTERNAL,
        // A kind added to the core after this layer: its code is already stable and shared, so
        // pass it through; `mongoawsauth_result_str` names it "unknown" until the C layer learns it.
        other => other.result_code(),
    }
}

/// The NUL-terminated static name of each code, as `mongoawsauth_result_str` returns it.
fn name(code: mongoawsauth_result_t) -> &'static [u8] {
    match code {
        MONGOAWSAUTH_RESULT_OK => b"ok\0",
        MONGOAWSAUTH_RESULT_INVALID_ARGUMENT => b"invalid argument\0",
        MONGOAWSAUTH_RESULT_CONFIGURATION => b"configuration\0",
        MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND => b"credentials not found\0",
        MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER => b"credentials provider\0",
        MONGOAWSAUTH_RESULT_AUTHENTICATION => b"authentication\0",
        MONGOAWSAUTH_RESULT_SIGNING => b"signing\0",
        MONGOAWSAUTH_RESULT_TIMEOUT => b"timeout\0",
        MONGOAWSAUTH_RESULT_RUNTIME => b"runtime\0",
        MONGOAWSAUTH_RESULT_INTERNAL => b"internal\0",
        MONGOAWSAUTH_RESULT_PANIC => b"panic\0",
        _ => b"unknown\0",
    }
}

/// A short, static, lower-case name for `code` (`"ok"`, `"timeout"`, ...); `"unknown"` for a
/// value this library does not define.
///
/// Never returns NULL. The string is static: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_result_str(code: mongoawsauth_result_t) -> *const c_char {
    ffi_infallible!(c"panic".as_ptr(), { name(code).as_ptr().cast::<c_char>() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_kinds_keep_their_codes() {
        for kind in [
            ErrorKind::InvalidArgument,
            ErrorKind::Configuration,
            ErrorKind::CredentialsNotFound,
            ErrorKind::CredentialsProvider,
            ErrorKind::Authentication,
            ErrorKind::Signing,
            ErrorKind::Timeout,
            ErrorKind::Runtime,
            ErrorKind::Internal,
        ] {
            assert_eq!(from_kind(kind), kind.result_code(), "{kind}");
            let text = std::str::from_utf8(name(kind.result_code())).unwrap();
            assert_eq!(text.trim_end_matches('\0'), kind.as_str());
        }
    }

    #[test]
    fn every_name_is_nul_terminated_once() {
        for code in 0..300 {
            let text = name(code);
            assert_eq!(text.iter().filter(|b| **b == 0).count(), 1);
            assert_eq!(text.last(), Some(&0));
        }
    }
}
