//! Core errors as Python exceptions.
//!
//! The classes live in `mongoawsauth/errors.py` (one hierarchy under `MongoAwsAuthError`, one
//! subclass per [`ErrorKind`]), which picks the class from the error's result code; this module
//! hands it the message, the result code, the chain's attempts and, as `__cause__`, the
//! exception an application callback raised, found in the core error's cause chain. Messages
//! come from the core, which never puts a secret in one.

use std::fmt;

use mongoawsauth::{Attempt, AttemptOutcome, Error, ErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyTuple};

/// One source a credential chain tried: `source`, `outcome` (`"succeeded"`, `"not_configured"`
/// or `"failed"`), `message` (why, or `None` on success), `code` (the error code of a failed
/// source, else `None`) and `elapsed` (seconds).
#[pyclass(frozen, module = "mongoawsauth", name = "Attempt")]
#[derive(Debug)]
pub struct PyAttempt {
    #[pyo3(get)]
    source: String,
    #[pyo3(get)]
    outcome: &'static str,
    #[pyo3(get)]
    message: Option<String>,
    failed_kind: Option<ErrorKind>,
    #[pyo3(get)]
    elapsed: f64,
}

impl From<&Attempt> for PyAttempt {
    fn from(a: &Attempt) -> Self {
        let (message, failed_kind) = match &a.outcome {
            AttemptOutcome::Succeeded => (None, None),
            AttemptOutcome::NotConfigured(why) => (Some(why.clone()), None),
            AttemptOutcome::Failed { kind, message } => (Some(message.clone()), Some(*kind)),
        };
        PyAttempt {
            source: a.source.clone(),
            outcome: a.outcome.name(),
            message,
            failed_kind,
            elapsed: a.elapsed.as_secs_f64(),
        }
    }
}

#[pymethods]
impl PyAttempt {
    /// The `ErrorCode` of a failed source's error; `None` unless `outcome` is `"failed"`.
    #[getter]
    fn code<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(kind) = self.failed_kind else { return Ok(None) };
        errors_module(py)?.getattr("_code_of")?.call1((kind.name(),)).map(Some)
    }

    fn __repr__(&self) -> String {
        let message = match &self.message {
            Some(m) => format!("{m:?}"),
            None => "None".to_owned(),
        };
        let code = match self.failed_kind {
            Some(kind) => format!("{:?}", kind.name()),
            None => "None".to_owned(),
        };
        format!(
            "Attempt(source={:?}, outcome={:?}, message={message}, code={code}, elapsed={:.6})",
            self.source, self.outcome, self.elapsed
        )
    }
}

/// `(name, result code, description)` of every error kind the core has: the table
/// `mongoawsauth.errors.ErrorCode` reads its numbers and words from.
#[pyfunction]
pub fn error_kinds() -> Vec<(&'static str, u32, &'static str)> {
    ErrorKind::ALL.iter().map(|kind| (kind.name(), kind.result_code(), kind.description())).collect()
}

/// An exception the application's own code raised (a custom provider, a SAML assertion
/// callable), carried through the core as the cause of the error it led to, so the caller gets
/// it back as `__cause__`. The core never formats it: its text is already in the message.
pub struct PyCause {
    err: PyErr,
    /// The exception is a `ValueError` raised while reading what a provider returned (an expiry
    /// out of range, a blank key), rather than one the callable itself raised.
    invalid_result: bool,
}

impl PyCause {
    pub fn new(err: PyErr, invalid_result: bool) -> Self {
        PyCause { err, invalid_result }
    }
}

impl fmt::Debug for PyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PyCause")
    }
}

impl fmt::Display for PyCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an exception raised by Python code")
    }
}

impl std::error::Error for PyCause {}

/// The Python exception behind a core error's cause chain, if one came from Python.
fn python_cause(err: &Error) -> Option<&PyCause> {
    let mut next = err.cause();
    while let Some(cause) = next {
        if let Some(py_cause) = cause.downcast_ref::<PyCause>() {
            return Some(py_cause);
        }
        next = cause.downcast_ref::<Error>().and_then(Error::cause);
    }
    None
}

static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    ERRORS_MODULE
        .get_or_try_init(py, || py.import("mongoawsauth.errors").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// The error's text, naming the option it refuses (if any) by its Python keyword rather than by
/// the core's concept name.
fn text(err: &Error) -> String {
    let text = err.to_string();
    match err.option() {
        Some(concept) if crate::options::keyword(concept) != concept => {
            text.replace(concept, crate::options::keyword(concept))
        }
        _ => text,
    }
}

fn build(py: Python<'_>, err: &Error, invalid_result: bool, wrong_type: bool) -> PyResult<PyErr> {
    let attempts =
        err.attempts().iter().map(|a| Py::new(py, PyAttempt::from(a))).collect::<PyResult<Vec<_>>>()?;
    let attempts = PyTuple::new(py, attempts)?;
    let exc = errors_module(py)?.getattr("_from_core")?.call1((
        err.kind().result_code(),
        text(err),
        attempts,
        invalid_result,
        wrong_type,
    ))?;
    Ok(PyErr::from_value(exc))
}

fn convert(py: Python<'_>, err: &Error, wrong_type: bool) -> PyErr {
    let cause = python_cause(err);
    match build(py, err, cause.is_some_and(|c| c.invalid_result), wrong_type) {
        Ok(exc) => {
            if let Some(cause) = cause {
                exc.set_cause(py, Some(cause.err.clone_ref(py)));
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

/// The Python exception for a core error: the class of its kind, with the exception an
/// application callback raised (if that is what failed) as `__cause__`. A provider's return
/// value that failed validation with a `ValueError` (an expiry past year 9999...) raises
/// `InvalidProviderResultError`: still a `CredentialsProviderError`, and a `ValueError` like
/// every invalid value.
pub fn to_pyerr(py: Python<'_>, err: &Error) -> PyErr {
    convert(py, err, false)
}

/// `InvalidArgumentError` (a `ValueError`) with `message`, which names the argument.
pub fn invalid_value(py: Python<'_>, message: impl Into<String>) -> PyErr {
    convert(py, &Error::new(ErrorKind::InvalidArgument, message), false)
}

/// `InvalidArgumentTypeError` (a `TypeError` and an `InvalidArgumentError`) with `message`,
/// which names the argument and the type it needs.
pub fn invalid_type(py: Python<'_>, message: impl Into<String>) -> PyErr {
    convert(py, &Error::new(ErrorKind::InvalidArgument, message), true)
}

/// The name of `value`'s type, for "must be X, not Y" messages.
pub fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

/// Shorthand for converting a core result.
pub trait IntoPyResult<T> {
    /// Converts the core error, if any.
    fn into_py(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn into_py(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_pyerr(py, &e))
    }
}
