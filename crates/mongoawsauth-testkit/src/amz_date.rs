//! The `X-Amz-Date` timestamp format, `YYYYMMDD'T'HHMMSS'Z'` (always UTC).

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

const FORMAT: &[FormatItem<'static>] = format_description!("[year][month][day]T[hour][minute][second]Z");

/// Parses an `X-Amz-Date` value; `None` unless it is exactly the format and a real instant.
pub fn parse(s: &str) -> Option<OffsetDateTime> {
    if !crate::sigv4::is_amz_date(s) {
        return None;
    }
    PrimitiveDateTime::parse(s, FORMAT).ok().map(PrimitiveDateTime::assume_utc)
}

/// Formats `t` (converted to UTC) as an `X-Amz-Date` value.
pub fn format(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC).format(FORMAT).unwrap_or_else(|_| "19700101T000000Z".to_owned())
}

/// Whether `t` is within `max_skew` of now, in either direction.
pub(crate) fn is_fresh(t: OffsetDateTime, max_skew: std::time::Duration) -> bool {
    let skew = (OffsetDateTime::now_utc() - t).abs();
    skew <= max_skew
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let t = parse("20150830T123600Z").unwrap();
        assert_eq!(format(t), "20150830T123600Z");
        assert!(parse("20150230T123600Z").is_none());
        assert!(parse("20150830T123600").is_none());
        assert!(parse("20150830T246000Z").is_none());
        assert!(!is_fresh(t, std::time::Duration::from_secs(900)));
        assert!(is_fresh(OffsetDateTime::now_utc(), std::time::Duration::from_secs(900)));
    }
}
