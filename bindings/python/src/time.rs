//! Times and durations between Python and Rust: `datetime` (timezone-aware) or epoch seconds
//! for instants, float seconds for durations. `datetime` is imported only when a value needs it,
//! so `import mongoawsauth` stays cheap.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt};

/// A positive, finite number of seconds as a duration; `what` names the argument in errors.
pub fn seconds(value: f64, what: &str) -> PyResult<Duration> {
    if !value.is_finite() || value <= 0.0 {
        return Err(PyValueError::new_err(format!("{what} must be a positive, finite number of seconds")));
    }
    Duration::try_from_secs_f64(value)
        .map_err(|_| PyValueError::new_err(format!("{what} is too large a number of seconds")))
}

/// The deadline `timeout` seconds from now (or the authenticator's default when `None`).
pub fn deadline(timeout: Option<f64>, default: Duration) -> PyResult<Instant> {
    let timeout = match timeout {
        Some(t) => seconds(t, "timeout")?,
        None => default,
    };
    Instant::now()
        .checked_add(timeout)
        .ok_or_else(|| PyValueError::new_err("timeout is too large a number of seconds"))
}

/// An instant given as a timezone-aware `datetime` or as seconds since the Unix epoch.
pub fn instant_from_py(value: &Bound<'_, PyAny>, what: &str) -> PyResult<SystemTime> {
    let epoch_seconds: f64 = if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(format!("{what} must be a datetime or epoch seconds, not bool")));
    } else if value.is_instance_of::<PyFloat>() || value.is_instance_of::<PyInt>() {
        value.extract()?
    } else if value.hasattr("tzinfo")? && value.hasattr("timestamp")? {
        if value.getattr("utcoffset")?.call0()?.is_none() {
            return Err(PyValueError::new_err(format!(
                "{what} must be timezone-aware (for example datetime.now(timezone.utc) + ...)"
            )));
        }
        value.call_method0("timestamp")?.extract()?
    } else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a timezone-aware datetime or epoch seconds, not {}",
            value.get_type().name()?
        )));
    };
    if !epoch_seconds.is_finite() || epoch_seconds < 0.0 {
        return Err(PyValueError::new_err(format!("{what} must be a finite time after 1970")));
    }
    Duration::try_from_secs_f64(epoch_seconds)
        .ok()
        .and_then(|d| UNIX_EPOCH.checked_add(d))
        .ok_or_else(|| PyValueError::new_err(format!("{what} is too far in the future")))
}

/// Seconds since the Unix epoch (negative before it).
pub fn epoch_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64(),
        Err(e) => -e.duration().as_secs_f64(),
    }
}

/// A timezone-aware UTC `datetime`.
pub fn datetime_from(py: Python<'_>, time: SystemTime) -> PyResult<Bound<'_, PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    datetime.getattr("datetime")?.call_method1("fromtimestamp", (epoch_seconds(time), utc))
}
