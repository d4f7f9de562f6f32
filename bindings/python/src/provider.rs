//! Application code as credential sources: a Python callable as the spec's
//! `AWS_CREDENTIAL_PROVIDER` (the core's `CustomProvider`), and `SamlProvider` (the core's
//! `SamlProvider`, whose assertion may come from a Python callable).
//!
//! Callables run on the core's blocking pool, attached to the interpreter for the call. A
//! callable may return an awaitable: from `credentials_async()` it runs on the caller's event
//! loop, from the blocking API in a private event loop on the worker thread. The exception a
//! callable raises travels through the core as the error's cause, so the error the caller sees
//! has it as `__cause__`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::provider::saml::{AssertionSource, SamlOptions};
use mongoawsauth::{Credentials, Error, ErrorKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyMapping, PyModule, PyString};
use zeroize::Zeroizing;

use crate::credentials::{self, PyCredentials};
use crate::errors::{IntoPyResult, PyCause};
use crate::time;

/// What a callable needs to know about the call that triggered it.
#[derive(Clone, Debug)]
pub struct CallContext {
    /// The caller's running event loop, for `*_async` calls.
    pub event_loop: Option<Arc<Py<PyAny>>>,
    /// How long an awaitable may take.
    pub timeout: Duration,
}

impl CallContext {
    pub fn new(event_loop: Option<Py<PyAny>>, timeout: Duration) -> Self {
        CallContext { event_loop: event_loop.map(Arc::new), timeout }
    }
}

static SUPPORT: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// `mongoawsauth._support`: the few lines of asyncio glue that are simpler in Python.
pub fn support(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    SUPPORT.get_or_try_init(py, || py.import("mongoawsauth._support").map(Bound::unbind)).map(|m| m.bind(py))
}

/// Calls `callable()` and, if it returned an awaitable, waits for its result.
fn call<'py>(py: Python<'py>, callable: &Py<PyAny>, ctx: &CallContext) -> PyResult<Bound<'py, PyAny>> {
    let result = callable.bind(py).call0()?;
    if !result.hasattr("__await__")? {
        return Ok(result);
    }
    let event_loop = ctx.event_loop.as_ref().map(|l| l.bind(py).clone());
    support(py)?.getattr("run_awaitable")?.call1((result, event_loop, ctx.timeout.as_secs_f64()))
}

/// Runs a Python callable from a core worker thread, turning its exception into a core error
/// whose cause is that exception (the caller's `__cause__`).
fn run_callable<T>(
    callable: &Py<PyAny>,
    ctx: &CallContext,
    what: &str,
    convert: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
) -> Result<T, Error> {
    let outcome = crate::exit::attach(|py| {
        let result = call(py, callable, ctx).map_err(|e| (e, false)).and_then(|value| {
            convert(&value).map_err(|e| {
                let invalid = e.is_instance_of::<PyValueError>(py);
                (e, invalid)
            })
        });
        result.map_err(|(e, invalid)| {
            Error::new(ErrorKind::CredentialsProvider, describe(py, &e)).with_cause(PyCause::new(e, invalid))
        })
    });
    match outcome {
        Some(result) => result,
        None => Err(Error::new(
            ErrorKind::Runtime,
            format!("the Python interpreter is shutting down, so the {what} was not called"),
        )),
    }
}

/// `TypeName: message` of an exception, without its traceback.
fn describe(py: Python<'_>, err: &PyErr) -> String {
    let name = err.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "Exception".into());
    match err.value(py).str() {
        Ok(text) if !text.to_string_lossy().is_empty() => format!("{name}: {}", text.to_string_lossy()),
        _ => name,
    }
}

/// The core's custom provider over a Python callable, for one call.
pub fn custom_provider(callable: Arc<Py<PyAny>>, ctx: CallContext) -> CustomProvider {
    CustomProvider::from_fn(move || {
        run_callable(&callable, &ctx, "custom credential provider", credentials_from_result)
    })
}

/// Reads one optional string attribute or mapping entry; a value of another type is a
/// `TypeError` that names the field (never its value).
fn field(obj: &Bound<'_, PyAny>, name: &str, mapping: bool) -> PyResult<Option<String>> {
    let value = if mapping {
        match obj.cast::<PyMapping>()?.get_item(name) {
            Ok(v) => v,
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(obj.py()) => return Ok(None),
            Err(e) => return Err(e),
        }
    } else {
        match obj.getattr_opt(name)? {
            Some(v) => v,
            None => return Ok(None),
        }
    };
    if value.is_none() {
        return Ok(None);
    }
    match value.cast::<PyString>() {
        Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
        Err(_) => Err(PyTypeError::new_err(format!(
            "the credential provider's {name} must be a str or None, not {}",
            value.get_type().name()?
        ))),
    }
}

/// Credentials from what a custom provider returned: `mongoawsauth.Credentials`, a mapping with
/// `access_key_id`, `secret_access_key` and optional `session_token` / `expiration`, or an object
/// with those attributes, botocore's `access_key` / `secret_key` / `token`, or
/// pymongo-auth-aws's `username` / `password` / `token`.
pub fn credentials_from_result(obj: &Bound<'_, PyAny>) -> PyResult<Credentials> {
    let py = obj.py();
    if let Ok(c) = obj.cast::<PyCredentials>() {
        return Ok(c.get().inner.clone());
    }
    let mapping = obj.cast::<PyMapping>().is_ok();
    let shapes: &[[&str; 3]] = if mapping {
        &[["access_key_id", "secret_access_key", "session_token"]]
    } else {
        &[
            ["access_key_id", "secret_access_key", "session_token"],
            ["access_key", "secret_key", "token"],
            ["username", "password", "token"],
        ]
    };
    for [id, secret, token] in shapes {
        let has_id = if mapping { obj.cast::<PyMapping>()?.contains(*id)? } else { obj.hasattr(*id)? };
        if !has_id {
            continue;
        }
        let expiry = match if mapping {
            obj.cast::<PyMapping>()?.get_item("expiration").ok()
        } else {
            obj.getattr_opt("expiration")?
        } {
            Some(e) if !e.is_none() => {
                Some(time::instant_from_py(&e, "the credential provider's expiration")?)
            }
            _ => None,
        };
        return credentials::build(
            py,
            field(obj, id, mapping)?.as_deref(),
            field(obj, secret, mapping)?.as_deref(),
            field(obj, token, mapping)?.as_deref(),
            expiry,
            mongoawsauth::provider::custom::NAME,
        );
    }
    Err(PyTypeError::new_err(format!(
        "a credential provider must return mongoawsauth.Credentials, a mapping with \
         access_key_id and secret_access_key, or an object with access_key and secret_key; it \
         returned {}",
        obj.get_type().name()?
    )))
}

#[derive(Debug)]
enum Assertion {
    Callable(Arc<Py<PyAny>>),
    Fixed(Arc<Zeroizing<String>>),
    File(PathBuf),
}

/// Credentials from STS `AssumeRoleWithSAML`, for `Authenticator(provider=SamlProvider(...))`.
/// The assertion is a base64 SAML response: a str, a callable returning one (called at every
/// fetch, since assertions live for minutes), or `assertion_file`, re-read at every fetch.
#[pyclass(frozen, module = "mongoawsauth", name = "SamlProvider")]
#[derive(Debug)]
pub struct PySamlProvider {
    role_arn: String,
    principal_arn: String,
    assertion: Assertion,
    duration: Option<Duration>,
    policy: Option<String>,
}

impl PySamlProvider {
    pub fn role_arn_str(&self) -> &str {
        &self.role_arn
    }

    /// The core's description of this SAML source for one call (the assertion callable runs
    /// with `ctx`); `Authenticator::saml` checks it and builds the authenticator.
    pub fn saml_options(&self, ctx: &CallContext) -> SamlOptions {
        let source = match &self.assertion {
            Assertion::Callable(callable) => {
                let (callable, ctx) = (Arc::clone(callable), ctx.clone());
                AssertionSource::from_fn(move || {
                    run_callable(&callable, &ctx, "SAML assertion callable", |v| {
                        v.cast::<PyString>().map_err(|_| {
                            PyTypeError::new_err("the SAML assertion callable must return a str")
                        })?;
                        v.extract::<String>()
                    })
                })
            }
            Assertion::Fixed(text) => {
                let text = Arc::clone(text);
                AssertionSource::from_fn(move || Ok(String::clone(&text)))
            }
            Assertion::File(path) => AssertionSource::from_file(path.clone()),
        };
        let mut saml = SamlOptions::new(&self.role_arn, &self.principal_arn, source);
        saml.duration = self.duration;
        saml.policy = self.policy.clone();
        saml
    }
}

#[pymethods]
impl PySamlProvider {
    #[new]
    #[pyo3(signature = (role_arn, principal_arn, *, assertion = None, assertion_file = None, duration = None, policy = None))]
    fn py_new(
        py: Python<'_>,
        role_arn: String,
        principal_arn: String,
        assertion: Option<&Bound<'_, PyAny>>,
        assertion_file: Option<PathBuf>,
        duration: Option<u64>,
        policy: Option<String>,
    ) -> PyResult<Self> {
        let assertion = match (assertion, assertion_file) {
            (Some(a), None) if a.is_callable() => Assertion::Callable(Arc::new(a.clone().unbind())),
            (Some(a), None) => match a.cast::<PyString>() {
                Ok(s) => Assertion::Fixed(Arc::new(Zeroizing::new(s.to_cow()?.into_owned()))),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "assertion must be a str or a callable returning one, not {}",
                        a.get_type().name()?
                    )));
                }
            },
            (None, Some(path)) => Assertion::File(path),
            (None, None) => return Err(PyValueError::new_err("give assertion or assertion_file")),
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err("give assertion or assertion_file, not both"));
            }
        };
        let me = PySamlProvider {
            role_arn,
            principal_arn,
            assertion,
            duration: duration.map(Duration::from_secs),
            policy,
        };
        // Validate the ARNs, duration and policy now rather than at the first login.
        me.saml_options(&CallContext::new(None, Duration::from_secs(1))).validate().into_py(py)?;
        Ok(me)
    }

    /// The role this provider assumes.
    #[getter(role_arn)]
    fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// The IAM SAML provider (the identity provider's principal ARN).
    #[getter]
    fn principal_arn(&self) -> &str {
        &self.principal_arn
    }

    fn __repr__(&self) -> String {
        format!("SamlProvider(role_arn={:?}, principal_arn={:?})", self.role_arn, self.principal_arn)
    }
}
