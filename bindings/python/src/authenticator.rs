//! `Authenticator`: resolves credentials and starts conversations. Blocking methods release the
//! GIL and run on the core's library runtime; each has an `*_async` twin for asyncio.

use mongoawsauth::{Credentials, Error, ErrorKind};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyInt;

use crate::asyncio;
use crate::conversation::{self, PyConversation};
use crate::credentials::{PyCredentials, PyResolution};
use crate::errors::{to_pyerr, to_pyerr_as};
use crate::options::{Args, Config};
use crate::provider::CallContext;
use crate::time;

/// Resolves AWS credentials for MONGODB-AWS. Thread-safe; keep one per client.
#[pyclass(frozen, module = "mongoawsauth", name = "Authenticator")]
#[derive(Debug)]
pub struct PyAuthenticator {
    config: Config,
}

/// Converts a core result, attaching the exception a Python callable raised as `__cause__`.
/// A provider's return value that failed validation with a `ValueError` (an expiry past year
/// 9999...) raises `InvalidProviderResultError`: still a `CredentialsProviderError`, and a
/// `ValueError` like every invalid value.
fn finish<T>(py: Python<'_>, result: Result<T, Error>, ctx: &CallContext) -> PyResult<T> {
    result.map_err(|e| {
        let cause = ctx.take_cause();
        if cause.is_some() && ctx.result_was_invalid() && e.kind() == ErrorKind::CredentialsProvider {
            to_pyerr_as(py, &e, cause, "InvalidProviderResultError")
        } else {
            to_pyerr(py, &e, cause)
        }
    })
}

fn credentials_object(py: Python<'_>, c: Credentials) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyCredentials::new_inner(c))?.into_any())
}

impl PyAuthenticator {
    fn prepare(
        &self,
        py: Python<'_>,
        event_loop: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(mongoawsauth::Authenticator, CallContext)> {
        let ctx = CallContext::new(event_loop.map(|l| l.clone().unbind()), self.config.timeout);
        let authenticator = self.config.authenticator(py, &ctx)?;
        Ok((authenticator, ctx))
    }

    /// Runs a core future to completion with the GIL released.
    fn blocking<T: Send>(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        run: impl AsyncFnOnce(mongoawsauth::Authenticator, std::time::Instant) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        let deadline = time::deadline(timeout, self.config.timeout)?;
        let (authenticator, ctx) = self.prepare(py, None)?;
        let result = py.detach(|| mongoawsauth::runtime::block_on(run(authenticator, deadline)));
        finish(py, result.and_then(|r| r), &ctx)
    }

    /// Runs a core future on the library runtime and returns an asyncio future.
    fn awaitable<'py, T, F, C>(
        &self,
        py: Python<'py>,
        timeout: Option<f64>,
        run: impl FnOnce(mongoawsauth::Authenticator, std::time::Instant) -> F,
        convert: C,
    ) -> PyResult<Bound<'py, PyAny>>
    where
        F: Future<Output = Result<T, Error>> + Send + 'static,
        T: Send + 'static,
        C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>> + Send + 'static,
    {
        let deadline = time::deadline(timeout, self.config.timeout)?;
        let event_loop = asyncio::running_loop(py)?;
        let (authenticator, ctx) = self.prepare(py, Some(&event_loop))?;
        asyncio::spawn(py, &event_loop, run(authenticator, deadline), move |py, result| {
            finish(py, result, &ctx).and_then(|value| convert(py, value))
        })
    }
}

#[pymethods]
impl PyAuthenticator {
    #[new]
    #[pyo3(signature = (
        *,
        provider = None,
        credentials = None,
        credential_policy = "strict",
        env = None,
        timeout = 10.0,
        refresh_window = 300.0,
        refresh_ahead = 600.0,
        sts_endpoint = None,
        imds_endpoint = None,
        ecs_base_url = None,
        metadata_connect_timeout = None,
        metadata_read_timeout = None,
        sts_timeout = None,
        profile = None,
        shared_config = None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        provider: Option<&Bound<'_, PyAny>>,
        credentials: Option<&Bound<'_, PyAny>>,
        credential_policy: &str,
        env: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        refresh_window: f64,
        refresh_ahead: f64,
        sts_endpoint: Option<String>,
        imds_endpoint: Option<String>,
        ecs_base_url: Option<String>,
        metadata_connect_timeout: Option<f64>,
        metadata_read_timeout: Option<f64>,
        sts_timeout: Option<f64>,
        profile: Option<&Bound<'_, PyAny>>,
        shared_config: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let credentials = credentials
            .map(|c| {
                c.cast::<PyCredentials>()
                    .map(|c| c.get().inner.clone())
                    .map_err(|_| PyTypeError::new_err("credentials must be mongoawsauth.Credentials"))
            })
            .transpose()?;
        let config = Config::from_args(Args {
            provider,
            credentials,
            credential_policy,
            env,
            timeout,
            refresh_window,
            refresh_ahead,
            sts_endpoint,
            imds_endpoint,
            ecs_base_url,
            metadata_connect_timeout,
            metadata_read_timeout,
            sts_timeout,
            profile,
            shared_config,
        })?;
        let me = PyAuthenticator { config };
        // Surface configuration errors (explicit credentials under the strict policy...) now.
        me.prepare(py, None)?;
        Ok(me)
    }

    /// Resolves credentials, waiting at most `timeout` seconds (default: the authenticator's).
    #[pyo3(signature = (timeout = None))]
    fn credentials(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyCredentials> {
        self.blocking(py, timeout, async |a, deadline| a.credentials_until(deadline).await)
            .map(PyCredentials::new_inner)
    }

    /// Awaitable twin of `credentials()`.
    #[pyo3(signature = (timeout = None))]
    fn credentials_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        self.awaitable(
            py,
            timeout,
            |a, deadline| async move { a.credentials_until(deadline).await },
            credentials_object,
        )
    }

    /// Like `credentials()`, and says whether they came from the cache and how long it took.
    #[pyo3(signature = (timeout = None))]
    fn resolve(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyResolution> {
        let resolution = self.blocking(py, timeout, async |a, deadline| a.resolve_until(deadline).await)?;
        PyResolution::new(py, resolution)
    }

    /// Awaitable twin of `resolve()`.
    #[pyo3(signature = (timeout = None))]
    fn resolve_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        self.awaitable(
            py,
            timeout,
            |a, deadline| async move { a.resolve_until(deadline).await },
            |py, r| Ok(Py::new(py, PyResolution::new(py, r)?)?.into_any()),
        )
    }

    /// Resolves credentials and starts a conversation with them.
    #[pyo3(signature = (timeout = None))]
    fn conversation(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyConversation> {
        let conversation =
            self.blocking(py, timeout, async |a, deadline| a.conversation_until(deadline).await)?;
        PyConversation::wrap(py, conversation)
    }

    /// Awaitable twin of `conversation()`.
    #[pyo3(signature = (timeout = None))]
    fn conversation_async<'py>(&self, py: Python<'py>, timeout: Option<f64>) -> PyResult<Bound<'py, PyAny>> {
        self.awaitable(
            py,
            timeout,
            |a, deadline| async move { a.conversation_until(deadline).await },
            |py, c| Ok(Py::new(py, PyConversation::wrap(py, c)?)?.into_any()),
        )
    }

    /// Reports a failed login so that the cached credentials it used are dropped. Takes the
    /// `Conversation`, its `Credentials` or their `generation`; returns whether an entry was
    /// dropped (only the entry of that generation, and only while it is current).
    fn report_failure(&self, py: Python<'_>, used: &Bound<'_, PyAny>) -> PyResult<bool> {
        let generation = if let Ok(c) = used.cast::<PyConversation>() {
            c.get().generation()
        } else if let Ok(c) = used.cast::<PyCredentials>() {
            c.get().inner.generation()
        } else if used.is_instance_of::<PyInt>() {
            Some(used.extract::<u64>().map_err(|_| {
                pyo3::exceptions::PyValueError::new_err("a generation is a non-negative integer")
            })?)
        } else {
            return Err(PyTypeError::new_err(format!(
                "report_failure takes a Conversation, Credentials or a generation (int), not {}",
                used.get_type().name()?
            )));
        };
        Ok(conversation::report(py, generation))
    }

    fn __repr__(&self) -> String {
        format!("Authenticator({})", self.config.describe())
    }
}
