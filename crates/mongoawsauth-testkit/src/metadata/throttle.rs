//! Request-rate limits for the metadata stand-ins, so that a load test meets the throttling the
//! real endpoints apply instead of an endpoint that answers everything:
//!
//! - EC2 throttles instance metadata queries per instance (the EC2 User Guide, "Query
//!   throttling" under "Retrieve instance metadata") without giving a rate, and throttled clients
//!   have been answered `429 Too Many Requests`. Packets to the link-local services (IMDS, the
//!   Amazon DNS server, the Amazon Time Sync Service) are capped per network interface (the
//!   ENA metric `linklocal_allowance_exceeded`), at 1,024 per second by the Amazon VPC User
//!   Guide's DNS quotas; at about ten packets per request on a fresh connection that is about
//!   100 requests per second, the figure the fleet simulation uses.
//! - The ECS container agent serves the credentials endpoint behind the same limiter as its task
//!   metadata endpoints: 40 requests per second with bursts of 60 by default
//!   (`ECS_TASK_METADATA_RPS_LIMIT`, the "Amazon ECS container agent configuration" page of the
//!   ECS Developer Guide), answering 429 beyond it.
//!
//! A [`RateLimit`] is a token bucket: `burst` requests at once, refilled at `per_second`.
//! Requests beyond it get 429 at once, before routing and before any fault. They are counted
//! (`throttled`, and in `requests`) but not written to the request log, whose every entry keeps
//! the request's headers: a fleet run sends hundreds of thousands of them.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use super::server::{Reply, Response};
use super::state::lock;

/// A token bucket: at most `burst` requests at once, `per_second` on average.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// The sustained rate, in requests per second (greater than zero).
    pub per_second: f64,
    /// How many requests may arrive at once after a quiet period (at least one).
    pub burst: u32,
}

impl RateLimit {
    /// The ECS container agent's default: 40 requests per second, bursts of 60.
    pub const ECS_AGENT: RateLimit = RateLimit { per_second: 40.0, burst: 60 };

    /// Parses `<per_second>` or `<per_second>,<burst>` (the ECS agent's
    /// `ECS_TASK_METADATA_RPS_LIMIT` format); the burst defaults to one second's worth.
    pub fn parse(s: &str) -> Option<Self> {
        let (rate, burst) = match s.split_once(',') {
            Some((rate, burst)) => (rate.trim(), Some(burst.trim())),
            None => (s.trim(), None),
        };
        let per_second: f64 = rate.parse().ok().filter(|r: &f64| r.is_finite() && *r > 0.0)?;
        let burst = match burst {
            Some(b) => b.parse().ok().filter(|b| *b >= 1)?,
            None => (per_second.ceil() as u32).max(1),
        };
        Some(RateLimit { per_second, burst })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.per_second, self.burst)
    }
}

#[derive(Debug)]
struct Bucket {
    limit: RateLimit,
    tokens: f64,
    refilled: Instant,
}

/// The limit in force on one stand-in (none by default) and how many requests it refused.
#[derive(Debug, Default)]
pub(super) struct Throttle {
    bucket: Mutex<Option<Bucket>>,
    throttled: AtomicU64,
}

impl Throttle {
    /// Sets (or lifts) the limit; a new limit starts with a full bucket.
    pub(super) fn set(&self, limit: Option<RateLimit>) {
        *lock(&self.bucket) =
            limit.map(|limit| Bucket { limit, tokens: f64::from(limit.burst), refilled: Instant::now() });
    }

    /// The limit in force.
    pub(super) fn limit(&self) -> Option<RateLimit> {
        lock(&self.bucket).as_ref().map(|b| b.limit)
    }

    /// Whether this request is over the limit (and so counted as throttled).
    pub(super) fn refuses(&self) -> bool {
        let mut bucket = lock(&self.bucket);
        let Some(b) = bucket.as_mut() else { return false };
        let now = Instant::now();
        let refill = now.saturating_duration_since(b.refilled).as_secs_f64() * b.limit.per_second;
        b.tokens = (b.tokens + refill).min(f64::from(b.limit.burst));
        b.refilled = now;
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            false
        } else {
            self.throttled.fetch_add(1, Ordering::Relaxed);
            true
        }
    }

    /// Requests answered 429 so far.
    pub(super) fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
}

/// The answer to a throttled request: 429 with a short plain-text body, as both services send.
pub(super) fn too_many_requests() -> Reply {
    Response::text(429, "Too Many Requests")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rate_and_burst() {
        assert_eq!(RateLimit::parse("40,60"), Some(RateLimit::ECS_AGENT));
        assert_eq!(RateLimit::parse("100"), Some(RateLimit { per_second: 100.0, burst: 100 }));
        assert_eq!(RateLimit::parse("0.5"), Some(RateLimit { per_second: 0.5, burst: 1 }));
        for bad in ["", "0", "-1", "x", "10,0", "10,x", "inf", "NaN"] {
            assert_eq!(RateLimit::parse(bad), None, "{bad:?}");
        }
        assert_eq!(RateLimit::parse(&RateLimit::ECS_AGENT.to_string()), Some(RateLimit::ECS_AGENT));
    }

    #[test]
    fn admits_the_burst_then_refuses_until_refilled() {
        let t = Throttle::default();
        assert!(!t.refuses(), "no limit: everything passes");
        // A rate so slow that no token comes back during the test.
        t.set(Some(RateLimit { per_second: 0.001, burst: 3 }));
        assert_eq!((0..5).filter(|_| t.refuses()).count(), 2);
        assert_eq!(t.throttled(), 2);
        t.set(Some(RateLimit { per_second: 1000.0, burst: 1 }));
        assert!(!t.refuses());
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!t.refuses(), "a token comes back after 1 ms");
        t.set(None);
        assert!((0..100).all(|_| !t.refuses()));
    }

    /// The status of `GET path` on a keep-alive connection.
    async fn get(stream: &mut tokio::net::TcpStream, path: &str) -> u16 {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            head.push(stream.read_u8().await.unwrap());
        }
        let head = String::from_utf8(head).unwrap();
        let len: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        let mut body = vec![0; len];
        stream.read_exact(&mut body).await.unwrap();
        head[9..12].parse().unwrap()
    }

    #[tokio::test]
    async fn a_throttled_stand_in_answers_429_counts_and_keeps_the_connection() {
        let store = crate::identity::IdentityStore::default();
        let mode = super::super::CredentialsMode::Rotating {
            identities: store,
            role: "container-role".into(),
            session: "task".into(),
        };
        let server =
            super::super::ContainerServer::start(super::super::ContainerConfig::new(mode)).await.unwrap();
        server.set_rate_limit(Some(RateLimit { per_second: 0.001, burst: 2 }));
        assert_eq!(server.rate_limit(), Some(RateLimit { per_second: 0.001, burst: 2 }));
        let path = server.relative_uri().to_owned();
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(get(&mut stream, &path).await);
        }
        assert_eq!(statuses, [200, 200, 429, 429]);
        let c = server.counters();
        assert_eq!((c.requests, c.credentials_issued, c.throttled, c.connections), (4, 2, 2, 1));
        assert_eq!(server.requests().len(), 2, "throttled requests are counted, not logged");
        server.set_rate_limit(None);
        assert_eq!(get(&mut stream, &path).await, 200);
    }
}
