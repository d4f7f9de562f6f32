//! Core errors as Python exceptions.
//!
//! The classes live in `mongoawsauth/errors.py` (one hierarchy under `MongoAwsAuthError`, one
//! subclass per [`ErrorKind`]); this module builds instances of them with the message, the
//! stable code and the chain's attempts. Messages come from the core, which never puts a secret
//! in one.

use mongoawsauth::{Attempt, AttemptOutcome, Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyTuple};

/// One source a credential chain tried: `source`, `outcome` (`"succeeded"`, `"not_configured"`
/// or `"failed"`), `message` (why, or `None` on success) and `elapsed` (seconds).
#[pyclass(frozen, module = "mongoawsauth", name = "Attempt")]
#[derive(Debug)]
pub struct PyAttempt {
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    outcome: &'static str,
    #[pyo3(get)]
    message: Option<String>,
    #[pyo3(get)]
    elapsed: f64,
}

impl From<&Attempt> for PyAttempt {
    fn from(a: &Attempt) -> Self {
        let (outcome, message) = match &a.outcome {
            AttemptOutcome::Succeeded => ("succeeded", None),
            AttemptOutcome::NotConfigured(why) => ("not_configured", Some(why.clone())),
            AttemptOutcome::Failed { message, .. } => ("failed", Some(message.clone())),
        };
        PyAttempt { source: a.source.clone(), outcome, message, elapsed: a.elapsed.as_secs_f64() }
    }
}

#[pymethods]
impl PyAttempt {
    fn __repr__(&self) -> String {
        let message = match &self.message {
            Some(m) => format!("{m:?}"),
            None => "None".to_owned(),
        };
        format!(
            "Attempt(source={:?}, outcome={:?}, message={message}, elapsed={:.6})",
            self.source, self.outcome, self.elapsed
        )
    }
}

/// The class in `mongoawsauth.errors` for each kind.
fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "InvalidArgumentError",
        ErrorKind::Configuration => "ConfigurationError",
        ErrorKind::CredentialsNotFound => "CredentialsNotFoundError",
        ErrorKind::CredentialsProvider => "CredentialsProviderError",
        ErrorKind::Authentication => "AuthenticationError",
        ErrorKind::Signing => "SigningError",
        ErrorKind::Timeout => "CredentialsTimeoutError",
        ErrorKind::Runtime => "RuntimeContextError",
        _ => "InternalError",
    }
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn build(py: Python<'_>, err: &Error, class: &str) -> PyResult<PyErr> {
    let module = ERRORS_MODULE.get_or_try_init(py, || py.import("mongoawsauth.errors").map(Bound::unbind))?;
    let class = module.bind(py).getattr(class)?;
    let attempts =
        err.attempts().iter().map(|a| Py::new(py, PyAttempt::from(a))).collect::<PyResult<Vec<_>>>()?;
    let attempts = PyTuple::new(py, attempts)?;
    let exc = class.call1((err.to_string(), err.kind().result_code(), err.kind().as_str(), attempts))?;
    Ok(PyErr::from_value(exc))
}

/// The Python exception for a core error, with `cause` (an exception raised by the
/// application's own callback) as its `__cause__`.
pub fn to_pyerr(py: Python<'_>, err: &Error, cause: Option<PyErr>) -> PyErr {
    to_pyerr_as(py, err, cause, class_name(err.kind()))
}

/// Like [`to_pyerr`], as the class `class` of `mongoawsauth.errors` (a subclass of the kind's).
pub fn to_pyerr_as(py: Python<'_>, err: &Error, cause: Option<PyErr>, class: &str) -> PyErr {
    match build(py, err, class) {
        Ok(exc) => {
            if let Some(cause) = cause {
                exc.set_cause(py, Some(cause));
            }
            exc
        }
        // Only if the package is broken (errors.py missing): still say what failed.
        Err(import_error) => {
            let exc = PyRuntimeError::new_err(err.to_string());
            exc.set_cause(py, Some(import_error));
            exc
        }
    }
}

/// Shorthand for a result whose error has no Python cause.
pub trait IntoPyResult<T> {
    /// Converts the core error, if any.
    fn into_py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn into_py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_pyerr(py, &e, None))
    }
}
