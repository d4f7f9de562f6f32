//! When an STS call is tried again, and how long to wait first.
//!
//! The SDKs' rule for STS: `IDPCommunicationError` (the identity provider did not answer STS),
//! throttling, 5xx and transient I/O are retried; `InvalidIdentityToken` never is (only aws-c-auth
//! retries it, and a refused token does not become valid by asking again). Three attempts in
//! all, with exponential backoff and jitter so that a fleet of pods does not retry in lockstep.
//! A `Retry-After` header (429, 503) makes the wait at least that long; one that asks for more
//! than the call has left ends it at once, with an error that says what STS asked for.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
use crate::http::{self, NextAttempt};

/// What to do after a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Next {
    /// Wait this long, then try again.
    Retry(Duration),
    /// Not worth another attempt, or no time or attempts left for one.
    GiveUp,
    /// STS asked (`Retry-After`) to wait this long, past the deadline.
    TooLate(Duration),
}

/// Whether attempt number `attempt` (1 for the first), which failed `retryable`-ly and whose
/// answer asked for `asked` (`Retry-After`), gets another before `deadline`.
pub(crate) fn next(retryable: bool, attempt: u32, asked: Option<Duration>, deadline: Instant) -> Next {
    if !retryable || attempt >= MAX_ATTEMPTS {
        return Next::GiveUp;
    }
    let room = deadline.saturating_duration_since(Instant::now());
    match http::next_attempt(backoff(attempt), asked, room) {
        NextAttempt::TooLate(asked) => Next::TooLate(asked),
        NextAttempt::After(wait) if wait < room => Next::Retry(wait),
        NextAttempt::After(_) => Next::GiveUp,
    }
}

/// `error`, saying that the server's `Retry-After` of `asked` did not fit in `budget`.
pub(crate) fn too_late(error: Error, asked: Duration, budget: Duration) -> Error {
    Error::new(
        error.kind(),
        format!(
            "{} (the server asked to wait {} s before another try, more than the {} ms this call may \
             take)",
            error.message(),
            asked.as_secs_f64().ceil(),
            budget.as_millis()
        ),
    )
}

/// Attempts per fetch, the first included (the Rust SDK's standard mode).
pub(crate) const MAX_ATTEMPTS: u32 = 3;

/// The backoff before the first retry, before jitter; it doubles for each further retry.
const BASE_DELAY: Duration = Duration::from_millis(200);
/// The longest backoff, before jitter.
const MAX_DELAY: Duration = Duration::from_secs(2);

/// STS error codes worth a retry: the identity provider being unreachable, throttling (the
/// codes the SDKs treat as throttling), and STS's own transient failures.
pub(crate) fn is_retryable_code(code: &str) -> bool {
    matches!(
        code,
        "IDPCommunicationError"
            | "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottledException"
            | "RequestThrottled"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "BandwidthLimitExceeded"
            | "SlowDown"
            | "PriorRequestNotComplete"
            | "RequestTimeout"
            | "RequestTimeoutException"
            | "InternalError"
            | "InternalFailure"
            | "ServiceUnavailable"
    )
}

/// Whether an HTTP status alone calls for a retry (5xx, and 429 Too Many Requests).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..=599).contains(&status)
}

/// The wait before retry number `retry` (1 for the first retry): `BASE_DELAY × 2^(retry-1)`,
/// capped, then scaled by a random factor in [0.5, 1].
pub(crate) fn backoff(retry: u32) -> Duration {
    let exp = BASE_DELAY.saturating_mul(1u32 << retry.saturating_sub(1).min(8)).min(MAX_DELAY);
    // If the OS generator fails, waiting the full time is still correct, merely less spread out.
    let r = getrandom::u32().unwrap_or(u32::MAX);
    let factor = 0.5 + 0.5 * (f64::from(r) / f64::from(u32::MAX));
    exp.mul_f64(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses() {
        for code in ["IDPCommunicationError", "Throttling", "ServiceUnavailable"] {
            assert!(is_retryable_code(code), "{code}");
        }
        for code in ["InvalidIdentityToken", "AccessDenied", "ExpiredTokenException", "IDPRejectedClaim", ""]
        {
            assert!(!is_retryable_code(code), "{code}");
        }
        assert!(is_retryable_status(500) && is_retryable_status(503) && is_retryable_status(429));
        assert!(!is_retryable_status(400) && !is_retryable_status(403) && !is_retryable_status(200));
    }

    #[test]
    fn retry_after_lengthens_the_wait_or_ends_the_call() {
        let soon = Instant::now() + Duration::from_secs(5);
        assert_eq!(next(false, 1, None, soon), Next::GiveUp);
        assert_eq!(next(true, MAX_ATTEMPTS, None, soon), Next::GiveUp);
        assert!(matches!(next(true, 1, None, soon), Next::Retry(w) if w <= BASE_DELAY));
        assert_eq!(next(true, 1, Some(Duration::from_secs(2)), soon), Next::Retry(Duration::from_secs(2)));
        assert_eq!(
            next(true, 1, Some(Duration::from_secs(60)), soon),
            Next::TooLate(Duration::from_secs(60))
        );
        assert_eq!(next(true, 1, None, Instant::now()), Next::GiveUp, "no time left for the backoff");
        let e = too_late(
            Error::new(crate::ErrorKind::CredentialsProvider, "busy"),
            Duration::from_secs(60),
            Duration::from_millis(800),
        );
        assert_eq!(
            e.message(),
            "busy (the server asked to wait 60 s before another try, more than the 800 ms this call may take)"
        );
    }

    #[test]
    fn backoff_grows_with_jitter_and_a_cap() {
        for _ in 0..50 {
            let first = backoff(1);
            assert!(first >= BASE_DELAY / 2 && first <= BASE_DELAY, "{first:?}");
            let second = backoff(2);
            assert!(second >= BASE_DELAY && second <= BASE_DELAY * 2, "{second:?}");
            assert!(backoff(30) <= MAX_DELAY);
        }
    }
}
