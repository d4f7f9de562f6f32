//! The SigV4 signing keys already derived, so that a login reuses the key of its (secret, date,
//! region, service) instead of redoing the four-HMAC derivation.
//!
//! A signing key is as good as the secret for a day in one region and service, so it is held to
//! the secret's rules: [`SigningKey`] is zeroized on drop, its `Debug` is redacted and it has no
//! `Display`. The cache does not keep the secret either: an entry is found by a keyed hash
//! (HMAC-SHA256 under a random key made once per process) of the secret together with the date,
//! region and service, so two different secrets never meet in one entry and the entry reveals
//! nothing of the secret without the process's key.
//!
//! Bounded: [`CAPACITY`] entries, least recently used evicted first, in place (the evicted key is
//! overwritten, never left behind in freed memory). A process normally signs with one or a few
//! credentials in one region, and each key changes once a day, so a handful of entries is plenty.
//!
//! Thread-safe: a hit takes the read side of an `RwLock`, so concurrent logins never wait for one
//! another; only a miss (once per day per credentials and region) takes the write side.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, PoisonError, RwLock};
use std::time::SystemTime;

use aws_sigv4::sign::v4;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::credentials::REDACTED;

/// How many derived keys the process keeps.
pub(crate) const CAPACITY: usize = 8;

/// The length of a SigV4 signing key (an HMAC-SHA256 output).
const KEY_LEN: usize = 32;

/// The key every GetCallerIdentity signature in the process reuses.
pub(crate) static SIGNING_KEYS: LazyLock<KeyCache> = LazyLock::new(KeyCache::new);

/// A derived SigV4 signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service),
/// "aws4_request")`. Zeroized on drop; `Debug` prints no byte of it; no `Display`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct SigningKey([u8; KEY_LEN]);

impl SigningKey {
    /// Derives the key with aws-sigv4's own derivation. `time` gives the date (UTC) the key is
    /// valid for.
    pub(crate) fn derive(secret: &str, time: SystemTime, region: &str, service: &str) -> SigningKey {
        let derived = v4::generate_signing_key(secret, time, region, service);
        let mut key = SigningKey([0; KEY_LEN]);
        // aws-sigv4 returns the HMAC-SHA256 output, always 32 bytes.
        key.0.copy_from_slice(derived.as_ref());
        key
    }

    pub(crate) fn as_bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SigningKey").field(&REDACTED).finish()
    }
}

/// What finds an entry: HMAC-SHA256 under the process's random key over the secret, date,
/// region and service. Derived from the secret, so zeroized like it and never printed.
#[derive(Clone, Copy, PartialEq, Eq, Zeroize)]
struct EntryId([u8; 32]);

impl EntryId {
    /// Compares without an early exit, so the time taken says nothing about how many leading
    /// bytes of another entry's id matched.
    fn matches(&self, other: &EntryId) -> bool {
        self.0.iter().zip(other.0.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

struct Slot {
    occupied: bool,
    id: EntryId,
    key: SigningKey,
    /// The cache's epoch when this entry was last used: the eviction order.
    last_used: AtomicU64,
}

impl Slot {
    const fn empty() -> Slot {
        Slot {
            occupied: false,
            id: EntryId([0; 32]),
            key: SigningKey([0; KEY_LEN]),
            last_used: AtomicU64::new(0),
        }
    }

    fn clear(&mut self) {
        self.occupied = false;
        self.id.zeroize();
        self.key.zeroize();
        *self.last_used.get_mut() = 0;
    }
}

/// A bounded, thread-safe map from (secret, date, region, service) to the derived signing key.
pub(crate) struct KeyCache {
    /// The process's random key for entry ids, pre-keyed once (cloning it skips the two
    /// compressions of HMAC's key setup). `None` if the operating system gave no random bytes:
    /// then nothing is cached and every signature derives its key, as before there was a cache.
    id_hasher: Option<Hmac<Sha256>>,
    slots: RwLock<[Slot; CAPACITY]>,
    /// Advanced by each insertion. A hit stamps its entry with the current epoch, so an entry
    /// used since the last insertion is never evicted before one that was not; a hit only reads
    /// the epoch, so hits do not contend on it.
    epoch: AtomicU64,
    derivations: AtomicU64,
}

impl KeyCache {
    pub(crate) fn new() -> KeyCache {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        let id_hasher = match getrandom::fill(seed.as_mut()) {
            Ok(()) => Hmac::<Sha256>::new_from_slice(seed.as_ref()).ok(),
            Err(_) => None,
        };
        KeyCache {
            id_hasher,
            slots: RwLock::new([const { Slot::empty() }; CAPACITY]),
            epoch: AtomicU64::new(0),
            derivations: AtomicU64::new(0),
        }
    }

    /// The signing key for `secret` on `date` (`YYYYMMDD`, the UTC date of `time`) in `region`
    /// for `service`: from the cache, or derived and cached.
    pub(crate) fn get(
        &self,
        secret: &str,
        date: &str,
        time: SystemTime,
        region: &str,
        service: &str,
    ) -> SigningKey {
        let Some(hasher) = &self.id_hasher else {
            self.derivations.fetch_add(1, Ordering::Relaxed);
            return SigningKey::derive(secret, time, region, service);
        };
        let id = entry_id(hasher.clone(), secret, date, region, service);
        if let Some(key) = self.lookup(&id) {
            return key;
        }
        // Derived outside the lock: two threads missing at once both derive (a few
        // microseconds, once a day) rather than one waiting on the other.
        let key = SigningKey::derive(secret, time, region, service);
        self.derivations.fetch_add(1, Ordering::Relaxed);
        self.insert(id, &key);
        key
    }

    fn lookup(&self, id: &EntryId) -> Option<SigningKey> {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.iter().find(|slot| slot.occupied && slot.id.matches(id))?;
        let epoch = self.epoch.load(Ordering::Relaxed);
        // Written only when it changes, so that steady-state hits only read the entry's line.
        if slot.last_used.load(Ordering::Relaxed) != epoch {
            slot.last_used.store(epoch, Ordering::Relaxed);
        }
        Some(slot.key.clone())
    }

    fn insert(&self, id: EntryId, key: &SigningKey) {
        let mut slots = self.slots.write().unwrap_or_else(PoisonError::into_inner);
        if slots.iter().any(|slot| slot.occupied && slot.id.matches(&id)) {
            return;
        }
        let victim = match slots.iter().position(|slot| !slot.occupied) {
            Some(free) => free,
            None => {
                let oldest =
                    slots.iter().enumerate().min_by_key(|(_, slot)| slot.last_used.load(Ordering::Relaxed));
                oldest.map_or(0, |(index, _)| index)
            }
        };
        let epoch = self.epoch.fetch_add(1, Ordering::Relaxed) + 1;
        let slot = &mut slots[victim];
        slot.occupied = true;
        slot.id = id;
        slot.key.0.copy_from_slice(key.as_bytes());
        *slot.last_used.get_mut() = epoch;
    }

    /// How many keys this cache has derived: the measure of reuse in tests.
    #[cfg(test)]
    pub(crate) fn derivations(&self) -> u64 {
        self.derivations.load(Ordering::Relaxed)
    }

    /// How many entries are held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots.read().unwrap_or_else(PoisonError::into_inner).iter().filter(|slot| slot.occupied).count()
    }

    /// Zeroizes every entry in place.
    #[cfg(test)]
    pub(crate) fn clear(&self) {
        self.slots.write().unwrap_or_else(PoisonError::into_inner).iter_mut().for_each(Slot::clear);
    }

    /// Whether every byte of every slot's id and key is zero: what `clear` and eviction promise
    /// of the memory the cache keeps.
    #[cfg(test)]
    pub(crate) fn all_slots_zero(&self) -> bool {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        slots.iter().all(|slot| slot.id.0.iter().chain(slot.key.0.iter()).all(|b| *b == 0))
    }

    /// Whether any slot holds exactly `key`.
    #[cfg(test)]
    pub(crate) fn holds(&self, key: &SigningKey) -> bool {
        let slots = self.slots.read().unwrap_or_else(PoisonError::into_inner);
        slots.iter().any(|slot| slot.key.0 == key.0)
    }
}

impl Drop for KeyCache {
    fn drop(&mut self) {
        self.slots.get_mut().unwrap_or_else(PoisonError::into_inner).iter_mut().for_each(Slot::clear);
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let held = self.slots.read().map(|slots| slots.iter().filter(|slot| slot.occupied).count()).ok();
        f.debug_struct("KeyCache")
            .field("capacity", &CAPACITY)
            .field("held", &held)
            .field("derivations", &self.derivations.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Each field is length-prefixed so that no two different (secret, date, region, service)
/// tuples feed the hash the same bytes.
fn entry_id(mut hasher: Hmac<Sha256>, secret: &str, date: &str, region: &str, service: &str) -> EntryId {
    for field in [secret, date, region, service] {
        hasher.update(&(field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    EntryId(hasher.finalize().into_bytes().into())
}

#[cfg(test)]
#[path = "key_cache_tests.rs"]
mod tests;
