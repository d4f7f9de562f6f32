//! The keyword arguments of `Authenticator(...)` as core `Options`, and the per-call
//! authenticator built from them.
//!
//! Unless `env=` is given, every call reads the `AWS_*` variables and the home directory
//! (`HOME`, which locates `~/.aws/config` and `~/.aws/credentials`) from `os.environ` while it
//! holds the GIL and hands the core that snapshot: changes made through `os.environ` are seen
//! at the next call (the spec's "read the environment at every authentication"), and no core
//! thread ever reads the C environment while Python may be writing it. An `env=` mapping
//! replaces all of it, `HOME` included: without `HOME` (or `AWS_CONFIG_FILE` /
//! `AWS_SHARED_CREDENTIALS_FILE`) in it, no shared config file is read.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use mongoawsauth::{Authenticator, CredentialPolicy, Credentials, Env, Options, ProviderConfig};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyMapping, PyString};

use crate::errors::IntoPyResult;
use crate::provider::{self, CallContext, PySamlProvider};
use crate::time;

#[derive(Debug)]
enum Source {
    /// The spec's default chain, after the custom provider if there is one.
    Chain(Option<Arc<Py<PyAny>>>),
    /// AssumeRoleWithSAML only, behind the process-wide cache.
    Saml(Py<PySamlProvider>),
}

/// Everything `Authenticator(...)` was given.
#[derive(Debug)]
pub struct Config {
    source: Source,
    options: Options,
    env: Option<Env>,
    pub timeout: Duration,
}

/// The keyword arguments, as received.
#[derive(Debug)]
pub struct Args<'a, 'py> {
    pub provider: Option<&'a Bound<'py, PyAny>>,
    pub credentials: Option<Credentials>,
    pub credential_policy: &'a str,
    pub env: Option<&'a Bound<'py, PyAny>>,
    pub timeout: f64,
    pub refresh_window: f64,
    pub refresh_ahead: f64,
    pub sts_endpoint: Option<String>,
    pub imds_endpoint: Option<String>,
    pub ecs_base_url: Option<String>,
    pub metadata_connect_timeout: Option<f64>,
    pub metadata_read_timeout: Option<f64>,
    pub sts_timeout: Option<f64>,
    pub profile: Option<&'a Bound<'py, PyAny>>,
    pub shared_config: Option<&'a Bound<'py, PyAny>>,
}

impl Config {
    pub fn from_args(args: Args<'_, '_>) -> PyResult<Config> {
        let policy = match args.credential_policy {
            "strict" => CredentialPolicy::Strict,
            "legacy" => CredentialPolicy::Legacy,
            _ => return Err(PyValueError::new_err("credential_policy must be \"strict\" or \"legacy\"")),
        };
        let source = match args.provider {
            None => Source::Chain(None),
            Some(p) => match p.cast::<PySamlProvider>() {
                Ok(saml) => Source::Saml(saml.clone().unbind()),
                Err(_) if p.is_callable() => Source::Chain(Some(Arc::new(p.clone().unbind()))),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "provider must be a callable returning credentials or a SamlProvider, not {}",
                        p.get_type().name()?
                    )));
                }
            },
        };
        if matches!(source, Source::Saml(_)) && args.credentials.is_some() {
            return Err(PyValueError::new_err("give provider or credentials, not both"));
        }
        let env = args.env.map(env_from_mapping).transpose()?;
        let mut config = ProviderConfig::new();
        if let Some(url) = args.sts_endpoint {
            config = config.with_sts_endpoint(url);
        }
        if let Some(url) = args.imds_endpoint {
            config = config.with_imds_endpoint(url);
        }
        if let Some(url) = args.ecs_base_url {
            config = config.with_ecs_base_url(url);
        }
        if let Some(t) = args.metadata_connect_timeout {
            config = config.with_metadata_connect_timeout(time::seconds(t, "metadata_connect_timeout")?);
        }
        if let Some(t) = args.metadata_read_timeout {
            config = config.with_metadata_read_timeout(time::seconds(t, "metadata_read_timeout")?);
        }
        if let Some(t) = args.sts_timeout {
            config = config.with_sts_timeout(time::seconds(t, "sts_timeout")?);
        }
        if let Some(name) = profile_name(args.profile)? {
            config = config.with_profile(name);
        }
        if let Some(enabled) = shared_config_switch(args.shared_config)? {
            config = config.with_shared_config(enabled);
        }
        let timeout = time::seconds(args.timeout, "timeout")?;
        let mut options = Options::new()
            .with_credential_policy(policy)
            .with_provider_config(config)
            .with_credentials_timeout(timeout)
            .with_refresh_window(time::seconds(args.refresh_window, "refresh_window")?)
            .with_refresh_ahead(time::seconds(args.refresh_ahead, "refresh_ahead")?);
        if let Some(credentials) = args.credentials {
            options = options.with_explicit_credentials(credentials);
        }
        Ok(Config { source, options, env, timeout })
    }

    /// The core authenticator for one call, reading the environment as it is now.
    pub fn authenticator(&self, py: Python<'_>, ctx: &CallContext) -> PyResult<Authenticator> {
        let env = match &self.env {
            Some(env) => env.clone(),
            None => environ_snapshot(py)?,
        };
        let config = self.options.provider_config().clone().with_env(env);
        match &self.source {
            Source::Saml(saml) => {
                let options = self.options.clone().with_provider_config(config);
                Authenticator::saml(saml.get().saml_options(ctx), options).into_py(py)
            }
            Source::Chain(custom) => {
                let mut options = self.options.clone().with_provider_config(config);
                if let Some(callable) = custom {
                    options = options
                        .with_custom_provider(provider::custom_provider(Arc::clone(callable), ctx.clone()));
                }
                Authenticator::new(options).into_py(py)
            }
        }
    }

    /// What `repr()` shows: the kind of source, never a secret.
    pub fn describe(&self) -> String {
        let source = match &self.source {
            Source::Chain(None) => "default chain".to_owned(),
            Source::Chain(Some(_)) => "custom provider, then the default chain".to_owned(),
            Source::Saml(p) => format!("SAML role {}", p.get().role_arn_str()),
        };
        let config = self.options.provider_config();
        let mut out = format!("source={source:?}, timeout={}", self.timeout.as_secs_f64());
        if let Some(profile) = config.profile() {
            out.push_str(&format!(", profile={profile:?}"));
        }
        if !config.shared_config() {
            out.push_str(", shared_config=False");
        }
        out
    }
}

/// `profile=`: a non-blank `str`, or `None` for the profile the environment names. A blank name
/// is refused rather than read as "no profile": it would silently fall back to `AWS_PROFILE`.
fn profile_name(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else { return Ok(None) };
    let name = value.cast::<PyString>().map_err(|_| {
        PyTypeError::new_err(format!(
            "profile must be a str (the name of a profile in ~/.aws/config or ~/.aws/credentials) or None, not {}",
            type_name(value)
        ))
    })?;
    let name = name.to_cow()?;
    if name.trim().is_empty() {
        return Err(PyValueError::new_err(
            "profile must name a profile; pass None to use AWS_PROFILE, else the default profile",
        ));
    }
    Ok(Some(name.into_owned()))
}

/// `shared_config=`: `True` or `False` only (a truthy string such as "false" would invert it).
fn shared_config_switch(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<bool>> {
    let Some(value) = value else { return Ok(None) };
    match value.cast::<PyBool>() {
        Ok(b) => Ok(Some(b.is_true())),
        Err(_) => Err(PyTypeError::new_err(format!(
            "shared_config must be True or False (whether ~/.aws/config and ~/.aws/credentials are read), not {}",
            type_name(value)
        ))),
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value.get_type().name().map_or_else(|_| "an unknown type".to_owned(), |n| n.to_string())
}

fn env_from_mapping(value: &Bound<'_, PyAny>) -> PyResult<Env> {
    let mapping = value
        .cast::<PyMapping>()
        .map_err(|_| PyTypeError::new_err("env must be a mapping of str to str, such as a dict"))?;
    let mut vars = HashMap::new();
    for item in mapping.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let (Ok(k), Ok(v)) = (k.cast::<PyString>(), v.cast::<PyString>()) else {
            return Err(PyTypeError::new_err("env must map str to str"));
        };
        vars.insert(k.to_cow()?.into_owned(), v.to_cow()?.into_owned());
    }
    Ok(Env::from_vars(vars))
}

static ENVIRON: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The variables besides `AWS_*` the core reads: the home directory, where `~/.aws/config`,
/// `~/.aws/credentials` and the SSO token cache are found (`USERPROFILE`, `HOMEDRIVE` and
/// `HOMEPATH` on Windows).
const HOME_VARS: &[&str] = &["HOME", "USERPROFILE", "HOMEDRIVE", "HOMEPATH"];

/// The `AWS_*` and home directory variables of `os.environ`, now. Names or values that are not
/// valid Unicode are skipped, as the core skips them in the process environment.
fn environ_snapshot(py: Python<'_>) -> PyResult<Env> {
    let environ = ENVIRON.get_or_try_init(py, || py.import("os")?.getattr("environ").map(Bound::unbind))?;
    let items = environ.bind(py).call_method0("items")?;
    let mut vars = Vec::new();
    for item in items.try_iter()? {
        let (k, v): (Bound<'_, PyString>, Bound<'_, PyString>) = item?.extract()?;
        if let Ok(name) = k.to_cow()
            && (name.starts_with("AWS_") || HOME_VARS.contains(&name.as_ref()))
            && let Ok(value) = v.to_cow()
        {
            vars.push((name.into_owned(), value.into_owned()));
        }
    }
    Ok(Env::from_vars(vars))
}
