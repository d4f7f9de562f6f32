//! Static stability: when IMDS hands out credentials that have already expired, fails after it
//! once succeeded, or does not answer before the resolution's deadline, keep working with the
//! last good credentials a little longer instead of failing every connection of the process.
//! The Rust SDK, the JS SDK and botocore all do this: an IMDS outage should not become an
//! application outage while the old credentials still work, and AWS keeps issued credentials
//! valid past the expiry IMDS reports.
//!
//! - **Hangs.** A resolution has one deadline (10 s by default) and one IMDS request alone may
//!   take the connect plus the read timeout (11 s by default), so waiting for IMDS's own
//!   timeouts would let the deadline cancel the fetch before any fallback could run. Under a
//!   deadline, the fetch is therefore bounded by the deadline minus a reserved share (a tenth
//!   of the time left when the fetch starts, at least [`MIN_RESERVE`], at most
//!   [`MAX_RESERVE`]); when that bound fires the last good credentials are served, as the Rust
//!   SDK's credentials cache falls back when its load is interrupted. Without them the
//!   resolution ends, still inside its deadline, with a [`Timeout`](ErrorKind::Timeout) error
//!   that says what to check.
//! - **What is served.** The same keys with an expiry [`MIN_EXTENSION`] to [`MAX_EXTENSION`]
//!   from now, and a warning that names the access key id and the failure, never a secret.
//! - **What is not.** Keys that a login reported as failed
//!   ([`Authenticator::report_failure`](crate::Authenticator::report_failure) marks them here):
//!   while IMDS is down, a failed login must not be retried with the same stale keys. A fresh
//!   answer from IMDS clears the mark, even with the same keys: IMDS is the authority, and
//!   logins fail for reasons other than the keys.
//!
//! The last good credentials are kept process-wide, per endpoint.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::provider::ProviderError;
use crate::provider::metadata::{human, random_between};
use crate::time_fmt::iso8601;

/// The shortest extension. Longer than the cache's 5-minute refresh window, so that extended
/// credentials are served from the cache for a while rather than refetched on every login
/// (each of which would wait for a hanging IMDS until the bound below).
const MIN_EXTENSION: Duration = Duration::from_secs(10 * 60);
/// The longest extension: keys that may have been revoked live at most this long without a
/// new word from IMDS. The jitter spreads the next attempts of many processes.
const MAX_EXTENSION: Duration = Duration::from_secs(15 * 60);
/// The part of the time left kept back from the IMDS fetch, so that serving the fallback (and
/// returning it through the chain and the cache) happens before the deadline: a tenth.
const RESERVE_DIVISOR: u32 = 10;
/// The smallest reserve: room for a busy runtime to poll the fallback in time.
const MIN_RESERVE: Duration = Duration::from_millis(20);
/// The largest reserve: serving the fallback takes microseconds, so with a long deadline IMDS
/// keeps nearly all of it.
const MAX_RESERVE: Duration = Duration::from_secs(1);

struct Kept {
    credentials: Credentials,
    /// A login reported these keys as failed.
    rejected: bool,
}

static LAST_GOOD: LazyLock<Mutex<HashMap<String, Kept>>> = LazyLock::new(Mutex::default);

fn last_good() -> std::sync::MutexGuard<'static, HashMap<String, Kept>> {
    // Single inserts, lookups and flag changes only: a poisoned lock holds a consistent map.
    LAST_GOOD.lock().unwrap_or_else(|p| p.into_inner())
}

/// What static stability may serve for one endpoint.
enum Fallback {
    /// Nothing was ever fetched from it (in this process, since the last clear).
    Nothing,
    /// The last good keys, which a login reported as failed.
    Rejected,
    /// The last good credentials.
    Usable(Credentials),
}

fn lookup(endpoint: &str) -> Fallback {
    match last_good().get(endpoint) {
        None => Fallback::Nothing,
        Some(kept) if kept.rejected => Fallback::Rejected,
        Some(kept) => Fallback::Usable(kept.credentials.clone()),
    }
}

const REJECTED: &str = "the last credentials it returned were reported failed by a login, so they \
                        are not served again (static stability)";

/// Until when an IMDS fetch that starts at `now` may run under a resolution `deadline`: the
/// deadline minus the reserve, never before `now`. `None` without a deadline (a direct call, a
/// background refresh): then IMDS's own timeouts bound the fetch.
pub(super) fn fetch_bound(deadline: Option<Instant>, now: Instant) -> Option<Instant> {
    let deadline = deadline?;
    let left = deadline.saturating_duration_since(now);
    let reserve = (left / RESERVE_DIVISOR).clamp(MIN_RESERVE, MAX_RESERVE);
    Some(deadline.checked_sub(reserve).unwrap_or(now).max(now))
}

/// Handles credentials IMDS at `endpoint` just returned, at `now`: records them as the last
/// good ones, and keeps expired ones a little longer, unless a login has already failed with
/// them.
pub(super) fn accept(
    endpoint: &str,
    credentials: Credentials,
    now: SystemTime,
) -> Result<Credentials, ProviderError> {
    let expired_at = credentials.expiration().filter(|e| *e <= now);
    {
        let mut map = last_good();
        if let Some(expired_at) = expired_at
            && map.get(endpoint).is_some_and(|k| k.rejected && k.credentials.same_keys(&credentials))
        {
            return Err(ProviderError::Failed(Error::new(
                ErrorKind::CredentialsProvider,
                format!(
                    "IMDS at {endpoint} still hands out credentials that expired at {}, and a login \
                     with them has failed: IMDS has not rotated them yet; try again in a few minutes",
                    iso8601(expired_at)
                ),
            )));
        }
        map.insert(endpoint.to_owned(), Kept { credentials: credentials.clone(), rejected: false });
    }
    match expired_at {
        None => Ok(credentials),
        Some(expired_at) => {
            let kept = extended(&credentials, now);
            tracing::warn!(
                endpoint,
                access_key_id = %credentials.access_key_id(),
                expired = %iso8601(expired_at),
                using_until = %kept.expiration().map(iso8601).unwrap_or_default(),
                "IMDS returned credentials that have already expired; using them a little longer \
                 (static stability) while IMDS catches up"
            );
            Ok(kept)
        }
    }
}

/// Forgets the credentials recorded for `endpoint`.
pub(super) fn clear(endpoint: &str) {
    last_good().remove(endpoint);
}

/// A login with `credentials` failed: wherever they are the last good credentials, they may no
/// longer be served as a fallback. Returns whether any were marked now.
pub(super) fn reject(credentials: &Credentials) -> bool {
    let mut marked = false;
    for (endpoint, kept) in last_good().iter_mut() {
        if !kept.rejected && kept.credentials.same_keys(credentials) {
            kept.rejected = true;
            marked = true;
            tracing::info!(
                endpoint = %endpoint,
                access_key_id = %credentials.access_key_id(),
                "a login with IMDS's last good credentials failed; static stability will not serve them again"
            );
        }
    }
    marked
}

/// `credentials` with an expiry 10 to 15 minutes after `now`.
fn extended(credentials: &Credentials, now: SystemTime) -> Credentials {
    // A clock set at the very end of its range keeps the old expiry rather than panic.
    let expiry = now.checked_add(random_between(MIN_EXTENSION, MAX_EXTENSION)).unwrap_or(now);
    credentials.with_expiry(Some(expiry))
}

/// The fetch from `endpoint` failed with `error`: the last good credentials with a new
/// expiry (from `now`), if there are usable ones, with a warning that names the failure; else
/// `error`.
pub(super) fn fallback(
    endpoint: &str,
    error: ProviderError,
    now: SystemTime,
) -> Result<Credentials, ProviderError> {
    match lookup(endpoint) {
        Fallback::Nothing => Err(error),
        Fallback::Rejected => Err(with_note(error, REJECTED)),
        Fallback::Usable(previous) => Ok(serve(endpoint, &previous, error.error().message(), now)),
    }
}

/// The fetch from `endpoint` was stopped at its bound, `waited` after it started, to leave
/// the rest of the deadline to this answer; `now` is when.
pub(super) fn interrupted(
    endpoint: &str,
    waited: Duration,
    now: SystemTime,
) -> Result<Credentials, ProviderError> {
    let failure = format!(
        "IMDS at {endpoint} did not answer within {}, and the deadline of this credential lookup \
         is near",
        human(waited)
    );
    let why = match lookup(endpoint) {
        Fallback::Usable(previous) => return Ok(serve(endpoint, &previous, &failure, now)),
        Fallback::Nothing => "there are no earlier IMDS credentials to fall back on",
        Fallback::Rejected => REJECTED,
    };
    Err(ProviderError::Failed(Error::new(
        ErrorKind::Timeout,
        format!(
            "{failure}; {why}: raise the credentials timeout, or check that IMDS answers on this \
             instance (in a container, the instance's metadata hop limit must be at least 2)"
        ),
    )))
}

fn serve(endpoint: &str, previous: &Credentials, failure: &str, now: SystemTime) -> Credentials {
    let kept = extended(previous, now);
    tracing::warn!(
        endpoint,
        access_key_id = %previous.access_key_id(),
        using_until = %kept.expiration().map(iso8601).unwrap_or_default(),
        failure,
        "IMDS failed; using the last credentials it returned a little longer (static stability)"
    );
    kept
}

/// `error` with `note` appended to its message; the same kind and the same chain semantics.
fn with_note(error: ProviderError, note: &str) -> ProviderError {
    let rebuild = |e: Error| Error::new(e.kind(), format!("{}; {note}", e.message()));
    match error {
        ProviderError::NotConfigured(e) => ProviderError::NotConfigured(rebuild(e)),
        ProviderError::Failed(e) => ProviderError::Failed(rebuild(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(key: &str, expiry: Option<SystemTime>) -> Credentials {
        Credentials::new(Some(key), Some("s3cr3t"), Some("t0k"), expiry, "imds").unwrap()
    }

    /// The time the tests run at, by their own clock.
    fn now() -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000)
    }

    fn boom() -> ProviderError {
        ProviderError::Failed(Error::new(ErrorKind::CredentialsProvider, "boom"))
    }

    #[test]
    fn extension_is_ten_to_fifteen_minutes_and_keeps_the_keys() {
        let c = credentials("ASIAX", Some(SystemTime::UNIX_EPOCH));
        let e = extended(&c, now());
        let left = e.expiration().unwrap().duration_since(now()).unwrap();
        assert!(left > Duration::from_secs(599) && left <= MAX_EXTENSION, "{left:?}");
        assert_eq!(
            (e.access_key_id(), e.secret_access_key(), e.session_token()),
            ("ASIAX", "s3cr3t", Some("t0k"))
        );
        assert_eq!(e.source(), "imds");
    }

    #[test]
    fn fallback_needs_an_earlier_success() {
        let endpoint = "http://127.0.0.1:1/stability-unit-test";
        assert_eq!(fallback(endpoint, boom(), now()).unwrap_err(), boom());
        accept(endpoint, credentials("ASIAX", None), now()).unwrap();
        assert_eq!(fallback(endpoint, boom(), now()).unwrap().access_key_id(), "ASIAX");
        clear(endpoint);
        assert!(fallback(endpoint, boom(), now()).is_err());
    }

    #[test]
    fn the_bound_keeps_a_tenth_of_the_time_left_within_limits() {
        let now = Instant::now();
        let bound = |left: Duration| fetch_bound(Some(now + left), now).unwrap() - now;
        assert_eq!(fetch_bound(None, now), None);
        assert_eq!(bound(Duration::from_secs(10)), Duration::from_secs(9));
        assert_eq!(bound(Duration::from_secs(1)), Duration::from_millis(900));
        assert_eq!(bound(Duration::from_secs(100)), Duration::from_secs(99), "at most 1 s kept back");
        assert_eq!(bound(Duration::from_millis(100)), Duration::from_millis(80), "at least 20 ms kept back");
        assert_eq!(bound(Duration::from_millis(10)), Duration::ZERO, "no time left: fall back at once");
        assert_eq!(fetch_bound(Some(now), now + Duration::from_secs(1)), Some(now + Duration::from_secs(1)));
    }

    #[test]
    fn rejected_keys_are_not_served_until_imds_answers_again() {
        let endpoint = "http://127.0.0.1:1/stability-reject-test";
        clear(endpoint);
        let good = credentials("ASIAREJECT", None);
        accept(endpoint, good.clone(), now()).unwrap();
        assert!(!reject(&credentials("ASIAOTHER", None)), "other keys mark nothing");
        assert!(fallback(endpoint, boom(), now()).is_ok());
        assert!(reject(&good.with_source("cache")), "the same keys, whatever their source");
        assert!(!reject(&good), "already marked");

        let err = fallback(endpoint, boom(), now()).unwrap_err();
        assert!(
            err.to_string().starts_with("boom; the last credentials it returned were reported failed"),
            "{err}"
        );
        let err = interrupted(endpoint, Duration::from_millis(900), now()).unwrap_err();
        assert_eq!(err.error().kind(), ErrorKind::Timeout);
        assert!(err.to_string().contains("reported failed by a login"), "{err}");
        assert!(!err.to_string().contains("s3cr3t") && !err.to_string().contains("t0k"));

        // The same keys, expired, are not extended again...
        let expired = credentials("ASIAREJECT", Some(SystemTime::UNIX_EPOCH));
        let err = accept(endpoint, expired, now()).unwrap_err();
        assert!(err.to_string().contains("has not rotated them yet"), "{err}");
        // ...but a valid answer from IMDS is served and clears the mark.
        accept(endpoint, good, now()).unwrap();
        assert!(fallback(endpoint, boom(), now()).is_ok());
        clear(endpoint);
    }

    #[test]
    fn an_interrupted_fetch_without_a_fallback_says_what_to_do() {
        let endpoint = "http://127.0.0.1:1/stability-interrupt-test";
        clear(endpoint);
        let err = interrupted(endpoint, Duration::from_millis(900), now()).unwrap_err();
        assert!(!err.is_not_configured());
        assert_eq!(err.error().kind(), ErrorKind::Timeout);
        assert_eq!(
            err.to_string(),
            "IMDS at http://127.0.0.1:1/stability-interrupt-test did not answer within 900 ms, and \
             the deadline of this credential lookup is near; there are no earlier IMDS credentials \
             to fall back on: raise the credentials timeout, or check that IMDS answers on this \
             instance (in a container, the instance's metadata hop limit must be at least 2)"
        );
        accept(endpoint, credentials("ASIAKEPT", None), now()).unwrap();
        assert_eq!(
            interrupted(endpoint, Duration::from_millis(900), now()).unwrap().access_key_id(),
            "ASIAKEPT"
        );
        clear(endpoint);
    }
}
