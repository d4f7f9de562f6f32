//! SAML from C: `mongoawsauth_saml_t` describes an STS `AssumeRoleWithSAML` source (role,
//! IAM SAML provider, a host callback supplying each fresh assertion, optional duration and
//! session policy) and `mongoawsauth_authenticator_new_saml` builds an authenticator over it.
//! The core's `SamlProvider` does the work; this module adapts the C callback and its
//! `userdata` to an `AssertionSource`.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use mongoawsauth_core::provider::saml::{AssertionSource, SamlOptions};
use mongoawsauth_core::{Authenticator, Error, ErrorKind};
use zeroize::Zeroizing;

use crate::authenticator::mongoawsauth_authenticator_t;
use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::options::mongoawsauth_options_t;
use crate::provider_callback::mongoawsauth_userdata_destroy_cb_t;
use crate::result::mongoawsauth_result_t;

/// The size of the buffer the assertion callback fills: STS accepts at most 100,000 base64
/// characters, and an IdP may wrap them in line breaks, which the library removes.
const ASSERTION_CAPACITY: usize = 128 * 1024;

/// Supplies a fresh SAML assertion: the base64 `SAMLResponse` the identity provider posts.
///
/// Writes the assertion (UTF-8, no NUL needed) into `buffer`, which has room for `capacity`
/// bytes (131072, more than the 100,000 characters STS accepts), stores its length in
/// `*assertion_len` and returns true; returns false when it has no assertion, which fails the
/// fetch with `MONGOAWSAUTH_RESULT_CREDENTIALS_PROVIDER`. The library copies the assertion and
/// zeroizes `buffer` after every call; the callback keeps ownership of anything it allocated.
///
/// Called on a library thread every time the SAML source fetches (assertions are valid for
/// minutes only, so none is reused), possibly on several threads at once. It may block, for
/// example on a request to the IdP, but must not call a blocking libmongoawsauth function.
pub type mongoawsauth_saml_assertion_cb_t = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buffer: *mut c_char,
        capacity: usize,
        assertion_len: *mut usize,
    ) -> bool,
>;

type AssertionFn = unsafe extern "C" fn(*mut c_void, *mut c_char, usize, *mut usize) -> bool;
type DestroyFn = unsafe extern "C" fn(*mut c_void);

struct HostAssertion {
    callback: AssertionFn,
    userdata: *mut c_void,
    destroy: Option<DestroyFn>,
}

// SAFETY: `mongoawsauth_saml_new` documents that the callback may be called from any library
// thread, concurrently, with this `userdata`, and that `userdata_destroy` may run on any thread;
// the host promises that by registering them.
unsafe impl Send for HostAssertion {}
// SAFETY: as above; the library never touches `userdata` itself, it only passes it back.
unsafe impl Sync for HostAssertion {}

impl HostAssertion {
    fn call(&self) -> Result<String, Error> {
        let refused = |why: &str| {
            Error::new(
                ErrorKind::CredentialsProvider,
                format!("the SAML assertion callback {why}: log the reason in the callback"),
            )
        };
        let mut buffer = Zeroizing::new(vec![0u8; ASSERTION_CAPACITY]);
        let mut len = usize::MAX;
        // SAFETY: the host registered `callback` for exactly this `userdata`; `buffer` has
        // `ASSERTION_CAPACITY` writable bytes and `len` is a writable `size_t`.
        let supplied = unsafe {
            (self.callback)(
                self.userdata,
                buffer.as_mut_ptr().cast::<c_char>(),
                ASSERTION_CAPACITY,
                &raw mut len,
            )
        };
        if !supplied {
            return Err(refused("returned false (no assertion)"));
        }
        let Some(written) = buffer.get(..len) else {
            return Err(refused("stored a length larger than the buffer's capacity"));
        };
        let text =
            std::str::from_utf8(written).map_err(|_| refused("wrote an assertion that is not UTF-8"))?;
        Ok(text.to_owned())
    }
}

impl Drop for HostAssertion {
    fn drop(&mut self) {
        if let Some(destroy) = self.destroy {
            // SAFETY: the last reference to the registration is going away, so this is the one
            // call the host was promised.
            unsafe { destroy(self.userdata) };
        }
    }
}

impl std::fmt::Debug for HostAssertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostAssertion").finish_non_exhaustive()
    }
}

/// An STS `AssumeRoleWithSAML` credential source: the role to assume, the IAM SAML provider
/// (the IdP's principal ARN), a callback supplying each fresh assertion, and optionally the
/// session duration and an inline session policy. Not part of the spec's default chain: an
/// application that logs in through SAML builds an authenticator over it with
/// `mongoawsauth_authenticator_new_saml`.
///
/// Created by `mongoawsauth_saml_new`. The caller owns it and must release it with
/// `mongoawsauth_saml_destroy`; authenticators built from it keep their own reference, so it may
/// be destroyed right after `mongoawsauth_authenticator_new_saml`.
///
/// Thread safety: not safe for concurrent mutation; setters need exclusive access.
#[derive(Debug)]
pub struct mongoawsauth_saml_t {
    role_arn: String,
    principal_arn: String,
    host: Arc<HostAssertion>,
    duration: Option<Duration>,
    policy: Option<String>,
}

/// Describes a SAML source for `role_arn` (`arn:aws:iam::<account>:role/<name>`) and
/// `principal_arn` (the IAM SAML provider, `arn:aws:iam::<account>:saml-provider/<name>`), with
/// `callback` supplying the assertion of every fetch. The ARNs are checked by
/// `mongoawsauth_authenticator_new_saml`.
///
/// `userdata` is passed to every call of `callback` and is never touched by the library.
/// `userdata_destroy` (may be NULL) is called exactly once with `userdata` when the last SAML
/// handle or authenticator using it is destroyed; until then `userdata` must stay valid. On
/// failure the library takes no ownership of `userdata`.
///
/// This function does not take ownership of the strings; it copies them. On success the caller
/// owns `*saml_out` and must release it with `mongoawsauth_saml_destroy`. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if an ARN, `callback` or `saml_out` is NULL or an ARN is
/// not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_saml_new(
    role_arn: *const c_char,
    principal_arn: *const c_char,
    callback: mongoawsauth_saml_assertion_cb_t,
    userdata: *mut c_void,
    userdata_destroy: mongoawsauth_userdata_destroy_cb_t,
    saml_out: *mut *mut mongoawsauth_saml_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(saml_out, "saml_out")?;
        // SAFETY: the strings are NULL or NUL-terminated (documented contract).
        let role_arn = unsafe { ffi::str_arg(role_arn, "role_arn") }?.to_owned();
        // SAFETY: as above.
        let principal_arn = unsafe { ffi::str_arg(principal_arn, "principal_arn") }?.to_owned();
        let callback = callback.ok_or_else(|| Failure::invalid_argument("callback must not be NULL"))?;
        // Built last: from here its drop calls `userdata_destroy`, and nothing below can fail.
        let host = Arc::new(HostAssertion { callback, userdata, destroy: userdata_destroy });
        let saml = mongoawsauth_saml_t { role_arn, principal_arn, host, duration: None, policy: None };
        // SAFETY: `saml_out` was checked and is writable.
        unsafe { out.write(saml) };
        Ok(())
    })
}

/// How long the credentials last, in seconds: 900 (15 minutes) to 43200 (12 hours); 0 returns
/// to STS's default (1 hour, capped by the role's maximum). The range is checked by
/// `mongoawsauth_authenticator_new_saml`.
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `saml` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_saml_set_duration_s(
    saml: *mut mongoawsauth_saml_t,
    duration_s: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `saml` is NULL or live and not used concurrently (documented contract).
        let saml = unsafe { ffi::try_mut(saml, "saml") }?;
        saml.duration = (duration_s > 0).then(|| Duration::from_secs(u64::from(duration_s)));
        Ok(())
    })
}

/// An inline session policy (JSON, at most 2048 characters) that narrows the role's
/// permissions; NULL removes it. Checked by `mongoawsauth_authenticator_new_saml`.
///
/// This function does not take ownership of `policy`; it copies it. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `saml` is NULL or `policy` is not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_saml_set_policy(
    saml: *mut mongoawsauth_saml_t,
    policy: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `saml` is NULL or live and not used concurrently (documented contract).
        let saml = unsafe { ffi::try_mut(saml, "saml") }?;
        // SAFETY: `policy` is NULL or NUL-terminated (documented contract).
        saml.policy = unsafe { ffi::opt_str_arg(policy, "policy") }?.map(str::to_owned);
        Ok(())
    })
}

/// Releases a SAML description. NULL is a no-op. Must not be called twice with the same value.
/// `userdata_destroy` runs now only if no authenticator still uses the callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_saml_destroy(saml: *mut mongoawsauth_saml_t) {
    ffi_infallible!((), {
        // SAFETY: `saml` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(saml) }
    })
}

/// Creates an authenticator whose only credential source is `saml`, behind the process-wide
/// cache (so `mongoawsauth_authenticator_report_failure` applies to its logins too).
///
/// From `options` it takes the STS endpoint and timeout (`mongoawsauth_options_set_sts_endpoint`,
/// `_set_sts_timeout_ms`, or the environment's `AWS_ENDPOINT_URL_STS`, `AWS_REGION`, ...), the
/// credentials timeout and the cache's refresh windows; its provider callback, explicit
/// credentials and credential policy do not apply.
///
/// This function does not take ownership of its arguments; the authenticator keeps its own
/// reference to the assertion callback. On success the caller owns `*authenticator_out` and must
/// release it with `mongoawsauth_authenticator_destroy`. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` for a NULL argument, a malformed ARN, a duration out of
/// range or an empty or oversized policy.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_authenticator_new_saml(
    options: *const mongoawsauth_options_t,
    saml: *const mongoawsauth_saml_t,
    authenticator_out: *mut *mut mongoawsauth_authenticator_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        let out = ffi::out_arg(authenticator_out, "authenticator_out")?;
        // SAFETY: `options` is NULL or a live handle (documented contract).
        let options = unsafe { ffi::try_ref(options, "options") }?.core();
        // SAFETY: `saml` is NULL or a live handle (documented contract).
        let saml = unsafe { ffi::try_ref(saml, "saml") }?;
        let host = Arc::clone(&saml.host);
        let source = AssertionSource::from_fn(move || host.call());
        let mut described = SamlOptions::new(&saml.role_arn, &saml.principal_arn, source);
        described.duration = saml.duration;
        described.policy = saml.policy.clone();
        let inner = Authenticator::saml(described, options.clone())?;
        // SAFETY: `authenticator_out` was checked and is writable.
        unsafe { out.write(mongoawsauth_authenticator_t::from_core(inner)) };
        Ok(())
    })
}
