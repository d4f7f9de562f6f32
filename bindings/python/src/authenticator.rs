//! `Authenticator`: resolves credentials and starts conversations. Blocking methods release the
//! GIL and run on the core's library runtime; each has an `*_async` twin for asyncio.

use mongoawsauth::{Credentials, Error};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt};

use crate::asyncio;
use crate::conversation::{self, PyConversation};
use crate::credentials::{PyCredentials, PyResolution};
use crate::errors::{IntoPyResult, invalid_type, invalid_value, type_name};
use crate::options::{Args, Config, KEYWORDS};
use crate::provider::CallContext;
use crate::time;

/// Resolves AWS credentials for MONGODB-AWS. Thread-safe; keep one per client.
#[pyclass(frozen, subclass, module = "mongoawsauth._native", name = "Authenticator")]
#[derive(Debug)]
pub struct PyAuthenticator {
    config: Config,
}

fn credentials_object(py: Python<'_>, c: Credentials) -> PyResult<Py<PyAny>> {
    Ok(Py::new(py, PyCredentials::new_inner(c))?.into_any())
}

impl PyAuthenticator {
    fn prepare(
        &self,
        py: Python<'_>,
        event_loop: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<mongoawsauth::Authenticator> {
        let ctx = CallContext::new(event_loop.map(|l| l.clone().unbind()), self.config.timeout);
        self.config.authenticator(py, &ctx)
    }

    /// Runs a core future to completion with the GIL released.
    fn blocking<T: Send>(
        &self,
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
        run: impl AsyncFnOnce(mongoawsauth::Authenticator, std::time::Instant) -> Result<T, Error> + Send,
    ) -> PyResult<T> {
        let deadline = time::deadline(timeout, self.config.timeout)?;
        let authenticator = self.prepare(py, None)?;
        let result = py.detach(|| mongoawsauth::runtime::block_on(run(authenticator, deadline)));
        result.and_then(|r| r).into_py(py)
    }

    /// Runs a core future on the library runtime and returns an asyncio future.
    fn awaitable<'py, T, F, C>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'_, PyAny>>,
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
        let authenticator = self.prepare(py, Some(&event_loop))?;
        asyncio::spawn(py, &event_loop, run(authenticator, deadline), move |py, result| {
            result.into_py(py).and_then(|value| convert(py, value))
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
        credential_policy = None,
        env = None,
        timeout = None,
        refresh_window = None,
        refresh_ahead = None,
        sts_endpoint = None,
        imds_endpoint = None,
        ecs_base_url = None,
        metadata_connect_timeout = None,
        metadata_read_timeout = None,
        sts_timeout = None,
        profile = None,
        shared_config = None,
        **unexpected,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        provider: Option<&Bound<'_, PyAny>>,
        credentials: Option<&Bound<'_, PyAny>>,
        credential_policy: Option<&Bound<'_, PyAny>>,
        env: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        refresh_window: Option<&Bound<'_, PyAny>>,
        refresh_ahead: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
        imds_endpoint: Option<&Bound<'_, PyAny>>,
        ecs_base_url: Option<&Bound<'_, PyAny>>,
        metadata_connect_timeout: Option<&Bound<'_, PyAny>>,
        metadata_read_timeout: Option<&Bound<'_, PyAny>>,
        sts_timeout: Option<&Bound<'_, PyAny>>,
        profile: Option<&Bound<'_, PyAny>>,
        shared_config: Option<&Bound<'_, PyAny>>,
        unexpected: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        // Caught here rather than by pyo3, whose message would blame an internal `__new__`.
        if let Some((name, _)) = unexpected.and_then(|u| u.iter().next()) {
            return Err(invalid_type(
                py,
                format!(
                    "Authenticator() got an unexpected keyword argument {}; its keyword arguments are {}",
                    name.repr()?,
                    KEYWORDS.join(", ")
                ),
            ));
        }
        let config = Config::from_args(
            py,
            Args {
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
            },
        )?;
        let me = PyAuthenticator { config };
        // Surface configuration errors (explicit credentials under the strict policy...) now.
        me.prepare(py, None)?;
        Ok(me)
    }

    /// Resolves credentials, waiting at most `timeout` seconds (default: the authenticator's).
    #[pyo3(signature = (timeout = None))]
    fn credentials(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<PyCredentials> {
        self.blocking(py, timeout, async |a, deadline| a.credentials_until(deadline).await)
            .map(PyCredentials::new_inner)
    }

    /// Awaitable twin of `credentials()`.
    #[pyo3(signature = (timeout = None))]
    fn credentials_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.awaitable(
            py,
            timeout,
            |a, deadline| async move { a.credentials_until(deadline).await },
            credentials_object,
        )
    }

    /// Like `credentials()`, and says whether they came from the cache and how long it took.
    #[pyo3(signature = (timeout = None))]
    fn resolve(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<PyResolution> {
        let resolution = self.blocking(py, timeout, async |a, deadline| a.resolve_until(deadline).await)?;
        PyResolution::new(py, resolution)
    }

    /// Awaitable twin of `resolve()`.
    #[pyo3(signature = (timeout = None))]
    fn resolve_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.awaitable(
            py,
            timeout,
            |a, deadline| async move { a.resolve_until(deadline).await },
            |py, r| Ok(Py::new(py, PyResolution::new(py, r)?)?.into_any()),
        )
    }

    /// Resolves credentials and starts a conversation with them.
    #[pyo3(signature = (timeout = None))]
    fn conversation(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<PyConversation> {
        let conversation =
            self.blocking(py, timeout, async |a, deadline| a.conversation_until(deadline).await)?;
        PyConversation::wrap(py, conversation)
    }

    /// Awaitable twin of `conversation()`.
    #[pyo3(signature = (timeout = None))]
    fn conversation_async<'py>(
        &self,
        py: Python<'py>,
        timeout: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
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
            Some(
                used.extract::<u64>()
                    .map_err(|_| invalid_value(py, "a generation is a non-negative integer"))?,
            )
        } else {
            return Err(invalid_type(
                py,
                format!(
                    "report_failure takes a Conversation, Credentials or a generation (int), not {}",
                    type_name(used)
                ),
            ));
        };
        Ok(conversation::report(py, generation))
    }

    fn __repr__(&self) -> String {
        format!("Authenticator({})", self.config.describe())
    }
}
