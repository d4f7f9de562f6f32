//! [`Authenticator`]: the object a driver keeps per client. It holds the configured credential
//! sources, resolves credentials within a deadline and hands out one [`Conversation`] per login.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument as _;

use crate::cache;
use crate::conversation::Conversation;
use crate::credentials::Credentials;
use crate::error::{Attempt, AttemptOutcome, Error, ErrorKind, Result};
use crate::options::Options;
use crate::provider::environment::EnvironmentProvider;
use crate::provider::saml::{SamlOptions, SamlProviderBuilder};
use crate::provider::static_keys::StaticProvider;
use crate::provider::{ProvideCredentials, ProviderError};
use crate::settings::CredentialPolicy;

/// The spec's read timeout for credential endpoints, used as the default deadline for one
/// credential resolution. The same value as [`crate::defaults::CREDENTIALS_TIMEOUT`].
pub const DEFAULT_CREDENTIALS_TIMEOUT: Duration = crate::defaults::CREDENTIALS_TIMEOUT;

/// The outcome of one credential resolution, for a driver's diagnostics.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// The credentials (their source, access key id and expiry are on them).
    pub credentials: Credentials,
    /// Whether they were served from the process-wide cache.
    pub from_cache: bool,
    /// How long the resolution took.
    pub elapsed: Duration,
}

/// Resolves credentials and starts conversations. Cheap to clone; share one per client across
/// threads and tasks.
///
/// One login, as a driver runs it over its own connection (`send_sasl_start` and
/// `send_sasl_continue` stand for the driver's wire code). A failed login is reported, so the
/// next one fetches fresh credentials instead of retrying cached ones the server refused:
///
/// ```no_run
/// use mongoawsauth::{Authenticator, Options};
/// # fn send_sasl_start(_: &[u8]) -> Result<Vec<u8>, String> { unimplemented!() }
/// # fn send_sasl_continue(_: &[u8]) -> Result<(), String> { unimplemented!() }
///
/// # async fn login() -> mongoawsauth::Result<()> {
/// let auth = Authenticator::new(Options::new())?;
/// let mut conversation = auth.conversation().await?;
/// let server_first = send_sasl_start(&conversation.client_first()?);
/// let outcome = match server_first {
///     Ok(reply) => send_sasl_continue(&conversation.client_final(&reply)?),
///     Err(e) => Err(e),
/// };
/// if outcome.is_err() {
///     auth.report_failed_conversation(&conversation);
/// }
/// # Ok(()) }
/// ```
///
/// Credentials alone, for code that signs something else, with the source they came from:
///
/// ```no_run
/// # async fn who() -> mongoawsauth::Result<()> {
/// use std::time::Duration;
/// use mongoawsauth::{Authenticator, Options};
///
/// let auth = Authenticator::new(
///     Options::new().with_profile("reporting").with_credentials_timeout(Duration::from_secs(5)),
/// )?;
/// let resolution = auth.resolve().await?;
/// println!("{} from {}", resolution.credentials.access_key_id(), resolution.credentials.source());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Authenticator {
    provider: Arc<dyn ProvideCredentials>,
    timeout: Duration,
    /// The default chain's first two steps, when nothing runs before them (no custom provider):
    /// then what they answer without I/O is exactly what the chain would answer.
    fast_path: Option<(cache::CacheLookup, Option<EnvironmentProvider>)>,
}

impl Authenticator {
    /// Builds an authenticator from options.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`] for an option [`Options::validate`] refuses (a
    /// zero or too long timeout, a malformed endpoint URL, a blank profile; [`Error::option`]
    /// names it), and with [`ErrorKind::Configuration`] when explicit credentials are given under
    /// the strict policy.
    pub fn new(options: Options) -> Result<Self> {
        options.validate()?;
        let mut fast_path = None;
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
                (None, _) => {
                    let (chain, lookup) = options.default_chain_parts();
                    if options.custom_provider.is_none() {
                        // The same order as the chain: no environment answer when a profile
                        // named in code replaces the environment step.
                        let env = (!options.profile_named_in_code())
                            .then(|| EnvironmentProvider::with_env(options.provider_config.env().clone()));
                        fast_path = Some((lookup, env));
                    }
                    Arc::new(chain)
                }
            };
        Ok(Authenticator { provider, timeout: options.credentials_timeout, fast_path })
    }

    /// An authenticator whose only credential source is STS `AssumeRoleWithSAML`, behind the
    /// process-wide cache (so [`Authenticator::report_failure`] applies to its logins too). The
    /// one way every face builds a SAML authenticator.
    ///
    /// `saml` gives the role, the IAM SAML provider, the assertion source and optionally the
    /// session duration and policy. From
    /// `options` come the environment, STS endpoint and timeout, the credentials timeout and the
    /// cache's refresh windows; its custom provider, explicit credentials and credential policy
    /// do not apply.
    ///
    /// Fails with [`ErrorKind::InvalidArgument`] for an option [`Options::validate`] refuses, a
    /// malformed ARN, a duration that is not whole seconds from
    /// [`SAML_MIN_DURATION`](crate::defaults::SAML_MIN_DURATION) to
    /// [`SAML_MAX_DURATION`](crate::defaults::SAML_MAX_DURATION), or an empty or oversized
    /// session policy.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mongoawsauth::provider::saml::{AssertionSource, SamlOptions};
    /// use mongoawsauth::{Authenticator, Options};
    ///
    /// let mut saml = SamlOptions::new(
    ///     "arn:aws:iam::123456789012:role/reporting",
    ///     "arn:aws:iam::123456789012:saml-provider/corp-idp",
    ///     AssertionSource::from_file("/run/idp/assertion.b64"),
    /// );
    /// saml.duration = Some(Duration::from_secs(3600));
    /// let auth = Authenticator::saml(saml, Options::new())?;
    /// # drop(auth);
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn saml(saml: SamlOptions, options: Options) -> Result<Self> {
        options.validate()?;
        let provider =
            SamlProviderBuilder::from(saml).provider_config(options.provider_config.clone()).build()?;
        let cached = cache::CachedProvider::new(provider)
            .with_windows(options.refresh_window, options.refresh_ahead)
            .with_clock(Arc::clone(options.provider_config.clock()));
        Ok(Authenticator::from_provider(cached).with_timeout(options.credentials_timeout))
    }

    /// An authenticator over any source or hand-built chain, with the default timeout.
    pub fn from_provider(provider: impl ProvideCredentials + 'static) -> Self {
        Authenticator { provider: Arc::new(provider), timeout: DEFAULT_CREDENTIALS_TIMEOUT, fast_path: None }
    }

    /// The same authenticator with another default timeout.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The credentials the chain would answer right now, when it can answer without I/O: a
    /// settled entry of the process-wide cache (more than the refresh-ahead window left, or a
    /// refresh ahead backing off), or else
    /// the environment. Synchronous, needs no runtime, starts nothing. `None` means "call
    /// [`Authenticator::credentials`]": a custom provider runs first, the cache entry needs a
    /// refresh, the environment has no (or half a) set of keys, or a network source must answer.
    /// For bindings where every `await` costs a thread hop.
    pub fn credentials_now(&self) -> Option<Credentials> {
        let (lookup, env) = self.fast_path.as_ref()?;
        match lookup.peek() {
            cache::Peek::Settled(credentials) => Some(credentials),
            cache::Peek::NeedsRefresh => None,
            cache::Peek::Nothing => env.as_ref()?.load().ok(),
        }
    }

    /// Resolves credentials within the configured timeout.
    pub async fn credentials(&self) -> Result<Credentials> {
        self.credentials_until(deadline_after(self.timeout)).await
    }

    /// Resolves credentials, giving up at `deadline` (the driver's CSOT deadline).
    pub async fn credentials_until(&self, deadline: Instant) -> Result<Credentials> {
        self.resolve_until(deadline).await.map(|r| r.credentials)
    }

    /// Resolves credentials within the configured timeout and reports where they came from.
    pub async fn resolve(&self) -> Result<Resolution> {
        self.resolve_until(deadline_after(self.timeout)).await
    }

    /// Resolves credentials, giving up at `deadline`, and reports where they came from.
    pub async fn resolve_until(&self, deadline: Instant) -> Result<Resolution> {
        let started = Instant::now();
        let span = tracing::info_span!("resolve_credentials", chain = %self.provider.name());
        // The sources see the deadline, so that IMDS can serve its last good credentials before
        // the deadline passes instead of being cancelled by it (static stability).
        let fetch = crate::deadline::scope(deadline, self.provider.provide_credentials());
        let fetch = cache::track_cache_hits(fetch).instrument(span);
        let result = tokio::time::timeout_at(deadline.into(), fetch).await;
        let result = match result {
            Err(elapsed) => Err(elapsed),
            Ok((outcome, from_cache)) => Ok(outcome.map(|c| (c, from_cache))),
        };
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
            Ok(Ok((credentials, from_cache))) => {
                let elapsed = started.elapsed();
                tracing::info!(
                    source = %credentials.source(),
                    access_key_id = %credentials.access_key_id(),
                    temporary = credentials.is_temporary(),
                    expiration = ?credentials.expiration().map(crate::time_fmt::iso8601),
                    from_cache,
                    elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                    "resolved AWS credentials"
                );
                Ok(Resolution { credentials, from_cache, elapsed })
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

    /// Reports that a login with credentials of this generation failed: the spec requires the
    /// cache to be cleared on any MONGODB-AWS failure. Only the entry with that generation is
    /// dropped, so a burst of failing connections clears it once, and credentials fetched since
    /// survive. Returns whether an entry was dropped. Credentials that were not cached have no
    /// generation and need no report.
    ///
    /// The dropped keys are also no longer served by IMDS's static stability: while IMDS is
    /// down, the next login gets an error rather than the same failing keys again.
    pub fn report_failure(&self, generation: u64) -> bool {
        let dropped = cache::invalidate_generation(generation);
        tracing::info!(generation, dropped, "login failure reported");
        dropped
    }

    /// [`Authenticator::report_failure`] for the credentials a conversation used. Their keys are
    /// withdrawn from IMDS's static stability even when their cache entry has already been
    /// replaced, since the conversation knows them.
    pub fn report_failed_conversation(&self, conversation: &Conversation) -> bool {
        let credentials = conversation.credentials();
        let dropped = credentials.generation().is_some_and(|g| self.report_failure(g));
        crate::provider::imds::login_failed_with(credentials);
        dropped
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

/// `timeout` from now. A timeout the clock cannot add (`Duration::MAX` from a host that means
/// "no limit") becomes a century, which is the same thing, instead of a panic.
fn deadline_after(timeout: Duration) -> Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    let now = Instant::now();
    now.checked_add(timeout).or_else(|| now.checked_add(CENTURY)).unwrap_or(now)
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("provider", &self.provider)
            .field("timeout", &self.timeout)
            .finish()
    }
}
