//! The profile step of the default chain: reads the shared config and credentials files, selects
//! the profile, and carries out what it says with the sources of this module's siblings.
//!
//! Reads, on every fetch (the files are small, and re-reading them means an edit or a new
//! `aws sso login` is seen at the next login, as the environment is):
//! - `AWS_CONFIG_FILE` (default `~/.aws/config`) and `AWS_SHARED_CREDENTIALS_FILE` (default
//!   `~/.aws/credentials`), `~` from `HOME`;
//! - the profile named in the options, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else
//!   `default`;
//! - for endpoints: `AWS_REGION`, `AWS_DEFAULT_REGION`, `AWS_STS_REGIONAL_ENDPOINTS`,
//!   `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`, `AWS_ENDPOINT_URL_STS`,
//!   `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, each
//!   before the profile's own setting, as in the SDKs;
//! - whatever the profile's source reads (see [`super::process`], [`super::sso`],
//!   [`super::assume_role`], and the web identity, environment, container and IMDS sources a
//!   profile can name).
//!
//! "Not configured" (the chain moves on) when reading the files is switched off, when neither
//! file exists, when the implicit `default` profile is missing, or when the profile names no
//! credentials (a `[default]` holding only a region is common). A profile named explicitly that
//! does not exist, a malformed file, or a profile whose settings are wrong is a configuration
//! error naming the file and line: moving on would log in as someone else.
//!
//! Every network step goes through the process-wide cache under its own key: the SSO role, the
//! credential_process command, the web identity role, and every role of a chain with its source.

use std::sync::Arc;
use std::time::Duration;

use crate::cache::{CachedProvider, DEFAULT_REFRESH_AHEAD, DEFAULT_REFRESH_WINDOW};
use crate::config::{Env, ProviderConfig};
use crate::credentials::Credentials;
use crate::error::Error;
use crate::provider::static_keys::StaticProvider;
use crate::provider::web_identity::WebIdentityProvider;
use crate::shared_config::{
    EndpointSettings, ProfileEndpoints, ProfileSource, Resolution, RoleSource, SelectedProfile, SharedConfig,
    resolve,
};

use super::assume_role::{AssumeRoleProvider, AssumeRoleSettings, credential_source_provider};
use super::process::{CredentialProcessProvider, ProcessSettings};
use super::sso::{SsoProvider, SsoSettings};
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "profile";

/// What the selected profile says, for `diagnose`: the profile, the files, and the plan.
#[derive(Clone, Debug)]
pub struct ProfileReport {
    /// The selected profile's name.
    pub profile: String,
    /// One line per file: its path and whether it was found.
    pub files: Vec<String>,
    /// The role chain or source, one line per step, the base source first, each naming the
    /// file and line it came from; empty when the profile names no credentials.
    pub steps: Vec<String>,
    /// Where the region and STS endpoint come from, when the profile uses STS.
    pub endpoints: Vec<String>,
}

/// Credentials from the selected profile of the shared config files.
#[derive(Clone, Debug)]
pub struct ProfileProvider {
    config: ProviderConfig,
    refresh_window: Duration,
    refresh_ahead: Duration,
}

impl ProfileProvider {
    /// Reads the environment, files, endpoints and timeouts of `config`.
    pub fn with_config(config: ProviderConfig) -> Self {
        ProfileProvider {
            config,
            refresh_window: DEFAULT_REFRESH_WINDOW,
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
        }
    }

    /// The cache windows for the network steps (the defaults are the cache's).
    #[must_use]
    pub fn with_cache_windows(mut self, refresh_window: Duration, refresh_ahead: Duration) -> Self {
        self.refresh_window = refresh_window;
        self.refresh_ahead = refresh_ahead.max(refresh_window);
        self
    }

    /// Reads the files and resolves the selected profile into its plan and endpoint settings;
    /// `Err(NotConfigured)` when there is nothing to use.
    fn plan(&self) -> Result<(SharedConfig, String, ProfileSource, EndpointSettings), ProviderError> {
        if !self.config.shared_config() {
            return Err(ProviderError::not_configured(
                "reading the shared config files is switched off in the options",
            ));
        }
        let env = self.config.env();
        let shared = SharedConfig::load(env, self.config.fs()).map_err(ProviderError::Failed)?;
        let selected = SelectedProfile::select(env, self.config.profile());
        let section = shared.selected(&selected).map_err(ProviderError::Failed)?;
        let plan = match resolve(&shared, &selected).map_err(ProviderError::Failed)? {
            Resolution::Source(plan) => plan,
            Resolution::NoCredentials(reason) => return Err(ProviderError::not_configured(reason)),
        };
        let profile_endpoints = section.map(|s| ProfileEndpoints::read(&shared, s));
        let endpoints =
            EndpointSettings::resolve(env, profile_endpoints.as_ref()).map_err(ProviderError::Failed)?;
        Ok((shared, selected.name.clone(), plan, endpoints))
    }

    /// What the selected profile says, without fetching anything: `Ok(Err(reason))` when the
    /// profile step is not configured, an error when the files or the profile are wrong.
    pub fn report(&self) -> Result<Result<ProfileReport, String>, Error> {
        let (shared, profile, plan, endpoints) = match self.plan() {
            Ok(planned) => planned,
            Err(ProviderError::NotConfigured(e)) => return Ok(Err(e.message().to_owned())),
            Err(ProviderError::Failed(e)) => return Err(e),
        };
        let files = shared
            .files()
            .iter()
            .map(|f| {
                let what = match f.kind {
                    crate::shared_config::FileKind::Config => "config file",
                    crate::shared_config::FileKind::Credentials => "credentials file",
                };
                match (f.location.path(), f.read) {
                    (Some(path), true) => format!("{what} {} (read)", path.display()),
                    (Some(path), false) => format!("{what} {} (not found)", path.display()),
                    (None, _) => format!("{what}: none ({:?})", f.location),
                }
            })
            .collect();
        let mut endpoint_lines = Vec::new();
        if let Some(region) = &endpoints.region {
            endpoint_lines.push(format!("region {} from {}", region.value, region.origin));
        }
        if let Ok(sts) = endpoints.sts_endpoint(self.config.sts_endpoint()) {
            endpoint_lines.push(format!("STS endpoint {}", sts.display_url()));
        }
        Ok(Ok(ProfileReport { profile, files, steps: plan.steps(), endpoints: endpoint_lines }))
    }

    /// Resolves the profile and fetches its credentials now.
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let (_, _, plan, endpoints) = self.plan()?;
        let provider = self.build(&plan, &endpoints).map_err(ProviderError::Failed)?;
        provider.provide_credentials().await
    }

    /// The provider that carries out the plan, behind the process-wide cache.
    fn build(
        &self,
        plan: &ProfileSource,
        endpoints: &EndpointSettings,
    ) -> Result<Arc<dyn ProvideCredentials>, Error> {
        let provider = self.build_uncached(plan, endpoints)?;
        // A role caches itself (its key needs its source's answer) and static keys are never
        // cached; for every other source the wrapper is the cache.
        Ok(match plan {
            ProfileSource::StaticKeys(_) | ProfileSource::AssumeRole(_) => provider,
            _ => Arc::new(
                CachedProvider::from_shared(provider)
                    .with_windows(self.refresh_window, self.refresh_ahead)
                    .with_clock(Arc::clone(self.config.clock())),
            ),
        })
    }

    /// The provider for one step of the plan (and, for a role, its source), not wrapped in the
    /// cache: a role puts its source behind the cache itself, and two wrappers around one source
    /// would share one cache entry's single flight and wait on each other.
    fn build_uncached(
        &self,
        plan: &ProfileSource,
        endpoints: &EndpointSettings,
    ) -> Result<Arc<dyn ProvideCredentials>, Error> {
        Ok(match plan {
            ProfileSource::StaticKeys(keys) => Arc::new(StaticProvider::new(keys.credentials(NAME)?)),
            ProfileSource::CredentialProcess(p) => Arc::new(
                CredentialProcessProvider::new(ProcessSettings::new(
                    p.profile.clone(),
                    p.command.value.clone(),
                ))
                .with_clock(Arc::clone(self.config.clock())),
            ),
            ProfileSource::Sso(s) => {
                let settings = SsoSettings {
                    profile: s.profile.clone(),
                    session_name: s.session.as_ref().map(|n| n.value.clone()),
                    start_url: s.start_url.value.clone(),
                    region: s.region.value.clone(),
                    account_id: s.account_id.value.clone(),
                    role_name: s.role_name.value.clone(),
                    endpoint: Some(endpoints.sso_portal_url(&s.region.value)?),
                    token_cache_dir: None,
                };
                Arc::new(SsoProvider::with_config(settings, self.config.clone()))
            }
            ProfileSource::WebIdentity(w) => {
                // The web identity source reads its three settings from the environment; the
                // profile's values are layered over it, and the STS endpoint is the one the
                // profile's settings resolve to.
                let base = self.config.env().clone();
                let overlay = [
                    ("AWS_WEB_IDENTITY_TOKEN_FILE", Some(w.token_file.value.clone())),
                    ("AWS_ROLE_ARN", Some(w.role_arn.value.clone())),
                    ("AWS_ROLE_SESSION_NAME", w.session_name.as_ref().map(|n| n.value.clone())),
                ];
                let env = Env::from_fn(move |name| {
                    overlay
                        .iter()
                        .find(|(k, _)| *k == name)
                        .map_or_else(|| base.get(name), |(_, v)| v.clone())
                });
                let sts = endpoints.sts_endpoint(self.config.sts_endpoint())?;
                let config = self.config.clone().with_env(env).with_sts_endpoint(sts.url());
                Arc::new(WebIdentityProvider::with_config(config))
            }
            ProfileSource::AssumeRole(role) => {
                let source = match &role.source {
                    RoleSource::Profile(next) => self.build_uncached(next, endpoints)?,
                    RoleSource::Named(named) => credential_source_provider(named.value, &self.config),
                };
                let settings = AssumeRoleSettings {
                    role_arn: role.role_arn.value.clone(),
                    session_name: role.session_name.as_ref().map(|n| n.value.clone()),
                    external_id: role.external_id.as_ref().map(|n| n.value.clone()),
                    duration_seconds: role.duration_seconds.as_ref().map(|n| n.value),
                    endpoints: Some(endpoints.clone()),
                    origin: Some(format!("profile {} ({})", role.profile, role.role_arn.origin)),
                };
                Arc::new(
                    AssumeRoleProvider::with_config(settings, source, self.config.clone())?
                        .with_cache_windows(self.refresh_window, self.refresh_ahead),
                )
            }
        })
    }
}

impl ProvideCredentials for ProfileProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }
}
