//! `Conversation`: one login's SASL payloads. A context manager: leaving the `with` block with an
//! exception reports the failure, so cached credentials that no longer work are dropped.

use std::sync::{Mutex, MutexGuard};

use mongoawsauth::Conversation;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyBytes;

use crate::credentials::PyCredentials;
use crate::errors::{IntoPyResult, invalid_type, type_name};

/// One connection's MONGODB-AWS conversation: `client_first()` for `saslStart`, then
/// `client_final(server_payload)` for `saslContinue`.
#[pyclass(frozen, module = "mongoawsauth", name = "Conversation")]
#[derive(Debug)]
pub struct PyConversation {
    inner: Mutex<Conversation>,
    credentials: Py<PyCredentials>,
}

impl PyConversation {
    pub fn wrap(py: Python<'_>, conversation: Conversation) -> PyResult<Self> {
        let credentials = Py::new(py, PyCredentials::new_inner(conversation.credentials().clone()))?;
        Ok(PyConversation { inner: Mutex::new(conversation), credentials })
    }

    fn lock(&self) -> MutexGuard<'_, Conversation> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn generation(&self) -> Option<u64> {
        self.credentials.get().inner.generation()
    }
}

/// Drops the cache entry of this generation (with the GIL released: the core logs the report).
pub fn report(py: Python<'_>, generation: Option<u64>) -> bool {
    match generation {
        Some(g) => py.detach(|| mongoawsauth::cache::invalidate_generation(g)),
        None => false,
    }
}

#[pymethods]
impl PyConversation {
    /// A conversation with explicit credentials (no resolution).
    #[new]
    fn py_new(py: Python<'_>, credentials: &Bound<'_, PyAny>) -> PyResult<Self> {
        let credentials = credentials.cast::<PyCredentials>().map_err(|_| {
            invalid_type(
                py,
                format!("Conversation() takes mongoawsauth.Credentials, not {}", type_name(credentials)),
            )
        })?;
        let conversation = Conversation::new(credentials.get().inner.clone()).into_py(py)?;
        PyConversation::wrap(py, conversation)
    }

    /// The credentials this conversation signs with.
    #[getter]
    fn credentials(&self, py: Python<'_>) -> Py<PyCredentials> {
        self.credentials.clone_ref(py)
    }

    /// The client-first payload (BSON `{r, p}`) for `saslStart`.
    fn client_first<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let payload = self.lock().client_first().into_py(py)?;
        Ok(PyBytes::new(py, &payload))
    }

    /// Validates the server's `saslStart` reply payload and returns the signed client-final
    /// payload (BSON `{a, d, t?}`) for `saslContinue`.
    fn client_final<'py>(
        &self,
        py: Python<'py>,
        server_payload: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let bytes: PyBackedBytes = server_payload.extract().map_err(|_| {
            invalid_type(
                py,
                format!("server_payload must be bytes or bytearray, not {}", type_name(server_payload)),
            )
        })?;
        let payload = self.lock().client_final(&bytes).into_py(py)?;
        Ok(PyBytes::new(py, &payload))
    }

    /// Reports that the login failed: drops the cache entry these credentials came from (if
    /// they came from the cache and it is still current). Returns whether one was dropped.
    fn report_failure(&self, py: Python<'_>) -> bool {
        report(py, self.generation())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (exc_type, _exc_value, _traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        if exc_type.is_some_and(|t| !t.is_none()) {
            report(py, self.generation());
        }
        false
    }

    fn __repr__(&self) -> String {
        format!("Conversation(credentials={})", self.credentials.get().__repr__())
    }
}
