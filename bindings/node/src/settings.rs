//! `validateConnectionString`: the core's check of a connection string's MONGODB-AWS settings
//! (`authMechanism`, `authSource`, `authMechanismProperties`, the userinfo), as the MongoDB
//! authentication specification states them. The mongodb driver checks these itself; this is
//! for tools that want the same answer as the C and Python faces, and for the tests that run
//! the specification's connection-string cases through the Node face.

use mongoawsauth::CredentialPolicy;
use mongoawsauth::settings::AuthSettings;
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::credentials::Credentials;
use crate::{errors, guard, values};

/// What `validateConnectionString` returns for settings that pass.
#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct ValidatedSettings {
    /// Always `"$external"`.
    pub source: String,
    /// The keys the connection string carried, under the `'legacy'` policy only; absent otherwise.
    pub credentials: Option<Credentials>,
}

/// Checks the MONGODB-AWS settings of a `mongodb://` or `mongodb+srv://` connection string.
/// `policy` is `'strict'` (the default: the current specification, which refuses keys in the
/// connection string) or `'legacy'` (the specification before 2025, which accepted a complete
/// set of username, password and `AWS_SESSION_TOKEN` as credentials). A string that is not a
/// connection string is an `InvalidArgumentError`; settings the specification refuses are a
/// `ConfigurationError` whose message never repeats a password or token.
#[napi(catch_unwind)]
pub fn validate_connection_string(
    env: Env,
    uri: String,
    #[napi(ts_arg_type = "'strict' | 'legacy'")] policy: Option<Unknown>,
) -> Result<ValidatedSettings> {
    guard::sync(&env, "validateConnectionString", || {
        let policy = match policy.filter(|p| !values::is_nullish(p)) {
            None => CredentialPolicy::Strict,
            Some(p) => {
                match values::string(&p, "policy").map_err(|why| values::type_error(&env, why))?.as_str() {
                    "strict" => CredentialPolicy::Strict,
                    "legacy" => CredentialPolicy::Legacy,
                    _ => {
                        return Err(values::value_error(&env, "policy must be 'strict' or 'legacy'"));
                    }
                }
            }
        };
        let validated = AuthSettings::from_connection_string(&uri)
            .and_then(|settings| settings.validate(policy))
            .map_err(|e| errors::to_js(&env, &e))?;
        Ok(ValidatedSettings {
            source: validated.source.to_owned(),
            credentials: validated.credentials.map(Credentials::from_core),
        })
    })
}
