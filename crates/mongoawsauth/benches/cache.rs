//! The process-wide cache under load: the cost of a hit (what every new connection pays once
//! credentials are cached), and a 1,000-caller storm on a cold cache (how many fetches it makes
//! and how long callers wait). See docs/benchmarks.md.
#![allow(clippy::unwrap_used, reason = "a benchmark stops with the cause if its setup fails")]
#![allow(missing_docs, reason = "criterion_group! declares a public function without docs")]

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant, SystemTime};

use criterion::{Criterion, criterion_group, criterion_main};
use mongoawsauth::Credentials;
use mongoawsauth::cache::{self, CachedProvider};
use mongoawsauth::provider::{ProvideCredentials, ProvideFuture};

/// A keyed source standing in for a network fetch of `delay`.
#[derive(Debug)]
struct Slow {
    key: String,
    delay: Duration,
    fetches: Arc<AtomicUsize>,
}

impl ProvideCredentials for Slow {
    fn name(&self) -> &str {
        "slow"
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(async move {
            tokio::time::sleep(self.delay).await;
            self.fetches.fetch_add(1, Ordering::SeqCst);
            Ok(Credentials::new(
                Some("ASIABENCH"),
                Some("secret"),
                Some("token"),
                Some(SystemTime::now() + Duration::from_secs(3600)),
                "slow",
            )
            .unwrap())
        })
    }

    fn cache_key(&self) -> Option<String> {
        Some(self.key.clone())
    }
}

/// Polls a future that must complete without waiting (a cache hit never awaits).
fn poll_ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a cache hit had to wait"),
    }
}

fn hit(c: &mut Criterion) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let provider = CachedProvider::new(Slow {
        key: "bench:hit".into(),
        delay: Duration::ZERO,
        fetches: Arc::clone(&fetches),
    });
    let seeded = Credentials::new(
        Some("ASIAHIT"),
        Some("s"),
        Some("t"),
        Some(SystemTime::now() + Duration::from_secs(3600)),
        "seed",
    )
    .unwrap();
    cache::set("bench:hit", seeded).unwrap();
    c.bench_function("cache/hit", |b| {
        b.iter(|| black_box(poll_ready(provider.provide_credentials()).unwrap()))
    });
    assert_eq!(fetches.load(Ordering::SeqCst), 0, "every iteration must have been a hit");
}

/// One storm: 1,000 tasks ask a cold cache at once; the fetch takes 20 ms.
fn storm(runtime: &tokio::runtime::Runtime, round: usize) -> (usize, Vec<Duration>) {
    let fetches = Arc::new(AtomicUsize::new(0));
    let key = format!("bench:storm:{round}");
    let provider = Arc::new(CachedProvider::new(Slow {
        key,
        delay: Duration::from_millis(20),
        fetches: Arc::clone(&fetches),
    }));
    let waits = runtime.block_on(async {
        let tasks: Vec<_> = (0..1000)
            .map(|_| {
                let provider = Arc::clone(&provider);
                tokio::spawn(async move {
                    let started = Instant::now();
                    provider.provide_credentials().await.unwrap();
                    started.elapsed()
                })
            })
            .collect();
        let mut waits = Vec::with_capacity(tasks.len());
        for task in tasks {
            waits.push(task.await.unwrap());
        }
        waits
    });
    (fetches.load(Ordering::SeqCst), waits)
}

fn storms(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let mut round = 0;
    c.bench_function("cache/storm-1000-callers-20ms-fetch", |b| {
        b.iter(|| {
            round += 1;
            black_box(storm(&runtime, round))
        })
    });
    // The storm's shape, reported from 20 more rounds: fetches per storm and the wait callers saw.
    let mut all_waits = Vec::new();
    let mut max_fetches = 0;
    for _ in 0..20 {
        round += 1;
        let (fetches, waits) = storm(&runtime, round);
        max_fetches = max_fetches.max(fetches);
        all_waits.extend(waits);
    }
    all_waits.sort();
    let pick = |q: f64| all_waits[((all_waits.len() - 1) as f64 * q) as usize];
    println!(
        "cache/storm: {} callers over 20 storms; fetches per storm (max): {max_fetches}; wait p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        all_waits.len(),
        pick(0.50).as_secs_f64() * 1000.0,
        pick(0.99).as_secs_f64() * 1000.0,
        pick(1.0).as_secs_f64() * 1000.0
    );
}

criterion_group!(benches, hit, storms);
criterion_main!(benches);
