//! The signing-key cache: the derivation itself, reuse, what makes a new key, the bound, and the
//! secrecy of what it holds. Each test uses its own `KeyCache`, so the counts are its own.

use std::time::{Duration, SystemTime};

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::*;
use crate::time_fmt::parse_amz_date;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn at(amz_date: &str) -> SystemTime {
    parse_amz_date(amz_date).unwrap()
}

fn hex(key: &SigningKey) -> String {
    key.as_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The worked example of the AWS General Reference's "Calculate the signature for AWS Signature
/// Version 4": secret `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 20150830, us-east-1, iam.
#[test]
fn derives_the_key_aws_documents() {
    let expected = "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9";
    let time = at("20150830T000000Z");
    assert_eq!(hex(&SigningKey::derive(SECRET, time, "us-east-1", "iam")), expected);
    let cache = KeyCache::new();
    assert_eq!(hex(&cache.get(SECRET, "20150830", time, "us-east-1", "iam")), expected);
}

#[test]
fn the_same_inputs_reuse_one_key() {
    let cache = KeyCache::new();
    let morning = at("20251215T010203Z");
    let evening = at("20251215T235959Z");
    let first = cache.get(SECRET, "20251215", morning, "us-west-2", "sts");
    // A separate copy of the secret, as a new `Credentials` from the environment would hold: the
    // entry is found by value, not by where the secret lives.
    let same_secret = String::from(SECRET);
    let second = cache.get(&same_secret, "20251215", evening, "us-west-2", "sts");
    assert_eq!(first.as_bytes(), second.as_bytes());
    assert_eq!(cache.derivations(), 1);
    assert_eq!(cache.len(), 1);
}

#[test]
fn a_new_date_region_secret_or_service_makes_a_new_key() {
    let cache = KeyCache::new();
    let day = at("20251215T120000Z");
    let next_day = at("20251216T000000Z");
    let base = cache.get(SECRET, "20251215", day, "us-west-2", "sts");
    let changed = [
        cache.get(SECRET, "20251216", next_day, "us-west-2", "sts"),
        cache.get(SECRET, "20251215", day, "eu-west-1", "sts"),
        cache.get("another/secret+EXAMPLEKEY", "20251215", day, "us-west-2", "sts"),
        cache.get(SECRET, "20251215", day, "us-west-2", "iam"),
    ];
    assert_eq!(cache.derivations(), 5);
    for (index, key) in changed.iter().enumerate() {
        assert_ne!(key.as_bytes(), base.as_bytes(), "change {index}");
        assert_eq!(
            key.as_bytes(),
            SigningKey::derive_for_test(index, day, next_day).as_bytes(),
            "change {index}"
        );
    }
    // Going back to the first inputs finds the first key again.
    let again = cache.get(SECRET, "20251215", day, "us-west-2", "sts");
    assert_eq!(again.as_bytes(), base.as_bytes());
    assert_eq!(cache.derivations(), 5);
}

impl SigningKey {
    /// The key each case of `a_new_date_region_secret_or_service_makes_a_new_key` must get,
    /// derived without the cache.
    fn derive_for_test(case: usize, day: SystemTime, next_day: SystemTime) -> SigningKey {
        match case {
            0 => SigningKey::derive(SECRET, next_day, "us-west-2", "sts"),
            1 => SigningKey::derive(SECRET, day, "eu-west-1", "sts"),
            2 => SigningKey::derive("another/secret+EXAMPLEKEY", day, "us-west-2", "sts"),
            _ => SigningKey::derive(SECRET, day, "us-west-2", "iam"),
        }
    }
}

/// Fields are length-prefixed in the entry id, so moving a character from one field to the next
/// is a different entry, not a false hit.
#[test]
fn field_boundaries_are_part_of_the_entry() {
    let cache = KeyCache::new();
    let day = at("20251215T120000Z");
    let a = cache.get("secret", "20251215", day, "us-west-2", "sts");
    let b = cache.get("secre", "20251215", day, "tus-west-2", "sts");
    assert_eq!(cache.derivations(), 2);
    assert_ne!(a.as_bytes(), b.as_bytes());
}

#[test]
fn bounded_and_evicts_the_least_recently_used() {
    let cache = KeyCache::new();
    let day = at("20251215T120000Z");
    let secret = |i: usize| format!("secret-number-{i}");
    let keys: Vec<SigningKey> =
        (0..CAPACITY).map(|i| cache.get(&secret(i), "20251215", day, "us-east-1", "sts")).collect();
    assert_eq!(cache.len(), CAPACITY);
    // Entry 0 is used again, so entry 1 is now the least recently used.
    cache.get(&secret(0), "20251215", day, "us-east-1", "sts");
    assert_eq!(cache.derivations(), CAPACITY as u64);

    cache.get(&secret(CAPACITY), "20251215", day, "us-east-1", "sts");
    assert_eq!(cache.len(), CAPACITY, "the cache must stay bounded");
    assert!(!cache.holds(&keys[1]), "the least recently used key must be gone, overwritten in place");
    assert!(cache.holds(&keys[0]), "a key used since the last insertion must survive");

    let before = cache.derivations();
    cache.get(&secret(0), "20251215", day, "us-east-1", "sts");
    assert_eq!(cache.derivations(), before, "entry 0 is still a hit");
    cache.get(&secret(1), "20251215", day, "us-east-1", "sts");
    assert_eq!(cache.derivations(), before + 1, "entry 1 was evicted and is derived again");
}

#[test]
fn debug_shows_no_key_and_no_secret() {
    let cache = KeyCache::new();
    let key = cache.get(SECRET, "20251215", at("20251215T120000Z"), "us-west-2", "sts");
    let key_debug = format!("{key:?}");
    assert_eq!(key_debug, "SigningKey(\"** redacted **\")");
    let cache_debug = format!("{cache:?}");
    let key_hex = hex(&key);
    let key_bytes = format!("{:?}", key.as_bytes());
    for printed in [&key_debug, &cache_debug] {
        assert!(!printed.contains(SECRET), "{printed}");
        assert!(!printed.contains(&key_hex), "{printed}");
        assert!(!printed.contains(&key_bytes[1..key_bytes.len() - 1]), "{printed}");
    }
    assert!(cache_debug.contains("held: Some(1)"), "{cache_debug}");
}

#[test]
fn keys_and_entries_are_zeroized() {
    fn zeroized_on_drop<T: ZeroizeOnDrop>() {}
    zeroized_on_drop::<SigningKey>();

    let mut key = SigningKey::derive(SECRET, at("20251215T120000Z"), "us-west-2", "sts");
    assert!(key.as_bytes().iter().any(|b| *b != 0));
    key.zeroize();
    assert!(key.as_bytes().iter().all(|b| *b == 0));

    let cache = KeyCache::new();
    for region in ["us-east-1", "us-west-2", "eu-west-1"] {
        cache.get(SECRET, "20251215", at("20251215T120000Z"), region, "sts");
    }
    assert!(!cache.all_slots_zero());
    cache.clear();
    assert_eq!(cache.len(), 0);
    assert!(cache.all_slots_zero(), "clearing must zero every id and key in place");
}

#[test]
fn concurrent_logins_get_the_same_key() {
    let cache = KeyCache::new();
    let day = at("20251215T120000Z");
    let expected = SigningKey::derive(SECRET, day, "us-west-2", "sts");
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..200 {
                    let key = cache.get(SECRET, "20251215", day, "us-west-2", "sts");
                    assert_eq!(key.as_bytes(), expected.as_bytes());
                }
            });
        }
    });
    // Threads that miss at the same moment may each derive, but only once each, and only one
    // entry is kept.
    assert!(cache.derivations() <= 4, "{}", cache.derivations());
    assert_eq!(cache.len(), 1);
}

/// Without random bytes for entry ids the cache holds nothing and every call derives, which is
/// still correct.
#[test]
fn without_an_id_key_nothing_is_cached() {
    let mut cache = KeyCache::new();
    cache.id_hasher = None;
    let day = at("20251215T120000Z");
    let a = cache.get(SECRET, "20251215", day, "us-west-2", "sts");
    let b = cache.get(SECRET, "20251215", day + Duration::from_secs(1), "us-west-2", "sts");
    assert_eq!(a.as_bytes(), b.as_bytes());
    assert_eq!(a.as_bytes(), SigningKey::derive(SECRET, day, "us-west-2", "sts").as_bytes());
    assert_eq!(cache.derivations(), 2);
    assert_eq!(cache.len(), 0);
}
