//! `mongoawsauth_result_t`: the code every fallible function returns.
//!
//! The codes 1–99 are the core's `ErrorKind` codes, number for number, so a code means the same
//! thing in every language. Codes 100–199 come from the C layer itself. A value is never reused.
//!
//! The type is a `uint32_t` with `#define`d values rather than a C enum: its size is then part
//! of the ABI, and a value the library does not know (from a newer header, or a garbage
//! argument) can never be undefined behaviour on the Rust side.

use std::ffi::c_char;
use std::sync::OnceLock;

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
/// `mongoawsauth_authenticator_credentials_async`): a bug in the library, reported as an
/// error instead of aborting the host. The call had no effect. The panic's message is in the
/// error; it reaches stderr only when `MONGOAWSAUTH_LOG` is set.
pub const MONGOAWSAUTH_RESULT_PANIC: mongoawsauth_result_t = 100;

/// The C code for a core error kind: its result code, the stable number every face shares (the
/// constants above are those numbers; a kind added to the core later passes through the same way,
/// and `mongoawsauth_result_name` names it).
pub(crate) fn from_kind(kind: ErrorKind) -> mongoawsauth_result_t {
    kind.result_code()
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

/// The longest code name, with its NUL, that the table below holds (`CREDENTIALS_NOT_FOUND` is 21).
const NAME_CAPACITY: usize = 32;
/// Codes 0–100, the ones `mongoawsauth_result_t` defines: one NUL-terminated name each, or all
/// zeros for a code no kind has.
type NameTable = [[u8; NAME_CAPACITY]; 101];

/// The core's names of its error kinds, NUL-terminated for C, filled once. Inline in a static
/// rather than allocated, so that a leak checker at the host's exit sees no block of ours.
static KIND_NAMES: OnceLock<NameTable> = OnceLock::new();

fn kind_names() -> &'static NameTable {
    KIND_NAMES.get_or_init(|| {
        let mut table = [[0; NAME_CAPACITY]; 101];
        for (code, slot) in (0u32..).zip(table.iter_mut()) {
            let name = match code {
                MONGOAWSAUTH_RESULT_OK => "OK",
                MONGOAWSAUTH_RESULT_PANIC => "PANIC",
                _ => match core_kind_name(code) {
                    Some(name) => name,
                    None => continue,
                },
            };
            // Always true for the core's names; a longer one would read as "UNKNOWN", not overflow.
            if name.len() < NAME_CAPACITY {
                slot[..name.len()].copy_from_slice(name.as_bytes());
            }
        }
        table
    })
}

/// The name of the core's error kind with this result code.
fn core_kind_name(code: u32) -> Option<&'static str> {
    ErrorKind::from_result_code(code).map(ErrorKind::name)
}

/// The code of `code`, the enumerated name every face spells the same way: `"INVALID_ARGUMENT"`
/// for `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, as Python's and Node's `err.code` say; `"OK"` and
/// `"PANIC"` for the C layer's own codes; `"UNKNOWN"` for a value this library does not define
/// (a newer library's code, or garbage).
///
/// Never returns NULL. The string is static: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_result_name(code: mongoawsauth_result_t) -> *const c_char {
    ffi_infallible!(c"UNKNOWN".as_ptr(), {
        match usize::try_from(code).ok().and_then(|i| kind_names().get(i)) {
            Some(name) if name[0] != 0 => name.as_ptr().cast::<c_char>(),
            _ => c"UNKNOWN".as_ptr(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each constant is its kind's result code, and `mongoawsauth_result_str` still gives the
    /// kind's words.
    #[test]
    fn constants_are_the_core_result_codes() {
        let constants = [
            (MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, ErrorKind::InvalidArgument),
            (MONGOAWSAUTH_RESULT_CONFIGURATION, ErrorKind::Configuration),
            (MONGOAWSAUTH_RESULT_CREDENTIALS_NOT_FOUND, ErrorKind::CredentialsNotFound),
            (MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER, ErrorKind::CredentialsProvider),
            (MONGOAWSAUTH_RESULT_AUTHENTICATION, ErrorKind::Authentication),
            (MONGOAWSAUTH_RESULT_SIGNING, ErrorKind::Signing),
            (MONGOAWSAUTH_RESULT_TIMEOUT, ErrorKind::Timeout),
            (MONGOAWSAUTH_RESULT_RUNTIME, ErrorKind::Runtime),
            (MONGOAWSAUTH_RESULT_INTERNAL, ErrorKind::Internal),
        ];
        assert_eq!(constants.len(), ErrorKind::ALL.len(), "a core kind has no C constant");
        for (constant, kind) in constants {
            assert_eq!(constant, kind.result_code(), "{kind}");
            assert_eq!(from_kind(kind), constant, "{kind}");
            let text = std::str::from_utf8(name(constant)).unwrap();
            assert_eq!(text.trim_end_matches('\0'), kind.description());
        }
    }

    fn result_name(code: mongoawsauth_result_t) -> &'static str {
        // SAFETY: the function returns a static NUL-terminated string, never NULL.
        unsafe { std::ffi::CStr::from_ptr(mongoawsauth_result_name(code)) }.to_str().unwrap()
    }

    /// The names come from the core (`ErrorKind::name`); OK and PANIC are C's own; every other
    /// number is UNKNOWN.
    #[test]
    fn result_names_are_the_core_names() {
        for kind in ErrorKind::ALL {
            assert_eq!(result_name(kind.result_code()), kind.name());
        }
        assert_eq!(result_name(MONGOAWSAUTH_RESULT_OK), "OK");
        assert_eq!(result_name(MONGOAWSAUTH_RESULT_PANIC), "PANIC");
        for unknown in [9, 42, 98, 101, 1000, u32::MAX] {
            assert_eq!(result_name(unknown), "UNKNOWN", "{unknown}");
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
