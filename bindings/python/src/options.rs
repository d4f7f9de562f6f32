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

use mongoawsauth::{Authenticator, Env, Options, ProviderConfig};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyMapping, PyString};

use crate::credentials::PyCredentials;
use crate::errors::{IntoPyResult, invalid_type, invalid_value, type_name};
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

/// The keyword arguments of `Authenticator(...)`, in the order of its signature: what an
/// unexpected keyword's error lists.
pub const KEYWORDS: &[&str] = &[
    "provider",
    "credentials",
    "credential_policy",
    "env",
    "timeout",
    "refresh_window",
    "refresh_ahead",
    "sts_endpoint",
    "imds_endpoint",
    "ecs_base_url",
    "metadata_connect_timeout",
    "metadata_read_timeout",
    "sts_timeout",
    "profile",
    "shared_config",
];

/// The keyword of the option the core names `concept` (`Error::option`): the same words but
/// for the credentials timeout, which is `timeout` here.
pub fn keyword(concept: &str) -> &str {
    match concept {
        "credentials_timeout" => "timeout",
        other => other,
    }
}

/// The keyword arguments, as received (`None` for one not given: the core's default).
#[derive(Debug, Default)]
pub struct Args<'a, 'py> {
    pub provider: Option<&'a Bound<'py, PyAny>>,
    pub credentials: Option<&'a Bound<'py, PyAny>>,
    pub credential_policy: Option<&'a Bound<'py, PyAny>>,
    pub env: Option<&'a Bound<'py, PyAny>>,
    pub timeout: Option<&'a Bound<'py, PyAny>>,
    pub refresh_window: Option<&'a Bound<'py, PyAny>>,
    pub refresh_ahead: Option<&'a Bound<'py, PyAny>>,
    pub sts_endpoint: Option<&'a Bound<'py, PyAny>>,
    pub imds_endpoint: Option<&'a Bound<'py, PyAny>>,
    pub ecs_base_url: Option<&'a Bound<'py, PyAny>>,
    pub metadata_connect_timeout: Option<&'a Bound<'py, PyAny>>,
    pub metadata_read_timeout: Option<&'a Bound<'py, PyAny>>,
    pub sts_timeout: Option<&'a Bound<'py, PyAny>>,
    pub profile: Option<&'a Bound<'py, PyAny>>,
    pub shared_config: Option<&'a Bound<'py, PyAny>>,
}

/// A keyword's value, unless it was not given or given as `None`.
fn given<'a, 'py>(value: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    value.filter(|v| !v.is_none())
}

fn duration(value: Option<&Bound<'_, PyAny>>, keyword: &str) -> PyResult<Option<Duration>> {
    given(value).map(|v| time::duration_arg(v, keyword)).transpose()
}

/// An endpoint URL keyword: a `str` (the core checks that it is an http or https URL).
fn url(value: Option<&Bound<'_, PyAny>>, keyword: &str) -> PyResult<Option<String>> {
    let Some(value) = given(value) else { return Ok(None) };
    match value.cast::<PyString>() {
        Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
        Err(_) => Err(invalid_type(
            value.py(),
            format!("{keyword} must be a str (an http or https URL) or None, not {}", type_name(value)),
        )),
    }
}

impl Config {
    pub fn from_args(py: Python<'_>, args: Args<'_, '_>) -> PyResult<Config> {
        let policy = crate::dropin::policy_arg(args.credential_policy)?;
        let source = match given(args.provider) {
            None => Source::Chain(None),
            Some(p) => match p.cast::<PySamlProvider>() {
                Ok(saml) => Source::Saml(saml.clone().unbind()),
                Err(_) if p.is_callable() => Source::Chain(Some(Arc::new(p.clone().unbind()))),
                Err(_) => {
                    return Err(invalid_type(
                        py,
                        format!(
                            "provider must be a callable returning credentials or a SamlProvider, not {}",
                            type_name(p)
                        ),
                    ));
                }
            },
        };
        let credentials = given(args.credentials)
            .map(|c| {
                c.cast::<PyCredentials>().map(|c| c.get().inner.clone()).map_err(|_| {
                    invalid_type(
                        py,
                        format!("credentials must be mongoawsauth.Credentials, not {}", type_name(c)),
                    )
                })
            })
            .transpose()?;
        if matches!(source, Source::Saml(_)) && credentials.is_some() {
            return Err(invalid_value(py, "give provider or credentials, not both"));
        }
        let env = given(args.env).map(env_from_mapping).transpose()?;
        let mut config = ProviderConfig::new();
        if let Some(url) = url(args.sts_endpoint, "sts_endpoint")? {
            config = config.with_sts_endpoint(url);
        }
        if let Some(url) = url(args.imds_endpoint, "imds_endpoint")? {
            config = config.with_imds_endpoint(url);
        }
        if let Some(url) = url(args.ecs_base_url, "ecs_base_url")? {
            config = config.with_ecs_base_url(url);
        }
        if let Some(t) = duration(args.metadata_connect_timeout, "metadata_connect_timeout")? {
            config = config.with_metadata_connect_timeout(t);
        }
        if let Some(t) = duration(args.metadata_read_timeout, "metadata_read_timeout")? {
            config = config.with_metadata_read_timeout(t);
        }
        if let Some(t) = duration(args.sts_timeout, "sts_timeout")? {
            config = config.with_sts_timeout(t);
        }
        if let Some(name) = profile_name(args.profile)? {
            config = config.with_profile(name);
        }
        if let Some(enabled) = shared_config_switch(args.shared_config)? {
            config = config.with_shared_config(enabled);
        }
        let mut options = Options::new().with_credential_policy(policy).with_provider_config(config);
        if let Some(t) = duration(args.timeout, "timeout")? {
            options = options.with_credentials_timeout(t);
        }
        if let Some(t) = duration(args.refresh_window, "refresh_window")? {
            options = options.with_refresh_window(t);
        }
        if let Some(t) = duration(args.refresh_ahead, "refresh_ahead")? {
            options = options.with_refresh_ahead(t);
        }
        if let Some(credentials) = credentials {
            options = options.with_explicit_credentials(credentials);
        }
        // The core's checks, the same in every face; its errors name the option by its concept,
        // which `errors` turns into the keyword.
        options.validate().into_py(py)?;
        let timeout = options.credentials_timeout();
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
        invalid_type(
            value.py(),
            format!(
                "profile must be a str (the name of a profile in ~/.aws/config or ~/.aws/credentials) or None, not {}",
                type_name(value)
            ),
        )
    })?;
    // A blank name is the core's to refuse, with every face's words.
    Ok(Some(name.to_cow()?.into_owned()))
}

/// `shared_config=`: `True` or `False` only (a truthy string such as "false" would invert it).
fn shared_config_switch(value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<bool>> {
    let Some(value) = given(value) else { return Ok(None) };
    match value.cast::<PyBool>() {
        Ok(b) => Ok(Some(b.is_true())),
        Err(_) => Err(invalid_type(
            value.py(),
            format!(
                "shared_config must be True or False (whether ~/.aws/config and ~/.aws/credentials are read), not {}",
                type_name(value)
            ),
        )),
    }
}

fn env_from_mapping(value: &Bound<'_, PyAny>) -> PyResult<Env> {
    let mapping = value.cast::<PyMapping>().map_err(|_| {
        invalid_type(
            value.py(),
            format!("env must be a mapping of str to str, such as a dict, not {}", type_name(value)),
        )
    })?;
    let mut vars = HashMap::new();
    for item in mapping.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let (Ok(k), Ok(v)) = (k.cast::<PyString>(), v.cast::<PyString>()) else {
            return Err(invalid_type(value.py(), "env must map str to str"));
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
