//! The checks every face runs when options are built, written once here: the bindings only
//! translate their types and option names, then call [`Options::validate`] (which
//! [`Authenticator::new`](crate::Authenticator::new) runs too).
//!
//! - timeouts: more than zero and at most [`defaults::MAX_TIMEOUT`] (2^31-1 ms, the longest
//!   delay a JavaScript timer holds, so that a value valid in one face is valid in all);
//! - refresh windows: zero or more, with the same maximum;
//! - endpoint URLs: absolute `http` or `https` URLs with a host, so that a typo is reported when
//!   the options are built rather than at the first login that reaches that source;
//! - the profile: not blank (a blank name would silently fall back to `AWS_PROFILE`).
//!
//! Every error is [`ErrorKind::InvalidArgument`] with [`Error::option`] naming the option's
//! concept, and a message that starts with that same name and says what to do.

use std::time::Duration;

use crate::config::ProviderConfig;
use crate::defaults::{MAX_TIMEOUT, MAX_TIMEOUT_MS};
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;

impl Options {
    /// Checks every option, with the rules every face shares (see the [`defaults`] limits):
    /// timeouts more than zero and at most [`defaults::MAX_TIMEOUT`], refresh windows at most
    /// that, endpoint URLs absolute `http`/`https` URLs with a host, the profile not blank.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`]; [`Error::option`] names the option (its concept
    /// name, such as `"credentials_timeout"`), and so does the start of the message.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mongoawsauth::{ErrorKind, Options};
    /// let e = Options::new().with_credentials_timeout(Duration::ZERO).validate().unwrap_err();
    /// assert_eq!((e.kind(), e.option()), (ErrorKind::InvalidArgument, Some("credentials_timeout")));
    /// ```
    ///
    /// [`defaults`]: crate::defaults
    /// [`defaults::MAX_TIMEOUT`]: crate::defaults::MAX_TIMEOUT
    pub fn validate(&self) -> Result<()> {
        check_timeout("credentials_timeout", self.credentials_timeout)?;
        check_window("refresh_window", self.refresh_window)?;
        check_window("refresh_ahead", self.refresh_ahead)?;
        self.provider_config.validate()
    }
}

impl ProviderConfig {
    /// Checks the provider context's options with the rules of [`Options::validate`]: the
    /// metadata and STS timeouts, the STS, IMDS and ECS endpoint URLs, and the profile.
    pub fn validate(&self) -> Result<()> {
        check_timeout("metadata_connect_timeout", self.metadata_connect_timeout())?;
        check_timeout("metadata_read_timeout", self.metadata_read_timeout())?;
        check_timeout("sts_timeout", self.sts_timeout())?;
        if let Some(url) = self.sts_endpoint() {
            check_url("sts_endpoint", url)?;
        }
        if let Some(url) = self.imds_endpoint() {
            check_url("imds_endpoint", url)?;
        }
        check_url("ecs_base_url", self.ecs_base_url())?;
        if let Some(profile) = self.profile()
            && profile.trim().is_empty()
        {
            return Err(invalid(
                "profile",
                "profile must name a profile of ~/.aws/config or ~/.aws/credentials; leave it unset to \
                 use AWS_PROFILE, else the default profile",
            ));
        }
        Ok(())
    }
}

fn invalid(option: &'static str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidArgument, message).with_option(option)
}

/// A timeout: more than zero, at most [`MAX_TIMEOUT`].
fn check_timeout(option: &'static str, value: Duration) -> Result<()> {
    if value.is_zero() {
        return Err(invalid(
            option,
            format!(
                "{option} must be more than 0 ms (and at most {MAX_TIMEOUT_MS} ms): give the time to \
                 allow, or leave it unset for the default"
            ),
        ));
    }
    check_window(option, value)
}

/// A window or timeout: at most [`MAX_TIMEOUT`].
fn check_window(option: &'static str, value: Duration) -> Result<()> {
    if value > MAX_TIMEOUT {
        return Err(invalid(
            option,
            format!(
                "{option} must be at most {MAX_TIMEOUT_MS} ms (about 24.8 days, the longest timer every \
                 face supports), not {} ms: give a shorter duration",
                value.as_millis()
            ),
        ));
    }
    Ok(())
}

/// An endpoint URL: absolute, `http` or `https`, with a host. The message shows the URL with its
/// user information and query redacted.
fn check_url(option: &'static str, raw: &str) -> Result<()> {
    let ok = url::Url::parse(raw.trim()).is_ok_and(|parsed| {
        matches!(parsed.scheme(), "http" | "https") && parsed.host_str().is_some_and(|h| !h.is_empty())
    });
    if ok {
        return Ok(());
    }
    Err(invalid(
        option,
        format!(
            "{option} must be an absolute http:// or https:// URL with a host (like http://127.0.0.1:8080), \
             not {}: fix it, or leave it unset for the default",
            crate::redact::url(raw)
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(options: Options) -> Error {
        let e = options.validate().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
        let option = e.option().expect("the error names its option");
        assert!(e.message().starts_with(option), "{e}");
        e
    }

    #[test]
    fn defaults_are_valid() {
        Options::new().validate().unwrap();
    }

    #[test]
    fn timeouts_must_be_positive_and_fit_a_javascript_timer() {
        let e = refused(Options::new().with_credentials_timeout(Duration::ZERO));
        assert_eq!(e.option(), Some("credentials_timeout"));
        let e = refused(Options::new().with_credentials_timeout(MAX_TIMEOUT + Duration::from_millis(1)));
        assert!(e.message().contains("at most 2147483647 ms"), "{e}");
        Options::new().with_credentials_timeout(MAX_TIMEOUT).validate().unwrap();
        Options::new().with_credentials_timeout(Duration::from_millis(1)).validate().unwrap();
        let config = ProviderConfig::new().with_sts_timeout(Duration::MAX);
        assert_eq!(refused(Options::new().with_provider_config(config)).option(), Some("sts_timeout"));
    }

    #[test]
    fn windows_may_be_zero_but_not_beyond_the_maximum() {
        Options::new().with_refresh_window(Duration::ZERO).validate().unwrap();
        let e = refused(Options::new().with_refresh_ahead(MAX_TIMEOUT * 2));
        assert_eq!(e.option(), Some("refresh_ahead"));
    }

    #[test]
    fn urls_must_be_http_with_a_host_and_are_shown_redacted() {
        let config = ProviderConfig::new().with_imds_endpoint("ftp://user:pa55@127.0.0.1/");
        let e = refused(Options::new().with_provider_config(config));
        assert_eq!(e.option(), Some("imds_endpoint"));
        assert!(!e.message().contains("pa55"), "{e}");
        for bad in ["", "not a url", "http://", "/relative", "file:///etc/passwd", "unix:/tmp/s"] {
            let config = ProviderConfig::new().with_ecs_base_url(bad);
            assert_eq!(refused(Options::new().with_provider_config(config)).option(), Some("ecs_base_url"));
        }
        let config = ProviderConfig::new().with_sts_endpoint("https://[::1]:9/path");
        Options::new().with_provider_config(config).validate().unwrap();
    }

    #[test]
    fn a_blank_profile_is_refused() {
        assert_eq!(refused(Options::new().with_profile(" \t")).option(), Some("profile"));
        Options::new().with_profile("dev").validate().unwrap();
    }
}
