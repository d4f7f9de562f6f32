//! `Credentials`: AWS credentials as JavaScript sees them, in the shape of the driver's
//! `AWSCredentials` (`accessKeyId`, `secretAccessKey`, `sessionToken?`, `expiration?`), so an
//! instance can be returned straight from an `AWS_CREDENTIAL_PROVIDER`.
//!
//! The secret and the token stay in the core's zeroizing storage; they become JavaScript strings
//! only when their getter is read. `toJSON` (and so `JSON.stringify`) and `util.inspect` (set up
//! in `index.js` over `toJSON`) show neither.

use mongoawsauth::Credentials as CoreCredentials;
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::{errors, guard, values};

const REDACTED: &str = "** redacted **";

/// AWS credentials. Read `secretAccessKey` and `sessionToken` only to hand them to what signs.
#[derive(Debug)]
#[napi]
pub struct Credentials {
    inner: CoreCredentials,
}

impl Credentials {
    pub(crate) fn from_core(inner: CoreCredentials) -> Self {
        Credentials { inner }
    }

    pub(crate) fn core(&self) -> &CoreCredentials {
        &self.inner
    }
}

/// What `toJSON` returns: everything but the secrets.
#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct CredentialsJson {
    /// The access key id (not a secret).
    pub access_key_id: String,
    /// Always `"** redacted **"`.
    pub secret_access_key: String,
    /// `"** redacted **"` when there is a session token.
    pub session_token: Option<String>,
    /// When the credentials expire, as an ISO 8601 string.
    pub expiration: Option<String>,
    /// The name of the source that issued them.
    pub source: String,
    /// Whether they are temporary (carry a session token).
    pub is_temporary: bool,
    /// The same as `isTemporary`, kept for one release.
    ///
    /// @deprecated Read `isTemporary`.
    pub temporary: bool,
    /// The cache generation of cached credentials; absent for credentials that were not cached.
    pub generation: Option<f64>,
}

#[napi]
impl Credentials {
    /// Credentials from their parts, for `testing.set` and for tests of code that takes
    /// credentials. `expiration` is a `Date` or milliseconds since the epoch, from 1970 to the
    /// end of year 9999 (a `RangeError` otherwise); `source` names where they came from (default
    /// `"application"`, the name every face gives credentials an application builds). Blank
    /// values count as missing.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        env: Env,
        #[napi(
            ts_arg_type = "{ accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date | number; source?: string }"
        )]
        init: Unknown,
    ) -> Result<Self> {
        guard::sync(&env, "new Credentials", || {
            let read = || -> std::result::Result<_, values::Invalid> {
                let object = values::object(&init, "the argument of new Credentials()")?;
                let field = |name: &str| {
                    values::property(&object, name)
                        .map_err(|_| values::Invalid::from(format!("reading {name} failed")))
                };
                let id = values::string(&field("accessKeyId")?, "accessKeyId")?;
                let secret =
                    zeroize::Zeroizing::new(values::string(&field("secretAccessKey")?, "secretAccessKey")?);
                let token = values::optional_string(&field("sessionToken")?, "sessionToken")?
                    .map(zeroize::Zeroizing::new);
                let expiration = field("expiration")?;
                let expiry = if values::is_nullish(&expiration) {
                    None
                } else {
                    Some(values::time(&expiration, "expiration")?)
                };
                let source = values::optional_string(&field("source")?, "source")?
                    .unwrap_or_else(|| mongoawsauth::APPLICATION_SOURCE.to_owned());
                Ok((id, secret, token, expiry, source))
            };
            let (id, secret, token, expiry, source) = read().map_err(|why| why.throw(&env))?;
            CoreCredentials::new(
                Some(&id),
                Some(&secret),
                token.as_deref().map(|t| t.as_str()),
                expiry,
                source,
            )
            .map(Credentials::from_core)
            .map_err(|e| errors::to_js(&env, &e))
        })
    }

    /// The access key id (not a secret).
    #[napi(getter, catch_unwind)]
    pub fn access_key_id(&self, env: Env) -> Result<String> {
        guard::sync(&env, "Credentials.accessKeyId", || Ok(self.inner.access_key_id().to_owned()))
    }

    /// The secret access key.
    #[napi(getter, catch_unwind)]
    pub fn secret_access_key(&self, env: Env) -> Result<String> {
        guard::sync(&env, "Credentials.secretAccessKey", || Ok(self.inner.secret_access_key().to_owned()))
    }

    /// The session token of temporary credentials; `undefined` for long-term keys.
    #[napi(getter, ts_return_type = "string | undefined", catch_unwind)]
    pub fn session_token(&self, env: Env) -> Result<Either<String, Undefined>> {
        // `undefined`, not napi's `null`, so the type matches the driver's `AWSCredentials`.
        guard::sync(&env, "Credentials.sessionToken", || {
            Ok(match self.inner.session_token() {
                Some(token) => Either::A(token.to_owned()),
                None => Either::B(()),
            })
        })
    }

    /// When the credentials expire; `undefined` when they do not.
    #[napi(getter, ts_return_type = "Date | undefined", catch_unwind)]
    pub fn expiration<'env>(&self, env: &'env Env) -> Result<Either<Unknown<'env>, Undefined>> {
        guard::sync(env, "Credentials.expiration", || {
            Ok(match self.inner.expiration() {
                Some(t) => Either::A(values::date(env, t)?),
                None => Either::B(()),
            })
        })
    }

    /// The source that produced them: `environment`, `web_identity`, `container`, `imds`,
    /// `saml`, `custom`...
    #[napi(getter, catch_unwind)]
    pub fn source(&self, env: Env) -> Result<String> {
        guard::sync(&env, "Credentials.source", || Ok(self.inner.source().to_owned()))
    }

    /// Whether they are temporary (carry a session token).
    #[napi(getter, catch_unwind)]
    pub fn is_temporary(&self, env: Env) -> Result<bool> {
        guard::sync(&env, "Credentials.isTemporary", || Ok(self.inner.is_temporary()))
    }

    /// The same as `isTemporary`, kept for one release (reading it emits a `DeprecationWarning`
    /// once per process).
    ///
    /// @deprecated Read `isTemporary`.
    #[napi(getter, catch_unwind)]
    pub fn temporary(&self, env: Env) -> Result<bool> {
        guard::sync(&env, "Credentials.temporary", || Ok(self.inner.is_temporary()))
    }

    /// The cache generation of cached credentials (what `reportFailure` takes); `undefined` for
    /// credentials that were not cached (environment, custom provider).
    #[napi(getter, ts_return_type = "number | undefined", catch_unwind)]
    pub fn generation(&self, env: Env) -> Result<Either<f64, Undefined>> {
        guard::sync(&env, "Credentials.generation", || {
            Ok(match self.inner.generation() {
                Some(g) => Either::A(g as f64),
                None => Either::B(()),
            })
        })
    }

    /// Everything but the secret and the token, for `JSON.stringify` and logs. A time the
    /// formatter cannot show is written as a placeholder rather than thrown.
    #[napi(js_name = "toJSON", catch_unwind)]
    pub fn to_json(&self, env: Env) -> Result<CredentialsJson> {
        guard::sync(&env, "Credentials.toJSON", || {
            let c = &self.inner;
            Ok(CredentialsJson {
                access_key_id: c.access_key_id().to_owned(),
                secret_access_key: REDACTED.to_owned(),
                session_token: c.session_token().map(|_| REDACTED.to_owned()),
                expiration: c.expiration().map(iso8601),
                source: c.source().to_owned(),
                is_temporary: c.is_temporary(),
                temporary: c.is_temporary(),
                generation: c.generation().map(|g| g as f64),
            })
        })
    }

    /// A one-line description without secrets, e.g.
    /// `temporary credentials ASIA… from web_identity, expiring 2026-11-29T12:00:00Z`. A time
    /// the formatter cannot show is described rather than thrown.
    #[napi(js_name = "toString", catch_unwind)]
    pub fn describe(&self, env: Env) -> Result<String> {
        guard::sync(&env, "Credentials.toString", || {
            let c = &self.inner;
            Ok(guard::catch(|| c.to_string()).unwrap_or_else(|| {
                let kind = if c.is_temporary() { "temporary" } else { "long-term" };
                let expiring = if c.expiration().is_some() {
                    format!(", expiring {UNREPRESENTABLE}")
                } else {
                    String::new()
                };
                format!("{kind} credentials {} from {}{expiring}", c.access_key_id(), c.source())
            }))
        })
    }
}

const UNREPRESENTABLE: &str = "at a time outside 1970 to 9999";

/// The expiry as ISO 8601, or a placeholder for a time the formatter cannot represent, so that
/// `toJSON` (called by `JSON.stringify` and `util.inspect`, often inside a logger) never throws.
fn iso8601(t: std::time::SystemTime) -> String {
    guard::catch(|| mongoawsauth::time_fmt::iso8601(t)).unwrap_or_else(|| UNREPRESENTABLE.to_owned())
}
