//! How a duration crosses the C boundary. The C face counts time in milliseconds, as Node does
//! (the names end in `_ms`); an elapsed time is a `double` so that sub-millisecond timings (a
//! cache hit takes microseconds) are not rounded to 0. The `_us` integers are the deprecated
//! accessors' unit, kept for one release.

use std::time::Duration;

/// `duration` in milliseconds, with the sub-millisecond part in the decimals.
pub(crate) fn millis_f64(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// `duration` in whole microseconds, truncated, saturating at `UINT64_MAX` (the deprecated
/// `_elapsed_us` accessors' value, unchanged from 0.1).
pub(crate) fn micros_u64(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliseconds_keep_the_microseconds() {
        assert_eq!(millis_f64(Duration::from_micros(1_500)), 1.5);
        assert!((millis_f64(Duration::from_micros(1)) - 0.001).abs() < 1e-12);
        assert_eq!(millis_f64(Duration::ZERO), 0.0);
        assert_eq!(micros_u64(Duration::from_nanos(1_999)), 1);
        assert_eq!(micros_u64(Duration::MAX), u64::MAX);
    }
}
