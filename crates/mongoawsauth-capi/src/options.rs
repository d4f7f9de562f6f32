//! `mongoawsauth_options_t`: how an authenticator finds credentials. One setter per core
//! `Options` / `ProviderConfig` field; a new core field gets a new setter here, in the same
//! shape, without touching existing ones.

use std::ffi::c_char;
use std::time::Duration;

use mongoawsauth_core::{CredentialPolicy, Options, ProviderConfig};

use crate::credentials::mongoawsauth_credentials_t;
use crate::error::{Failure, mongoawsauth_error_t};
use crate::ffi;
use crate::result::mongoawsauth_result_t;

/// Whether explicit credentials are allowed (`uint32_t`, stable values).
pub type mongoawsauth_credential_policy_t = u32;

/// The current MongoDB spec (the default): explicit credentials in options or the connection
/// string are an error; credentials come from the environment or a provider callback.
pub const MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT: mongoawsauth_credential_policy_t = 0;
/// The pre-2025-10 spec: explicit credentials are accepted and replace every other source.
pub const MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY: mongoawsauth_credential_policy_t = 1;

pub(crate) fn policy_arg(policy: mongoawsauth_credential_policy_t) -> Result<CredentialPolicy, Failure> {
    match policy {
        MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT => Ok(CredentialPolicy::Strict),
        MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY => Ok(CredentialPolicy::Legacy),
        other => Err(Failure::invalid_argument(format!(
            "policy {other} is not a mongoawsauth_credential_policy_t: use \
             MONGOAWSAUTH_CREDENTIAL_POLICY_STRICT or MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY"
        ))),
    }
}

/// How an authenticator finds credentials: the spec's default chain (a provider callback if
/// set, then the environment), endpoints and timeouts.
///
/// Created by `mongoawsauth_options_new`. The caller owns it and must release it with
/// `mongoawsauth_options_destroy`; an authenticator copies what it needs, so options may be
/// destroyed right after `mongoawsauth_authenticator_new`.
///
/// Thread safety: not safe for concurrent mutation; setters need exclusive access.
#[derive(Debug, Default)]
pub struct mongoawsauth_options_t {
    inner: Options,
}

impl mongoawsauth_options_t {
    pub(crate) fn core(&self) -> &Options {
        &self.inner
    }

    pub(crate) fn update(&mut self, change: impl FnOnce(Options) -> Options) {
        let options = std::mem::take(&mut self.inner);
        self.inner = change(options);
    }

    /// Applies `change` only if the core's checks (`Options::validate`, the rules every face
    /// shares) accept the result, so that a bad value is refused by the setter that received it,
    /// where the caller sees which call was wrong, and the options keep their previous value.
    /// The core's error names the option; `Failure::from` turns that into this setter's name.
    fn update_checked(&mut self, change: impl FnOnce(Options) -> Options) -> Result<(), Failure> {
        let candidate = change(self.inner.clone());
        candidate.validate()?;
        self.inner = candidate;
        Ok(())
    }

    fn update_config_checked(
        &mut self,
        change: impl FnOnce(ProviderConfig) -> ProviderConfig,
    ) -> Result<(), Failure> {
        let config = change(self.inner.provider_config().clone());
        self.update_checked(|o| o.with_provider_config(config))
    }
}

/// Creates options for the spec's default chain, reading the real process environment.
///
/// The caller owns the result and must release it with `mongoawsauth_options_destroy`. Returns
/// NULL only if the library failed internally.
#[unsafe(no_mangle)]
pub extern "C" fn mongoawsauth_options_new() -> *mut mongoawsauth_options_t {
    ffi_infallible!(std::ptr::null_mut(), { ffi::into_raw(mongoawsauth_options_t::default()) })
}

/// Releases options. NULL is a no-op. Must not be called twice with the same value.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_destroy(options: *mut mongoawsauth_options_t) {
    ffi_infallible!((), {
        // SAFETY: `options` is NULL or a handle from this library, destroyed once.
        unsafe { ffi::free(options) }
    })
}

/// Explicit credentials from the driver's settings. Allowed only with
/// `MONGOAWSAUTH_CREDENTIAL_POLICY_LEGACY` (checked by `mongoawsauth_authenticator_new`); they
/// then replace every other source.
///
/// This function does not take ownership of `credentials`; it keeps its own reference.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_explicit_credentials(
    options: *mut mongoawsauth_options_t,
    credentials: *const mongoawsauth_credentials_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: handles are NULL or live; `options` is not used concurrently (documented).
        let options = unsafe { ffi::try_mut(options, "options") }?;
        // SAFETY: as above.
        let credentials = unsafe { ffi::try_ref(credentials, "credentials") }?.core().clone();
        options.update(|o| o.with_explicit_credentials(credentials));
        Ok(())
    })
}

/// Strict (the current spec, default) or legacy credential rules.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_credential_policy(
    options: *mut mongoawsauth_options_t,
    policy: mongoawsauth_credential_policy_t,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently.
        let options = unsafe { ffi::try_mut(options, "options") }?;
        let policy = policy_arg(policy)?;
        options.update(|o| o.with_credential_policy(policy));
        Ok(())
    })
}

/// The shared body of the millisecond setters (timeouts and cache windows). The range is the
/// core's: a timeout more than 0, a window 0 or more, both at most 2^31-1 ms.
///
/// # Safety
/// `options` is NULL or a live handle not used concurrently.
unsafe fn set_millis(
    options: *mut mongoawsauth_options_t,
    ms: u32,
    apply: fn(Options, Duration) -> Options,
) -> Result<(), Failure> {
    // SAFETY: forwarded from the caller.
    let options = unsafe { ffi::try_mut(options, "options") }?;
    options.update_checked(|o| apply(o, Duration::from_millis(u64::from(ms))))
}

/// The shared body of the URL setters; the core checks the URL.
///
/// # Safety
/// `options` is NULL or a live handle not used concurrently; `url` is NULL or NUL-terminated.
unsafe fn set_url(
    options: *mut mongoawsauth_options_t,
    url: *const c_char,
    apply: fn(ProviderConfig, String) -> ProviderConfig,
) -> Result<(), Failure> {
    // SAFETY: forwarded from the caller.
    let options = unsafe { ffi::try_mut(options, "options") }?;
    // SAFETY: forwarded from the caller.
    let url = unsafe { ffi::str_arg(url, "url") }?.to_owned();
    options.update_config_checked(|c| apply(c, url))
}

/// How long one credential resolution may take when a fetch passes no timeout, in
/// milliseconds (default 10000 ms).
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
/// as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
/// about 24.8 days, the longest timeout every language binding accepts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_credentials_timeout_ms(
    options: *mut mongoawsauth_options_t,
    timeout_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe { set_millis(options, timeout_ms, |o, d| o.with_credentials_timeout(d)) }
    })
}

/// The connect timeout for the EC2 instance metadata service and container endpoints, in
/// milliseconds (default 1000 ms).
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
/// as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
/// about 24.8 days, the longest timeout every language binding accepts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_metadata_connect_timeout_ms(
    options: *mut mongoawsauth_options_t,
    timeout_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe {
            set_millis(options, timeout_ms, |o, d| {
                let config = o.provider_config().clone().with_metadata_connect_timeout(d);
                o.with_provider_config(config)
            })
        }
    })
}

/// The read timeout for the EC2 instance metadata service and container endpoints, in
/// milliseconds (default 10000 ms, the spec's).
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
/// as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
/// about 24.8 days, the longest timeout every language binding accepts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_metadata_read_timeout_ms(
    options: *mut mongoawsauth_options_t,
    timeout_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe {
            set_millis(options, timeout_ms, |o, d| {
                let config = o.provider_config().clone().with_metadata_read_timeout(d);
                o.with_provider_config(config)
            })
        }
    })
}

/// The timeout of one STS request (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), in
/// milliseconds (default 10000 ms).
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options
/// as they were, if `options` is NULL or `timeout_ms` is 0 or more than 2147483647 (2^31-1 ms,
/// about 24.8 days, the longest timeout every language binding accepts).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_sts_timeout_ms(
    options: *mut mongoawsauth_options_t,
    timeout_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe {
            set_millis(options, timeout_ms, |o, d| {
                let config = o.provider_config().clone().with_sts_timeout(d);
                o.with_provider_config(config)
            })
        }
    })
}

/// The base URL that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is joined to (default
/// `http://169.254.170.2`, the ECS agent).
///
/// This function does not take ownership of `url`; it copies it. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
/// were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
/// `https://` URL with a host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_ecs_base_url(
    options: *mut mongoawsauth_options_t,
    url: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently; `url` is NULL or
        // NUL-terminated (documented contract).
        unsafe { set_url(options, url, |c, url| c.with_ecs_base_url(url)) }
    })
}

/// The EC2 instance metadata service base URL, overriding
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` and the default `http://169.254.169.254`.
///
/// This function does not take ownership of `url`; it copies it. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
/// were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
/// `https://` URL with a host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_imds_endpoint(
    options: *mut mongoawsauth_options_t,
    url: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently; `url` is NULL or
        // NUL-terminated (documented contract).
        unsafe { set_url(options, url, |c, url| c.with_imds_endpoint(url)) }
    })
}

/// The STS endpoint for web identity and SAML, overriding `AWS_ENDPOINT_URL_STS`,
/// `AWS_ENDPOINT_URL` and the regional default.
///
/// This function does not take ownership of `url`; it copies it. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
/// were, if `options` or `url` is NULL, or `url` is not UTF-8 or not an absolute `http://` or
/// `https://` URL with a host.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_sts_endpoint(
    options: *mut mongoawsauth_options_t,
    url: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently; `url` is NULL or
        // NUL-terminated (documented contract).
        unsafe { set_url(options, url, |c, url| c.with_sts_endpoint(url)) }
    })
}

/// The profile of the AWS shared config files (`~/.aws/config`, `~/.aws/credentials`) to use,
/// overriding `AWS_PROFILE` and `AWS_DEFAULT_PROFILE`. A profile named here must exist in one of
/// the files: a login with a missing one fails with `MONGOAWSAUTH_RESULT_CONFIGURATION` naming
/// the profiles that do exist.
///
/// This function does not take ownership of `profile`; it copies it. Fails with
/// `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function and leaving the options as they
/// were, if `options` or `profile` is NULL, or `profile` is empty, only whitespace or not UTF-8.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_profile(
    options: *mut mongoawsauth_options_t,
    profile: *const c_char,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently; `profile` is NULL or
        // NUL-terminated (documented contract).
        let options = unsafe { ffi::try_mut(options, "options") }?;
        // SAFETY: as above.
        let profile = unsafe { ffi::str_arg(profile, "profile") }?.trim().to_owned();
        options.update_config_checked(|c| c.with_profile(profile))
    })
}

/// Whether the AWS shared config and credentials files are read (default: true, as the AWS SDKs
/// do). With false the chain is the MongoDB specification's only: provider callback,
/// environment, web identity, container endpoint, EC2 instance metadata.
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT` if `options` is NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_shared_config(
    options: *mut mongoawsauth_options_t,
    enabled: bool,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        let options = unsafe { ffi::try_mut(options, "options") }?;
        options.update(|o| o.with_shared_config(enabled));
        Ok(())
    })
}

/// Cached credentials are served while more than this much time remains before they expire
/// (default 300000 ms, the spec's 5 minutes); closer to expiry the next fetch asks the source
/// again. Raising it above the refresh-ahead window raises that window too. 0 serves cached
/// credentials until they expire.
///
/// Applies to the sources behind the process-wide cache (web identity, container, EC2 instance
/// metadata, SAML). Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function, if
/// `options` is NULL or `window_ms` is more than 2147483647 (2^31-1 ms).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_refresh_window_ms(
    options: *mut mongoawsauth_options_t,
    window_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe { set_millis(options, window_ms, |o, d| o.with_refresh_window(d)) }
    })
}

/// Inside this much time before cached credentials expire, one background fetch refreshes them
/// while every caller keeps getting the still-valid ones, so a connection pool never waits on a
/// refresh (default 600000 ms). A value below the refresh window is raised to it.
///
/// Fails with `MONGOAWSAUTH_RESULT_INVALID_ARGUMENT`, naming this function, if `options` is NULL
/// or `window_ms` is more than 2147483647 (2^31-1 ms).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_options_set_refresh_ahead_ms(
    options: *mut mongoawsauth_options_t,
    window_ms: u32,
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        // SAFETY: `options` is NULL or live and not used concurrently (documented contract).
        unsafe { set_millis(options, window_ms, |o, d| o.with_refresh_ahead(d)) }
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use mongoawsauth_core::defaults;

    use super::*;
    use crate::result::{MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, MONGOAWSAUTH_RESULT_OK};

    type MillisSetter = unsafe extern "C" fn(
        *mut mongoawsauth_options_t,
        u32,
        *mut *mut mongoawsauth_error_t,
    ) -> mongoawsauth_result_t;

    type TextSetter = unsafe extern "C" fn(
        *mut mongoawsauth_options_t,
        *const c_char,
        *mut *mut mongoawsauth_error_t,
    ) -> mongoawsauth_result_t;

    /// The code and, on failure, the message of one call.
    fn outcome(call: impl FnOnce(*mut *mut mongoawsauth_error_t) -> mongoawsauth_result_t) -> (u32, String) {
        let mut error: *mut mongoawsauth_error_t = std::ptr::null_mut();
        let code = call(&mut error);
        let mut message = String::new();
        if !error.is_null() {
            // SAFETY: the call stored a live error object.
            message = unsafe { &*error }.message().to_owned();
            // SAFETY: the error came from the library and is freed once.
            unsafe { ffi::free(error) };
        }
        (code, message)
    }

    /// A zero timeout would fail every request at once, and one beyond 2^31-1 ms is more than
    /// every face accepts: each timeout setter refuses both with its own name in the message and
    /// keeps its previous value; the cache windows, where 0 means something, take 0 but not the
    /// maximum plus one.
    #[test]
    fn millisecond_setters_enforce_the_core_range_and_name_themselves() {
        let timeouts: [(MillisSetter, &str); 4] = [
            (
                mongoawsauth_options_set_credentials_timeout_ms,
                "mongoawsauth_options_set_credentials_timeout_ms",
            ),
            (
                mongoawsauth_options_set_metadata_connect_timeout_ms,
                "mongoawsauth_options_set_metadata_connect_timeout_ms",
            ),
            (
                mongoawsauth_options_set_metadata_read_timeout_ms,
                "mongoawsauth_options_set_metadata_read_timeout_ms",
            ),
            (mongoawsauth_options_set_sts_timeout_ms, "mongoawsauth_options_set_sts_timeout_ms"),
        ];
        let max = u32::try_from(defaults::MAX_TIMEOUT_MS).unwrap();
        let options = mongoawsauth_options_new();
        for (setter, name) in timeouts {
            for bad in [0, max + 1, u32::MAX] {
                // SAFETY: a live handle and a writable error slot.
                let (code, message) = outcome(|e| unsafe { setter(options, bad, e) });
                assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{name}({bad})");
                assert!(message.starts_with(name), "{message}");
            }
            // SAFETY: as above.
            assert_eq!(unsafe { setter(options, 1, std::ptr::null_mut()) }, MONGOAWSAUTH_RESULT_OK);
            // SAFETY: as above.
            assert_eq!(unsafe { setter(options, max, std::ptr::null_mut()) }, MONGOAWSAUTH_RESULT_OK);
        }
        let windows: [MillisSetter; 2] =
            [mongoawsauth_options_set_refresh_window_ms, mongoawsauth_options_set_refresh_ahead_ms];
        for setter in windows {
            // SAFETY: a live handle.
            assert_eq!(unsafe { setter(options, 0, std::ptr::null_mut()) }, MONGOAWSAUTH_RESULT_OK);
            // SAFETY: as above.
            let (code, message) = outcome(|e| unsafe { setter(options, max + 1, e) });
            assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{message}");
            assert!(message.starts_with("mongoawsauth_options_set_refresh_"), "{message}");
        }
        // The refused values left the last accepted ones in place.
        // SAFETY: a live handle, not used concurrently.
        let kept = unsafe { &*options }.core();
        assert_eq!(kept.credentials_timeout(), Duration::from_millis(u64::from(max)));
        assert_eq!(kept.refresh_window(), Duration::ZERO);
        // SAFETY: created above, destroyed once.
        unsafe { mongoawsauth_options_destroy(options) };
    }

    /// A URL that is not absolute http(s) with a host is refused by its setter, which the
    /// message names (not the core's concept name), and the C way to keep the default is said.
    #[test]
    fn url_setters_refuse_what_the_core_refuses() {
        let setters: [(TextSetter, &str); 3] = [
            (mongoawsauth_options_set_sts_endpoint, "mongoawsauth_options_set_sts_endpoint"),
            (mongoawsauth_options_set_imds_endpoint, "mongoawsauth_options_set_imds_endpoint"),
            (mongoawsauth_options_set_ecs_base_url, "mongoawsauth_options_set_ecs_base_url"),
        ];
        let options = mongoawsauth_options_new();
        for (setter, name) in setters {
            for bad in [c"not a url", c"ftp://127.0.0.1/", c"file:///etc/passwd", c"http://", c""] {
                // SAFETY: a live handle, a NUL-terminated string, a writable error slot.
                let (code, message) = outcome(|e| unsafe { setter(options, bad.as_ptr(), e) });
                assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT, "{name}({bad:?})");
                assert!(message.starts_with(name), "{message}");
                assert!(message.contains(&format!("do not call {name}")), "{message}");
            }
            // SAFETY: as above.
            let good = unsafe { setter(options, c"http://127.0.0.1:9".as_ptr(), std::ptr::null_mut()) };
            assert_eq!(good, MONGOAWSAUTH_RESULT_OK, "{name}");
        }
        // SAFETY: as above.
        let (code, message) =
            outcome(|e| unsafe { mongoawsauth_options_set_profile(options, c" \t".as_ptr(), e) });
        assert_eq!(code, MONGOAWSAUTH_RESULT_INVALID_ARGUMENT);
        assert!(message.starts_with("mongoawsauth_options_set_profile"), "{message}");
        // SAFETY: a live handle, not used concurrently.
        assert_eq!(unsafe { &*options }.core().provider_config().profile(), None);
        // SAFETY: created above, destroyed once.
        unsafe { mongoawsauth_options_destroy(options) };
    }
}
