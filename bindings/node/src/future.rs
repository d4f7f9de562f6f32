//! Core futures as JavaScript promises.
//!
//! Each future runs as its own task on napi's tokio runtime, so a panic inside it is caught by
//! the join and becomes an `INTERNAL` error instead of a promise that never settles. The
//! `finish` callback runs on the JS thread, where results become JavaScript objects and core
//! errors become `MongoAwsAuthError`s. napi runs that callback inside an `extern "C"` function
//! without a panic guard, so it runs under [`guard::catch`]: a panic there becomes the promise's
//! `InternalError` rejection instead of an abort.

use std::future::Future;

use mongoawsauth::{Error as CoreError, ErrorKind};
use napi::Env;
use napi::bindgen_prelude::*;

use crate::{errors, guard};

/// Runs `future` and settles the returned promise with `finish(output)` or the core error.
/// The JavaScript value is made inside the guard too, so the promise resolves with an
/// already-built `Unknown` and nothing of ours runs unguarded after it.
pub(crate) fn promise<'env, T, V, F, R>(
    env: &'env Env,
    future: F,
    finish: R,
) -> Result<PromiseRaw<'env, Unknown<'env>>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = std::result::Result<T, CoreError>> + Send + 'static,
    R: FnOnce(&'env Env, T) -> Result<V> + 'static,
{
    let task = async move {
        // Inside the task napi runs on its tokio runtime, so this spawns there too.
        let joined = tokio::spawn(future).await;
        Ok(joined.unwrap_or_else(|join| {
            Err(if join.is_panic() {
                guard::panic_error()
            } else {
                CoreError::new(
                    ErrorKind::Runtime,
                    "the call was cancelled because the runtime is shutting down",
                )
            })
        }))
    };
    env.spawn_future_with_callback(task, move |env, outcome| {
        guard::catch(|| match outcome {
            Ok(value) => to_unknown(env, finish(env, value)?),
            Err(error) => Err(errors::to_js(env, &error)),
        })
        .unwrap_or_else(|| Err(errors::to_js(env, &guard::panic_error())))
    })
}

#[allow(unsafe_code)]
fn to_unknown<'env, V: ToNapiValue>(env: &'env Env, value: V) -> Result<Unknown<'env>> {
    // SAFETY: called on the JS thread (inside napi's settle callback) with its live env; the raw
    // value napi returns is a fresh handle in the current scope.
    unsafe {
        let raw = V::to_napi_value(env.raw(), value)?;
        Ok(Unknown::from_raw_unchecked(env.raw(), raw))
    }
}
