//! When an STS call is tried again, and how long to wait first.
//!
//! The SDKs' rule for STS: `IDPCommunicationError` (the identity provider did not answer STS),
//! throttling, 5xx and transient I/O are retried; `InvalidIdentityToken` never is (only aws-c-auth
//! retries it, and a refused token does not become valid by asking again). Three attempts in
//! all, with exponential backoff and jitter so that a fleet of pods does not retry in lockstep
//! (the numbers are [`crate::retry::STS`]; this module says which failures are retried).
//! A `Retry-After` header (429, 503) makes the wait at least that long; one that asks for more
//! than the call has left ends it at once, with an error that says what STS asked for.

use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;
pub(crate) use crate::retry::Next;
use crate::retry::{OsRandom, Room, STS};

/// Whether attempt number `attempt` (1 for the first), which failed `retryable`-ly and whose
/// answer asked for `asked` (`Retry-After`), gets another before `deadline`, under the
/// [`STS`] policy.
pub(crate) fn next(retryable: bool, attempt: u32, asked: Option<Duration>, deadline: Instant) -> Next {
    let room = Room::budget(deadline.saturating_duration_since(Instant::now()));
    STS.next(attempt, retryable, asked, room, &OsRandom)
}

/// `error`, saying that the server's `Retry-After` of `asked` did not fit in `budget`.
pub(crate) fn too_late(error: Error, asked: Duration, budget: Duration) -> Error {
    let note = crate::retry::too_late_note("the server", asked, budget);
    Error::new(error.kind(), format!("{}{note}", error.message()))
}

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
        assert_eq!(next(true, STS.max_attempts(), None, soon), Next::GiveUp);
        assert!(matches!(next(true, 1, None, soon), Next::Retry(w) if w <= STS.base_delay()));
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
}
