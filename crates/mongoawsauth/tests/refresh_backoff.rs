//! Refresh-ahead backs off when the source has not rotated its credentials yet: between the
//! refresh-ahead window (10 minutes before expiry) and the moment IMDS or a container endpoint
//! hands out new credentials (about 5 minutes before), a login must not trigger another round
//! trip that brings back the same keys. The back-off never delays the fetch inside the refresh
//! window, nor the one after a failure report.
//!
//! Against the testkit's IMDS stand-in on loopback, handing out the same keys every time with
//! seven minutes left: inside the refresh-ahead window, outside the refresh window.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::time::{Duration, Instant, SystemTime};

use std::sync::Arc;

use mongoawsauth::cache::CachedProvider;
use mongoawsauth::config::{Clock, ManualClock};
use mongoawsauth::provider::ProvideCredentials;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::{Authenticator, Env, Options, ProviderConfig, cache};
use mongoawsauth_testkit::IdentityStore;
use mongoawsauth_testkit::metadata::{CredentialsMode, ImdsConfig, ImdsServer};

fn imds_config(endpoint: &str) -> ProviderConfig {
    ProviderConfig::new()
        .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
        .with_imds_endpoint(endpoint)
        .with_shared_config(false)
}

/// Credentials requests the stand-in has answered.
fn fetches(s: &ImdsServer) -> u64 {
    s.counters().credentials_issued
}

/// Waits until the stand-in has answered `n` credentials requests, or `within` has passed;
/// returns the count then.
async fn wait_for_fetches(s: &ImdsServer, n: u64, within: Duration) -> u64 {
    let until = Instant::now() + within;
    while fetches(s) < n && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    fetches(s)
}

/// Waits until the cache has logged `n` back-offs after a refresh that brought back
/// `access_key_id`, or 5 s have passed; returns the count then. The back-off starts when the
/// background refresh has finished, which the stand-in's request count alone does not show.
async fn wait_for_back_offs(access_key_id: &str, n: usize) -> usize {
    let count = || {
        let lines = common::logs::logs().lines.lock().unwrap();
        lines.iter().filter(|l| l.contains("backing off") && l.contains(access_key_id)).count()
    };
    let until = Instant::now() + Duration::from_secs(5);
    while count() < n && Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    count()
}

/// On a manual clock, so that "the same minute" is one however slow the machine: the back-off
/// cannot run out while the test checks it.
#[tokio::test]
async fn a_refresh_ahead_that_brings_the_same_keys_backs_off() {
    let store = IdentityStore::default();
    let identity = store.add_temporary("imds-role", "i-0123456789abcdef0");
    let mut config = ImdsConfig::new(CredentialsMode::Fixed(identity.clone()), "imds-role");
    config.lifetime = Duration::from_secs(7 * 60);
    let s = ImdsServer::start(config).await.unwrap();
    let endpoint = s.url();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "tests only talk to loopback, not {endpoint}");
    common::logs::logs();
    let imds = ImdsProvider::with_config(imds_config(&endpoint));
    imds.clear_cached_state();
    let key = imds.cache_key().unwrap();
    cache::expire(Some(&key), SystemTime::UNIX_EPOCH);
    let clock = ManualClock::starting_now();
    let auth = Authenticator::new(
        Options::new()
            .with_provider_config(imds_config(&endpoint).with_clock(clock.clone()))
            .with_credentials_timeout(Duration::from_secs(5)),
    )
    .unwrap();

    // The first login fetches; the second is served from the cache and starts one refresh
    // ahead, which brings back the same keys.
    assert!(!auth.resolve().await.unwrap().from_cache);
    assert_eq!(fetches(&s), 1);
    let second = auth.resolve().await.unwrap();
    assert!(second.from_cache);
    assert_eq!(wait_for_fetches(&s, 2, Duration::from_secs(5)).await, 2, "no refresh ahead started");

    // Later logins in the same minute (the clock stands still) are served without another round
    // trip. (Without the back-off, each would start a refresh as soon as the previous one
    // finished.)
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let served = auth.resolve().await.unwrap();
        assert!(served.from_cache);
        assert_eq!(served.credentials.access_key_id(), identity.access_key_id);
    }
    assert_eq!(
        wait_for_fetches(&s, 3, Duration::from_millis(300)).await,
        2,
        "refresh ahead did not back off"
    );
    // Nothing would start, so the synchronous fast path answers too, without the chain.
    let now = auth.credentials_now().expect("a backing-off entry is settled");
    assert_eq!(now.access_key_id(), identity.access_key_id);
    // The cache kept the entry it had (same keys): a failure report for it still drops it.
    let generation = auth.credentials().await.unwrap().generation().unwrap();
    assert_eq!(second.credentials.generation(), Some(generation));

    // A minute later by the authenticator's clock (the one its options gave), the back-off is
    // over: the next login starts one more refresh ahead, which backs off again.
    assert_eq!(wait_for_back_offs(&identity.access_key_id, 1).await, 1, "the refresh did not back off");
    clock.advance(Duration::from_secs(60));
    assert!(auth.resolve().await.unwrap().from_cache);
    assert_eq!(wait_for_fetches(&s, 3, Duration::from_secs(5)).await, 3, "the back-off did not end");
    assert_eq!(wait_for_back_offs(&identity.access_key_id, 2).await, 2, "it backs off again");

    // The fetch inside the refresh window is not delayed by the back-off...
    assert_eq!(cache::expire(Some(&key), clock.now() + Duration::from_secs(4 * 60)), 1);
    let due = auth.resolve().await.unwrap();
    assert!(!due.from_cache);
    assert_eq!(fetches(&s), 4);
    // ...nor the one after a failure report.
    assert!(auth.report_failure(due.credentials.generation().unwrap()));
    assert!(!auth.resolve().await.unwrap().from_cache);
    assert_eq!(fetches(&s), 5);
}

/// The back-off lasts one minute by the cache's clock: a manual one here, so the minute passes
/// without waiting for it, and the test sees both sides of it.
#[tokio::test]
async fn the_back_off_lasts_one_minute_by_the_injected_clock() {
    let store = IdentityStore::default();
    let identity = store.add_temporary("imds-role", "i-0123456789abcdef1");
    let mut config = ImdsConfig::new(CredentialsMode::Fixed(identity.clone()), "imds-role");
    config.lifetime = Duration::from_secs(7 * 60);
    let s = ImdsServer::start(config).await.unwrap();
    let endpoint = s.url();
    assert!(endpoint.starts_with("http://127.0.0.1:"), "tests only talk to loopback, not {endpoint}");
    common::logs::logs();
    let clock = ManualClock::starting_now();
    let imds = ImdsProvider::with_config(imds_config(&endpoint).with_clock(clock.clone()));
    imds.clear_cached_state();
    let key = imds.cache_key().unwrap();
    cache::expire(Some(&key), SystemTime::UNIX_EPOCH);
    let cached = CachedProvider::new(imds).with_clock(Arc::new(clock.clone()));

    // A fetch, then a login served from the cache that refreshes ahead and gets the same keys.
    cached.provide_credentials().await.unwrap();
    assert_eq!(fetches(&s), 1);
    cached.provide_credentials().await.unwrap();
    assert_eq!(wait_for_fetches(&s, 2, Duration::from_secs(5)).await, 2, "no refresh ahead started");
    assert_eq!(wait_for_back_offs(&identity.access_key_id, 1).await, 1, "the refresh did not back off");
    // 59 seconds later by the clock: still backing off.
    clock.advance(Duration::from_secs(59));
    assert_eq!(cached.provide_credentials().await.unwrap().access_key_id(), identity.access_key_id);
    assert_eq!(wait_for_fetches(&s, 3, Duration::from_millis(300)).await, 2, "refreshed inside the back-off");
    // One minute after the refresh that backed off: exactly one more refresh ahead.
    clock.advance(Duration::from_secs(1));
    assert_eq!(cached.provide_credentials().await.unwrap().access_key_id(), identity.access_key_id);
    assert_eq!(wait_for_fetches(&s, 3, Duration::from_secs(5)).await, 3, "no refresh after the back-off");
    assert_eq!(wait_for_back_offs(&identity.access_key_id, 2).await, 2, "it backs off again");
    assert_eq!(wait_for_fetches(&s, 4, Duration::from_millis(300)).await, 3, "one refresh, not two");
}
