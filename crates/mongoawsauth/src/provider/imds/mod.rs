//! Credentials from the EC2 instance metadata service, IMDSv2 only.
//!
//! Reads, on every call:
//! - `AWS_EC2_METADATA_DISABLED`: `true` (any case) means "not configured".
//! - `AWS_EC2_METADATA_SERVICE_ENDPOINT`: the IMDS base URL (http or https).
//! - `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE`: `IPv4` (default, `http://169.254.169.254`) or
//!   `IPv6` (`http://[fd00:ec2::254]`), any case; used when no endpoint is set.
//!
//! [`ProviderConfig::imds_endpoint`] overrides both endpoint variables. Requests, all through the
//! metadata client (no proxy, no redirects):
//! - `PUT <endpoint>/latest/api/token` with `x-aws-ec2-metadata-token-ttl-seconds: 21600`;
//! - `GET <endpoint>/latest/meta-data/iam/security-credentials/` (the role name);
//! - `GET <endpoint>/latest/meta-data/iam/security-credentials/<role>` (the credentials);
//!
//! the last two with the token in `x-aws-ec2-metadata-token`. There is no IMDSv1 fallback: the
//! MongoDB spec requires IMDSv2, and a v1 fallback is what SSRF attacks on IMDS use.
//!
//! The session token is cached process-wide per endpoint until shortly before its TTL ends. A
//! connect timeout ([`ProviderConfig::metadata_connect_timeout`], 1 s by default) or a refused
//! connection is "not configured": the process is not on EC2 and the chain moves on at once.
//! Retries are described in the `client` submodule.
//!
//! Static stability (the `stability` submodule): after one success, a failed fetch, expired
//! credentials, or an IMDS that does not answer before the resolution's deadline (the fetch
//! stops a reserved share of the deadline early, a tenth of the time left, 20 ms to 1 s) serve
//! the last good credentials with an expiry 10 to 15 minutes ahead and a warning; never keys
//! that a login reported as failed.

mod client;
mod stability;
pub(crate) mod token;

use std::time::Instant;

use reqwest::Url;

use crate::config::{Env, ProviderConfig};
use crate::credentials::Credentials;
use crate::deadline;
use crate::error::Error;

use super::metadata::{quoted, shown_url};
use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "imds";
/// The IMDS address in IPv4 mode (the default).
pub const IPV4_ENDPOINT: &str = "http://169.254.169.254";
/// The IMDS address in IPv6 mode.
pub const IPV6_ENDPOINT: &str = "http://[fd00:ec2::254]";

const DISABLED: &str = "AWS_EC2_METADATA_DISABLED";
const ENDPOINT: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
const ENDPOINT_MODE: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";

/// Reads credentials of the instance's IAM role from IMDSv2.
#[derive(Clone, Debug, Default)]
pub struct ImdsProvider {
    config: ProviderConfig,
}

impl ImdsProvider {
    /// Reads the process environment and calls the real IMDS address.
    pub fn new() -> Self {
        ImdsProvider::with_config(ProviderConfig::new())
    }

    /// Reads the environment, IMDS endpoint and timeouts of `config`.
    pub fn with_config(config: ProviderConfig) -> Self {
        ImdsProvider { config }
    }

    /// Whether `AWS_EC2_METADATA_DISABLED` is `true` (any case) in `env`.
    pub fn is_disabled(env: &Env) -> bool {
        env.get(DISABLED).is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
    }

    /// The IMDS base URL a fetch would use, or why there is none: "not configured" when IMDS is
    /// disabled, a configuration error for a bad endpoint setting. Computing it sends nothing.
    pub fn endpoint(&self) -> Result<String, ProviderError> {
        if ImdsProvider::is_disabled(self.config.env()) {
            return Err(ProviderError::not_configured(format!("{DISABLED} is true")));
        }
        resolve_endpoint(&self.config).map_err(ProviderError::Failed)
    }

    /// Forgets the session token and the last good credentials kept for this provider's
    /// endpoint, process-wide. For tests (a new stand-in may reuse a port) and for hosts that
    /// know the instance changed under them (a restored snapshot).
    pub fn clear_cached_state(&self) {
        if let Ok(endpoint) = resolve_endpoint(&self.config) {
            token::clear(&endpoint);
            stability::clear(&endpoint);
        }
    }

    async fn fetch(&self) -> Result<Credentials, ProviderError> {
        let endpoint = self.endpoint()?;
        let client = client::ImdsClient::new(endpoint.clone(), &self.config)?;
        let started = Instant::now();
        let answer = match stability::fetch_bound(deadline::current(), started) {
            None => client.credentials().await,
            Some(bound) => match tokio::time::timeout_at(bound.into(), client.credentials()).await {
                Ok(answer) => answer,
                Err(_) => {
                    return stability::interrupted(&endpoint, started.elapsed(), self.config.clock().now());
                }
            },
        };
        match answer {
            Ok(credentials) => stability::accept(&endpoint, credentials, self.config.clock().now()),
            Err(e) => stability::fallback(&endpoint, e, self.config.clock().now()),
        }
    }
}

/// A login with `credentials` failed: if they are the last good credentials of any IMDS
/// endpoint, static stability no longer serves them. Called by the cache when a failure report
/// drops an entry, and by [`crate::Authenticator::report_failed_conversation`].
pub(crate) fn login_failed_with(credentials: &Credentials) {
    stability::reject(credentials);
}

impl ProvideCredentials for ImdsProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    /// The endpoint: every provider on one instance shares the instance role's credentials.
    fn cache_key(&self) -> Option<String> {
        self.endpoint().ok().map(|endpoint| format!("{NAME}\n{}", crate::redact::url_for_key(&endpoint)))
    }
}

/// The base URL, without a trailing slash, user information or query.
fn resolve_endpoint(config: &ProviderConfig) -> Result<String, Error> {
    let env = config.env();
    let (text, origin) = if let Some(url) = config.imds_endpoint() {
        (url.to_owned(), "the configured IMDS endpoint")
    } else if let Some(url) = env.get_non_blank(ENDPOINT) {
        (url.trim().to_owned(), ENDPOINT)
    } else {
        let mode = env.get_non_blank(ENDPOINT_MODE).unwrap_or_default();
        let endpoint = match mode.trim() {
            "" => IPV4_ENDPOINT,
            m if m.eq_ignore_ascii_case("ipv4") => IPV4_ENDPOINT,
            m if m.eq_ignore_ascii_case("ipv6") => IPV6_ENDPOINT,
            other => {
                return Err(Error::configuration(format!(
                    "{ENDPOINT_MODE} is '{}': it must be IPv4 or IPv6",
                    quoted(other)
                )));
            }
        };
        (endpoint.to_owned(), ENDPOINT_MODE)
    };
    let bad = |why: &str| {
        Error::configuration(format!(
            "{origin} is not a usable IMDS URL ({why}): set it to an http(s) URL such as {IPV4_ENDPOINT}"
        ))
    };
    let url = Url::parse(&text).map_err(|_| bad("it does not parse"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("only http and https are allowed"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("it has no host"));
    }
    Ok(shown_url(&url).trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn config(vars: &[(&str, &str)]) -> ProviderConfig {
        ProviderConfig::new().with_env(Env::from_vars(vars.iter().copied()))
    }

    /// Endpoints are computed here, never requested.
    #[test]
    fn endpoint_selection() {
        let cases: [(&[(&str, &str)], &str); 9] = [
            (&[], "http://169.254.169.254"),
            (&[(ENDPOINT_MODE, "IPv4")], "http://169.254.169.254"),
            (&[(ENDPOINT_MODE, "ipv6")], "http://[fd00:ec2::254]"),
            (&[(ENDPOINT_MODE, " IPV6 ")], "http://[fd00:ec2::254]"),
            (&[(ENDPOINT_MODE, "")], "http://169.254.169.254"),
            (&[(ENDPOINT, "http://127.0.0.1:8000/")], "http://127.0.0.1:8000"),
            (&[(ENDPOINT, "http://[::1]:8000")], "http://[::1]:8000"),
            (
                &[(ENDPOINT, "https://imds.example/base/"), (ENDPOINT_MODE, "IPv6")],
                "https://imds.example/base",
            ),
            (&[(ENDPOINT, " "), (ENDPOINT_MODE, "IPv6")], "http://[fd00:ec2::254]"),
        ];
        for (vars, expected) in cases {
            assert_eq!(ImdsProvider::with_config(config(vars)).endpoint().unwrap(), expected, "{vars:?}");
        }
        let overridden = config(&[(ENDPOINT, "http://127.0.0.1:1"), (ENDPOINT_MODE, "IPv6")])
            .with_imds_endpoint("http://127.0.0.1:2/");
        let overridden = ImdsProvider::with_config(overridden);
        assert_eq!(overridden.endpoint().unwrap(), "http://127.0.0.1:2");
        assert_eq!(overridden.cache_key().unwrap(), "imds\nhttp://127.0.0.1:2");
    }

    #[test]
    fn bad_endpoint_settings_are_configuration_errors() {
        for vars in [
            &[(ENDPOINT_MODE, "IPv5")][..],
            &[(ENDPOINT, "169.254.169.254")][..],
            &[(ENDPOINT, "ftp://127.0.0.1/")][..],
            &[(ENDPOINT, "http://")][..],
        ] {
            let err = ImdsProvider::with_config(config(vars)).endpoint().unwrap_err();
            assert!(!err.is_not_configured(), "{vars:?}");
            assert_eq!(err.error().kind(), ErrorKind::Configuration, "{vars:?}");
        }
        let err =
            ImdsProvider::with_config(config(&[(ENDPOINT, "http://u:pw@127.0.0.1:1/")])).endpoint().unwrap();
        assert_eq!(err, "http://127.0.0.1:1", "user information never reaches a message");
    }

    #[test]
    fn disabled() {
        for v in ["true", "TRUE", " True "] {
            assert!(ImdsProvider::is_disabled(&Env::from_vars([(DISABLED, v)])), "{v}");
            let err = ImdsProvider::with_config(config(&[(DISABLED, v)])).endpoint().unwrap_err();
            assert!(err.is_not_configured());
            assert!(ImdsProvider::with_config(config(&[(DISABLED, v)])).cache_key().is_none());
        }
        for v in ["false", "", "1", "yes"] {
            assert!(!ImdsProvider::is_disabled(&Env::from_vars([(DISABLED, v)])), "{v}");
        }
        assert!(!ImdsProvider::is_disabled(&Env::from_vars::<[(&str, &str); 0], _, _>([])));
    }
}
