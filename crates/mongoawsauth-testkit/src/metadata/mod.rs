//! Stand-ins for the two metadata endpoints credential sources call: EC2's IMDSv2
//! ([`ImdsServer`]) and a container credentials endpoint ([`ContainerServer`], as the ECS agent
//! and the EKS Pod Identity agent serve it).
//!
//! Each binds 127.0.0.1 on port 0, hands out credentials (a fresh temporary identity from an
//! [`IdentityStore`] on every fetch, so that a login with them through the fake mongod succeeds
//! and shows the assumed-role ARN; or fixed ones), logs and counts every request, and can be
//! told at run time to misbehave ([`MetadataFault`]). Reads no environment variables or files;
//! sends nothing anywhere.

/// The controls both metadata stand-ins offer over their shared state (`self.route.shared`):
/// faults, what credentials are handed out and how long they last, the rate limit, and what was
/// served. Expanded inside each server's `impl` block.
macro_rules! shared_controls {
    () => {
        /// Sets (or clears) the fault in force.
        pub fn set_fault(&self, fault: Option<MetadataFault>) {
            self.route.shared.set_fault(fault);
        }

        /// The fault in force (one-shot and counted faults clear themselves).
        pub fn fault(&self) -> Option<MetadataFault> {
            self.route.shared.fault()
        }

        /// Changes what later credentials requests hand out.
        pub fn set_credentials(&self, mode: CredentialsMode) {
            self.route.shared.set_credentials(mode);
        }

        /// Every request received, in order.
        pub fn requests(&self) -> Vec<RequestRecord> {
            self.route.shared.requests()
        }

        /// Every identity handed out, in order.
        pub fn issued(&self) -> Vec<Identity> {
            self.route.shared.issued()
        }

        /// The identity handed out last.
        pub fn last_issued(&self) -> Option<Identity> {
            self.issued().pop()
        }

        /// What it has served so far.
        pub fn counters(&self) -> MetadataCounters {
            self.route.shared.counters()
        }

        /// Answers 429 to requests beyond `limit` (`None`: no limit, the default); see
        /// [`RateLimit`](super::RateLimit) for the real services' rates.
        pub fn set_rate_limit(&self, limit: Option<super::RateLimit>) {
            self.route.shared.throttle.set(limit);
        }

        /// The rate limit in force.
        pub fn rate_limit(&self) -> Option<super::RateLimit> {
            self.route.shared.throttle.limit()
        }

        /// Credentials handed out from now on are valid for `lifetime` (`None`: the configured
        /// lifetime again).
        pub fn set_credentials_lifetime(&self, lifetime: Option<Duration>) {
            self.route.shared.rotation.set_lifetime(lifetime);
        }

        /// Hands out the same credentials until less than `period` remains before they expire, as
        /// the real endpoints do (`None`, the default: new credentials on every request).
        pub fn set_rotate_before(&self, period: Option<Duration>) {
            self.route.shared.rotation.set_rotate_before(period);
        }
    };
}

mod container;
mod imds;
mod rotation;
mod server;
mod state;
mod throttle;

use std::fmt;
use std::time::Duration;

pub use container::{ContainerConfig, ContainerServer};
pub use imds::{ImdsConfig, ImdsServer};
pub use throttle::RateLimit;

use crate::identity::{Identity, IdentityStore};

/// How long the credentials handed out stay valid, unless configured otherwise (IMDS's usual
/// six hours).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(6 * 3600);

/// Which credentials a stand-in hands out.
#[derive(Clone, Debug)]
pub enum CredentialsMode {
    /// A new temporary identity for every credentials request, created in `identities` as
    /// session `session` of role `role` (so every fetch rotates the keys and all of them show
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session>`).
    Rotating {
        /// The store the STS stand-in verifies against.
        identities: IdentityStore,
        /// The role name.
        role: String,
        /// The session name (an instance id for IMDS, a task id for ECS).
        session: String,
    },
    /// The same credentials every time (they should carry a session token: metadata endpoints
    /// only hand out temporary credentials).
    Fixed(Identity),
}

/// A deliberate misbehaviour, set with `set_fault` on either stand-in. Some apply to every
/// request, some only to the credentials request; see each variant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetadataFault {
    /// Every request: read it, then never answer (the connection stays open).
    Hang,
    /// Every request: send the head at once, then trickle the body over this long.
    SlowBody(Duration),
    /// Every request: answer 500 this many times, then behave again.
    ServerError {
        /// How many 500 answers are left.
        times: u32,
    },
    /// The next request that carries a token (IMDS) or an authorization header (container) gets
    /// 401, as for an expired session token; then the fault clears. IMDS also forgets the token.
    TokenExpiredOnce,
    /// IMDS: the role listing and the credentials answer 404 (no role attached). Container: the
    /// credentials path answers 404.
    NotFound,
    /// The credentials request: 200 with a body that is not JSON.
    Garbage,
    /// The credentials request: 200 with a body of [`OVERSIZED_BODY`] bytes.
    Oversized,
    /// The credentials request: valid credentials whose `Expiration` is an hour ago.
    ExpiredCredentials,
    /// The credentials request: an error document instead of credentials. IMDS: 200 with
    /// `"Code": "AssumeRoleUnauthorizedAccess"`; container: 400 with `{"code", "message"}`.
    CodeNotSuccess,
    /// Every request: the head and half the body of the answer it would have got, then nothing
    /// more (the connection stays open).
    HangMidBody,
    /// Every request: 429 Too Many Requests with `Retry-After: <retry_after>` (seconds), this
    /// many times, then behave again (`u32::MAX`: until cleared).
    Throttled {
        /// The `Retry-After` value, in seconds.
        retry_after: u64,
        /// How many 429 answers are left.
        times: u32,
    },
    /// IMDS: every request that carries a session token gets 401, whichever token it is (as if
    /// every token were revoked at once). Container: every request gets 401.
    Unauthorized,
    /// Every request gets 403 (IMDS: the token request too, as when the instance's metadata
    /// service is turned off; container: an `AccessDenied` error document).
    Forbidden,
    /// Every request: read it, then close the connection with a TCP reset, no answer.
    Reset,
}

/// The size of the [`MetadataFault::Oversized`] body: twice the core library's 64 KiB cap.
pub const OVERSIZED_BODY: usize = 128 * 1024;

impl MetadataFault {
    /// Parses `hang`, `slow-body=<ms>`, `5xx=<n>`, `token-expired-once`, `404`, `garbage`,
    /// `oversized`, `expired`, `code-not-success`, `hang-mid-body`, `429=<retry-after s>,<n>`,
    /// `401`, `403`, `reset`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "hang" => Self::Hang,
            "token-expired-once" => Self::TokenExpiredOnce,
            "404" => Self::NotFound,
            "garbage" => Self::Garbage,
            "oversized" => Self::Oversized,
            "expired" => Self::ExpiredCredentials,
            "code-not-success" => Self::CodeNotSuccess,
            "hang-mid-body" => Self::HangMidBody,
            "401" => Self::Unauthorized,
            "403" => Self::Forbidden,
            "reset" => Self::Reset,
            other => {
                if let Some(ms) = other.strip_prefix("slow-body=") {
                    Self::SlowBody(Duration::from_millis(ms.parse().ok()?))
                } else if let Some(throttle) = other.strip_prefix("429=") {
                    let (retry_after, times) = throttle.split_once(',')?;
                    Self::Throttled { retry_after: retry_after.parse().ok()?, times: times.parse().ok()? }
                } else {
                    Self::ServerError { times: other.strip_prefix("5xx=")?.parse().ok()? }
                }
            }
        })
    }
}

impl fmt::Display for MetadataFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Hang => f.write_str("hang"),
            Self::SlowBody(d) => write!(f, "slow-body={}", d.as_millis()),
            Self::ServerError { times } => write!(f, "5xx={times}"),
            Self::TokenExpiredOnce => f.write_str("token-expired-once"),
            Self::NotFound => f.write_str("404"),
            Self::Garbage => f.write_str("garbage"),
            Self::Oversized => f.write_str("oversized"),
            Self::ExpiredCredentials => f.write_str("expired"),
            Self::CodeNotSuccess => f.write_str("code-not-success"),
            Self::HangMidBody => f.write_str("hang-mid-body"),
            Self::Throttled { retry_after, times } => write!(f, "429={retry_after},{times}"),
            Self::Unauthorized => f.write_str("401"),
            Self::Forbidden => f.write_str("403"),
            Self::Reset => f.write_str("reset"),
        }
    }
}

/// One request a stand-in received, as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    /// `GET`, `PUT`...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// Whether it carried `x-aws-ec2-metadata-token` (IMDS) or `Authorization` (container).
    pub authenticated: bool,
    /// Its header fields, as sent (including the token: these are throwaway test values).
    pub headers: Vec<(String, String)>,
    /// The status answered; `None` when the stand-in hung or reset the connection on purpose.
    pub status: Option<u16>,
}

/// A snapshot of what a stand-in has served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MetadataCounters {
    /// TCP connections accepted.
    pub connections: u64,
    /// HTTP requests read.
    pub requests: u64,
    /// IMDS session tokens issued (`PUT /latest/api/token` answered 200).
    pub tokens_issued: u64,
    /// Credentials handed out (including expired ones, and the same ones again when rotation is
    /// set, see `set_rotate_before`).
    pub credentials_issued: u64,
    /// Requests answered 401 or 403.
    pub unauthorized: u64,
    /// Requests answered with a fault mode.
    pub faults: u64,
    /// Requests answered 429 because they were over the rate limit (see `set_rate_limit`).
    pub throttled: u64,
}

#[cfg(test)]
mod tests;
