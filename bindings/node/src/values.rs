//! Reading JavaScript values without trusting their types: every mismatch becomes a `TypeError`
//! that names the argument and the type it had, never the value (it may be a secret).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Status, ValueType};

/// Throws a `TypeError` (code `ERR_INVALID_ARG_TYPE`, as Node's own) and returns the error that
/// tells napi the exception is already pending.
pub(crate) fn type_error(env: &Env, message: impl Into<String>) -> Error {
    let message = message.into();
    let _ = env.throw_type_error(&message, Some("ERR_INVALID_ARG_TYPE"));
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

/// A finite, non-negative number of milliseconds as a duration.
pub(crate) fn millis(value: &Unknown, what: &str) -> std::result::Result<Duration, String> {
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(format!("{what} must be a number of milliseconds, got {}", type_name(value)));
    }
    let ms = value
        .coerce_to_number()
        .and_then(|n| n.get_double())
        .map_err(|_| format!("{what} could not be read"))?;
    if !ms.is_finite() || ms < 0.0 {
        return Err(format!("{what} must be a finite number of milliseconds, 0 or more"));
    }
    Ok(Duration::from_secs_f64(ms / 1000.0))
}

/// A point in time from a `Date` or a number of milliseconds since the epoch.
pub(crate) fn time(value: &Unknown, what: &str) -> std::result::Result<SystemTime, String> {
    let is_date = value.is_date().unwrap_or(false);
    if !is_date && value.get_type().ok() != Some(ValueType::Number) {
        return Err(format!(
            "{what} must be a Date or a number of milliseconds since the epoch, got {}",
            type_name(value)
        ));
    }
    // Number(date) is its time value, so one read serves both shapes.
    let ms = value
        .coerce_to_number()
        .and_then(|n| n.get_double())
        .map_err(|_| format!("{what} could not be read"))?;
    if !ms.is_finite() {
        return Err(format!("{what} is an invalid Date"));
    }
    let since_epoch = Duration::from_secs_f64(ms.abs() / 1000.0);
    Ok(if ms >= 0.0 { UNIX_EPOCH + since_epoch } else { UNIX_EPOCH - since_epoch })
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
