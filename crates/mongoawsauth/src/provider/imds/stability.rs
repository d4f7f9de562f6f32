//! Static stability: when IMDS hands out credentials that have already expired, or fails after
//! it once succeeded, keep working with the last good credentials a little longer instead of
//! failing every connection of the process. The Rust SDK, the JS SDK and botocore all do this:
//! an IMDS outage should not become an application outage while the old credentials still
//! work, and AWS keeps issued credentials valid past the expiry IMDS reports.
//!
//! The last good credentials are kept process-wide, per endpoint.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, SystemTime};

use crate::credentials::Credentials;
use crate::provider::metadata::random_between;
use crate::time_fmt::iso8601;

/// The shortest extension. Longer than the cache's 5-minute refresh window, so that extended
/// credentials are served from the cache for a while rather than refetched on every login.
const MIN_EXTENSION: Duration = Duration::from_secs(10 * 60);
/// The longest extension; the jitter spreads the next attempts of many processes.
const MAX_EXTENSION: Duration = Duration::from_secs(15 * 60);

static LAST_GOOD: LazyLock<Mutex<HashMap<String, Credentials>>> = LazyLock::new(Mutex::default);

fn last_good() -> std::sync::MutexGuard<'static, HashMap<String, Credentials>> {
    // Single inserts and lookups only: a poisoned lock holds a consistent map.
    LAST_GOOD.lock().unwrap_or_else(|p| p.into_inner())
}

/// Records credentials IMDS at `endpoint` returned.
pub(super) fn remember(endpoint: &str, credentials: &Credentials) {
    last_good().insert(endpoint.to_owned(), credentials.clone());
}

/// Forgets the credentials recorded for `endpoint`.
pub(super) fn clear(endpoint: &str) {
    last_good().remove(endpoint);
}

/// `credentials` with an expiry 10 to 15 minutes from now.
pub(super) fn extended(credentials: &Credentials) -> Credentials {
    let now = SystemTime::now();
    // A clock set at the very end of its range keeps the old expiry rather than panic.
    let expiry = now.checked_add(random_between(MIN_EXTENSION, MAX_EXTENSION)).unwrap_or(now);
    // Rebuilding cannot fail: the values were validated when the credentials were built.
    Credentials::new(
        Some(credentials.access_key_id()),
        Some(credentials.secret_access_key()),
        credentials.session_token(),
        Some(expiry),
        credentials.source(),
    )
    .unwrap_or_else(|_| credentials.clone())
}

/// IMDS returned credentials that expired already: use them until a little later, and say so.
pub(super) fn extend_expired(endpoint: &str, credentials: &Credentials) -> Credentials {
    let kept = extended(credentials);
    tracing::warn!(
        endpoint,
        access_key_id = %credentials.access_key_id(),
        expired = %credentials.expiry().map(iso8601).unwrap_or_default(),
        using_until = %kept.expiry().map(iso8601).unwrap_or_default(),
        "IMDS returned credentials that have already expired; using them a little longer \
         (static stability) while IMDS catches up"
    );
    kept
}

/// A fetch from `endpoint` failed: the last good credentials with a new expiry, if there are
/// any, with a warning that names the failure.
pub(super) fn fallback(endpoint: &str, failure: &str) -> Option<Credentials> {
    let previous = last_good().get(endpoint).cloned()?;
    let kept = extended(&previous);
    tracing::warn!(
        endpoint,
        access_key_id = %previous.access_key_id(),
        using_until = %kept.expiry().map(iso8601).unwrap_or_default(),
        failure,
        "IMDS failed; using the last credentials it returned a little longer (static stability)"
    );
    Some(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_is_ten_to_fifteen_minutes_and_keeps_the_keys() {
        let c = Credentials::new(
            Some("ASIAX"),
            Some("s3cr3t"),
            Some("t0k"),
            Some(SystemTime::UNIX_EPOCH),
            "imds",
        )
        .unwrap();
        let e = extended(&c);
        let left = e.expiry().unwrap().duration_since(SystemTime::now()).unwrap();
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
        assert!(fallback(endpoint, "boom").is_none());
        let c = Credentials::new(Some("ASIAX"), Some("s"), Some("t"), None, "imds").unwrap();
        remember(endpoint, &c);
        assert_eq!(fallback(endpoint, "boom").unwrap().access_key_id(), "ASIAX");
        clear(endpoint);
        assert!(fallback(endpoint, "boom").is_none());
    }
}
