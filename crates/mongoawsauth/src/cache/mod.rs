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
//! - Refresh-ahead backs off: IMDS and the container endpoints promise new credentials only
//!   about 5 minutes before expiry, so between the two windows a refresh often brings back the
//!   same keys. When it does (same access key id, secret and session token, compared in memory),
//!   or when it fails, no other refresh ahead starts for that source for
//!   [`REFRESH_AHEAD_BACKOFF`] (one minute). The back-off never delays the fetch inside the
//!   refresh window, nor the one after a failure report (the entry is gone then).
//! - Concurrent misses share one fetch (single flight). The map's lock is never held across I/O:
//!   waiting callers wait on the shared fetch, not on the cache.
//! - Every entry has a generation. [`invalidate_generation`] (what
//!   [`Authenticator::report_failure`](crate::Authenticator::report_failure) calls) drops an entry
//!   only if it is still that generation, so one failed login cannot trigger a refetch storm.
//! - After `fork()`, the child forgets fetches in flight in the parent (their tasks did not
//!   survive) and keeps the cached entries.
//!
//! The test hooks ([`get`], [`set`], [`clear`], [`expire`], [`poison`], [`entries`]) exist for
//! the MongoDB spec's caching tests. They are public so that drivers can run those tests through
//! every binding; applications have no use for them.

mod hooks;
mod lookup;

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::OnceCell;

use crate::config::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};

pub use hooks::{CacheEntryInfo, clear, entries, expire, get, poison, set};
pub use lookup::CacheLookup;
pub(crate) use lookup::Peek;

/// Cached credentials are served while more than this remains before they expire (the spec's
/// 5 minutes: AWS rotates instance credentials at least 5 minutes before expiry).
pub const DEFAULT_REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);
/// Inside this much time before expiry, one background refresh starts while callers keep the
/// valid entry.
pub const DEFAULT_REFRESH_AHEAD: Duration = Duration::from_secs(10 * 60);
/// After a refresh ahead of expiry that brought back the same keys, or failed, the next one for
/// that source waits this long: "at most one extra fetch per source per minute" between the
/// refresh-ahead window and the time the endpoint actually rotates the credentials.
pub const REFRESH_AHEAD_BACKOFF: Duration = Duration::from_secs(60);

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
    /// No refresh ahead starts before this (the back-off); `None` when none is in force.
    ahead_not_before: Option<Instant>,
}

impl Slot {
    /// Whether a refresh ahead may start now for an entry that has `left` before it expires.
    fn refresh_ahead_due(&self, left: Duration, refresh_ahead: Duration, now: Instant) -> bool {
        left <= refresh_ahead
            && !self.refreshing
            && self.in_flight.is_none()
            && self.ahead_not_before.is_none_or(|t| now >= t)
    }

    fn back_off(&mut self, now: Instant) {
        // A clock that cannot add a minute has no back-off rather than a panic.
        self.ahead_not_before = now.checked_add(REFRESH_AHEAD_BACKOFF);
    }
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
/// without an expiry, calls pass straight through. How much time an entry has left, and when a
/// back-off ends, are read from its [`Clock`] ([`CachedProvider::with_clock`]; the system's by
/// default).
#[derive(Clone)]
pub struct CachedProvider {
    inner: Arc<dyn ProvideCredentials>,
    refresh_window: Duration,
    refresh_ahead: Duration,
    clock: Arc<dyn Clock>,
}

impl CachedProvider {
    /// Caches `inner` with the default windows.
    pub fn new(inner: impl ProvideCredentials + 'static) -> Self {
        CachedProvider::from_shared(Arc::new(inner))
    }

    /// Caches a shared source with the default windows.
    pub fn from_shared(inner: Arc<dyn ProvideCredentials>) -> Self {
        CachedProvider {
            inner,
            refresh_window: DEFAULT_REFRESH_WINDOW,
            refresh_ahead: DEFAULT_REFRESH_AHEAD,
            clock: Arc::new(SystemClock),
        }
    }

    /// Reads the time from `clock`: to decide whether an entry is inside the refresh window or
    /// the refresh-ahead window, and when a refresh-ahead back-off ends. Usually the clock of
    /// the source's [`ProviderConfig`](crate::ProviderConfig::clock).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
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
            let start_refresh = slot.refresh_ahead_due(left, self.refresh_ahead, self.clock.instant());
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
        let Some(slot) = cache.slots.get(key) else {
            return Peek::Nothing;
        };
        let Some(entry) = slot.entry.as_ref() else {
            return Peek::Nothing;
        };
        let left = remaining(entry.expiry, now);
        let backing_off = slot.ahead_not_before.is_some_and(|t| self.clock.instant() < t);
        if left > self.refresh_ahead || (left > self.refresh_window && backing_off) {
            // Nothing would start: serve it without the chain.
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
        if let Some(credentials) = self.serve_cached(&key, self.clock.now()) {
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
        let clock = Arc::clone(&self.clock);
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            if let Some(slot) = lock().slots.get_mut(&key) {
                slot.refreshing = false;
            }
            return;
        };
        handle.spawn(async move {
            // Reset the flag however this task ends, including when its runtime shuts down.
            let _reset = RefreshGuard(key.clone());
            let outcome = inner.provide_credentials().await;
            refreshed_ahead(&key, inner.name(), outcome, clock.instant());
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
    slot.ahead_not_before = None;
    stored
}

/// Takes in what a refresh ahead of expiry for `key` brought. New keys replace the entry. The
/// same keys mean the source has not rotated them yet: the entry keeps its generation (a login
/// that fails with them still drops it), takes the expiry the source gave (IMDS's static
/// stability extends it), and the next refresh ahead backs off (from `now`); so does a failure.
fn refreshed_ahead(key: &str, source: &str, outcome: Result<Credentials, ProviderError>, now: Instant) {
    let credentials = match outcome {
        Ok(credentials) => credentials,
        Err(e) => {
            if let Some(slot) = lock().slots.get_mut(key) {
                slot.back_off(now);
            }
            tracing::warn!(
                source,
                error = %e,
                backoff_s = REFRESH_AHEAD_BACKOFF.as_secs(),
                "refreshing cached credentials ahead of expiry failed; the current ones stay in use"
            );
            return;
        }
    };
    let Some(expiry) = credentials.expiration() else {
        return;
    };
    {
        let mut cache = lock();
        if let Some(slot) = cache.slots.get_mut(key)
            && let Some(entry) = slot.entry.as_mut()
            && entry.credentials.same_keys(&credentials)
        {
            if entry.expiry != expiry {
                entry.expiry = expiry;
                entry.credentials = credentials.with_generation(entry.generation);
            }
            slot.back_off(now);
            tracing::debug!(
                source,
                access_key_id = %credentials.access_key_id(),
                backoff_s = REFRESH_AHEAD_BACKOFF.as_secs(),
                "a refresh ahead of expiry brought back the same credentials; backing off"
            );
            return;
        }
    }
    store(key, credentials, expiry);
    tracing::debug!(source, "refreshed cached credentials ahead of expiry");
}

async fn fetch_and_store(
    inner: Arc<dyn ProvideCredentials>,
    key: String,
    this_fetch: Fetch,
) -> Result<Credentials, ProviderError> {
    let result = inner.provide_credentials().await;
    let result = match result {
        Ok(credentials) => match credentials.expiration() {
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
            .field("clock", &self.clock)
            .finish()
    }
}

/// Drops the entry with this generation, if it is still current. Returns whether one was
/// dropped. A newer entry (fetched after the failing login started) is left alone.
///
/// The dropped keys are also withdrawn from IMDS's static stability, so that while IMDS is
/// down the next fetch does not hand back the keys a login has just failed with.
pub fn invalidate_generation(generation: u64) -> bool {
    let dropped = {
        let mut cache = lock();
        cache.slots.values_mut().find_map(|slot| {
            if slot.entry.as_ref().is_some_and(|e| e.generation == generation) {
                slot.ahead_not_before = None;
                slot.entry.take()
            } else {
                None
            }
        })
    };
    // Outside the cache's lock: the IMDS module takes its own.
    match dropped {
        Some(entry) => {
            crate::provider::imds::login_failed_with(&entry.credentials);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_ahead_waits_out_the_back_off() {
        let ahead = DEFAULT_REFRESH_AHEAD;
        let seven_minutes = Duration::from_secs(7 * 60);
        let now = Instant::now();
        let mut slot = Slot::default();
        assert!(slot.refresh_ahead_due(seven_minutes, ahead, now));
        assert!(!slot.refresh_ahead_due(Duration::from_secs(11 * 60), ahead, now), "not in the window yet");
        slot.back_off(now);
        assert!(!slot.refresh_ahead_due(seven_minutes, ahead, now));
        let almost = now + REFRESH_AHEAD_BACKOFF - Duration::from_millis(1);
        assert!(!slot.refresh_ahead_due(seven_minutes, ahead, almost), "the back-off lasts a minute");
        let later = now + REFRESH_AHEAD_BACKOFF;
        assert!(slot.refresh_ahead_due(seven_minutes, ahead, later), "one more refresh a minute later");
        slot.refreshing = true;
        assert!(!slot.refresh_ahead_due(seven_minutes, ahead, later), "never two at once");
    }

    #[test]
    fn a_refresh_ahead_with_the_same_keys_keeps_the_entry_and_backs_off() {
        let key = "cache-unit-test:same-keys";
        let soon = SystemTime::now() + Duration::from_secs(7 * 60);
        let keys = |id: &str, expiry| {
            Credentials::new(Some(id), Some("s"), Some("t"), Some(expiry), "unit").unwrap()
        };
        let generation = set(key, keys("ASIASAME", soon)).unwrap();

        refreshed_ahead(key, "unit", Ok(keys("ASIASAME", soon)), Instant::now());
        let slot_state = |key: &str| {
            let cache = lock();
            let slot = &cache.slots[key];
            let entry = slot.entry.as_ref().unwrap();
            (entry.generation, entry.expiry, slot.ahead_not_before.is_some())
        };
        assert_eq!(slot_state(key), (generation, soon, true));

        // The same keys with a later expiry (IMDS's static stability): the expiry moves, the
        // generation stays, and the back-off holds.
        let later = soon + Duration::from_secs(600);
        refreshed_ahead(key, "unit", Ok(keys("ASIASAME", later)), Instant::now());
        assert_eq!(slot_state(key), (generation, later, true));
        assert_eq!(get(Some(key)).unwrap().expiration(), Some(later));

        // New keys replace the entry and lift the back-off.
        refreshed_ahead(key, "unit", Ok(keys("ASIANEW", later)), Instant::now());
        let (new_generation, _, backing_off) = slot_state(key);
        assert_ne!(new_generation, generation);
        assert!(!backing_off);

        // A failure backs off too.
        refreshed_ahead(key, "unit", Err(ProviderError::not_configured("gone")), Instant::now());
        assert!(slot_state(key).2);
        // A failure report drops the entry and the back-off with it.
        assert!(invalidate_generation(new_generation));
        assert!(lock().slots[key].ahead_not_before.is_none());
    }
}
