//! `testing`: the core's cache test hooks, for the MongoDB spec's caching tests in JavaScript.
//! Not for application use.

use std::time::SystemTime;

use mongoawsauth::cache;
use mongoawsauth::{Error as CoreError, ErrorKind};
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::credentials::Credentials;
use crate::{errors, guard, values};

/// One cached entry, without secrets.
#[derive(Debug)]
#[napi(object, object_from_js = false, namespace = "testing")]
pub struct CacheEntry {
    /// The source's cache key (its configuration).
    pub key: String,
    /// The access key id of the cached credentials (not a secret).
    pub access_key_id: String,
    /// The name of the source that issued them.
    pub source: String,
    /// When the cached credentials expire, as milliseconds since the epoch.
    pub expiration_ms: f64,
    /// The entry's cache generation (what `reportFailure` takes).
    pub generation: f64,
}

/// Every cached entry, sorted by key.
#[napi(namespace = "testing", catch_unwind)]
pub fn entries(env: Env) -> Result<Vec<CacheEntry>> {
    guard::sync(&env, "testing.entries", || {
        Ok(cache::entries()
            .into_iter()
            .map(|e| CacheEntry {
                key: e.key,
                access_key_id: e.access_key_id,
                source: e.source,
                expiration_ms: values::epoch_millis(e.expiry),
                generation: e.generation as f64,
            })
            .collect())
    })
}

/// The credentials cached under `key`, or under the only key when `key` is omitted and exactly
/// one entry exists.
#[napi(namespace = "testing", catch_unwind)]
pub fn get(env: Env, key: Option<String>) -> Result<Option<Credentials>> {
    guard::sync(&env, "testing.get", || Ok(cache::get(key.as_deref()).map(Credentials::from_core)))
}

/// Stores credentials (which must have an `expiration`) under `key` as a fresh entry; returns
/// its generation.
#[napi(namespace = "testing", catch_unwind)]
pub fn set(env: Env, key: String, credentials: &Credentials) -> Result<f64> {
    guard::sync(&env, "testing.set", || {
        cache::set(&key, credentials.core().clone()).map(|g| g as f64).map_err(|e| errors::to_js(&env, &e))
    })
}

/// Empties the cache.
#[napi(namespace = "testing", catch_unwind)]
pub fn clear(env: Env) -> Result<()> {
    guard::sync(&env, "testing.clear", || {
        cache::clear();
        Ok(())
    })
}

/// Moves the expiry of the entry under `key` (every entry when `key` is null or omitted) to
/// `expiration` (a Date or epoch milliseconds; default: now). Returns how many changed.
#[napi(namespace = "testing", catch_unwind)]
pub fn expire(
    env: Env,
    key: Option<String>,
    #[napi(ts_arg_type = "Date | number")] expiration: Option<Unknown>,
) -> Result<u32> {
    guard::sync(&env, "testing.expire", || {
        let expiry = match expiration.filter(|e| !values::is_nullish(e)) {
            None => SystemTime::now(),
            Some(e) => values::time(&e, "expiration").map_err(|why| why.throw(&env))?,
        };
        Ok(cache::expire(key.as_deref(), expiry) as u32)
    })
}

/// Replaces the access key id of the entry under `key` (every entry when omitted) with one no
/// STS knows, so the next login with it fails. Returns how many changed.
#[napi(namespace = "testing", catch_unwind)]
pub fn poison(env: Env, key: Option<String>) -> Result<u32> {
    guard::sync(&env, "testing.poison", || Ok(cache::poison(key.as_deref()) as u32))
}

/// Drops the entry with this generation if it is still current (what `reportFailure` does).
#[napi(namespace = "testing", catch_unwind)]
pub fn invalidate_generation(env: Env, generation: f64) -> Result<bool> {
    guard::sync(&env, "testing.invalidateGeneration", || {
        Ok(generation >= 0.0 && cache::invalidate_generation(generation as u64))
    })
}

/// The error the package raises for a core result code (`1` is `INVALID_ARGUMENT`...), built
/// exactly as a failing call builds it, with `message`: the class of that kind, its `code` and
/// `resultCode`. A number no kind has gives the base `MongoAwsAuthError` with code `UNKNOWN`.
/// For tests of code that handles this package's errors; returned, not thrown.
#[napi(namespace = "testing", ts_return_type = "MongoAwsAuthError", catch_unwind)]
pub fn error<'env>(env: &'env Env, result_code: u32, message: Option<String>) -> Result<Unknown<'env>> {
    guard::sync(env, "testing.error", || {
        let message = message.unwrap_or_else(|| format!("an error made by testing.error({result_code})"));
        match ErrorKind::from_result_code(result_code) {
            Some(kind) => errors::build(env, &CoreError::new(kind, message)),
            None => errors::build_unknown(env, result_code, &message),
        }
    })
}

/// Panics on purpose inside one of the addon's asynchronous panic boundaries, so that the test
/// suite can prove each one holds (a panic must become an `InternalError`, never abort the
/// process): `future` inside a promise's task, `settle` in the callback that settles a promise
/// on the JS thread, `provider` in the next check of what a custom provider returned (inside
/// napi's threadsafe-function callback). Not part of the API, and off unless the test switch
/// `MONGOAWSAUTH_TEST_FORCE_PANIC` names the site (`__panicForTests:future`): otherwise it only
/// throws a `TypeError`. (The synchronous boundary of every export is proven through the same
/// switch naming the export itself.)
#[napi(js_name = "__panicForTests", skip_typescript, catch_unwind)]
pub fn panic_for_tests<'env>(
    env: &'env Env,
    site: String,
) -> Result<Option<PromiseRaw<'env, Unknown<'env>>>> {
    guard::sync(env, "__panicForTests", || {
        if !guard::forced(&format!("__panicForTests:{site}")) {
            return Err(values::type_error(
                env,
                format!(
                    "__panicForTests is a test hook, off unless {}=__panicForTests:{site} (future, settle or provider)",
                    guard::FORCE_PANIC_VAR
                ),
            ));
        }
        match site.as_str() {
            "future" => crate::future::promise(
                env,
                async {
                    panic!("a panic asked for by __panicForTests('future')");
                    #[allow(unreachable_code)]
                    Ok(())
                },
                |_, ()| Ok(()),
            )
            .map(Some),
            "settle" => crate::future::promise(env, async { Ok(()) }, |_, ()| -> Result<()> {
                panic!("a panic asked for by __panicForTests('settle')")
            })
            .map(Some),
            "provider" => {
                crate::js_provider::PANIC_IN_NEXT_CHECK.store(true, std::sync::atomic::Ordering::SeqCst);
                Ok(None)
            }
            _ => Err(values::type_error(env, "__panicForTests takes future, settle or provider")),
        }
    })
}
