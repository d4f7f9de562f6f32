//! Timestamp formats AWS uses: ISO 8601 (`2026-11-29T10:00:00Z`) for expiries and the compact
//! `X-Amz-Date` form (`20261129T100000Z`) for signatures.

use std::time::{SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// What [`iso8601`] prints for a time after the last second RFC 3339 can write.
const AFTER_LAST: &str = "<after 9999-12-31T23:59:59Z>";
/// What [`iso8601`] prints for a time before the first second RFC 3339 can write.
const BEFORE_FIRST: &str = "<before 0000-01-01T00:00:00Z>";

/// Formats a time as RFC 3339 in UTC, whole seconds (rounded down).
///
/// Total: a `SystemTime` reaches far beyond the four-digit years RFC 3339 can write (a C
/// caller's `INT64_MAX` expiry is 292 million years away), and this runs inside `Debug`,
/// `Display` and log lines, so such a time prints as a marker, `<after 9999-12-31T23:59:59Z>`
/// or `<before 0000-01-01T00:00:00Z>`, instead of panicking.
pub fn iso8601(t: SystemTime) -> String {
    let secs = match t.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).ok(),
        // Round down: half a second before the epoch is 1969-12-31T23:59:59Z.
        Err(before) => {
            let before = before.duration();
            let whole = before.as_secs() + u64::from(before.subsec_nanos() > 0);
            i64::try_from(whole).ok().map(|s| -s)
        }
    };
    let Some(secs) = secs else {
        return if t > UNIX_EPOCH { AFTER_LAST } else { BEFORE_FIRST }.to_owned();
    };
    match OffsetDateTime::from_unix_timestamp(secs) {
        Ok(dt) if (0..=9999).contains(&dt.year()) => {
            dt.format(&Rfc3339).unwrap_or_else(|_| "<unrepresentable time>".to_owned())
        }
        _ if secs > 0 => AFTER_LAST.to_owned(),
        _ => BEFORE_FIRST.to_owned(),
    }
}

/// Parses an `X-Amz-Date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(value, fmt).ok().map(|dt| dt.assume_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn formats_and_parses() {
        let t = UNIX_EPOCH + Duration::from_secs(1_573_592_482);
        assert_eq!(iso8601(t), "2019-11-12T21:01:22Z");
        assert_eq!(parse_amz_date("20191112T210122Z"), Some(t));
        assert_eq!(parse_amz_date("2019-11-12"), None);
    }

    /// A far-future or far-past time (a C caller's INT64_MAX expiry, a provider's garbage)
    /// must format, never panic: formatting runs inside Debug, Display and log lines.
    #[test]
    fn formatting_is_total() {
        let max_secs = u64::try_from(i64::MAX).unwrap() / 2;
        let far_future = UNIX_EPOCH.checked_add(Duration::from_secs(max_secs)).unwrap();
        assert_eq!(iso8601(far_future), "<after 9999-12-31T23:59:59Z>");
        let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(iso8601(year_10000), "<after 9999-12-31T23:59:59Z>");
        let last = UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
        assert_eq!(iso8601(last), "9999-12-31T23:59:59Z");
        let far_past = UNIX_EPOCH.checked_sub(Duration::from_secs(max_secs)).unwrap();
        assert_eq!(iso8601(far_past), "<before 0000-01-01T00:00:00Z>");
        let just_before_epoch = UNIX_EPOCH - Duration::from_millis(500);
        assert_eq!(iso8601(just_before_epoch), "1969-12-31T23:59:59Z");
        assert_eq!(iso8601(UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
