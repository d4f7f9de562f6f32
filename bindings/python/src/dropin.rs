//! The core's signing and settings functions, over explicit inputs: the region of an STS host, a
//! GetCallerIdentity signature and client-final payload at a given time, the check of a
//! connection string's MONGODB-AWS settings, and the check that turns whatever a user hands the
//! `pymongo_auth_aws` drop-in into validated credentials. Each one is the core's code; the
//! Python modules `mongoawsauth.signing` and `mongoawsauth.settings` only give them their
//! documented shape, and the drop-in renames errors into pymongo-auth-aws 1.3's words.

use std::time::SystemTime;

use mongoawsauth::settings::AuthSettings;
use mongoawsauth::{CredentialPolicy, signing, sts_host};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyString};

use crate::credentials::PyCredentials;
use crate::errors::{IntoPyResult, invalid_type, invalid_value, type_name};
use crate::{provider, time};

/// The signing region for `host` by the MongoDB spec's table; `AuthenticationError` when the
/// host breaks the spec's rules (empty, over 255 bytes, an empty label).
#[pyfunction]
pub fn sts_region(py: Python<'_>, host: &str) -> PyResult<String> {
    sts_host::region_for_host(host).map(str::to_owned).into_py(py)
}

/// The signing time: `at` (a timezone-aware datetime or epoch seconds), or now.
fn signing_time(at: Option<&Bound<'_, PyAny>>) -> PyResult<SystemTime> {
    match at.filter(|a| !a.is_none()) {
        Some(at) => time::instant_from_py(at, "at"),
        None => Ok(SystemTime::now()),
    }
}

/// `(authorization, amz_date)` of the GetCallerIdentity request for `host` and `server_nonce`,
/// signed with `credentials` at `at` (default: now).
#[pyfunction]
#[pyo3(signature = (credentials, host, server_nonce, at = None))]
pub fn sign_get_caller_identity(
    py: Python<'_>,
    credentials: PyRef<'_, PyCredentials>,
    host: &str,
    server_nonce: PyBackedBytes,
    at: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, String)> {
    let time = signing_time(at)?;
    let signature =
        signing::sign_get_caller_identity(&credentials.inner, host, &server_nonce, time).into_py(py)?;
    Ok((signature.authorization, signature.amz_date))
}

/// The client-final payload (BSON `{a, d[, t]}`) for `host` and `server_nonce`, signed with
/// `credentials` at `at` (default: now).
#[pyfunction]
#[pyo3(signature = (credentials, host, server_nonce, at = None))]
pub fn client_final_payload<'py>(
    py: Python<'py>,
    credentials: PyRef<'_, PyCredentials>,
    host: &str,
    server_nonce: PyBackedBytes,
    at: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let time = signing_time(at)?;
    let payload = signing::client_final_payload(&credentials.inner, host, &server_nonce, time).into_py(py)?;
    Ok(PyBytes::new(py, &payload))
}

/// `(auth_source, credentials)` of a connection string's MONGODB-AWS settings, checked by the
/// spec's rules under `credential_policy`: `ConfigurationError` for settings the spec refuses,
/// `InvalidArgumentError` for text that is not a connection string. `credentials` is `None`
/// unless the legacy policy took them from the URI.
#[pyfunction]
#[pyo3(signature = (uri, credential_policy = None))]
pub fn validate_settings(
    py: Python<'_>,
    uri: &str,
    credential_policy: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, Option<PyCredentials>)> {
    let policy = policy_arg(credential_policy)?;
    let validated = AuthSettings::from_connection_string(uri).and_then(|s| s.validate(policy)).into_py(py)?;
    Ok((validated.source.to_owned(), validated.credentials.map(PyCredentials::new_inner)))
}

/// `credential_policy=`: `"strict"` (the current spec, the default) or `"legacy"`.
pub fn policy_arg(value: Option<&Bound<'_, PyAny>>) -> PyResult<CredentialPolicy> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(CredentialPolicy::default()) };
    let py = value.py();
    let Ok(name) = value.cast::<PyString>() else {
        return Err(invalid_type(
            py,
            format!("credential_policy must be \"strict\" or \"legacy\", not {}", type_name(value)),
        ));
    };
    match name.to_cow()?.as_ref() {
        "strict" => Ok(CredentialPolicy::Strict),
        "legacy" => Ok(CredentialPolicy::Legacy),
        other => Err(invalid_value(
            py,
            format!("credential_policy must be \"strict\" or \"legacy\", not {other:?}"),
        )),
    }
}

/// Validated credentials from any shape a custom provider may return (`Credentials`, a mapping,
/// an object with `access_key_id`/`secret_access_key`, `access_key`/`secret_key` or
/// `username`/`password`, and an optional `expiration`).
#[pyfunction]
pub fn credentials_from_object(value: &Bound<'_, PyAny>) -> PyResult<PyCredentials> {
    provider::credentials_from_result(value).map(PyCredentials::new_inner)
}
