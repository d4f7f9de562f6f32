//! The tokio runtime behind every blocking entry point (the C ABI, Python's sync API).
//!
//! The core is async. A caller without a runtime of its own goes through one multi-thread
//! runtime that the library builds lazily on first use and owns for the life of the process:
//!
//! - [`block_on`] runs a future to completion on it. Called from a thread that is already inside
//!   a tokio runtime (a library callback, an async host) it returns an [`ErrorKind::Runtime`]
//!   error instead of tokio's "Cannot start a runtime from within a runtime" panic.
//! - [`handle`] runs futures in the background, for callback-style APIs.
//! - After `fork()` the child has none of the parent's worker threads. The runtime remembers the
//!   process id that built it; the first use in a child abandons the parent's runtime (dropping
//!   it would wait for threads that do not exist) and builds a fresh one.
//! - [`shutdown`] stops the runtime and joins its threads, for hosts that want a clean exit (and
//!   for leak checkers); the next use builds a new one.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::{Builder, Runtime};

use crate::error::{Error, ErrorKind, Result};

/// The worker threads of the library runtime. Credential fetches are short and I/O bound; two
/// workers keep one slow source from stalling the others without costing a host many threads.
pub const WORKER_THREADS: usize = 2;

/// How long [`shutdown`] waits for running tasks (a custom provider callback stuck in the host's
/// code, for example) before it gives up on them.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The name of the runtime's threads, as debuggers and `top -H` show them.
pub const THREAD_NAME: &str = "mongoawsauth";

struct Owned {
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Owned>> = Mutex::new(None);

fn lock() -> MutexGuard<'static, Option<Owned>> {
    // The lock is only held to read or swap the slot, never across user code, so a poisoned lock
    // still guards a consistent value.
    RUNTIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn build() -> Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name(THREAD_NAME)
        .enable_all()
        .build()
        .map_err(|e| {
            Error::new(
                ErrorKind::Runtime,
                format!(
                    "could not start the library's async runtime ({e}): the process may be out of \
                     threads or memory"
                ),
            )
        })
}

/// The library runtime, built on first use and rebuilt in a forked child.
fn runtime() -> Result<Arc<Runtime>> {
    let pid = std::process::id();
    let mut slot = lock();
    if let Some(owned) = slot.as_ref() {
        if owned.pid == pid {
            return Ok(Arc::clone(&owned.runtime));
        }
        // Forked: the parent's worker threads do not exist here, so dropping its runtime would
        // wait forever. Abandon it; its memory is the price of a fork.
        if let Some(stale) = slot.take() {
            std::mem::forget(stale);
        }
    }
    let runtime = Arc::new(build()?);
    *slot = Some(Owned { pid, runtime: Arc::clone(&runtime) });
    Ok(runtime)
}

fn refuse_inside_runtime(what: &str) -> Result<()> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorKind::Runtime,
            format!(
                "{what} was called from inside an async runtime (an async task or a library \
                 callback), where it would block the runtime: call it from another thread, or use \
                 the async or callback variant"
            ),
        ));
    }
    Ok(())
}

/// Runs `future` to completion on the library runtime and returns its output.
///
/// Fails with [`ErrorKind::Runtime`] when called from inside a tokio runtime, or when the runtime
/// cannot be built.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    refuse_inside_runtime("a blocking mongoawsauth call")?;
    let runtime = runtime()?;
    Ok(runtime.block_on(future))
}

/// A handle to the library runtime, for running futures in the background (`handle.spawn`).
///
/// Fails only when the runtime cannot be built; ask for the handle before creating the future,
/// so that a failure leaves nothing half-started. A future spawned on a runtime that then shuts
/// down is dropped unfinished, so code that must report completion should do so from a `Drop`
/// guard.
pub fn handle() -> Result<tokio::runtime::Handle> {
    Ok(runtime()?.handle().clone())
}

/// Stops the library runtime and joins its threads, waiting at most [`SHUTDOWN_TIMEOUT`] for
/// running tasks. Unfinished background futures are dropped. Does nothing when no runtime is
/// running; the next blocking call builds a new one.
///
/// Fails with [`ErrorKind::Runtime`] when called from inside a tokio runtime (the runtime cannot
/// wait for the thread it runs on).
pub fn shutdown() -> Result<()> {
    refuse_inside_runtime("shutting down the mongoawsauth runtime")?;
    let taken = lock().take();
    let Some(owned) = taken else { return Ok(()) };
    if owned.pid != std::process::id() {
        std::mem::forget(owned);
        return Ok(());
    }
    match Arc::try_unwrap(owned.runtime) {
        Ok(runtime) => runtime.shutdown_timeout(SHUTDOWN_TIMEOUT),
        // Another thread is inside `block_on` right now; its handle keeps the runtime alive and
        // the last one out drops it.
        Err(shared) => drop(shared),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // The runtime is process-wide and these tests shut it down; run them one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    fn serial() -> MutexGuard<'static, ()> {
        SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    #[test]
    fn block_on_runs_and_survives_shutdown() {
        let _serial = serial();
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        shutdown().unwrap();
        assert_eq!(block_on(async { 7 }).unwrap(), 7);
    }

    #[test]
    fn block_on_inside_a_runtime_is_an_error_not_a_panic() {
        let _serial = serial();
        let outer = Builder::new_current_thread().build().unwrap();
        let err = outer.block_on(async { block_on(async { 1 }) }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
        assert!(err.message().contains("from inside an async runtime"), "{err}");
        let err = outer.block_on(async { shutdown() }).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Runtime);
    }

    #[test]
    fn spawn_runs_in_the_background() {
        let _serial = serial();
        let (tx, rx) = std::sync::mpsc::channel();
        drop(handle().unwrap().spawn(async move {
            let _ = tx.send(5);
        }));
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)).unwrap(), 5);
    }
}
