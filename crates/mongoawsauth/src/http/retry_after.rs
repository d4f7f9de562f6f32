//! The `Retry-After` header of a throttled (429) or unavailable (503) answer. How it bends a
//! retry (the longer of the backoff and the server's wish, or no retry at all when the wish does
//! not fit) is the retry policy's business: [`crate::retry::RetryPolicy::next`].

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use time::PrimitiveDateTime;
use time::macros::format_description;

/// The longest wait read from a header. Anything longer is treated as this, which is already
/// far past any deadline a credential fetch has.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// The wait `headers` ask for: `Retry-After` as delay-seconds (`120`) or as an HTTP-date
/// (`Wed, 21 Oct 2015 07:28:00 GMT`, measured from `now`; a date in the past is no wait).
/// `None` when there is no such header or it is neither form.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Digits only, so the only failure is overflow: a wait longer than any deadline.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds).min(MAX_RETRY_AFTER));
    }
    let format = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = PrimitiveDateTime::parse(value, format).ok()?.assume_utc();
    let at =
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(u64::try_from(at.unix_timestamp()).ok()?))?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, value.parse().unwrap());
        h
    }

    #[test]
    fn delay_seconds_and_http_dates() {
        // 2015-10-21T07:28:00Z
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        assert_eq!(retry_after(&headers("2"), now), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(&headers(" 0 "), now), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("99999999999999999999999"), now), Some(MAX_RETRY_AFTER));
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:00:00 GMT"), now), Some(Duration::ZERO));
        for bad in ["", "-1", "1.5", "soon", "Wed, 21 Oct 2015 07:28:30 PST", "2015-10-21T07:28:30Z"] {
            assert_eq!(retry_after(&headers(bad), now), None, "{bad:?}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
