//! Keeping the library's worker threads out of the interpreter once it has begun to exit.
//!
//! Worker threads of the core's runtime enter Python on their own: the logging bridge, asyncio
//! completions, custom provider callbacks. Before Python 3.13, a thread that asks for the GIL
//! after finalization has begun is ended by CPython with `pthread_exit`, and that forced unwind
//! through Rust frames can abort the whole process at exit. pyo3 checks for finalization only
//! when built for 3.13 or later, and this extension is built for the stable ABI from 3.9, so the
//! check is ours: the package registers [`close_before_exit`] with `atexit`, which runs before
//! finalization begins. From then on no worker thread enters, and the hook waits, with the GIL
//! released, for those already on their way in to leave.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use pyo3::prelude::*;

/// Set by [`close_before_exit`]: no worker thread enters the interpreter any more.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// Threads between deciding to enter and having left.
static ENTERING: AtomicUsize = AtomicUsize::new(0);
/// How long the exit hook waits for threads already inside (a custom provider may be running).
const WAIT: Duration = Duration::from_secs(2);

/// Runs `f` attached to the interpreter, unless it is exiting (or not running): `None` then.
/// Every entry into Python from a thread the core's runtime owns goes through here.
pub fn attach<R>(f: impl for<'py> FnOnce(Python<'py>) -> R) -> Option<R> {
    ENTERING.fetch_add(1, Ordering::SeqCst);
    let _left = Left;
    if CLOSED.load(Ordering::SeqCst) {
        return None;
    }
    Python::try_attach(f)
}

struct Left;

impl Drop for Left {
    fn drop(&mut self) {
        ENTERING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Closes the interpreter to the library's worker threads; registered with `atexit` by the
/// package. Waits up to 2 s, with the GIL released, for threads already inside to leave.
#[pyfunction]
pub fn close_before_exit(py: Python<'_>) {
    CLOSED.store(true, Ordering::SeqCst);
    py.detach(|| {
        let until = Instant::now() + WAIT;
        while ENTERING.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
}
