//! What a JavaScript callback that the core calls from its own threads returns: a custom
//! credential provider, or a SAML assertion function.
//!
//! napi converts the returned value on the JS thread, the only place where it can be read, into
//! either the checked value or a promise of one; the core's thread then awaits the promise
//! without blocking the JS thread. The conversions are the one place where the two callbacks
//! touch raw napi handles, so they are written once, here.

use napi::bindgen_prelude::*;
use napi::sys;

use crate::guard;

/// A value read and checked on the JS thread: what a callback must return, or what was wrong
/// with what it returned.
pub(crate) trait CheckOnJsThread: Sized + Send + 'static {
    /// Reads and checks `value`. Never fails and never panics: napi calls it inside its
    /// threadsafe-function and promise callbacks, where a panic would abort the process, so a
    /// wrong value or a caught panic becomes the checked error.
    fn check(value: &Unknown) -> Self;
}

/// `T`, as napi converts the value a returned promise settles with.
pub(crate) struct Settled<T>(T);

/// What a callback returned: the checked value, or a promise to await.
pub(crate) enum Returned<T: CheckOnJsThread> {
    Ready(T),
    Pending(Promise<Settled<T>>),
}

impl<T: CheckOnJsThread> Returned<T> {
    /// The checked value, after awaiting the promise if one was returned; a rejected promise is
    /// napi's error, carrying the value it was rejected with.
    pub(crate) async fn settled(self) -> Result<T> {
        match self {
            Returned::Ready(value) => Ok(value),
            Returned::Pending(promise) => promise.await.map(|Settled(value)| value),
        }
    }
}

// The conversions napi runs on the JS thread when a callback returns or its promise settles.
// They only wrap the raw handle napi passes in, then use the safe readers.
#[allow(unsafe_code)]
impl<T: CheckOnJsThread> FromNapiValue for Settled<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: napi calls this on the JS thread with a live env and value.
        let value = unsafe { Unknown::from_raw_unchecked(env, value) };
        Ok(Settled(T::check(&value)))
    }
}

#[allow(unsafe_code)]
impl<T: CheckOnJsThread> FromNapiValue for Returned<T> {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> Result<Self> {
        // SAFETY: napi calls this on the JS thread with a live env and value.
        let unknown = unsafe { Unknown::from_raw_unchecked(env, value) };
        guard::catch(|| {
            if unknown.is_promise()? {
                return Ok(Returned::Pending(Promise::<Settled<T>>::from_unknown(unknown)?));
            }
            Ok(Returned::Ready(T::check(&unknown)))
        })
        .unwrap_or_else(|| Err(Error::new(Status::GenericFailure, guard::PANIC_MESSAGE)))
    }
}
