//! Core futures as JavaScript promises.
//!
//! Each future runs as its own task on napi's tokio runtime, so a panic inside it is caught by
//! the join and becomes an `INTERNAL` error instead of a promise that never settles. The
//! `finish` callback runs on the JS thread, where results become JavaScript objects and core
//! errors become `MongoAwsAuthError`s.

use std::future::Future;

use mongoawsauth::{Error as CoreError, ErrorKind};
use napi::Env;
use napi::bindgen_prelude::*;

use crate::errors;

/// Runs `future` and settles the returned promise with `finish(output)` or the core error.
pub(crate) fn promise<'env, T, V, F, R>(env: &'env Env, future: F, finish: R) -> Result<PromiseRaw<'env, V>>
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
            Err(CoreError::new(
                ErrorKind::Internal,
                if join.is_panic() {
                    "mongoawsauth hit an internal error (a panic) and gave up on this call; please \
                     report it"
                } else {
                    "the call was cancelled because the runtime is shutting down"
                },
            ))
        }))
    };
    env.spawn_future_with_callback(task, move |env, outcome| match outcome {
        Ok(value) => finish(env, value),
        Err(error) => Err(errors::to_js(env, &error)),
    })
}
