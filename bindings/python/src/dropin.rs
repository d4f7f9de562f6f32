//! The native half of the `pymongo_auth_aws` drop-in's private helpers: the region of an STS
//! host, a GetCallerIdentity signature over explicit inputs, and the check that turns whatever a
//! user hands `set_cached_credentials` into validated credentials. Each one is the core's code;
//! the drop-in only renames errors into 1.3's words.

use std::time::SystemTime;

use mongoawsauth::{signing, sts_host};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;

use crate::credentials::PyCredentials;
use crate::errors::IntoPyResult;
use crate::provider;

/// The signing region for `host` by the MongoDB spec's table; `AuthenticationError` when the
/// host breaks the spec's rules (empty, over 255 bytes, an empty label).
#[pyfunction]
pub fn sts_region(py: Python<'_>, host: &str) -> PyResult<String> {
    sts_host::region_for_host(host).map(str::to_owned).into_py(py)
}

/// `(authorization, amz_date)` of the GetCallerIdentity request for `host` and `server_nonce`,
/// signed now with `credentials`.
#[pyfunction]
pub fn sign_get_caller_identity(
    py: Python<'_>,
    credentials: PyRef<'_, PyCredentials>,
    host: &str,
    server_nonce: PyBackedBytes,
) -> PyResult<(String, String)> {
    let signature =
        signing::sign_get_caller_identity(&credentials.inner, host, &server_nonce, SystemTime::now())
            .into_py(py)?;
    Ok((signature.authorization, signature.amz_date))
}

/// Validated credentials from any shape a custom provider may return (`Credentials`, a mapping,
/// an object with `access_key_id`/`secret_access_key`, `access_key`/`secret_key` or
/// `username`/`password`, and an optional `expiration`).
#[pyfunction]
pub fn credentials_from_object(value: &Bound<'_, PyAny>) -> PyResult<PyCredentials> {
    provider::credentials_from_result(value).map(PyCredentials::new_inner)
}
