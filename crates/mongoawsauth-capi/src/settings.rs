//! `mongoawsauth_settings_t`: validation of a driver's MONGODB-AWS settings (connection string
//! or client options) against the spec, for drivers that parse their own URIs.

use std::ffi::c_char;

use mongoawsauth_core::settings::AuthSettings;
use zeroize::Zeroize;

use crate::credentials::mongoawsauth_credentials_t;
use crate::error::mongoawsauth_error_t;
use crate::ffi;
use crate::options::{self, mongoawsauth_credential_policy_t};
use crate::result::mongoawsauth_result_t;

/// The authentication settings a driver collected for one client: mechanism, username,
/// password, `authSource` and `authMechanismProperties`.
///
/// Created by `mongoawsauth_settings_new` (empty, filled through setters) or
/// `mongoawsauth_settings_new_from_uri`. The caller owns it and must release it with
/// `mongoawsauth_settings_destroy`, which zeroizes the password and any session token.
///
/// Thread safety: not safe for concurrent mutation; `mongoawsauth_settings_validate` may run
/// concurrently with itself.
#[derive(Debug, Default)]
pub struct mongoawsauth_settings_t {
    inner: AuthSettings,
}

impl Drop for mongoawsauth_settings_t {
    fn drop(&mut self) {
        if let Some(password) = self.inner.password.as_mut() {
            password.zeroize();
        }
        for (_, value) in &mut self.inner.mechanism_properties {
            value.zeroize();
        }
    }
}

/// Creates empty settings (no mechanism, user, password, source or properties).
///
/// The caller owns the result and must release it with `mongoawsauth_settings_destroy`.
/// Returns NULL only if the library failed internally.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_settings_new() -> *mut mongoawsauth_settings_t {
    ffi_infallible!(std::ptr::null_mut(), { ffi::into_raw(mongoawsauth_settings_t::default()) })
}

/// Reads the authentication settings of a `mongodb://` or `mongodb+srv://` connection string:
/// the percent-decoded userinfo and the `authMechanism`, `authSource` and
/// `authMechanismProperties` options. Everything else in the string is ignored.
///
/// This function does not take ownership of `uri`. On success the caller owns `*settings_out`
/// and must release it with `mongoawsauth_settings_destroy`. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a string that is not a MongoDB connection string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_new_from_uri(
    uri: *const c_char,
    settings_out: *mut *mut mongoawsauth_settings_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(settings_out, "settings_out")?;
        // SAFETY: `uri` is NULL or NUL-terminated (documented contract).
        let uri = unsafe { ffi::str_arg(uri, "uri") }?;
        let inner = AuthSettings::from_connection_string(uri)?;
        // SAFETY: `settings_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_settings_t { inner }) };
        Ok(())
    })
}

/// The shared body of the string setters.
///
/// # Safety
/// `settings` is NULL or a live handle not used concurrently; `value` is NULL or NUL-terminated.
unsafe fn set(
    settings: *mut mongoawsauth_settings_t,
    value: *const c_char,
    field: fn(&mut AuthSettings) -> &mut Option<String>,
) -> Result<(), crate::error::Failure> {
    // SAFETY: forwarded from the caller.
    let settings = unsafe { ffi::try_mut(settings, "settings") }?;
    // SAFETY: forwarded from the caller.
    let value = unsafe { ffi::opt_str_arg(value, "value") }?;
    let slot = field(&mut settings.inner);
    if let Some(old) = slot.as_mut() {
        old.zeroize();
    }
    *slot = value.map(str::to_owned);
    Ok(())
}

/// Sets the auth mechanism (`"MONGODB-AWS"`); NULL unsets it. Copies `value`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_set_mechanism(
    settings: *mut mongoawsauth_settings_t,
    value: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    // SAFETY: documented contract: `settings` live and exclusive, `value` NULL or a C string.
    ffi_try!(error, { unsafe { set(settings, value, |s| &mut s.mechanism) } })
}

/// Sets the username; NULL unsets it. Copies `value`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_set_username(
    settings: *mut mongoawsauth_settings_t,
    value: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    // SAFETY: documented contract: `settings` live and exclusive, `value` NULL or a C string.
    ffi_try!(error, { unsafe { set(settings, value, |s| &mut s.username) } })
}

/// Sets the password; NULL unsets it. Copies `value` (zeroized on destroy).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_set_password(
    settings: *mut mongoawsauth_settings_t,
    value: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    // SAFETY: documented contract: `settings` live and exclusive, `value` NULL or a C string.
    ffi_try!(error, { unsafe { set(settings, value, |s| &mut s.password) } })
}

/// Sets `authSource`; NULL unsets it. Copies `value`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_set_source(
    settings: *mut mongoawsauth_settings_t,
    value: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    // SAFETY: documented contract: `settings` live and exclusive, `value` NULL or a C string.
    ffi_try!(error, { unsafe { set(settings, value, |s| &mut s.source) } })
}

/// Appends one `authMechanismProperties` entry `name:value`. Copies both strings.
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if any argument is NULL or not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_add_mechanism_property(
    settings: *mut mongoawsauth_settings_t,
    name: *const c_char,
    value: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `settings` is NULL or live and not used concurrently (documented contract).
        let settings = unsafe { ffi::try_mut(settings, "settings") }?;
        // SAFETY: NULL or NUL-terminated (documented contract).
        let name = unsafe { ffi::str_arg(name, "name") }?;
        // SAFETY: as above.
        let value = unsafe { ffi::str_arg(value, "value") }?;
        settings.inner.mechanism_properties.push((name.to_owned(), value.to_owned()));
        Ok(())
    })
}

/// Checks the settings for MONGODB-AWS under `policy`: the mechanism, `authSource` (must be
/// `$external` or unset), the mechanism properties, and whether credentials may appear at all.
///
/// On success, if `credentials_out` is not NULL, it receives the explicit credentials the
/// settings carry (only ever under `MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY`), which the caller
/// owns and must release with `mongoawsauth_credentials_destroy`, or NULL when there are none.
/// Fails with `MONGOAWSAUTH_RESULT_CONFIGURATION`, with a message saying what to change.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_validate(
    settings: *const mongoawsauth_settings_t,
    policy: mongoawsauth_credential_policy_t,
    credentials_out: *mut *mut mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `settings` is NULL or a live handle (documented contract).
        let settings = unsafe { ffi::try_ref(settings, "settings") }?;
        let policy = options::policy_arg(policy)?;
        let validated = settings.inner.validate(policy)?;
        if !credentials_out.is_null() {
            let out = ffi::out_arg(credentials_out, "credentials_out")?;
            match validated.credentials {
                // SAFETY: checked non-NULL; the caller guarantees it is writable.
                Some(c) => unsafe { out.write(mongoawsauth_credentials_t::new(c)) },
                // SAFETY: as above.
                None => unsafe { out.write_null() },
            }
        }
        Ok(())
    })
}

/// Zeroizes the secrets in and releases settings. NULL is a no-op. Must not be called twice
/// with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_settings_destroy(settings: *mut mongoawsauth_settings_t) {
    ffi_infallible!((), {
        // SAFETY: `settings` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(settings) }
    })
}
