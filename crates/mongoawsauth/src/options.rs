//! [`Options`]: how an [`Authenticator`](crate::Authenticator) finds credentials. The sources
//! they build (the default chain) are in [`crate::provider::default_chain`]; the checks of
//! [`Options::validate`] in `validate.rs`; every default in [`crate::defaults`].

use std::time::Duration;

use crate::config::{Env, ProviderConfig};
use crate::credentials::Credentials;
use crate::defaults;
use crate::provider::custom::CustomProvider;
use crate::settings::CredentialPolicy;

/// How an [`Authenticator`](crate::Authenticator) finds credentials. Built with chained `with_*`
/// setters; the getters have the plain names:
///
/// ```
/// use std::time::Duration;
/// use mongoawsauth::{Authenticator, Options};
/// let options = Options::new().with_credentials_timeout(Duration::from_secs(5));
/// assert_eq!(options.credentials_timeout(), Duration::from_secs(5));
/// let auth = Authenticator::new(options).unwrap(); // the spec's default chain
/// # drop(auth);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    pub(crate) custom_provider: Option<CustomProvider>,
    pub(crate) explicit_credentials: Option<Credentials>,
    pub(crate) credential_policy: CredentialPolicy,
    pub(crate) provider_config: ProviderConfig,
    pub(crate) credentials_timeout: Duration,
    pub(crate) refresh_window: Duration,
    pub(crate) refresh_ahead: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            custom_provider: None,
            explicit_credentials: None,
            credential_policy: CredentialPolicy::Strict,
            provider_config: ProviderConfig::new(),
            credentials_timeout: defaults::CREDENTIALS_TIMEOUT,
            refresh_window: defaults::REFRESH_WINDOW,
            refresh_ahead: defaults::REFRESH_AHEAD,
        }
    }
}

impl Options {
    /// The spec's default chain, reading the real process environment.
    pub fn new() -> Self {
        Options::default()
    }

    /// A custom provider (`AWS_CREDENTIAL_PROVIDER`), tried before every other source.
    #[must_use]
    pub fn with_custom_provider(mut self, provider: CustomProvider) -> Self {
        self.custom_provider = Some(provider);
        self
    }

    /// Explicit credentials from the driver's settings. Only allowed with
    /// [`CredentialPolicy::Legacy`]; they then replace every other source, as the old spec's
    /// "credentials in the URI come first" rule said.
    #[must_use]
    pub fn with_explicit_credentials(mut self, credentials: Credentials) -> Self {
        self.explicit_credentials = Some(credentials);
        self
    }

    /// Strict (current spec, default) or legacy credential rules.
    #[must_use]
    pub fn with_credential_policy(mut self, policy: CredentialPolicy) -> Self {
        self.credential_policy = policy;
        self
    }

    /// The environment the sources read (default: the real process environment).
    #[must_use]
    pub fn with_env(mut self, env: Env) -> Self {
        self.provider_config = self.provider_config.with_env(env);
        self
    }

    /// The environment, endpoints and timeouts the sources use (default: the real world).
    #[must_use]
    pub fn with_provider_config(mut self, config: ProviderConfig) -> Self {
        self.provider_config = config;
        self
    }

    /// The profile of the shared config files to use, overriding `AWS_PROFILE` (see
    /// [`ProviderConfig::with_profile`]). A blank name is refused when the options are checked.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.provider_config = self.provider_config.with_profile(profile);
        self
    }

    /// Whether the shared config and credentials files are read (default: yes, as the AWS SDKs
    /// do; `false` keeps the MongoDB specification's chain only). See
    /// [`ProviderConfig::with_shared_config`].
    #[must_use]
    pub fn with_shared_config(mut self, enabled: bool) -> Self {
        self.provider_config = self.provider_config.with_shared_config(enabled);
        self
    }

    /// How long one credential resolution may take when the caller gives no deadline (default
    /// [`defaults::CREDENTIALS_TIMEOUT`], 10 s). Must be more than zero and at most
    /// [`defaults::MAX_TIMEOUT`], checked when the authenticator is built.
    #[must_use]
    pub fn with_credentials_timeout(mut self, timeout: Duration) -> Self {
        self.credentials_timeout = timeout;
        self
    }

    /// Cached credentials are used while more than this remains before expiry (default
    /// [`defaults::REFRESH_WINDOW`], 5 minutes, the spec's; at most [`defaults::MAX_TIMEOUT`]).
    /// Raising it also raises the refresh-ahead window if needed.
    #[must_use]
    pub fn with_refresh_window(mut self, window: Duration) -> Self {
        self.refresh_window = window;
        self.refresh_ahead = self.refresh_ahead.max(window);
        self
    }

    /// Inside this much time before expiry, one background refresh starts while callers keep the
    /// valid entry (default [`defaults::REFRESH_AHEAD`], 10 minutes; never less than the refresh
    /// window; at most [`defaults::MAX_TIMEOUT`]).
    #[must_use]
    pub fn with_refresh_ahead(mut self, window: Duration) -> Self {
        self.refresh_ahead = window.max(self.refresh_window);
        self
    }

    /// The configured provider context: environment, endpoints, timeouts, profile.
    pub fn provider_config(&self) -> &ProviderConfig {
        &self.provider_config
    }

    /// The configured refresh window.
    pub fn refresh_window(&self) -> Duration {
        self.refresh_window
    }

    /// The configured refresh-ahead window.
    pub fn refresh_ahead(&self) -> Duration {
        self.refresh_ahead
    }

    /// The configured credential policy.
    pub fn credential_policy(&self) -> CredentialPolicy {
        self.credential_policy
    }

    /// The configured credentials timeout.
    pub fn credentials_timeout(&self) -> Duration {
        self.credentials_timeout
    }
}

/// The names before the `with_*` setters and plain getters, kept for one release.
impl Options {
    /// Renamed [`Options::with_custom_provider`].
    #[deprecated(since = "0.2.0", note = "use `with_custom_provider`")]
    #[must_use]
    pub fn custom_provider(self, provider: CustomProvider) -> Self {
        self.with_custom_provider(provider)
    }

    /// Renamed [`Options::with_explicit_credentials`].
    #[deprecated(since = "0.2.0", note = "use `with_explicit_credentials`")]
    #[must_use]
    pub fn explicit_credentials(self, credentials: Credentials) -> Self {
        self.with_explicit_credentials(credentials)
    }

    /// Renamed [`Options::with_env`].
    #[deprecated(since = "0.2.0", note = "use `with_env`")]
    #[must_use]
    pub fn env(self, env: Env) -> Self {
        self.with_env(env)
    }

    /// Renamed [`Options::with_profile`].
    #[deprecated(since = "0.2.0", note = "use `with_profile`")]
    #[must_use]
    pub fn profile(self, profile: impl Into<String>) -> Self {
        self.with_profile(profile)
    }

    /// Renamed [`Options::with_shared_config`].
    #[deprecated(since = "0.2.0", note = "use `with_shared_config`")]
    #[must_use]
    pub fn shared_config(self, enabled: bool) -> Self {
        self.with_shared_config(enabled)
    }

    /// Renamed [`Options::provider_config`].
    #[deprecated(since = "0.2.0", note = "use `provider_config()`")]
    pub fn get_provider_config(&self) -> &ProviderConfig {
        self.provider_config()
    }

    /// Renamed [`Options::refresh_window`].
    #[deprecated(since = "0.2.0", note = "use `refresh_window()`")]
    pub fn get_refresh_window(&self) -> Duration {
        self.refresh_window()
    }

    /// Renamed [`Options::refresh_ahead`].
    #[deprecated(since = "0.2.0", note = "use `refresh_ahead()`")]
    pub fn get_refresh_ahead(&self) -> Duration {
        self.refresh_ahead()
    }

    /// Renamed [`Options::credential_policy`].
    #[deprecated(since = "0.2.0", note = "use `credential_policy()`")]
    pub fn get_credential_policy(&self) -> CredentialPolicy {
        self.credential_policy()
    }

    /// Renamed [`Options::credentials_timeout`].
    #[deprecated(since = "0.2.0", note = "use `credentials_timeout()`")]
    pub fn get_credentials_timeout(&self) -> Duration {
        self.credentials_timeout()
    }
}
