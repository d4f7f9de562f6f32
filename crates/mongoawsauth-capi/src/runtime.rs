//! `mongoawsauth_cleanup`: stopping the library's runtime.

use mongoawsauth_core::runtime;

use crate::error::mongoawsauth_error_t;
use crate::result::mongoawsauth_result_t;

/// Stops the library's background threads (its async runtime), waiting up to 5 seconds for
/// running work. Pending `mongoawsauth_authenticator_credentials_async` fetches are
/// cancelled: their callbacks run with `MONGOAWSAUTH_RESULT_RUNTIME`.
///
/// Optional. Call it once before the process exits (or before `dlclose`) for a clean shutdown
/// under leak checkers; the library keeps working afterwards and starts a new runtime on the
/// next call that needs one. After `fork()` no call is needed: the child starts its own
/// runtime on first use.
///
/// Fails with `MONGOAWSAUTH_RESULT_RUNTIME` when called from a library callback thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mongoawsauth_cleanup(
    error: *mut *mut mongoawsauth_error_t,
) -> mongoawsauth_result_t {
    ffi_try!(error, {
        runtime::shutdown()?;
        Ok(())
    })
}
