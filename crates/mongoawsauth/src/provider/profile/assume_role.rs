//! Role chaining: credentials from STS `AssumeRole`, signed with the credentials of a source.
//!
//! This is what a profile's `role_arn` with `source_profile` or `credential_source` means in the
//! AWS config files. The profile reader turns a profile into an [`AssumeRoleSettings`] and a
//! source; this module does the rest:
//!
//! 1. fetch the source's credentials, through the process-wide cache when the source has a
//!    [cache key](crate::ProvideCredentials::cache_key) (sources without one, the environment and
//!    static keys, are cheap and asked every time);
//! 2. call STS `AssumeRole` with them (see [`crate::sts`]: SigV4 over the same signer as the
//!    conversation, retries, errors that name the role and the source identity).
//!
//! A chain of any depth is providers nested as sources of one another; `credential_source`
//! names a base provider ([`credential_source_provider`]).
//!
//! **Caching.** Every role caches its own answer in the process-wide cache under a key made of
//! the role ARN, the session name (or "generated"), whether an external id is set (with a
//! per-process keyed fingerprint that tells values apart without showing them), the duration,
//! the STS endpoint and signing region, and the source: the source's own cache key, or, for a
//! source without one, its name, the access key id it answered with and whether a session token
//! came with it (so two sets of static keys never share an assumed role). Because the key may
//! need the source's answer, the provider caches itself and its own
//! [`cache_key`](crate::ProvideCredentials::cache_key) is
//! `None`: wrapping it in a [`CachedProvider`] adds nothing and costs nothing.
//!
//! **Session name.** When none is configured, the name is `assume-role-from-profile-<ms since the
//! epoch>`, generated once per provider: the AWS SDK for Rust's format. botocore generates
//! `botocore-session-<s since the epoch>` the same way. The name only shows as the last part of
//! the assumed-role ARN (and in CloudTrail); MongoDB matches an assumed-role login by its role,
//! so either choice logs in as the same user.
//!
//! **Endpoint and signing region.** The options' STS endpoint wins; then the profile's resolved
//! [`EndpointSettings`] (environment and profile with the SDKs' precedence, FIPS and dual-stack
//! included) when the settings carry them, else the environment alone (see
//! [`crate::sts::endpoint`]). The signature is scoped to the regional endpoint's region,
//! `us-east-1` for the global endpoint, and for an endpoint URL to the configured region (else
//! `us-east-1`, as botocore and the AWS SDK for JavaScript do).
//!
//! Reads (besides what the source reads), when the settings carry no endpoint settings:
//! `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`,
//! `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_STS_REGIONAL_ENDPOINTS`; and through the STS HTTP
//! client the usual proxy variables. Sends one signed `POST` (up to three attempts) to the
//! endpoint per fetch.

use std::collections::hash_map::RandomState;
use std::fmt;
use std::hash::BuildHasher as _;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime};

use crate::cache::{CachedProvider, DEFAULT_REFRESH_AHEAD, DEFAULT_REFRESH_WINDOW};
use crate::config::ProviderConfig;
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};
use crate::provider::container::ContainerProvider;
use crate::provider::environment::EnvironmentProvider;
use crate::provider::imds::ImdsProvider;
use crate::provider::web_identity::is_session_name;
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};
pub use crate::shared_config::CredentialSource;
use crate::shared_config::EndpointSettings;
use crate::sts::assume_role::{self as call, Caller, RoleRequest, Target};
use crate::sts::{self, EndpointOrigin, StsEndpoint};

/// The name this source reports.
pub const NAME: &str = "assume_role";

/// The session duration asked for when none is configured (STS's own default).
pub const DEFAULT_DURATION_SECONDS: u32 = 3600;
// The bounds are a few thousand seconds: `as u32` cannot truncate them.
/// The shortest session STS issues: [`crate::defaults::ASSUME_ROLE_MIN_DURATION`] in seconds.
pub const MIN_DURATION_SECONDS: u32 = crate::defaults::ASSUME_ROLE_MIN_DURATION.as_secs() as u32;
/// The longest session STS issues (a role's maximum may be lower; STS then refuses):
/// [`crate::defaults::ASSUME_ROLE_MAX_DURATION`] in seconds.
pub const MAX_DURATION_SECONDS: u32 = crate::defaults::ASSUME_ROLE_MAX_DURATION.as_secs() as u32;

/// The prefix of generated session names (the AWS SDK for Rust's).
pub const GENERATED_SESSION_PREFIX: &str = "assume-role-from-profile-";

/// The signing region when nothing names one: the global endpoint's.
const GLOBAL_REGION: &str = "us-east-1";

/// What a profile says about the role to assume. Plain data; [`AssumeRoleProvider`] validates it.
///
/// `Debug` hides the external id. May be shared across threads.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AssumeRoleSettings {
    /// `role_arn`: the role to assume, `arn:aws:iam::ACCOUNT:role/NAME`.
    pub role_arn: String,
    /// `role_session_name`; `None` generates one (see the module documentation).
    pub session_name: Option<String>,
    /// `external_id`, when the role's trust policy asks for one.
    pub external_id: Option<String>,
    /// `duration_seconds`, [`MIN_DURATION_SECONDS`] to [`MAX_DURATION_SECONDS`]; `None` means
    /// [`DEFAULT_DURATION_SECONDS`].
    pub duration_seconds: Option<u32>,
    /// The region and endpoint settings of the profile, as the shared config resolves them with
    /// the environment. `None`: the environment alone decides (see the module documentation).
    pub endpoints: Option<EndpointSettings>,
    /// Where these settings came from, for messages, e.g. `profile dev in /home/me/.aws/config`.
    pub origin: Option<String>,
}

impl AssumeRoleSettings {
    /// Settings for `role_arn` with every other value defaulted.
    pub fn new(role_arn: impl Into<String>) -> Self {
        AssumeRoleSettings { role_arn: role_arn.into(), ..AssumeRoleSettings::default() }
    }
}

impl fmt::Debug for AssumeRoleSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleSettings")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("external_id", &self.external_id.as_ref().map(|_| REDACTED))
            .field("duration_seconds", &self.duration_seconds)
            .field("endpoints", &self.endpoints)
            .field("origin", &self.origin)
            .finish()
    }
}

/// The provider a profile's `credential_source` names: the environment, IMDSv2 or the container
/// endpoint, reading the environment, endpoints and timeouts of `config`.
pub fn credential_source_provider(
    source: CredentialSource,
    config: &ProviderConfig,
) -> Arc<dyn ProvideCredentials> {
    match source {
        CredentialSource::Environment => Arc::new(EnvironmentProvider::with_env(config.env().clone())),
        CredentialSource::Ec2InstanceMetadata => Arc::new(ImdsProvider::with_config(config.clone())),
        CredentialSource::EcsContainer => Arc::new(ContainerProvider::with_config(config.clone())),
    }
}

/// Assumes a role with the credentials of a source. Cheap to clone (clones share everything).
#[derive(Clone)]
pub struct AssumeRoleProvider {
    inner: Arc<Inner>,
}

#[derive(Clone)]
struct Inner {
    settings: AssumeRoleSettings,
    session_name: String,
    generated_session_name: bool,
    duration_seconds: u32,
    /// The source, behind the process-wide cache (which passes through sources without a key).
    source: CachedProvider,
    config: ProviderConfig,
    refresh_window: Duration,
    refresh_ahead: Duration,
}

impl AssumeRoleProvider {
    /// Assumes `settings.role_arn` with `source`'s credentials, in the real world (process
    /// environment, AWS's STS endpoints). Pass the source itself, not a [`CachedProvider`]: this
    /// provider puts it behind the cache.
    ///
    /// Fails with [`ErrorKind::Configuration`] when a setting is invalid (the message names it).
    pub fn new(settings: AssumeRoleSettings, source: Arc<dyn ProvideCredentials>) -> Result<Self, Error> {
        AssumeRoleProvider::with_config(settings, source, ProviderConfig::new())
    }

    /// Like [`AssumeRoleProvider::new`], reading the environment, STS endpoint and timeout from
    /// `config` (tests point it at a loopback stand-in).
    pub fn with_config(
        settings: AssumeRoleSettings,
        source: Arc<dyn ProvideCredentials>,
        config: ProviderConfig,
    ) -> Result<Self, Error> {
        let checked = validate(&settings)?;
        Ok(AssumeRoleProvider {
            inner: Arc::new(Inner {
                session_name: checked.session_name,
                generated_session_name: checked.generated,
                duration_seconds: checked.duration_seconds,
                settings,
                source: CachedProvider::from_shared(source).with_clock(Arc::clone(config.clock())),
                config,
                refresh_window: DEFAULT_REFRESH_WINDOW,
                refresh_ahead: DEFAULT_REFRESH_AHEAD,
            }),
        })
    }

    /// A role whose profile says `credential_source = source`: the environment, IMDS or the
    /// container endpoint, as `config` describes them.
    pub fn from_credential_source(
        settings: AssumeRoleSettings,
        source: CredentialSource,
        config: ProviderConfig,
    ) -> Result<Self, Error> {
        let provider = credential_source_provider(source, &config);
        AssumeRoleProvider::with_config(settings, provider, config)
    }

    /// Sets the cache's refresh window and refresh-ahead window for this role and its source
    /// (the defaults are the cache's).
    #[must_use]
    pub fn with_cache_windows(mut self, refresh_window: Duration, refresh_ahead: Duration) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        inner.refresh_window = refresh_window;
        inner.refresh_ahead = refresh_ahead.max(refresh_window);
        inner.source = inner.source.clone().with_windows(refresh_window, refresh_ahead);
        self
    }

    /// The role this provider assumes.
    pub fn role_arn(&self) -> &str {
        &self.inner.settings.role_arn
    }

    /// The session name it asks for (configured or generated).
    pub fn session_name(&self) -> &str {
        &self.inner.session_name
    }

    /// The session duration it asks for, in seconds.
    pub fn duration_seconds(&self) -> u32 {
        self.inner.duration_seconds
    }

    /// The source it takes credentials from.
    pub fn source(&self) -> &dyn ProvideCredentials {
        &self.inner.source
    }

    /// The STS endpoint and signing region a fetch would use now. Sends nothing.
    pub fn resolve_endpoint(&self) -> Result<(StsEndpoint, String), Error> {
        self.inner.target().map(|t| (t.endpoint, t.region))
    }

    /// Assumes the role now (or serves it from the process-wide cache).
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let inner = &self.inner;
        let target = inner.target().map_err(ProviderError::Failed)?;
        // A source with a key is looked up by its key: nothing is asked of it on a cache hit.
        let (key, fetched) = match inner.source.cache_key() {
            Some(source_key) => (inner.step_key(&target, &format!("key {source_key}")), None),
            None => {
                let credentials = inner.source_credentials().await?;
                let source = format!(
                    "{} with access key id {}{}",
                    inner.source.name(),
                    credentials.access_key_id(),
                    if credentials.is_temporary() { " and a session token" } else { "" }
                );
                (inner.step_key(&target, &source), Some(credentials))
            }
        };
        let step = Step { inner: Arc::clone(inner), key, fetched: Mutex::new(fetched) };
        CachedProvider::new(step)
            .with_windows(inner.refresh_window, inner.refresh_ahead)
            .with_clock(Arc::clone(inner.config.clock()))
            .provide_credentials()
            .await
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }

    /// `None`: the provider caches itself, per step (see the module documentation).
    fn cache_key(&self) -> Option<String> {
        None
    }
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("AssumeRoleProvider")
            .field("settings", &inner.settings)
            .field("session_name", &inner.session_name)
            .field("duration_seconds", &inner.duration_seconds)
            .field("source", &inner.source)
            .finish_non_exhaustive()
    }
}

/// One role's fetch as the cache sees it: the key, and the source credentials when they had to
/// be fetched to compute it (used once; refreshes ask the source again).
struct Step {
    inner: Arc<Inner>,
    key: String,
    fetched: Mutex<Option<Credentials>>,
}

impl fmt::Debug for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleStep")
            .field("role_arn", &self.inner.settings.role_arn)
            .finish_non_exhaustive()
    }
}

impl ProvideCredentials for Step {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            let fetched = self.fetched.lock().unwrap_or_else(|e| e.into_inner()).take();
            let source = match fetched {
                Some(credentials) => credentials,
                None => self.inner.source_credentials().await?,
            };
            self.inner.assume(&source).await.map_err(ProviderError::Failed)
        })
    }

    fn cache_key(&self) -> Option<String> {
        Some(self.key.clone())
    }
}

impl Inner {
    /// " (profile dev in …)" when the settings say where they came from.
    fn origin(&self) -> String {
        self.settings.origin.as_deref().map(|o| format!(" ({o})")).unwrap_or_default()
    }

    /// The source's credentials, or an error that says which role needed them.
    async fn source_credentials(&self) -> Result<Credentials, ProviderError> {
        let name = self.source.name().to_owned();
        let role = &self.settings.role_arn;
        let origin = self.origin();
        match self.source.provide_credentials().await {
            Ok(credentials) => Ok(credentials),
            Err(ProviderError::NotConfigured(e)) => Err(ProviderError::Failed(Error::new(
                ErrorKind::CredentialsProvider,
                format!(
                    "{NAME}: role {role}{origin} takes its credentials from source '{name}', which has \
                     none ({}): configure that source, or fix source_profile / credential_source",
                    e.message()
                ),
            ))),
            Err(ProviderError::Failed(e)) => Err(ProviderError::Failed(Error::new(
                e.kind(),
                format!("{NAME}: the source '{name}' of role {role}{origin} failed: {}", e.message()),
            ))),
        }
    }

    /// Calls STS with the source's credentials.
    async fn assume(&self, source: &Credentials) -> Result<Credentials, Error> {
        let target = self.target()?;
        let label = format!("credentials from source '{}'", self.source.name());
        let role = RoleRequest {
            role_arn: &self.settings.role_arn,
            session_name: &self.session_name,
            external_id: self.settings.external_id.as_deref(),
            duration_seconds: self.duration_seconds,
        };
        call::call(&self.config, &target, Caller { credentials: source, label: &label }, &role).await
    }

    /// The endpoint and signing region (see the module documentation).
    fn target(&self) -> Result<Target, Error> {
        let configured = self.config.sts_endpoint();
        let (endpoint, region) = match &self.settings.endpoints {
            Some(settings) => {
                (settings.sts_endpoint(configured)?, settings.region.as_ref().map(|r| r.value.clone()))
            }
            None => {
                let env = self.config.env();
                let region = ["AWS_REGION", "AWS_DEFAULT_REGION"]
                    .into_iter()
                    .find_map(|name| env.get_non_blank(name).map(|v| v.trim().to_owned()));
                (sts::endpoint::resolve(env, configured)?, region)
            }
        };
        let region = match endpoint.origin() {
            EndpointOrigin::Regional { region, .. } | EndpointOrigin::RegionalSetting { region, .. } => {
                region.clone()
            }
            // The global endpoint signs for us-east-1, whatever the region.
            EndpointOrigin::LegacyGlobal { .. } | EndpointOrigin::NoRegion => GLOBAL_REGION.to_owned(),
            // An endpoint URL: the configured region if there is a valid one.
            _ => region
                .filter(|r| crate::region::is_region_name(r))
                .unwrap_or_else(|| GLOBAL_REGION.to_owned()),
        };
        Ok(Target { endpoint, region })
    }

    /// The cache key of this role's answer, given where it goes and what the source is.
    fn step_key(&self, target: &Target, source: &str) -> String {
        let s = &self.settings;
        let session = if self.generated_session_name { "(generated)" } else { self.session_name.as_str() };
        let external_id = match &s.external_id {
            None => "none".to_owned(),
            Some(value) => format!("set, fingerprint {:016x}", FINGERPRINT.hash_one(value)),
        };
        format!(
            "{NAME}\nrole {}\nsession {session}\nexternal id {external_id}\nduration {}\nendpoint {}\n\
             region {}\nsource {source}",
            s.role_arn,
            self.duration_seconds,
            target.endpoint.url(),
            target.region
        )
    }
}

/// The key of the external-id fingerprint: random per process, so a fingerprint shown in a cache
/// listing cannot be matched against guesses elsewhere.
static FINGERPRINT: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// Validated values derived from the settings.
struct Checked {
    session_name: String,
    generated: bool,
    duration_seconds: u32,
}

fn validate(settings: &AssumeRoleSettings) -> Result<Checked, Error> {
    let origin = settings.origin.as_deref().map(|o| format!(" in {o}")).unwrap_or_default();
    sts::check_arn(settings.role_arn.trim(), &format!("role_arn{origin}"), "role/")?;
    if settings.role_arn.trim() != settings.role_arn {
        return Err(Error::configuration(format!("role_arn{origin} has spaces around it: remove them")));
    }
    let (session_name, generated) = match &settings.session_name {
        Some(name) if !is_session_name(name) => {
            return Err(Error::configuration(format!(
                "role_session_name{origin} must be 2 to 64 characters of letters, digits and _+=,.@- \
                 (it is {} characters and may contain others): fix or remove it",
                name.chars().count()
            )));
        }
        Some(name) => (name.clone(), false),
        None => (generated_session_name(), true),
    };
    if let Some(external_id) = &settings.external_id
        && !is_external_id(external_id)
    {
        return Err(Error::configuration(format!(
            "external_id{origin} must be 2 to 1224 characters of letters, digits and _+=,.@:/- \
             (it is {} characters and may contain others): copy it from the role's trust policy",
            external_id.chars().count()
        )));
    }
    let duration_seconds = settings.duration_seconds.unwrap_or(DEFAULT_DURATION_SECONDS);
    if !(MIN_DURATION_SECONDS..=MAX_DURATION_SECONDS).contains(&duration_seconds) {
        return Err(Error::configuration(format!(
            "duration_seconds{origin} is {duration_seconds}, but STS issues sessions of \
             {MIN_DURATION_SECONDS} to {MAX_DURATION_SECONDS} seconds (and at most 3600 for a role \
             assumed with another role's credentials): pick a value in that range"
        )));
    }
    Ok(Checked { session_name, generated, duration_seconds })
}

/// `assume-role-from-profile-<ms since the epoch>`, the AWS SDK for Rust's default.
fn generated_session_name() -> String {
    let millis = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().as_millis();
    format!("{GENERATED_SESSION_PREFIX}{millis}")
}

/// STS's `ExternalId` rule: `[\w+=,.@:/-]{2,1224}`.
fn is_external_id(value: &str) -> bool {
    (2..=1224).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
}

#[cfg(test)]
mod tests;
