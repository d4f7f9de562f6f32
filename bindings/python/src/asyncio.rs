//! Core futures as asyncio awaitables, without a second runtime: the future runs on the core's
//! library runtime (which survives `fork()`), and its result is handed to the caller's event
//! loop with `call_soon_threadsafe`. Cancelling the awaitable aborts the core task.

use std::future::Future;
use std::sync::Mutex;

use pyo3::prelude::*;
use tokio::task::AbortHandle;

use crate::errors::IntoPyResult;
use crate::provider::support;

/// The running event loop (a `RuntimeError` from asyncio when there is none).
pub fn running_loop(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    py.import("asyncio")?.call_method0("get_running_loop")
}

/// Resolves the asyncio future once, from whichever thread finishes first: the task, or the
/// guard when the task is dropped unfinished (the runtime shut down).
struct Completion {
    target: Option<(Py<PyAny>, Py<PyAny>)>,
}

impl Completion {
    fn resolve(&mut self, py: Python<'_>, outcome: PyResult<Py<PyAny>>) {
        let Some((event_loop, future)) = self.target.take() else { return };
        let (ok, value) = match outcome {
            Ok(v) => (true, v),
            Err(e) => (false, e.into_value(py).into_any()),
        };
        let scheduled = support(py).and_then(|s| {
            let resolve = s.getattr("resolve_future")?;
            event_loop.bind(py).call_method1("call_soon_threadsafe", (resolve, future.bind(py), ok, value))
        });
        // A closed event loop has nobody left to tell.
        drop(scheduled);
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        if self.target.is_some() {
            let _ = crate::exit::attach(|py| {
                let err = mongoawsauth::Error::new(
                    mongoawsauth::ErrorKind::Runtime,
                    "the mongoawsauth runtime shut down before this call finished; call it again",
                );
                self.resolve(py, Err(crate::errors::to_pyerr(py, &err)));
            });
        }
    }
}

/// Runs `future` on the library runtime and returns an asyncio future for `convert(output)`.
pub fn spawn<'py, F, T, C>(
    py: Python<'py>,
    event_loop: &Bound<'py, PyAny>,
    future: F,
    convert: C,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
    C: for<'a> FnOnce(Python<'a>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    let py_future = event_loop.call_method0("create_future")?;
    let handle = py.detach(mongoawsauth::runtime::handle).into_py(py)?;
    let mut completion =
        Completion { target: Some((event_loop.clone().unbind(), py_future.clone().unbind())) };
    let task = handle.spawn(async move {
        let output = future.await;
        let _ = crate::exit::attach(|py| {
            let outcome = convert(py, output);
            completion.resolve(py, outcome);
        });
    });
    let cancel = CancelOnDone { abort: Mutex::new(Some(task.abort_handle())) };
    py_future.call_method1("add_done_callback", (cancel,))?;
    Ok(py_future)
}

/// The done-callback that aborts the core task when the awaitable is cancelled.
#[pyclass(frozen, module = "mongoawsauth._native")]
#[derive(Debug)]
pub struct CancelOnDone {
    abort: Mutex<Option<AbortHandle>>,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        let abort = self.abort.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(abort) = abort
            && future.call_method0("cancelled")?.is_truthy()?
        {
            abort.abort();
        }
        Ok(())
    }
}
