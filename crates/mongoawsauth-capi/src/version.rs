//! The library version, at run time (the header's `MONGOAWSAUTH_VERSION_*` macros give it at
//! compile time).

use std::ffi::c_char;

/// `"mongoawsauth/<major>.<minor>.<patch>"`, NUL-terminated.
const VERSION: &str = concat!("mongoawsauth/", env!("CARGO_PKG_VERSION"), "\0");

/// The version of the library actually loaded, e.g. `"mongoawsauth/0.1.0"`. Compare it with
/// the header's `MONGOAWSAUTH_VERSION_*` macros to detect a header/library mismatch.
///
/// Static: never NULL, never freed.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_version() -> *const c_char {
    ffi_infallible!(c"mongoawsauth".as_ptr(), { VERSION.as_ptr().cast::<c_char>() })
}

/// The loaded library's version packed like `MONGOAWSAUTH_VERSION_NUMBER`:
/// `(major << 16) | (minor << 8) | patch`.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_version_number() -> u32 {
    ffi_infallible!(0, { packed() })
}

fn packed() -> u32 {
    let part = |s: &str| s.parse::<u32>().unwrap_or(0);
    (part(env!("CARGO_PKG_VERSION_MAJOR")) << 16)
        | (part(env!("CARGO_PKG_VERSION_MINOR")) << 8)
        | part(env!("CARGO_PKG_VERSION_PATCH"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn version_string_is_nul_terminated_once() {
        assert_eq!(super::VERSION.matches('\0').count(), 1);
        assert!(super::VERSION.starts_with("mongoawsauth/0."));
        let parts: Vec<u32> = env!("CARGO_PKG_VERSION").split('.').map(|p| p.parse().unwrap()).collect();
        assert_eq!(super::packed(), (parts[0] << 16) | (parts[1] << 8) | parts[2]);
    }
}
