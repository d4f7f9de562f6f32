//! The chain's cache step: valid cached credentials of the network sources, served before the
//! environment is read (the MongoDB spec's order), and the synchronous look at them that the
//! authenticator's fast path takes.

use std::fmt;

use crate::credentials::Credentials;
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};

use super::CachedProvider;

/// The spec's "valid cached credentials come before the environment" step: serves a valid
/// cached entry of any of the given (cached) sources without running them, and is "not
/// configured" otherwise. Inside the refresh-ahead window it starts the source's background
/// refresh, exactly as the source itself would. The default chain puts it right after the custom
/// provider.
#[derive(Clone)]
pub struct CacheLookup {
    sources: Vec<CachedProvider>,
}

impl CacheLookup {
    /// Looks up the cache entries of `sources`, with each one's refresh windows.
    pub fn new(sources: Vec<CachedProvider>) -> Self {
        CacheLookup { sources }
    }

    fn lookup(&self) -> Result<Credentials, ProviderError> {
        for source in &self.sources {
            if let Some(key) = source.inner.cache_key()
                && let Some(credentials) = source.serve_cached(&key, source.clock.now())
            {
                return Ok(credentials);
            }
        }
        Err(ProviderError::not_configured("no valid cached credentials"))
    }

    /// What this step would do right now, without doing it: serve a settled entry, need the
    /// chain (an entry to serve and refresh ahead), or answer "not configured".
    pub(crate) fn peek(&self) -> Peek {
        for source in &self.sources {
            if let Some(key) = source.inner.cache_key() {
                match source.peek(&key, source.clock.now()) {
                    Peek::Nothing => continue,
                    found => return found,
                }
            }
        }
        Peek::Nothing
    }
}

/// What a synchronous look at the cache found.
pub(crate) enum Peek {
    /// A valid entry with more than the refresh-ahead window left, or inside it while its
    /// refresh ahead backs off: exactly what the cache step would serve, with nothing to start.
    Settled(Credentials),
    /// A valid entry inside the refresh-ahead window: the cache step would serve it and start a
    /// refresh, so only the chain itself should answer.
    NeedsRefresh,
    /// No usable entry: the cache step would answer "not configured".
    Nothing,
}

impl ProvideCredentials for CacheLookup {
    fn name(&self) -> &str {
        "cache"
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let result = self.lookup();
        Box::pin(async move { result })
    }
}

impl fmt::Debug for CacheLookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|s| s.inner.name()).collect();
        f.debug_struct("CacheLookup").field("sources", &names).finish()
    }
}
