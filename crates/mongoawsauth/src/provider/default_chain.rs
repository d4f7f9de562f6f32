//! The default chain an [`Options`] describes: the MongoDB specification's order of sources,
//! with the AWS SDKs' shared config profile step, and every network source behind the
//! process-wide cache.
//!
//! custom provider (if any) → valid cached credentials → environment → profile → web identity
//! → container endpoint → IMDSv2.

use std::sync::Arc;

use crate::cache;
use crate::options::Options;

use super::ProvideCredentials;
use super::chain::Chain;
use super::container::ContainerProvider;
use super::environment::EnvironmentProvider;
use super::imds::ImdsProvider;
use super::profile::ProfileProvider;
use super::web_identity::WebIdentityProvider;

impl Options {
    /// The sources of the default chain, in order and without the cache: the custom provider (if
    /// any), the environment, the shared config files' profile (unless switched off), web
    /// identity, the container endpoint, IMDSv2.
    pub fn default_sources(&self) -> Vec<Arc<dyn ProvideCredentials>> {
        let mut sources: Vec<Arc<dyn ProvideCredentials>> = Vec::new();
        if let Some(custom) = &self.custom_provider {
            sources.push(Arc::new(custom.clone()));
        }
        if !self.profile_named_in_code() {
            sources.push(Arc::new(EnvironmentProvider::with_env(self.provider_config.env().clone())));
        }
        sources.push(Arc::new(self.profile_source()));
        sources.extend(self.network_sources());
        sources
    }

    /// The default chain for these options, the spec's with the AWS SDKs' profile step:
    /// custom provider (if any) → valid cached credentials → environment → profile → web
    /// identity → container endpoint → IMDSv2, with every network source behind the process-wide
    /// cache.
    pub fn default_chain(&self) -> Chain {
        self.default_chain_parts().0
    }

    /// botocore's rule: a profile named in code (not through `AWS_PROFILE`) is what the
    /// application asked for, so environment keys do not take its place; they stay reachable
    /// through the profile's `credential_source = Environment`.
    pub(crate) fn profile_named_in_code(&self) -> bool {
        self.provider_config.shared_config() && self.provider_config.profile().is_some()
    }

    /// The shared config files' profile, between the environment and web identity as in the
    /// AWS SDKs; its network steps cache themselves, each under its own key.
    fn profile_source(&self) -> ProfileProvider {
        ProfileProvider::with_config(self.provider_config.clone())
            .with_cache_windows(self.refresh_window, self.refresh_ahead)
    }

    fn network_sources(&self) -> Vec<Arc<dyn ProvideCredentials>> {
        let config = &self.provider_config;
        vec![
            Arc::new(WebIdentityProvider::with_config(config.clone())),
            // The container source answers "not configured" outside a container, and only then is
            // IMDS reached: inside ECS or EKS, EC2 metadata is never tried (spec).
            Arc::new(ContainerProvider::with_config(config.clone())),
            Arc::new(ImdsProvider::with_config(config.clone())),
        ]
    }

    /// The default chain and its cache lookup step (kept by the authenticator for its
    /// synchronous fast path).
    pub(crate) fn default_chain_parts(&self) -> (Chain, cache::CacheLookup) {
        let cached: Vec<cache::CachedProvider> = self
            .network_sources()
            .into_iter()
            .map(|source| {
                cache::CachedProvider::from_shared(source)
                    .with_windows(self.refresh_window, self.refresh_ahead)
                    .with_clock(Arc::clone(self.provider_config.clock()))
            })
            .collect();
        let mut chain = Chain::new();
        if let Some(custom) = &self.custom_provider {
            chain = chain.then(custom.clone());
        }
        let lookup = cache::CacheLookup::new(cached.clone());
        chain = chain.then(lookup.clone());
        if !self.profile_named_in_code() {
            chain = chain.then(EnvironmentProvider::with_env(self.provider_config.env().clone()));
        }
        chain = chain.then(self.profile_source());
        for source in cached {
            chain = chain.then(source);
        }
        (chain, lookup)
    }
}
