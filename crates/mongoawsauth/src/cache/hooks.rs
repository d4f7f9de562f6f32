//! Test hooks, for the MongoDB spec's caching tests (clear, read, overwrite, expire, poison).
//! Public so that drivers can run those tests through every binding; not for application use.

use std::time::SystemTime;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};

use super::{Entry, lock, store};

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
    let expiry = credentials.expiration().ok_or_else(|| {
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
            c.expiration(),
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
