//! The options object of `new Authenticator(options)` and `credentialProvider(options)`, read
//! into the core's `Options` (or, with `saml`, the core's SAML source). Every key is checked, so
//! a typo is a `TypeError` rather than a silently ignored setting, and every number is checked
//! for its range (a `RangeError`) before it becomes a duration.

use std::collections::HashMap;
use std::time::Duration;

use mongoawsauth::{Authenticator, Env as CoreEnv, Options, ProviderConfig};
use napi::bindgen_prelude::*;
use napi::{Env, ValueType};

use crate::values::Invalid;
use crate::{errors, js_provider, saml, values};

const KEYS: &[&str] = &[
    "provider",
    "saml",
    "env",
    "timeoutMs",
    "refreshWindowMs",
    "refreshAheadMs",
    "stsEndpoint",
    "imdsEndpoint",
    "ecsBaseUrl",
    "metadataConnectTimeoutMs",
    "metadataReadTimeoutMs",
    "stsTimeoutMs",
    "profile",
    "sharedConfig",
];

/// The core authenticator `options` describe (undefined or null: the defaults). Wrong types
/// throw a `TypeError`, numbers out of range a `RangeError`, values the core refuses a
/// `MongoAwsAuthError`.
pub(crate) fn authenticator(env: &Env, options: Option<Unknown>) -> Result<Authenticator> {
    let (core, saml) = read(env, options)?;
    match saml {
        None => Authenticator::new(core),
        Some(saml) => saml::authenticator(saml, &core),
    }
    .map_err(|e| errors::to_js(env, &e))
}

fn read(env: &Env, options: Option<Unknown>) -> Result<(Options, Option<saml::SamlOptions>)> {
    let mut core = Options::new();
    let Some(options) = options.filter(|o| !values::is_nullish(o)) else { return Ok((core, None)) };
    let fail = |why: Invalid| why.throw(env);
    let object = values::object(&options, "options").map_err(|why| fail(why.into()))?;
    for key in values::keys(&object)? {
        if !KEYS.contains(&key.as_str()) {
            return Err(fail(Invalid::Type(format!(
                "options.{key} is not an option; the options are {}",
                KEYS.join(", ")
            ))));
        }
    }
    let get = |name: &str| -> Result<Option<Unknown>> {
        let value = values::property(&object, name)?;
        Ok((!values::is_nullish(&value)).then_some(value))
    };
    let ms = |name: &str| -> Result<Option<Duration>> {
        get(name)?.map(|v| values::millis(&v, &format!("options.{name}")).map_err(fail)).transpose()
    };
    let url = |name: &str| -> Result<Option<String>> {
        get(name)?
            .map(|v| values::string(&v, &format!("options.{name}")).map_err(|why| fail(why.into())))
            .transpose()
    };

    let saml = get("saml")?.map(|v| saml::read(&v).map_err(fail)).transpose()?;
    if let Some(provider) = get("provider")? {
        if saml.is_some() {
            return Err(fail(Invalid::Type(
                "options.provider and options.saml are two sources; give one of them".to_owned(),
            )));
        }
        if provider.get_type()? != ValueType::Function {
            return Err(fail(Invalid::Type(format!(
                "options.provider must be a function returning credentials (or a promise of them), got {}",
                values::type_name(&provider)
            ))));
        }
        let function = Function::<(), js_provider::ProviderReturn>::from_unknown(provider)?;
        core = core.with_custom_provider(js_provider::custom_provider(function)?);
    }

    let mut config = ProviderConfig::new();
    if let Some(vars) = get("env")? {
        config = config.with_env(read_env(&vars).map_err(|why| fail(why.into()))?);
    }
    if let Some(url) = url("stsEndpoint")? {
        config = config.with_sts_endpoint(url);
    }
    if let Some(url) = url("imdsEndpoint")? {
        config = config.with_imds_endpoint(url);
    }
    if let Some(url) = url("ecsBaseUrl")? {
        config = config.with_ecs_base_url(url);
    }
    if let Some(d) = ms("metadataConnectTimeoutMs")? {
        config = config.with_metadata_connect_timeout(d);
    }
    if let Some(d) = ms("metadataReadTimeoutMs")? {
        config = config.with_metadata_read_timeout(d);
    }
    if let Some(d) = ms("stsTimeoutMs")? {
        config = config.with_sts_timeout(d);
    }
    if let Some(value) = get("profile")? {
        config = config.with_profile(profile_name(&value).map_err(fail)?);
    }
    if let Some(value) = get("sharedConfig")? {
        config = config.with_shared_config(shared_config_switch(&value).map_err(fail)?);
    }
    core = core.with_provider_config(config);

    if let Some(d) = ms("timeoutMs")? {
        core = core.with_credentials_timeout(d);
    }
    if let Some(d) = ms("refreshWindowMs")? {
        core = core.with_refresh_window(d);
    }
    if let Some(d) = ms("refreshAheadMs")? {
        core = core.with_refresh_ahead(d);
    }
    Ok((core, saml))
}

/// `options.profile`: the name of a profile of the shared config files. A blank name is refused
/// rather than read as "no profile", which would silently fall back to `AWS_PROFILE`.
fn profile_name(value: &Unknown) -> std::result::Result<String, Invalid> {
    if value.get_type().ok() != Some(ValueType::String) {
        return Err(Invalid::Type(format!(
            "options.profile must be a string (the name of a profile in ~/.aws/config or ~/.aws/credentials), got {}",
            values::type_name(value)
        )));
    }
    let name = values::string(value, "options.profile").map_err(Invalid::Type)?;
    if name.trim().is_empty() {
        return Err(Invalid::Type(
            "options.profile must name a profile; leave it out to use AWS_PROFILE, else the default profile"
                .to_owned(),
        ));
    }
    Ok(name)
}

/// `options.sharedConfig`: `true` or `false` only (a string such as "false" would invert it).
fn shared_config_switch(value: &Unknown) -> std::result::Result<bool, Invalid> {
    if value.get_type().ok() != Some(ValueType::Boolean) {
        return Err(Invalid::Type(format!(
            "options.sharedConfig must be a boolean (whether ~/.aws/config and ~/.aws/credentials are read), got {}",
            values::type_name(value)
        )));
    }
    bool::from_unknown(*value).map_err(|_| Invalid::Type("options.sharedConfig could not be read".to_owned()))
}

/// `options.env`: variable names to string values (undefined skips a name), read instead of
/// `process.env`.
fn read_env(vars: &Unknown) -> std::result::Result<CoreEnv, String> {
    let object = values::object(vars, "options.env")?;
    let mut map = HashMap::new();
    for name in values::keys(&object).map_err(|_| "options.env could not be read".to_owned())? {
        let value =
            values::property(&object, &name).map_err(|_| format!("options.env.{name} could not be read"))?;
        if let Some(value) = values::optional_string(&value, &format!("options.env.{name}"))? {
            map.insert(name, value);
        }
    }
    Ok(CoreEnv::from_vars(map))
}
