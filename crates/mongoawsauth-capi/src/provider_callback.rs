//! The host's credentials provider callback: the C spelling of the MongoDB spec's
//! `AWS_CREDENTIAL_PROVIDER`. The core's `CustomProvider` does the work (it runs the callback on
//! a blocking thread and is tried before every other source); this module only adapts a C
//! function pointer and its `userdata` to it.

use std::ffi::c_void;
use std::sync::Arc;

use mongoawsauth_core::provider::custom::{self, CustomProvider};
use mongoawsauth_core::{Credentials, Error, ErrorKind};

use crate::credentials::mongoawsauth_credentials_t;
use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::options::mongoawsauth_options_t;
use crate::result::mongoawsauth_result_t;

/// A credentials provider callback. Returns new credentials (from
/// `mongoawsauth_credentials_new`), whose ownership passes to the library, or NULL when it has
/// none; NULL fails the fetch with `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`.
///
/// Called on a library thread, possibly on several at once, every time credentials are needed
/// (the library does not cache what it returns). It may block, for example on a vault lookup,
/// but it must not call a blocking libmongoawsauth function.
pub type mongoawsauth_credentials_provider_cb_t =
    Option<unsafe extern "C" fn(userdata: *mut c_void) -> *mut mongoawsauth_credentials_t>;

/// Releases a callback's `userdata` once the library no longer needs it. Called exactly once,
/// from any thread.
pub type mongoawsauth_userdata_destroy_cb_t = Option<unsafe extern "C" fn(userdata: *mut c_void)>;

type ProviderFn = unsafe extern "C" fn(*mut c_void) -> *mut mongoawsauth_credentials_t;
type DestroyFn = unsafe extern "C" fn(*mut c_void);

struct HostProvider {
    callback: ProviderFn,
    userdata: *mut c_void,
    destroy: Option<DestroyFn>,
}

// SAFETY: `mongoawsauth_options_set_credentials_provider` documents that the callback may be
// called from any library thread, concurrently, with this `userdata`, and that
// `userdata_destroy` may run on any thread; the host promises that by registering them.
unsafe impl Send for HostProvider {}
// SAFETY: as above; the library never touches `userdata` itself, it only passes it back.
unsafe impl Sync for HostProvider {}

impl HostProvider {
    fn call(&self) -> Result<Credentials, Error> {
        // SAFETY: the host registered `callback` for exactly this `userdata` (contract above).
        let returned = unsafe { (self.callback)(self.userdata) };
        // SAFETY: the callback's contract is to return NULL or a fresh handle from
        // `mongoawsauth_credentials_new`, whose ownership passes to us here.
        match unsafe { ffi::take(returned) } {
            Some(credentials) => Ok(credentials.core().with_source(custom::NAME)),
            None => Err(Error::new(
                ErrorKind::CredentialsProvider,
                "the credentials provider callback returned NULL: return credentials from \
                 mongoawsauth_credentials_new, and log the reason in the callback",
            )),
        }
    }
}

impl Drop for HostProvider {
    fn drop(&mut self) {
        if let Some(destroy) = self.destroy {
            // SAFETY: the last reference to the registration is going away, so this is the one
            // call the host was promised.
            unsafe { destroy(self.userdata) };
        }
    }
}

impl std::fmt::Debug for HostProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostProvider").finish_non_exhaustive()
    }
}

/// Registers a credentials provider callback, tried before every other source (the spec's
/// custom provider). Replaces an earlier registration.
///
/// `userdata` is passed to every call of `callback` and is never touched by the library.
/// `userdata_destroy` (may be NULL) is called exactly once with `userdata` when the last
/// options or authenticator using this registration is destroyed; until then `userdata` must
/// stay valid. On failure the library takes no ownership of `userdata`.
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `options` or `callback` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_credentials_provider(
    options: *mut mongoawsauth_options_t,
    callback: mongoawsauth_credentials_provider_cb_t,
    userdata: *mut c_void,
    userdata_destroy: mongoawsauth_userdata_destroy_cb_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        let options = unsafe { ffi::try_mut(options, "options") }?;
        let callback = callback.ok_or_else(|| Failure::invalid_argument("callback must not be NULL"))?;
        let host = Arc::new(HostProvider { callback, userdata, destroy: userdata_destroy });
        let provider = CustomProvider::from_fn(move || host.call());
        options.update(|o| o.with_custom_provider(provider));
        Ok(())
    })
}
