//! `Authenticator`: the core `Authenticator` for JavaScript. Every method that may do I/O
//! returns a Promise.

use mongoawsauth::Authenticator as CoreAuthenticator;
use napi::bindgen_prelude::*;
use napi::{Env, ValueType};
use napi_derive::napi;

use crate::conversation::Conversation;
use crate::credentials::Credentials;
use crate::{future, guard, options, values};

/// Resolves AWS credentials through the default chain (a custom provider if given, the
/// process-wide cache, the environment, the profile of the shared config files, web identity,
/// the container endpoint, IMDSv2) and starts MONGODB-AWS conversations. Share one per application: every authenticator configured alike
/// shares one cache.
#[derive(Debug)]
#[napi]
pub struct Authenticator {
    inner: CoreAuthenticator,
}

/// Where `resolve()` found credentials.
#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct Resolution {
    /// The credentials found.
    pub credentials: Credentials,
    /// Whether they were served from the process-wide cache.
    pub from_cache: bool,
    /// How long the resolution took, in milliseconds.
    pub elapsed_ms: f64,
}

#[napi]
impl Authenticator {
    /// Checks the options; throws a `TypeError` for a wrong type and a `ConfigurationError` for
    /// values the core refuses.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "AuthenticatorOptions")] options: Option<Unknown>,
    ) -> Result<Self> {
        guard::sync(&env, "new Authenticator", || {
            Ok(Authenticator { inner: options::authenticator(&env, options)? })
        })
    }

    /// The credentials `credentials()` would resolve right now when that needs no I/O: a settled
    /// entry of the process-wide cache, or else the environment (and no custom provider runs
    /// first); otherwise `null`, and `credentials()` must answer. Synchronous: no trip to the
    /// library's threads.
    #[napi(catch_unwind)]
    pub fn credentials_now(&self, env: Env) -> Result<Option<Credentials>> {
        guard::sync(&env, "Authenticator.credentialsNow", || {
            Ok(self.inner.credentials_now().map(Credentials::from_core))
        })
    }

    /// Resolves credentials, within `timeoutMs` (default 10 s).
    #[napi(ts_return_type = "Promise<Credentials>", catch_unwind)]
    pub fn credentials<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        guard::sync(env, "Authenticator.credentials", || {
            let inner = self.inner.clone();
            future::promise(env, async move { inner.credentials().await }, |_, c| {
                Ok(Credentials::from_core(c))
            })
        })
    }

    /// Resolves credentials and says whether they came from the cache and how long it took.
    #[napi(ts_return_type = "Promise<Resolution>", catch_unwind)]
    pub fn resolve<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        guard::sync(env, "Authenticator.resolve", || {
            let inner = self.inner.clone();
            future::promise(env, async move { inner.resolve().await }, |_, r| {
                Ok(Resolution {
                    credentials: Credentials::from_core(r.credentials),
                    from_cache: r.from_cache,
                    elapsed_ms: r.elapsed.as_secs_f64() * 1000.0,
                })
            })
        })
    }

    /// Resolves credentials and starts a conversation with them: call `clientFirst()` for
    /// `saslStart`, then `clientFinal(serverPayload)` for `saslContinue`.
    #[napi(ts_return_type = "Promise<Conversation>", catch_unwind)]
    pub fn conversation<'env>(&self, env: &'env Env) -> Result<PromiseRaw<'env, Unknown<'env>>> {
        guard::sync(env, "Authenticator.conversation", || {
            let inner = self.inner.clone();
            future::promise(env, async move { inner.conversation().await }, |_, c| {
                Ok(Conversation::from_core(c))
            })
        })
    }

    /// Reports that a login failed, as the spec requires: drops the cached credentials it used,
    /// if they are still the current entry, so the next login fetches fresh ones. Takes the
    /// failed `Conversation`, its `Credentials`, or their `generation`. Returns whether an entry
    /// was dropped (credentials that were never cached have nothing to drop).
    #[napi(catch_unwind)]
    pub fn report_failure(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Conversation | Credentials | number")] failed: Unknown,
    ) -> Result<bool> {
        guard::sync(&env, "Authenticator.reportFailure", || self.report_failure_unguarded(&env, failed))
    }
}

impl Authenticator {
    fn report_failure_unguarded(&self, env: &Env, failed: Unknown) -> Result<bool> {
        if failed.get_type()? == ValueType::Number {
            let generation = failed.coerce_to_number()?.get_double()?;
            if !(generation.is_finite() && generation >= 0.0 && generation.fract() == 0.0) {
                return Err(values::type_error(env, "a generation must be a whole number, 0 or more"));
            }
            return Ok(self.inner.report_failure(generation as u64));
        }
        if Conversation::instance_of(env, &failed)? {
            let conversation = ClassInstance::<Conversation>::from_unknown(failed)?;
            return Ok(conversation.core().is_some_and(|c| self.inner.report_failed_conversation(c)));
        }
        if Credentials::instance_of(env, &failed)? {
            let credentials = ClassInstance::<Credentials>::from_unknown(failed)?;
            return Ok(credentials.core().generation().is_some_and(|g| self.inner.report_failure(g)));
        }
        Err(values::type_error(
            env,
            format!(
                "reportFailure takes the failed Conversation, its Credentials or their generation (a number), got {}",
                values::type_name(&failed)
            ),
        ))
    }
}
