//! `mongoawsauth._native`: the Python binding of libmongoawsauth.
//!
//! A thin translation layer over the core crate (no logic of its own): argument conversion, error
//! mapping and ownership. The Python package `mongoawsauth` wraps this module; its `.pyi` stub
//! (`python/mongoawsauth/_native.pyi`) is the reference for what each function accepts.
//!
//! One rule keeps the GIL and the core's locks from deadlocking: every call into the core that
//! may take one of its locks, wait for I/O or emit a `tracing` event runs with the GIL released
//! (`py.detach`), because the logging bridge attaches to the interpreter from whatever thread
//! emits an event, possibly while holding a core lock.

mod asyncio;
mod authenticator;
mod conversation;
mod credentials;
mod defaults;
mod dropin;
mod errors;
mod exit;
mod logging;
mod options;
mod provider;
mod testing;
mod time;

use pyo3::prelude::*;

/// The native half of the `mongoawsauth` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    logging::install();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("core_version", mongoawsauth::VERSION)?;
    m.add_class::<credentials::PyCredentials>()?;
    m.add_class::<credentials::PyResolution>()?;
    m.add_class::<errors::PyAttempt>()?;
    m.add_class::<conversation::PyConversation>()?;
    m.add_class::<authenticator::PyAuthenticator>()?;
    m.add_class::<provider::PySamlProvider>()?;
    m.add_class::<testing::PyCacheEntry>()?;
    m.add_class::<asyncio::CancelOnDone>()?;
    m.add_function(wrap_pyfunction!(testing::cache_entries, m)?)?;
    m.add_function(wrap_pyfunction!(testing::cache_get, m)?)?;
    m.add_function(wrap_pyfunction!(testing::cache_set, m)?)?;
    m.add_function(wrap_pyfunction!(testing::cache_clear, m)?)?;
    m.add_function(wrap_pyfunction!(testing::cache_expire, m)?)?;
    m.add_function(wrap_pyfunction!(testing::cache_poison, m)?)?;
    m.add_function(wrap_pyfunction!(testing::invalidate_generation, m)?)?;
    m.add_function(wrap_pyfunction!(testing::shutdown_runtime, m)?)?;
    m.add_function(wrap_pyfunction!(exit::close_before_exit, m)?)?;
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(defaults::defaults, m)?)?;
    m.add_function(wrap_pyfunction!(dropin::sts_region, m)?)?;
    m.add_function(wrap_pyfunction!(dropin::sign_get_caller_identity, m)?)?;
    m.add_function(wrap_pyfunction!(dropin::client_final_payload, m)?)?;
    m.add_function(wrap_pyfunction!(dropin::validate_settings, m)?)?;
    m.add_function(wrap_pyfunction!(dropin::credentials_from_object, m)?)?;
    Ok(())
}
