//! Times and durations between Python and Rust: `datetime` (timezone-aware) or epoch seconds
//! for instants, float seconds for durations. `datetime` is imported only when a value needs it,
//! so `import mongoawsauth` stays cheap.
//!
//! Instants are bounded to what both sides can represent: from the Unix epoch to the last second
//! of year 9999, the end of Python's `datetime` range and of the ISO 8601 form every expiry is
//! printed in. A value outside it is refused on the way in with `InvalidArgumentError` (a
//! `ValueError`), so no later `repr()`, `str()` or attribute read can overflow.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mongoawsauth::Options;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

use crate::errors::{IntoPyResult, invalid_type, invalid_value, type_name};

/// 9999-12-31T23:59:59Z plus one second: the first instant neither side can represent.
pub const END_OF_YEAR_9999_SECS: u64 = 253_402_300_800;
#[allow(clippy::cast_precision_loss)] // exact: the value is below 2^53
const END_OF_YEAR_9999: f64 = END_OF_YEAR_9999_SECS as f64;

/// A duration argument given in seconds (an `int` or a `float`), named `keyword` in errors.
/// Only what a `Duration` cannot hold is refused here (another type, NaN, a negative number);
/// the range every face enforces is the core's (`Options::validate`), checked when the options
/// are built.
pub fn duration_arg(value: &Bound<'_, PyAny>, keyword: &str) -> PyResult<Duration> {
    let py = value.py();
    if value.is_instance_of::<PyBool>()
        || !(value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>())
    {
        return Err(invalid_type(
            py,
            format!("{keyword} must be a number of seconds, not {}", type_name(value)),
        ));
    }
    // An int beyond a float's range is beyond any limit too.
    let seconds: f64 = value.extract().unwrap_or(f64::INFINITY);
    if seconds.is_nan() || seconds < 0.0 {
        return Err(invalid_value(
            py,
            format!("{keyword} must be a number of seconds of 0 or more, not {seconds}"),
        ));
    }
    // Too large for a Duration is far beyond the core's maximum, which then refuses it.
    Ok(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

/// The deadline `timeout` seconds from now (or the authenticator's default when `None`). The
/// timeout is checked by the core's rule for the credentials timeout, and named `timeout`.
pub fn deadline(timeout: Option<&Bound<'_, PyAny>>, default: Duration) -> PyResult<Instant> {
    let timeout = match timeout.filter(|t| !t.is_none()) {
        Some(t) => {
            let timeout = duration_arg(t, "timeout")?;
            Options::new().with_credentials_timeout(timeout).validate().into_py(t.py())?;
            timeout
        }
        None => default,
    };
    // Within the core's maximum, an Instant never overflows; the fallback is for the impossible.
    Ok(Instant::now().checked_add(timeout).unwrap_or_else(Instant::now))
}

/// `InvalidArgumentError` (our hierarchy, a `ValueError`) with `message`.
fn invalid(py: Python<'_>, message: String) -> PyErr {
    invalid_value(py, message)
}

/// The same error class for a failure Python raised while reading the value (an `int` too large
/// for a float, a `tzinfo` whose offset overflows), keeping Python's exception as the cause.
fn invalid_from(py: Python<'_>, what: &str, cause: PyErr) -> PyErr {
    let err = invalid(py, format!("{what} could not be read as a time: {}", describe(py, &cause)));
    err.set_cause(py, Some(cause));
    err
}

fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "Exception".into());
    match err.value(py).str() {
        Ok(text) => format!("{name}: {}", text.to_string_lossy()),
        Err(_) => name,
    }
}

/// An instant given as a timezone-aware `datetime` or as seconds since the Unix epoch, between
/// 1970 and the end of year 9999. Wrong types are a `TypeError`; values out of range, naive
/// datetimes and values Python cannot convert are `InvalidArgumentError`.
pub fn instant_from_py(value: &Bound<'_, PyAny>, what: &str) -> PyResult<SystemTime> {
    let py = value.py();
    let epoch_seconds: f64 = if value.is_instance_of::<PyBool>() {
        return Err(invalid_type(py, format!("{what} must be a datetime or epoch seconds, not bool")));
    } else if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        // An int beyond a float's range raises OverflowError here.
        value.extract().map_err(|e| invalid_from(py, what, e))?
    } else if value.hasattr("tzinfo")? && value.hasattr("timestamp")? {
        let offset = value.getattr("utcoffset")?.call0().map_err(|e| invalid_from(py, what, e))?;
        if offset.is_none() {
            return Err(invalid(
                py,
                format!("{what} must be timezone-aware (for example datetime.now(timezone.utc) + ...)"),
            ));
        }
        return instant_from_datetime(value, what);
    } else {
        return Err(invalid_type(
            py,
            format!("{what} must be a timezone-aware datetime or epoch seconds, not {}", type_name(value)),
        ));
    };
    if !epoch_seconds.is_finite() || epoch_seconds < 0.0 {
        return Err(invalid(py, format!("{what} must be a finite time after 1970")));
    }
    if epoch_seconds >= END_OF_YEAR_9999 {
        return Err(invalid(
            py,
            format!("{what} is after the end of year 9999; give a real expiry, or none for long-term keys"),
        ));
    }
    Duration::try_from_secs_f64(epoch_seconds)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .ok_or_else(|| invalid(py, format!("{what} cannot be represented on this platform")))
}

/// A timezone-aware `datetime` as an exact instant: converted to UTC by Python (which refuses a
/// result past year 9999), then whole days, seconds and microseconds since the epoch, so the last
/// microsecond of year 9999 is not rounded into year 10000 as a float would be.
fn instant_from_datetime(value: &Bound<'_, PyAny>, what: &str) -> PyResult<SystemTime> {
    let py = value.py();
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    let in_utc = value.call_method1("astimezone", (&utc,)).map_err(|e| invalid_from(py, what, e))?;
    let epoch = datetime.getattr("datetime")?.call1((1970, 1, 1, 0, 0, 0, 0, &utc))?;
    let delta = in_utc.sub(epoch).map_err(|e| invalid_from(py, what, e))?;
    let days: i64 = delta.getattr("days")?.extract()?;
    let seconds: u64 = delta.getattr("seconds")?.extract()?;
    let micros: u32 = delta.getattr("microseconds")?.extract()?;
    let Ok(days) = u64::try_from(days) else {
        return Err(invalid(py, format!("{what} must be a finite time after 1970")));
    };
    let since_epoch = Duration::new(days * 86_400 + seconds, micros * 1_000);
    UNIX_EPOCH
        .checked_add(since_epoch)
        .ok_or_else(|| invalid(py, format!("{what} cannot be represented on this platform")))
}

/// Seconds since the Unix epoch (negative before it).
pub fn epoch_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// Whether `time` lies between 1970 and the end of year 9999, where `datetime` and the ISO 8601
/// formatter both work.
pub fn in_range(time: SystemTime) -> bool {
    time.duration_since(UNIX_EPOCH).is_ok_and(|d| d.as_secs() < END_OF_YEAR_9999_SECS)
}

/// A timezone-aware UTC `datetime`. A time outside `in_range` (only a core source could produce
/// one; Python input is checked on the way in) is an `InvalidArgumentError`, not an overflow.
pub fn datetime_from(py: Python<'_>, time: SystemTime) -> PyResult<Bound<'_, PyAny>> {
    if !in_range(time) {
        return Err(invalid(
            py,
            format!("the time {} (epoch seconds) is outside what a datetime can hold", epoch_seconds(time)),
        ));
    }
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    let epoch = datetime.getattr("datetime")?.call1((1970, 1, 1, 0, 0, 0, 0, utc))?;
    // Whole seconds and microseconds, not a float, so the last second of year 9999 stays in it.
    let delta =
        datetime.getattr("timedelta")?.call1((0, since_epoch.as_secs(), since_epoch.subsec_micros()))?;
    epoch.add(delta)
}
