//! The process-wide credentials cache.
//!
//! Credentials fetched from AWS endpoints (web identity, container, IMDS, SAML) are cached under
//! the source's [`cache_key`](crate::ProvideCredentials::cache_key), which describes its
//! configuration, so every [`Authenticator`](crate::Authenticator) configured alike shares one
//! entry: the spec's test plan creates new clients and expects the cache to carry over.
//! Environment, static and custom credentials are never cached.
//!
//! - An entry is served while more than the *refresh window* (5 minutes by default, the spec's)
//!   remains before it expires; after that the next caller fetches.
//! - Inside the earlier *refresh-ahead* window one background task refreshes the entry while
//!   every caller keeps getting the still-valid one, so a pool never waits on a refresh.
//! - Concurrent misses share one fetch (single flight). The map's lock is never held across I/O:
//!   waiting callers wait on the shared fetch, not on the cache.
//! - Every entry has a generation. [`invalidate_generation`] (what
//!   [`Authenticator::report_failure`](crate::Authenticator::report_failure) calls) drops an entry
//!   only if it is still that generation, so one failed login cannot trigger a refetch storm.
//! - After `fork()`, the child forgets fetches in flight in the parent (their tasks did not
//!   survive) and keeps the cached entries.
//!
//! The functions under "Test hooks" exist for the MongoDB spec's caching tests (clear, read,
//! overwrite, expire, poison). They are public so that drivers can run those tests through every
//! binding; applications have no use for them.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::OnceCell;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};

/// Cached credentials are served while more than this remains before they expire (the spec's
/// 5 minutes: AWS rotates instance credentials at least 5 minutes before expiry).
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Inside this much time before expiry, one background refresh starts while callers keep the
/// valid entry.
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(10 * 60);

type Fetch = Arc<OnceCell<Result<Credentials, ProviderError>>>;

struct Entry {
    credentials: Credentials,
    expiry: SystemTime,
    generation: u64,
}

#[derive(Default)]
struct Slot {
    entry: Option<Entry>,
    in_flight: Option<Fetch>,
    refreshing: bool,
}

struct Cache {
    pid: u32,
    slots: HashMap<String, Slot>,
}

static CACHE: LazyLock<Mutex<Cache>> =
    LazyLock::new(|| Mutex::new(Cache { pid: std::process::id(), slots: HashMap::new() }));
static NEXT_GENERATION: AtomicU64 = AtomicU64::new(1);

tokio::task_local! {
    static SERVED_FROM_CACHE: Cell<bool>;
}

/// Locks the cache, first forgetting fetches that belonged to a parent process.
fn lock() -> MutexGuard<'static, Cache> {
    let mut cache = CACHE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if cache.pid != pid {
        cache.pid = pid;
        for slot in cache.slots.values_mut() {
            slot.in_flight = None;
            slot.refreshing = false;
        }
    }
    cache
}

fn next_generation() -> u64 {
    NEXT_GENERATION.fetch_add(1, Ordering::Relaxed)
}

fn remaining(expiry: SystemTime, now: SystemTime) -> Duration {
    expiry.duration_since(now).unwrap_or(Duration::ZERO)
}

/// Runs `future`, and reports whether the credentials it resolved were served from the cache.
pub(crate) async fn track_cache_hits<F: std::future::Future>(future: F) -> (F::Output, bool) {
    SERVED_FROM_CACHE
        .scope(Cell::new(false), async move {
            let output = future.await;
            (output, SERVED_FROM_CACHE.with(Cell::get))
        })
        .await
}

fn note_cache_hit() {
    let _ = SERVED_FROM_CACHE.try_with(|hit| hit.set(true));
}

/// Wraps a source with the process-wide cache.
///
/// When the source has no [`cache_key`](ProvideCredentials::cache_key), or returns credentials
/// without an expiry, calls pass straight through.
#[derive(Clone)]
pub struct CachedProvider {
    inner: Arc<dyn ProvideCredentials>,
    refresh_window: Duration,
    refresh_ahead: Duration,
}

impl CachedProvider {
    /// Caches `inner` with the default windows.
    pub fn new(inner: impl ProvideCredentials + 'static) -> Self {
        CachedProvider::from_shared(Arc::new(inner))
    }

    /// Caches a shared source with the default windows.
    pub fn from_shared(inner: Arc<dyn ProvideCredentials>) -> Self {
        CachedProvider { inner, refresh_window: DEFAULT_REFRESH_WINDOW, refresh_ahead: DEFAULT_REFRESH_AHEAD }
    }

    /// Sets the refresh window and the (larger) refresh-ahead window.
    #[must_use]
    pub fn with_windows(mut self, refresh_window: Duration, refresh_ahead: Duration) -> Self {
        self.refresh_window = refresh_window;
        self.refresh_ahead = refresh_ahead.max(refresh_window);
        self
    }

    /// A valid cached entry for `key`, if there is one; inside the refresh-ahead window this also
    /// starts the one background refresh. Never waits.
    fn serve_cached(&self, key: &str, now: SystemTime) -> Option<Credentials> {
        let (credentials, start_refresh) = {
            let mut cache = lock();
            let slot = cache.slots.get_mut(key)?;
            let entry = slot.entry.as_ref()?;
            let left = remaining(entry.expiry, now);
            if left <= self.refresh_window {
                return None;
            }
            let start_refresh = left <= self.refresh_ahead && !slot.refreshing && slot.in_flight.is_none();
            if start_refresh {
                slot.refreshing = true;
            }
            tracing::debug!(
                source = %entry.credentials.source(),
                access_key_id = %entry.credentials.access_key_id(),
                generation = entry.generation,
                remaining_s = left.as_secs(),
                refreshing_ahead = start_refresh,
                "credentials served from the cache"
            );
            (entry.credentials.clone(), start_refresh)
        };
        // The lock is released before spawning: nothing below may run under it.
        if start_refresh {
            self.spawn_refresh(key.to_owned());
        }
        note_cache_hit();
        Some(credentials)
    }

    /// What the cache holds for `key`, without side effects: synchronous, for hosts whose every
    /// `await` costs a thread hop.
    fn peek(&self, key: &str, now: SystemTime) -> Peek {
        let cache = lock();
        let Some(entry) = cache.slots.get(key).and_then(|s| s.entry.as_ref()) else {
            return Peek::Nothing;
        };
        let left = remaining(entry.expiry, now);
        if left > self.refresh_ahead {
            Peek::Settled(entry.credentials.clone())
        } else if left > self.refresh_window {
            Peek::NeedsRefresh
        } else {
            Peek::Nothing
        }
    }

    async fn provide(&self) -> Result<Credentials, ProviderError> {
        let Some(key) = self.inner.cache_key() else {
            return self.inner.provide_credentials().await;
        };
        if let Some(credentials) = self.serve_cached(&key, SystemTime::now()) {
            return Ok(credentials);
        }
        let fetch = {
            let mut cache = lock();
            let slot = cache.slots.entry(key.clone()).or_default();
            Arc::clone(slot.in_flight.get_or_insert_with(|| Arc::new(OnceCell::new())))
        };
        let result = fetch
            .get_or_init(|| fetch_and_store(Arc::clone(&self.inner), key.clone(), Arc::clone(&fetch)))
            .await;
        result.clone()
    }

    fn spawn_refresh(&self, key: String) {
        let inner = Arc::clone(&self.inner);
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            if let Some(slot) = lock().slots.get_mut(&key) {
                slot.refreshing = false;
            }
            return;
        };
        handle.spawn(async move {
            // Reset the flag however this task ends, including when its runtime shuts down.
            let _reset = RefreshGuard(key.clone());
            match inner.provide_credentials().await {
                Ok(credentials) => {
                    if let Some(expiry) = credentials.expiry() {
                        store(&key, credentials, expiry);
                        tracing::debug!(source = %inner.name(), "refreshed cached credentials ahead of expiry");
                    }
                }
                Err(e) => tracing::warn!(
                    source = %inner.name(),
                    error = %e,
                    "refreshing cached credentials ahead of expiry failed; the current ones stay in use"
                ),
            }
        });
    }
}

struct RefreshGuard(String);

impl Drop for RefreshGuard {
    fn drop(&mut self) {
        if let Some(slot) = lock().slots.get_mut(&self.0) {
            slot.refreshing = false;
        }
    }
}

/// Stores fresh credentials under `key` with a new generation and returns the stored copy.
fn store(key: &str, credentials: Credentials, expiry: SystemTime) -> Credentials {
    let generation = next_generation();
    let stored = credentials.with_generation(generation);
    let mut cache = lock();
    let slot = cache.slots.entry(key.to_owned()).or_default();
    slot.entry = Some(Entry { credentials: stored.clone(), expiry, generation });
    stored
}

async fn fetch_and_store(
    inner: Arc<dyn ProvideCredentials>,
    key: String,
    this_fetch: Fetch,
) -> Result<Credentials, ProviderError> {
    let result = inner.provide_credentials().await;
    let result = match result {
        Ok(credentials) => match credentials.expiry() {
            Some(expiry) => Ok(store(&key, credentials, expiry)),
            None => Ok(credentials),
        },
        Err(e) => Err(e),
    };
    let mut cache = lock();
    if let Some(slot) = cache.slots.get_mut(&key)
        && slot.in_flight.as_ref().is_some_and(|f| Arc::ptr_eq(f, &this_fetch))
    {
        slot.in_flight = None;
    }
    result
}

impl ProvideCredentials for CachedProvider {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.provide())
    }

    fn cache_key(&self) -> Option<String> {
        self.inner.cache_key()
    }
}

impl fmt::Debug for CachedProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedProvider")
            .field("inner", &self.inner)
            .field("refresh_window", &self.refresh_window)
            .field("refresh_ahead", &self.refresh_ahead)
            .finish()
    }
}

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
        let now = SystemTime::now();
        for source in &self.sources {
            if let Some(key) = source.inner.cache_key()
                && let Some(credentials) = source.serve_cached(&key, now)
            {
                return Ok(credentials);
            }
        }
        Err(ProviderError::not_configured("no valid cached credentials"))
    }

    /// What this step would do right now, without doing it: serve a settled entry, need the
    /// chain (an entry to serve and refresh ahead), or answer "not configured".
    pub(crate) fn peek(&self) -> Peek {
        let now = SystemTime::now();
        for source in &self.sources {
            if let Some(key) = source.inner.cache_key() {
                match source.peek(&key, now) {
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
    /// A valid entry with more than the refresh-ahead window left: exactly what the cache step
    /// would serve, with nothing to start.
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

/// Drops the entry with this generation, if it is still current. Returns whether one was
/// dropped. A newer entry (fetched after the failing login started) is left alone.
pub fn invalidate_generation(generation: u64) -> bool {
    let mut cache = lock();
    for slot in cache.slots.values_mut() {
        if slot.entry.as_ref().is_some_and(|e| e.generation == generation) {
            slot.entry = None;
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// Test hooks, for the MongoDB spec's caching tests. Not for application use.
// ---------------------------------------------------------------------------------------------

/// What the cache holds for one key (no secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntryInfo {
    /// The source's cache key.
    pub key: String,
    /// The cached access key id.
    pub access_key_id: String,
    /// The source that produced the credentials.
    pub source: String,
    /// When the cached credentials expire.
    pub expiry: SystemTime,
    /// The entry's generation.
    pub generation: u64,
}

/// Test hook: every cached entry, without secrets.
pub fn entries() -> Vec<CacheEntryInfo> {
    let cache = lock();
    let mut out: Vec<CacheEntryInfo> = cache
        .slots
        .iter()
        .filter_map(|(key, slot)| {
            slot.entry.as_ref().map(|e| CacheEntryInfo {
                key: key.clone(),
                access_key_id: e.credentials.access_key_id().to_owned(),
                source: e.credentials.source().to_owned(),
                expiry: e.expiry,
                generation: e.generation,
            })
        })
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Test hook: the credentials cached under `key`, or under the only key when `key` is `None`
/// and exactly one entry exists.
pub fn get(key: Option<&str>) -> Option<Credentials> {
    let cache = lock();
    match key {
        Some(key) => cache.slots.get(key)?.entry.as_ref().map(|e| e.credentials.clone()),
        None => {
            let mut it = cache.slots.values().filter_map(|s| s.entry.as_ref());
            let first = it.next()?;
            it.next().is_none().then(|| first.credentials.clone())
        }
    }
}

/// Test hook: stores `credentials` under `key` as a fresh entry and returns its generation.
/// The credentials must carry an expiry.
pub fn set(key: &str, credentials: Credentials) -> Result<u64, Error> {
    let expiry = credentials.expiry().ok_or_else(|| {
        Error::new(ErrorKind::InvalidArgument, "only credentials with an expiry can be cached")
    })?;
    let stored = store(key, credentials, expiry);
    Ok(stored.generation().unwrap_or_default())
}

/// Test hook: empties the cache.
pub fn clear() {
    lock().slots.clear();
}

/// Test hook: changes the expiry of the entry under `key` (every entry when `None`). Returns
/// how many entries changed.
pub fn expire(key: Option<&str>, expiry: SystemTime) -> usize {
    modify(key, |entry| {
        entry.expiry = expiry;
        entry.credentials = entry.credentials.with_expiry(Some(expiry));
    })
}

/// Test hook: replaces the access key id of the entry under `key` (every entry when `None`)
/// with one that no STS knows, so the next login with it fails. Returns how many changed.
pub fn poison(key: Option<&str>) -> usize {
    modify(key, |entry| {
        let c = &entry.credentials;
        if let Ok(poisoned) = Credentials::new(
            Some("AKIAPOISONEDCACHE000"),
            Some(c.secret_access_key()),
            c.session_token(),
            c.expiry(),
            c.source(),
        ) {
            entry.credentials = poisoned.with_generation(entry.generation);
        }
    })
}

fn modify(key: Option<&str>, mut change: impl FnMut(&mut Entry)) -> usize {
    let mut cache = lock();
    let mut changed = 0;
    for (k, slot) in cache.slots.iter_mut() {
        if key.is_none_or(|key| key == k)
            && let Some(entry) = slot.entry.as_mut()
        {
            change(entry);
            changed += 1;
        }
    }
    changed
}
