//! Reading JavaScript values without trusting them: a value of the wrong type becomes a
//! `TypeError` that names the argument and the type it had, never the value (it may be a
//! secret); a number or a time outside what the library can represent becomes a `RangeError`
//! that names the field and the allowed range. Both carry Node's own codes
//! (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`), so callers can match on them as on Node's.
//!
//! Every conversion of a JavaScript number into a duration or a point in time is checked here:
//! `Duration::from_secs_f64` and `SystemTime + Duration` panic on values JavaScript produces
//! easily (`1e300`, `Infinity`, `NaN`), and a panic in a napi callback aborts the process.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Status, ValueType};

/// The largest time the library accepts: 9999-12-31T23:59:59.999Z, the end of the range that
/// ISO 8601 with four-digit years (what AWS sends and what `toJSON` writes) can express.
pub(crate) const MAX_EPOCH_MILLIS: f64 = 253_402_300_799_999.0;

/// The longest duration accepted: the core's limit for every timeout and window, 2147483647 ms
/// (about 24.8 days), the largest delay Node's own timers take.
pub(crate) const MAX_MILLIS: f64 = mongoawsauth::defaults::MAX_TIMEOUT_MS as f64;

/// The smallest duration an option takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Minimum {
    /// A timeout: 0 would give up before starting.
    AboveZero,
    /// A window: 0 switches it off.
    Zero,
}

/// What was wrong with a value: its type (a `TypeError`, `ERR_INVALID_ARG_TYPE`), its range (a
/// `RangeError`, `ERR_OUT_OF_RANGE`) or its form (a `TypeError`, `ERR_INVALID_ARG_VALUE`: a
/// malformed URL, a blank name), as Node's own errors tell them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Invalid {
    Type(String),
    Range(String),
    Value(String),
}

impl Invalid {
    pub(crate) fn message(&self) -> &str {
        match self {
            Invalid::Type(m) | Invalid::Range(m) | Invalid::Value(m) => m,
        }
    }

    /// Throws it as a `TypeError` or `RangeError` and returns the error that tells napi the
    /// exception is already pending.
    pub(crate) fn throw(self, env: &Env) -> Error {
        match self {
            Invalid::Type(m) => type_error(env, m),
            Invalid::Range(m) => range_error(env, m),
            Invalid::Value(m) => value_error(env, m),
        }
    }

    /// The JavaScript error object, not thrown (for a promise's rejection or an error's cause).
    pub(crate) fn to_js<'env>(&self, env: &'env Env) -> Unknown<'env> {
        match self {
            Invalid::Type(m) => {
                JsTypeError::from(Error::new("ERR_INVALID_ARG_TYPE", m.clone())).into_unknown(*env)
            }
            Invalid::Range(m) => {
                JsRangeError::from(Error::new("ERR_OUT_OF_RANGE", m.clone())).into_unknown(*env)
            }
            Invalid::Value(m) => {
                JsTypeError::from(Error::new("ERR_INVALID_ARG_VALUE", m.clone())).into_unknown(*env)
            }
        }
    }
}

impl From<String> for Invalid {
    fn from(message: String) -> Self {
        Invalid::Type(message)
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Throws a `TypeError` (code `ERR_INVALID_ARG_TYPE`, as Node's own) and returns the error that
/// tells napi the exception is already pending.
pub(crate) fn type_error(env: &Env, message: impl Into<String>) -> Error {
    let message = message.into();
    let _ = env.throw_type_error(&message, Some("ERR_INVALID_ARG_TYPE"));
    Error::new(Status::PendingException, message)
}

/// Throws a `RangeError` (code `ERR_OUT_OF_RANGE`, as Node's own) and returns the error that
/// tells napi the exception is already pending.
pub(crate) fn range_error(env: &Env, message: impl Into<String>) -> Error {
    let message = message.into();
    let _ = env.throw_range_error(&message, Some("ERR_OUT_OF_RANGE"));
    Error::new(Status::PendingException, message)
}

/// Throws a `TypeError` with code `ERR_INVALID_ARG_VALUE` (as Node's own, for a value of the
/// right type but the wrong form) and returns the error that tells napi the exception is already
/// pending.
pub(crate) fn value_error(env: &Env, message: impl Into<String>) -> Error {
    let message = message.into();
    let _ = env.throw_type_error(&message, Some("ERR_INVALID_ARG_VALUE"));
    Error::new(Status::PendingException, message)
}

/// The `typeof`-style name of a value, for messages.
pub(crate) fn type_name(value: &Unknown) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "boolean",
        Ok(ValueType::Number) => "number",
        Ok(ValueType::String) => "string",
        Ok(ValueType::Symbol) => "symbol",
        Ok(ValueType::Function) => "function",
        Ok(ValueType::BigInt) => "bigint",
        Ok(ValueType::Object) => {
            if value.is_array().unwrap_or(false) {
                "array"
            } else {
                "object"
            }
        }
        _ => "unknown",
    }
}

/// Whether the value is `undefined` or `null` (an absent optional).
pub(crate) fn is_nullish(value: &Unknown) -> bool {
    matches!(value.get_type(), Ok(ValueType::Undefined | ValueType::Null))
}

/// A string, or an error message naming `what` and the type it had.
pub(crate) fn string(value: &Unknown, what: &str) -> std::result::Result<String, String> {
    if value.get_type().ok() != Some(ValueType::String) {
        return Err(format!("{what} must be a string, got {}", type_name(value)));
    }
    value
        .coerce_to_string()
        .and_then(|s| s.into_utf8())
        .and_then(|s| s.into_owned())
        .map_err(|_| format!("{what} could not be read as a string"))
}

/// An optional string (`undefined` and `null` mean absent).
pub(crate) fn optional_string(value: &Unknown, what: &str) -> std::result::Result<Option<String>, String> {
    if is_nullish(value) { Ok(None) } else { string(value, what).map(Some) }
}

/// A number of milliseconds from `minimum` to [`MAX_MILLIS`], as a duration. The message states
/// the very rule that refused the value.
pub(crate) fn millis(
    value: &Unknown,
    what: &str,
    minimum: Minimum,
) -> std::result::Result<Duration, Invalid> {
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(Invalid::Type(format!(
            "{what} must be a number of milliseconds, got {}",
            type_name(value)
        )));
    }
    let ms = number(value).map_err(|_| Invalid::Type(format!("{what} could not be read")))?;
    let low_ok = match minimum {
        Minimum::AboveZero => ms > 0.0,
        Minimum::Zero => ms >= 0.0,
    };
    if !(low_ok && ms <= MAX_MILLIS) {
        let from = match minimum {
            Minimum::AboveZero => "greater than 0",
            Minimum::Zero => "0 or more",
        };
        return Err(Invalid::Range(format!(
            "{what} must be a number of milliseconds {from} and at most {MAX_MILLIS} (as Node's timers take), got {}",
            describe_number(ms)
        )));
    }
    Ok(Duration::from_millis(ms as u64) + Duration::from_nanos(((ms.fract()) * 1e6) as u64))
}

/// A point in time from a `Date` or a number of milliseconds since the epoch, from
/// 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.
pub(crate) fn time(value: &Unknown, what: &str) -> std::result::Result<SystemTime, Invalid> {
    let is_date = value.is_date().unwrap_or(false);
    if !is_date && value.get_type().ok() != Some(ValueType::Number) {
        return Err(Invalid::Type(format!(
            "{what} must be a Date or a number of milliseconds since the epoch, got {}",
            type_name(value)
        )));
    }
    // Number(date) is its time value, so one read serves both shapes.
    let ms = number(value).map_err(|_| Invalid::Type(format!("{what} could not be read")))?;
    if !(0.0..=MAX_EPOCH_MILLIS).contains(&ms) {
        let got = if is_date && ms.is_nan() { "an invalid Date".to_owned() } else { describe_number(ms) };
        return Err(Invalid::Range(format!(
            "{what} must be a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (a Date, or \
             0 to {MAX_EPOCH_MILLIS} milliseconds since the epoch), got {got}"
        )));
    }
    // In range, so the whole milliseconds fit a u64 and the sum cannot overflow.
    Ok(UNIX_EPOCH + Duration::from_millis(ms as u64) + Duration::from_nanos((ms.fract() * 1e6) as u64))
}

fn number(value: &Unknown) -> Result<f64> {
    value.coerce_to_number().and_then(|n| n.get_double())
}

/// A number for a message: NaN, the infinities and negatives by name, a finite value as such
/// (times and durations are not secrets).
fn describe_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity".to_owned() } else { "-Infinity".to_owned() }
    } else if n < 0.0 {
        format!("a negative number ({})", finite(n))
    } else {
        finite(n)
    }
}

/// As JavaScript prints it: plain digits below 1e21, an exponent above.
fn finite(n: f64) -> String {
    if n.abs() >= 1e21 { format!("{n:e}") } else { format!("{n}") }
}

/// Milliseconds since the epoch, for `new Date(ms)`.
pub(crate) fn epoch_millis(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs_f64() * 1000.0,
        Err(e) => -(e.duration().as_secs_f64() * 1000.0),
    }
}

/// A JavaScript `Date`.
pub(crate) fn date(env: &Env, time: SystemTime) -> Result<Unknown<'_>> {
    Ok(env.create_date(epoch_millis(time))?.to_unknown())
}

/// The value as an object, or a message naming `what` and the type it had.
pub(crate) fn object<'env>(value: &Unknown<'env>, what: &str) -> std::result::Result<Object<'env>, String> {
    if value.get_type().ok() != Some(ValueType::Object) || value.is_array().unwrap_or(false) {
        return Err(format!("{what} must be an object, got {}", type_name(value)));
    }
    value.coerce_to_object().map_err(|_| format!("{what} could not be read as an object"))
}

/// The own enumerable keys of an object, as `Object.keys` gives them.
pub(crate) fn keys(object: &Object) -> Result<Vec<String>> {
    Object::keys(object)
}

/// A property of an object, as a value of unknown type.
pub(crate) fn property<'env>(object: &Object<'env>, name: &str) -> Result<Unknown<'env>> {
    object.get_named_property::<Unknown>(name)
}
