//! The core's defaults and limits, for `mongoawsauth.defaults`: read from the core, never
//! restated, in the units of the Python face (float seconds) and under its keyword names.

use mongoawsauth::{ProviderConfig, defaults as core};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `{keyword: default}` for every `Authenticator(...)` keyword the core has a default for, plus
/// `max_timeout` (the largest timeout any face accepts) and the bounds of `SamlProvider`'s
/// `duration` (`saml_duration_min`, `saml_duration_max`).
#[pyfunction]
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("timeout", core::CREDENTIALS_TIMEOUT.as_secs_f64())?;
    out.set_item("refresh_window", core::REFRESH_WINDOW.as_secs_f64())?;
    out.set_item("refresh_ahead", core::REFRESH_AHEAD.as_secs_f64())?;
    out.set_item("metadata_connect_timeout", core::METADATA_CONNECT_TIMEOUT.as_secs_f64())?;
    out.set_item("metadata_read_timeout", core::METADATA_READ_TIMEOUT.as_secs_f64())?;
    out.set_item("sts_timeout", core::STS_TIMEOUT.as_secs_f64())?;
    out.set_item("ecs_base_url", core::ECS_BASE_URL)?;
    // The core has no constant for it: what a fresh configuration does.
    out.set_item("shared_config", ProviderConfig::new().shared_config())?;
    out.set_item("max_timeout", core::MAX_TIMEOUT.as_secs_f64())?;
    out.set_item("saml_duration_min", core::SAML_MIN_DURATION.as_secs())?;
    out.set_item("saml_duration_max", core::SAML_MAX_DURATION.as_secs())?;
    Ok(out)
}
