//! The core's defaults and limits, for `mongoawsauth.defaults`: read from the core, never
//! restated, in the units of the Python face (float seconds) and under its keyword names.

use mongoawsauth::provider::saml;
use mongoawsauth::{Options, ProviderConfig};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::compat::MAX_TIMEOUT;

/// `{keyword: default}` for every `Authenticator(...)` keyword the core has a default for, plus
/// `max_timeout` (the largest timeout any face accepts) and the bounds of `SamlProvider`'s
/// `duration` (`saml_duration_min`, `saml_duration_max`).
#[pyfunction]
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let options = Options::new();
    let config = ProviderConfig::new();
    let out = PyDict::new(py);
    out.set_item("timeout", options.get_credentials_timeout().as_secs_f64())?;
    out.set_item("refresh_window", options.get_refresh_window().as_secs_f64())?;
    out.set_item("refresh_ahead", options.get_refresh_ahead().as_secs_f64())?;
    out.set_item("metadata_connect_timeout", config.metadata_connect_timeout().as_secs_f64())?;
    out.set_item("metadata_read_timeout", config.metadata_read_timeout().as_secs_f64())?;
    out.set_item("sts_timeout", config.sts_timeout().as_secs_f64())?;
    out.set_item("ecs_base_url", config.ecs_base_url())?;
    out.set_item("shared_config", config.shared_config())?;
    out.set_item("max_timeout", MAX_TIMEOUT.as_secs_f64())?;
    out.set_item("saml_duration_min", saml::MIN_DURATION.as_secs())?;
    out.set_item("saml_duration_max", saml::MAX_DURATION.as_secs())?;
    Ok(out)
}
