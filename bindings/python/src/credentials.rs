//! `Credentials` and `Resolution`: read-only views of the core's types. The secret and the
//! token are reachable only through their named attributes; `repr()` never shows them.

use std::time::SystemTime;

use mongoawsauth::{APPLICATION_SOURCE, Credentials, Resolution};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::{IntoPyResult, invalid_type, type_name};
use crate::time;

/// What `repr()` shows instead of a secret.
const REDACTED: &str = "** redacted **";

/// AWS credentials. Build with `Credentials(access_key_id, secret_access_key, session_token=None,
/// *, expiration=None, source=None)`; `source` defaults to the core's name for credentials an
/// application builds itself, `"application"`. Every attribute is read-only.
#[pyclass(frozen, module = "mongoawsauth", name = "Credentials")]
#[derive(Debug)]
pub struct PyCredentials {
    pub inner: Credentials,
}

impl PyCredentials {
    pub fn new_inner(inner: Credentials) -> Self {
        PyCredentials { inner }
    }
}

/// Validates through the core, so Python gets the same rules (and messages) as every binding.
pub fn build(
    py: Python<'_>,
    access_key_id: Option<&str>,
    secret_access_key: Option<&str>,
    session_token: Option<&str>,
    expiration: Option<SystemTime>,
    source: &str,
) -> PyResult<Credentials> {
    Credentials::new(access_key_id, secret_access_key, session_token, expiration, source).into_py(py)
}

/// A `str` or `None` argument; another type is an `InvalidArgumentTypeError` naming `keyword`
/// (never showing the value, which may be a secret).
fn optional_str(value: &Bound<'_, PyAny>, keyword: &str) -> PyResult<Option<String>> {
    if value.is_none() {
        return Ok(None);
    }
    match value.cast::<PyString>() {
        Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
        Err(_) => Err(invalid_type(
            value.py(),
            format!("{keyword} must be a str or None, not {}", type_name(value)),
        )),
    }
}

#[pymethods]
impl PyCredentials {
    #[new]
    #[pyo3(signature = (access_key_id, secret_access_key, session_token = None, *, expiration = None, source = None))]
    fn py_new(
        py: Python<'_>,
        access_key_id: &Bound<'_, PyAny>,
        secret_access_key: &Bound<'_, PyAny>,
        session_token: Option<&Bound<'_, PyAny>>,
        expiration: Option<&Bound<'_, PyAny>>,
        source: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let access_key_id = optional_str(access_key_id, "access_key_id")?;
        let secret_access_key = optional_str(secret_access_key, "secret_access_key")?;
        let session_token = session_token.map(|t| optional_str(t, "session_token")).transpose()?.flatten();
        let source = source.map(|s| optional_str(s, "source")).transpose()?.flatten();
        let expiry = expiration
            .filter(|e| !e.is_none())
            .map(|e| time::instant_from_py(e, "expiration"))
            .transpose()?;
        let source = source.as_deref().unwrap_or(APPLICATION_SOURCE);
        let inner = build(
            py,
            access_key_id.as_deref(),
            secret_access_key.as_deref(),
            session_token.as_deref(),
            expiry,
            source,
        )?;
        Ok(PyCredentials { inner })
    }

    /// The access key id (not a secret).
    #[getter]
    fn access_key_id(&self) -> &str {
        self.inner.access_key_id()
    }

    /// The secret access key. Never log it.
    #[getter]
    fn secret_access_key(&self) -> &str {
        self.inner.secret_access_key()
    }

    /// The session token of temporary credentials, or `None`. Never log it.
    #[getter]
    fn session_token(&self) -> Option<&str> {
        self.inner.session_token()
    }

    /// When they expire (a UTC `datetime`), or `None`.
    #[getter]
    fn expiration<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.expiration().map(|e| time::datetime_from(py, e)).transpose()
    }

    /// When they expire, in seconds since the Unix epoch, or `None`.
    #[getter]
    fn expiration_timestamp(&self) -> Option<f64> {
        self.inner.expiration().map(time::epoch_seconds)
    }

    /// The name of the source that produced them (`"environment"`, `"web_identity"`, ...).
    #[getter]
    fn source(&self) -> &str {
        self.inner.source()
    }

    /// Whether they carry a session token.
    #[getter]
    fn is_temporary(&self) -> bool {
        self.inner.is_temporary()
    }

    /// The generation of the cache entry they came from, or `None` if not cached.
    #[getter]
    fn generation(&self) -> Option<u64> {
        self.inner.generation()
    }

    pub fn __repr__(&self) -> String {
        let c = &self.inner;
        let token = if c.is_temporary() { format!("{REDACTED:?}") } else { "None".to_owned() };
        let expiration = match c.expiration() {
            Some(e) => format!("{:?}", expiry_text(e)),
            None => "None".to_owned(),
        };
        format!(
            "Credentials(access_key_id={:?}, secret_access_key={REDACTED:?}, session_token={token}, \
             expiration={expiration}, source={:?})",
            c.access_key_id(),
            c.source()
        )
    }

    fn __str__(&self) -> String {
        let c = &self.inner;
        match c.expiration() {
            Some(e) if !time::in_range(e) => format!(
                "{} credentials {} from {}, expiring {}",
                if c.is_temporary() { "temporary" } else { "long-term" },
                c.access_key_id(),
                c.source(),
                expiry_text(e)
            ),
            _ => c.to_string(),
        }
    }
}

/// An expiry as ISO 8601, or as epoch seconds when it lies outside what the formatter can print
/// (never raised from `repr()`/`str()`: Python input is bounded, but a core source is not).
fn expiry_text(expiry: SystemTime) -> String {
    if time::in_range(expiry) {
        mongoawsauth::time_fmt::iso8601(expiry)
    } else {
        format!("at epoch second {:.0}", time::epoch_seconds(expiry))
    }
}

/// The outcome of one resolution: `credentials`, `from_cache` and `elapsed` (seconds).
#[pyclass(frozen, module = "mongoawsauth", name = "Resolution")]
#[derive(Debug)]
pub struct PyResolution {
    #[pyo3(get)]
    credentials: Py<PyCredentials>,
    #[pyo3(get)]
    from_cache: bool,
    #[pyo3(get)]
    elapsed: f64,
}

impl PyResolution {
    pub fn new(py: Python<'_>, resolution: Resolution) -> PyResult<Self> {
        Ok(PyResolution {
            credentials: Py::new(py, PyCredentials::new_inner(resolution.credentials))?,
            from_cache: resolution.from_cache,
            elapsed: resolution.elapsed.as_secs_f64(),
        })
    }
}

#[pymethods]
impl PyResolution {
    fn __repr__(&self) -> String {
        format!(
            "Resolution(credentials={}, from_cache={}, elapsed={:.6})",
            self.credentials.get().__repr__(),
            if self.from_cache { "True" } else { "False" },
            self.elapsed
        )
    }
}
