//! The process-wide cache: single flight, refresh ahead, the refresh window, generations, and
//! that environment credentials never enter it. Each test uses its own cache key, so the tests
//! can share the process-wide cache while running in parallel.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use mongoawsauth::cache::{self, CacheLookup, CachedProvider};
use mongoawsauth::config::{Clock, ManualClock, SystemClock};
use mongoawsauth::provider::chain::Chain;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::provider::{ProvideCredentials, ProvideFuture};
use mongoawsauth::{Authenticator, Credentials, Env};

/// A keyed source that counts its fetches, takes `delay` to answer, and hands out credentials
/// valid for `lifetime` from the time `clock` reads, each with a distinct access key id.
#[derive(Debug)]
struct Counting {
    key: String,
    calls: Arc<AtomicUsize>,
    delay: Duration,
    lifetime: Duration,
    clock: Arc<dyn Clock>,
}

impl Counting {
    fn new(key: &str, delay: Duration) -> (Self, Arc<AtomicUsize>) {
        let calls = Arc::new(AtomicUsize::new(0));
        let source = Counting {
            key: key.to_owned(),
            calls: Arc::clone(&calls),
            delay,
            lifetime: Duration::from_secs(3600),
            clock: Arc::new(SystemClock),
        };
        (source, calls)
    }
}

impl ProvideCredentials for Counting {
    fn name(&self) -> &str {
        "counting"
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            Ok(Credentials::new(
                Some(&format!("ASIA{n:016}")),
                Some("secret"),
                Some("token"),
                Some(self.clock.now() + self.lifetime),
                "counting",
            )
            .unwrap())
        })
    }

    fn cache_key(&self) -> Option<String> {
        Some(self.key.clone())
    }
}

/// Temporary credentials `ASIASEEDED` that expire `left` from now, to put in the cache by hand.
fn seeded_credentials(left: Duration) -> Credentials {
    seeded_at(SystemTime::now(), left)
}

/// Temporary credentials `ASIASEEDED` that expire `left` after `now`.
fn seeded_at(now: SystemTime, left: Duration) -> Credentials {
    Credentials::new(Some("ASIASEEDED"), Some("s"), Some("t"), Some(now + left), "seed").unwrap()
}

/// A clock stopped at a time long past, so that a test passing with it proves the cache read
/// it: against the system's clock every entry it makes has long expired.
fn stopped_clock() -> ManualClock {
    ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000))
}

/// A [`Counting`] source under `key`, answering at once, cached, both reading `clock`.
fn clocked(key: &str, clock: &ManualClock) -> (CachedProvider, Arc<AtomicUsize>) {
    let (mut source, calls) = Counting::new(key, Duration::ZERO);
    source.clock = Arc::new(clock.clone());
    (CachedProvider::new(source).with_clock(Arc::new(clock.clone())), calls)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_misses_make_one_fetch() {
    let (source, calls) = Counting::new("test:storm", Duration::from_millis(50));
    let provider = Arc::new(CachedProvider::new(source));
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let provider = Arc::clone(&provider);
        tasks.push(tokio::spawn(async move { provider.provide_credentials().await.unwrap() }));
    }
    let mut generations = std::collections::HashSet::new();
    for task in tasks {
        let c = task.await.unwrap();
        generations.insert(c.generation());
        assert_eq!(c.access_key_id(), "ASIA0000000000000001");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(generations.len(), 1);
    assert!(generations.iter().next().unwrap().is_some());
}

#[tokio::test]
async fn a_refresh_ahead_of_expiry_never_makes_a_caller_wait() {
    let (source, calls) = Counting::new("test:ahead", Duration::from_millis(1500));
    let provider = CachedProvider::new(source);
    // Seven minutes left: inside the 10-minute refresh-ahead window, outside the 5-minute one.
    let seeded = seeded_credentials(Duration::from_secs(420));
    let old_generation = cache::set("test:ahead", seeded).unwrap();
    let started = Instant::now();
    let served = provider.provide_credentials().await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(1000), "the caller waited for the 1.5 s refresh");
    assert_eq!(served.access_key_id(), "ASIASEEDED");
    assert_eq!(served.generation(), Some(old_generation));
    // The background refresh lands without anyone waiting for it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let current = cache::get(Some("test:ahead")).unwrap();
        if current.access_key_id() != "ASIASEEDED" {
            assert_ne!(current.generation(), Some(old_generation));
            break;
        }
        assert!(Instant::now() < deadline, "the refresh never landed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // And the next caller gets the refreshed entry from the cache, without a fetch.
    let next = provider.provide_credentials().await.unwrap();
    assert_eq!(next.access_key_id(), "ASIA0000000000000001");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_entry_inside_the_refresh_window_is_refetched() {
    let clock = stopped_clock();
    let (provider, calls) = clocked("test:window", &clock);
    cache::set("test:window", seeded_at(clock.now(), Duration::from_secs(240))).unwrap();
    let served = provider.provide_credentials().await.unwrap();
    assert_eq!(served.access_key_id(), "ASIA0000000000000001");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // A configurable window: with a 1-minute window, 4 minutes left is still good...
    let (provider, calls) = clocked("test:window-1m", &clock);
    let provider = provider.with_windows(Duration::from_secs(60), Duration::from_secs(60));
    cache::set("test:window-1m", seeded_at(clock.now(), Duration::from_secs(240))).unwrap();
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIASEEDED");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // ...and so are 61 seconds, but not 60.
    clock.advance(Duration::from_secs(179));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIASEEDED");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    clock.advance(Duration::from_secs(1));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIA0000000000000001");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// An entry's life, told by an injected clock instead of the wall clock: served, refreshed ahead
/// of expiry in the background, refetched inside the refresh window.
#[tokio::test]
async fn the_windows_follow_the_injected_clock() {
    let clock = stopped_clock();
    let (provider, calls) = clocked("test:clock", &clock);
    let fetched = provider.provide_credentials().await.unwrap();
    assert_eq!(fetched.expiration(), Some(clock.now() + Duration::from_secs(3600)));
    // 11 minutes left: outside both windows, served as is with nothing started.
    clock.advance(Duration::from_secs(49 * 60));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIA0000000000000001");
    tokio::task::yield_now().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "nothing refreshes 11 minutes before expiry");
    // 7 minutes left: still served, and one background refresh replaces the entry.
    clock.advance(Duration::from_secs(4 * 60));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIA0000000000000001");
    let until = Instant::now() + Duration::from_secs(5);
    while cache::get(Some("test:clock")).unwrap().access_key_id() == "ASIA0000000000000001" {
        assert!(Instant::now() < until, "the refresh ahead never landed");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The refreshed entry expires an hour after the clock's time then; at 4 minutes before
    // that, inside the refresh window, the caller waits for a new fetch.
    clock.advance(Duration::from_secs(56 * 60));
    assert_eq!(provider.provide_credentials().await.unwrap().access_key_id(), "ASIA0000000000000003");
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn report_failure_with_an_old_generation_keeps_the_new_entry() {
    let (source, calls) = Counting::new("test:generation", Duration::ZERO);
    let auth = Authenticator::from_provider(CachedProvider::new(source));
    let first = auth.credentials().await.unwrap();
    let old = first.generation().unwrap();
    // The entry is replaced (say, refreshed) before the failure report for `first` arrives.
    assert!(auth.report_failure(old));
    let second = auth.credentials().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(!auth.report_failure(old), "an old generation must not drop the new entry");
    let third = auth.credentials().await.unwrap();
    assert_eq!(third.generation(), second.generation());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(auth.resolve().await.unwrap().from_cache);
}

#[tokio::test]
async fn environment_credentials_are_never_cached_and_changes_are_seen_at_once() {
    let vars = Arc::new(std::sync::Mutex::new(vec![
        ("AWS_ACCESS_KEY_ID".to_owned(), "AKIAFIRST".to_owned()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), "s1".to_owned()),
    ]));
    let view = Arc::clone(&vars);
    let env = Env::from_fn(move |name| {
        view.lock().unwrap().iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    });
    let auth = Authenticator::from_provider(CachedProvider::new(EnvironmentProvider::with_env(env)));
    let first = auth.resolve().await.unwrap();
    assert_eq!(first.credentials.access_key_id(), "AKIAFIRST");
    assert!(!first.from_cache);
    assert_eq!(first.credentials.generation(), None);
    vars.lock().unwrap()[0].1 = "AKIASECOND".to_owned();
    assert_eq!(auth.credentials().await.unwrap().access_key_id(), "AKIASECOND");
    assert!(cache::entries().iter().all(|e| e.source != "environment"));
}

#[tokio::test]
async fn credentials_without_expiry_pass_through_uncached() {
    #[derive(Debug)]
    struct NoExpiry(Arc<AtomicUsize>);
    impl ProvideCredentials for NoExpiry {
        fn name(&self) -> &str {
            "no-expiry"
        }
        fn provide_credentials(&self) -> ProvideFuture<'_> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                Ok(Credentials::new(Some("AKIA1"), Some("s"), None, None, "no-expiry").unwrap())
            })
        }
        fn cache_key(&self) -> Option<String> {
            Some("test:no-expiry".into())
        }
    }
    let calls = Arc::new(AtomicUsize::new(0));
    let provider = CachedProvider::new(NoExpiry(Arc::clone(&calls)));
    provider.provide_credentials().await.unwrap();
    provider.provide_credentials().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(cache::get(Some("test:no-expiry")).is_none());
}

#[test]
fn test_hooks_set_expire_poison_and_report_no_secrets() {
    let c = Credentials::new(
        Some("ASIAHOOKS"),
        Some("hook-secret"),
        Some("hook-token"),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "seed",
    )
    .unwrap();
    let generation = cache::set("test:hooks", c).unwrap();
    let info = cache::entries().into_iter().find(|e| e.key == "test:hooks").unwrap();
    assert_eq!(info.generation, generation);
    assert_eq!(info.access_key_id, "ASIAHOOKS");
    assert!(!format!("{info:?}").contains("hook-secret"));
    let soon = SystemTime::now() + Duration::from_secs(30);
    assert_eq!(cache::expire(Some("test:hooks"), soon), 1);
    assert_eq!(cache::get(Some("test:hooks")).unwrap().expiration(), Some(soon));
    assert_eq!(cache::poison(Some("test:hooks")), 1);
    let poisoned = cache::get(Some("test:hooks")).unwrap();
    assert_ne!(poisoned.access_key_id(), "ASIAHOOKS");
    assert_eq!(poisoned.generation(), Some(generation));
    assert!(cache::invalidate_generation(generation));
    assert!(cache::get(Some("test:hooks")).is_none());
    let no_expiry = Credentials::new(Some("AKIA1"), Some("s"), None, None, "seed").unwrap();
    assert!(cache::set("test:hooks", no_expiry).is_err());
}

/// The default chain serves valid cached credentials from its lookup step, ahead of the
/// environment; inside the refresh-ahead window that step must start the background refresh too,
/// or entries would only ever be refetched once a caller has to wait for them.
#[tokio::test]
async fn the_chain_lookup_step_also_refreshes_ahead() {
    let (source, calls) = Counting::new("test:lookup-ahead", Duration::from_millis(200));
    let cached = CachedProvider::new(source);
    let chain = Chain::new().then(CacheLookup::new(vec![cached.clone()])).then(cached);
    let seeded = seeded_credentials(Duration::from_secs(420));
    cache::set("test:lookup-ahead", seeded).unwrap();
    let served = chain.provide_credentials().await.unwrap();
    assert_eq!(served.access_key_id(), "ASIASEEDED", "served from the lookup step without waiting");
    let deadline = Instant::now() + Duration::from_secs(5);
    while cache::get(Some("test:lookup-ahead")).unwrap().access_key_id() == "ASIASEEDED" {
        assert!(Instant::now() < deadline, "the lookup step never started a refresh");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
