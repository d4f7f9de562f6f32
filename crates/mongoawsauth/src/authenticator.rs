//! [`Authenticator`]: the object a driver keeps per client. It holds the configured credential
//! sources, resolves credentials within a deadline and hands out one [`Conversation`] per login.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::config::{Env, ProviderConfig};
use crate::conversation::Conversation;
use crate::credentials::Credentials;
use crate::error::{Attempt, AttemptOutcome, Error, ErrorKind, Result};
use crate::provider::chain::Chain;
use crate::provider::custom::CustomProvider;
use crate::provider::environment::EnvironmentProvider;
use crate::provider::static_keys::StaticProvider;
use crate::provider::{ProvideCredentials, ProviderError};
use crate::settings::CredentialPolicy;

/// The spec's read timeout for credential endpoints, used as the default deadline for one
/// credential resolution.
pub const DEFAULT_CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(10);

/// How an [`Authenticator`] finds credentials. Built with chained setters:
///
/// ```
/// use mongoawsauth::{Authenticator, Options};
/// let auth = Authenticator::new(Options::new()).unwrap(); // the spec's default chain
/// # drop(auth);
/// ```
#[derive(Clone, Debug)]
pub struct Options {
    custom_provider: Option<CustomProvider>,
    explicit_credentials: Option<Credentials>,
    credential_policy: CredentialPolicy,
    provider_config: ProviderConfig,
    credentials_timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            custom_provider: None,
            explicit_credentials: None,
            credential_policy: CredentialPolicy::Strict,
            provider_config: ProviderConfig::new(),
            credentials_timeout: DEFAULT_CREDENTIALS_TIMEOUT,
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
    pub fn custom_provider(mut self, provider: CustomProvider) -> Self {
        self.custom_provider = Some(provider);
        self
    }

    /// Explicit credentials from the driver's settings. Only allowed with
    /// [`CredentialPolicy::Legacy`]; they then replace every other source, as the old spec's
    /// "credentials in the URI come first" rule said.
    #[must_use]
    pub fn explicit_credentials(mut self, credentials: Credentials) -> Self {
        self.explicit_credentials = Some(credentials);
        self
    }

    /// Strict (current spec, default) or legacy credential rules.
    #[must_use]
    pub fn credential_policy(mut self, policy: CredentialPolicy) -> Self {
        self.credential_policy = policy;
        self
    }

    /// The environment the sources read (default: the real process environment).
    #[must_use]
    pub fn env(mut self, env: Env) -> Self {
        self.provider_config = self.provider_config.with_env(env);
        self
    }

    /// The environment, endpoints and timeouts the sources use (default: the real world).
    #[must_use]
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        self.provider_config = config;
        self
    }

    /// The configured provider context.
    pub fn get_provider_config(&self) -> &ProviderConfig {
        &self.provider_config
    }

    /// How long one credential resolution may take when the caller gives no deadline
    /// (default 10 s).
    #[must_use]
    pub fn credentials_timeout(mut self, timeout: Duration) -> Self {
        self.credentials_timeout = timeout;
        self
    }

    /// The configured credential policy.
    pub fn get_credential_policy(&self) -> CredentialPolicy {
        self.credential_policy
    }

    /// The configured timeout.
    pub fn get_credentials_timeout(&self) -> Duration {
        self.credentials_timeout
    }

    /// The spec's default chain for these options: custom provider (if any), then environment.
    pub fn default_chain(&self) -> Chain {
        let mut chain = Chain::new();
        if let Some(custom) = &self.custom_provider {
            chain = chain.then(custom.clone());
        }
        chain.then(EnvironmentProvider::with_env(self.provider_config.env().clone()))
    }
}

/// Resolves credentials and starts conversations. Cheap to clone; share one per client across
/// threads and tasks.
#[derive(Clone)]
pub struct Authenticator {
    provider: Arc<dyn ProvideCredentials>,
    timeout: Duration,
}

impl Authenticator {
    /// Builds an authenticator from options.
    ///
    /// Fails with [`ErrorKind::Configuration`] when explicit credentials are given under the
    /// strict policy, or when the timeout is zero.
    pub fn new(options: Options) -> Result<Self> {
        if options.credentials_timeout.is_zero() {
            return Err(Error::configuration("the credentials timeout must be greater than zero"));
        }
        let provider: Arc<dyn ProvideCredentials> =
            match (&options.explicit_credentials, options.credential_policy) {
                (Some(_), CredentialPolicy::Strict) => {
                    return Err(Error::configuration(
                        "explicit credentials are not allowed by the current MONGODB-AWS spec: provide \
                     them through AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or a custom provider, \
                     or opt into the legacy credential policy",
                    ));
                }
                (Some(credentials), CredentialPolicy::Legacy) => {
                    Arc::new(StaticProvider::new(credentials.clone()))
                }
                (None, _) => Arc::new(options.default_chain()),
            };
        Ok(Authenticator { provider, timeout: options.credentials_timeout })
    }

    /// An authenticator over any source or hand-built chain, with the default timeout.
    pub fn from_provider(provider: impl ProvideCredentials + 'static) -> Self {
        Authenticator { provider: Arc::new(provider), timeout: DEFAULT_CREDENTIALS_TIMEOUT }
    }

    /// The same authenticator with another default timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Resolves credentials within the configured timeout.
    pub async fn credentials(&self) -> Result<Credentials> {
        self.credentials_until(Instant::now() + self.timeout).await
    }

    /// Resolves credentials, giving up at `deadline` (the driver's CSOT deadline).
    pub async fn credentials_until(&self, deadline: Instant) -> Result<Credentials> {
        let started = Instant::now();
        let fetch = self.provider.provide_credentials();
        let result = tokio::time::timeout_at(deadline.into(), fetch).await;
        match result {
            Err(_elapsed) => Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "no credentials within {:.0} ms from {}: raise the timeout, or check that the \
                     configured credential source can answer",
                    started.elapsed().as_secs_f64() * 1000.0,
                    self.provider.name()
                ),
            )),
            Ok(Ok(credentials)) => {
                tracing::info!(
                    source = %credentials.source(),
                    access_key_id = %credentials.access_key_id(),
                    temporary = credentials.is_temporary(),
                    "resolved AWS credentials"
                );
                Ok(credentials)
            }
            Ok(Err(ProviderError::Failed(e))) => Err(e),
            Ok(Err(ProviderError::NotConfigured(e))) => {
                let attempts = if e.attempts().is_empty() {
                    vec![Attempt {
                        source: self.provider.name().to_owned(),
                        outcome: AttemptOutcome::NotConfigured(e.message().to_owned()),
                        elapsed: started.elapsed(),
                    }]
                } else {
                    e.attempts().to_vec()
                };
                Err(Error::new(
                    ErrorKind::CredentialsNotFound,
                    "no AWS credentials found for MONGODB-AWS: set AWS_ACCESS_KEY_ID and \
                     AWS_SECRET_ACCESS_KEY (plus AWS_SESSION_TOKEN for temporary credentials), or \
                     configure a custom credential provider. Sources tried:",
                )
                .with_attempts(attempts))
            }
        }
    }

    /// Resolves credentials and starts a conversation with them.
    pub async fn conversation(&self) -> Result<Conversation> {
        Conversation::new(self.credentials().await?)
    }

    /// Like [`Authenticator::conversation`], giving up at `deadline`.
    pub async fn conversation_until(&self, deadline: Instant) -> Result<Conversation> {
        Conversation::new(self.credentials_until(deadline).await?)
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("provider", &self.provider)
            .field("timeout", &self.timeout)
            .finish()
    }
}
