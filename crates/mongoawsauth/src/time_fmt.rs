//! Timestamp formats AWS uses: ISO 8601 (`2026-11-29T10:00:00Z`) for expiries and the compact
//! `X-Amz-Date` form (`20261129T100000Z`) for signatures.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;

/// Formats a time as RFC 3339 in UTC, whole seconds.
pub fn iso8601(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t).replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    dt.format(&Rfc3339).unwrap_or_else(|_| "<unrepresentable time>".to_owned())
}

/// Parses an `X-Amz-Date` value (`YYYYMMDDTHHMMSSZ`).
pub fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(value, fmt).ok().map(|dt| dt.assume_utc().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_and_parses() {
        let t = UNIX_EPOCH + Duration::from_secs(1_573_592_482);
        assert_eq!(iso8601(t), "2019-11-12T21:01:22Z");
        assert_eq!(parse_amz_date("20191112T210122Z"), Some(t));
        assert_eq!(parse_amz_date("2019-11-12"), None);
    }
}
