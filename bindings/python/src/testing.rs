//! The cache's test hooks (`mongoawsauth.testing`), for the MongoDB spec's caching tests. Every
//! hook runs with the GIL released: the cache's lock may be held by a core thread that is
//! logging through Python.

use mongoawsauth::cache;
use pyo3::prelude::*;

use crate::credentials::PyCredentials;
use crate::errors::IntoPyResult;
use crate::time;

/// One cache entry, without secrets.
#[pyclass(frozen, module = "mongoawsauth.testing", name = "CacheEntry")]
#[derive(Debug)]
pub struct PyCacheEntry {
    #[pyo3(get)]
    key: String,
    #[pyo3(get)]
    access_key_id: String,
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    expiration_timestamp: f64,
    #[pyo3(get)]
    generation: u64,
}

#[pymethods]
impl PyCacheEntry {
    fn __repr__(&self) -> String {
        format!(
            "CacheEntry(source={:?}, access_key_id={:?}, generation={}, expiration_timestamp={:.3})",
            self.source, self.access_key_id, self.generation, self.expiration_timestamp
        )
    }
}

#[pyfunction]
pub fn cache_entries(py: Python<'_>) -> Vec<PyCacheEntry> {
    py.detach(cache::entries)
        .into_iter()
        .map(|e| PyCacheEntry {
            key: e.key,
            access_key_id: e.access_key_id,
            source: e.source,
            expiration_timestamp: time::epoch_seconds(e.expiry),
            generation: e.generation,
        })
        .collect()
}

#[pyfunction]
#[pyo3(signature = (key = None))]
pub fn cache_get(py: Python<'_>, key: Option<String>) -> Option<PyCredentials> {
    py.detach(|| cache::get(key.as_deref())).map(PyCredentials::new_inner)
}

#[pyfunction]
pub fn cache_set(py: Python<'_>, key: String, credentials: PyRef<'_, PyCredentials>) -> PyResult<u64> {
    let credentials = credentials.inner.clone();
    py.detach(|| cache::set(&key, credentials)).into_py(py)
}

#[pyfunction]
pub fn cache_clear(py: Python<'_>) {
    py.detach(cache::clear)
}

#[pyfunction]
#[pyo3(signature = (expiration, key = None))]
pub fn cache_expire(py: Python<'_>, expiration: &Bound<'_, PyAny>, key: Option<String>) -> PyResult<usize> {
    let expiry = time::instant_from_py(expiration, "expiration")?;
    Ok(py.detach(|| cache::expire(key.as_deref(), expiry)))
}

#[pyfunction]
#[pyo3(signature = (key = None))]
pub fn cache_poison(py: Python<'_>, key: Option<String>) -> usize {
    py.detach(|| cache::poison(key.as_deref()))
}

#[pyfunction]
pub fn invalidate_generation(py: Python<'_>, generation: u64) -> bool {
    py.detach(|| cache::invalidate_generation(generation))
}

/// Stops the library runtime (it restarts on next use), for leak checks and clean exits.
#[pyfunction]
pub fn shutdown_runtime(py: Python<'_>) -> PyResult<()> {
    py.detach(mongoawsauth::runtime::shutdown).into_py(py)
}
