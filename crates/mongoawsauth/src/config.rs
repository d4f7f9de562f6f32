//! The world the credential sources read, injected so that tests never touch the process
//! environment, the real file system, the wall clock or a real AWS endpoint: [`Env`] for
//! environment variables, [`Fs`] for files, [`Clock`] for the time, and [`ProviderConfig`],
//! which carries them with the endpoints and timeouts of the network sources.

mod clock;
mod fs;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use clock::{Clock, ManualClock, SystemClock};
pub use fs::{FileError, Fs};

/// The ECS agent's credentials address (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is relative to it).
pub const DEFAULT_ECS_BASE_URL: &str = "http://169.254.170.2";
/// The time allowed to connect to IMDS or a container endpoint. Short on purpose: a process that
/// is not on EC2 learns it within this time and the chain moves on.
pub const DEFAULT_METADATA_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The spec's read timeout for the ECS and EC2 endpoints.
pub const DEFAULT_METADATA_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// The time allowed for one STS fetch (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), retries
/// and backoff included.
pub const DEFAULT_STS_TIMEOUT: Duration = Duration::from_secs(10);

/// What the credential sources need from the outside world: the environment, the files, the
/// clock, endpoint overrides and timeouts. [`ProviderConfig::new`] is the real world; tests
/// point the endpoints at loopback stand-ins, give in-memory files ([`ProviderConfig::with_fs`])
/// and a [`ManualClock`] ([`ProviderConfig::with_clock`]).
///
/// `Debug` shows the endpoint URLs with their user information and query redacted, the
/// environment's variable names only, and the files' paths only.
#[derive(Clone)]
pub struct ProviderConfig {
    env: Env,
    ecs_base_url: String,
    imds_endpoint: Option<String>,
    sts_endpoint: Option<String>,
    metadata_connect_timeout: Duration,
    metadata_read_timeout: Duration,
    sts_timeout: Duration,
    profile: Option<String>,
    shared_config: bool,
    fs: Fs,
    clock: Arc<dyn Clock>,
}

impl Default for ProviderConfig {
    fn default() -> Self {
        ProviderConfig {
            env: Env::real(),
            ecs_base_url: DEFAULT_ECS_BASE_URL.to_owned(),
            imds_endpoint: None,
            sts_endpoint: None,
            metadata_connect_timeout: DEFAULT_METADATA_CONNECT_TIMEOUT,
            metadata_read_timeout: DEFAULT_METADATA_READ_TIMEOUT,
            sts_timeout: DEFAULT_STS_TIMEOUT,
            profile: None,
            shared_config: true,
            fs: Fs::real(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl ProviderConfig {
    /// The real world: the process environment and AWS's addresses.
    pub fn new() -> Self {
        ProviderConfig::default()
    }

    /// Reads these variables instead of the process environment.
    #[must_use]
    pub fn with_env(mut self, env: Env) -> Self {
        self.env = env;
        self
    }

    /// The base URL that `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is joined to (default
    /// `http://169.254.170.2`). Tests point it at a loopback stand-in.
    #[must_use]
    pub fn with_ecs_base_url(mut self, url: impl Into<String>) -> Self {
        self.ecs_base_url = url.into();
        self
    }

    /// The IMDS base URL, overriding `AWS_EC2_METADATA_SERVICE_ENDPOINT` and the mode default.
    #[must_use]
    pub fn with_imds_endpoint(mut self, url: impl Into<String>) -> Self {
        self.imds_endpoint = Some(url.into());
        self
    }

    /// The STS endpoint for web identity and SAML, overriding `AWS_ENDPOINT_URL_STS`,
    /// `AWS_ENDPOINT_URL` and the regional default.
    #[must_use]
    pub fn with_sts_endpoint(mut self, url: impl Into<String>) -> Self {
        self.sts_endpoint = Some(url.into());
        self
    }

    /// The connect timeout for IMDS and container endpoints (default 1 s).
    #[must_use]
    pub fn with_metadata_connect_timeout(mut self, timeout: Duration) -> Self {
        self.metadata_connect_timeout = timeout;
        self
    }

    /// The read timeout for IMDS and container endpoints (default 10 s, the spec's).
    #[must_use]
    pub fn with_metadata_read_timeout(mut self, timeout: Duration) -> Self {
        self.metadata_read_timeout = timeout;
        self
    }

    /// The time allowed for one STS fetch, retries and backoff included (default 10 s).
    #[must_use]
    pub fn with_sts_timeout(mut self, timeout: Duration) -> Self {
        self.sts_timeout = timeout;
        self
    }

    /// The profile of the shared config files to use, as if named by `AWS_PROFILE` (which it
    /// overrides). A profile named here or in `AWS_PROFILE` must exist; the implicit `default`
    /// may be missing.
    #[must_use]
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// Whether the shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`)
    /// are read (default: yes, as the AWS SDKs do). `false` keeps the MongoDB specification's
    /// chain only: custom provider, environment, web identity, container endpoint, IMDS.
    #[must_use]
    pub fn with_shared_config(mut self, enabled: bool) -> Self {
        self.shared_config = enabled;
        self
    }

    /// Reads every file through `fs` instead of the real file system: the shared config and
    /// credentials files, the SSO token cache, the web identity token file and the container
    /// authorization token file. For tests, and for hosts that keep these files elsewhere.
    #[must_use]
    pub fn with_fs(mut self, fs: Fs) -> Self {
        self.fs = fs;
        self
    }

    /// Reads the time from `clock` instead of the system's: where the sources decide whether
    /// credentials they were handed have already expired, and where the SSO token's expiry is
    /// checked. For tests that must not depend on when they run.
    #[must_use]
    pub fn with_clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The profile named in code, if any.
    pub fn profile(&self) -> Option<&str> {
        self.profile.as_deref()
    }

    /// Whether the shared config files are read.
    pub fn shared_config(&self) -> bool {
        self.shared_config
    }

    /// The file reader.
    pub fn fs(&self) -> &Fs {
        &self.fs
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The environment.
    pub fn env(&self) -> &Env {
        &self.env
    }

    /// The ECS base URL.
    pub fn ecs_base_url(&self) -> &str {
        &self.ecs_base_url
    }

    /// The IMDS endpoint override, if any.
    pub fn imds_endpoint(&self) -> Option<&str> {
        self.imds_endpoint.as_deref()
    }

    /// The STS endpoint override, if any.
    pub fn sts_endpoint(&self) -> Option<&str> {
        self.sts_endpoint.as_deref()
    }

    /// The metadata connect timeout.
    pub fn metadata_connect_timeout(&self) -> Duration {
        self.metadata_connect_timeout
    }

    /// The metadata read timeout.
    pub fn metadata_read_timeout(&self) -> Duration {
        self.metadata_read_timeout
    }

    /// The STS request timeout.
    pub fn sts_timeout(&self) -> Duration {
        self.sts_timeout
    }
}

impl fmt::Debug for ProviderConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = |u: &Option<String>| u.as_deref().map(crate::redact::url);
        f.debug_struct("ProviderConfig")
            .field("env", &self.env)
            .field("ecs_base_url", &crate::redact::url(&self.ecs_base_url))
            .field("imds_endpoint", &url(&self.imds_endpoint))
            .field("sts_endpoint", &url(&self.sts_endpoint))
            .field("metadata_connect_timeout", &self.metadata_connect_timeout)
            .field("metadata_read_timeout", &self.metadata_read_timeout)
            .field("sts_timeout", &self.sts_timeout)
            .field("fs", &self.fs)
            .field("clock", &self.clock)
            .finish()
    }
}

/// Environment variables as the credential sources see them.
///
/// [`Env::real`] reads the process environment on every lookup (so rotated credentials are seen
/// at the next authentication, as the spec requires); [`Env::from_vars`] is a fixed map, for
/// tests and for hosts that keep their configuration elsewhere. `Debug` shows variable names
/// only, never values.
#[derive(Clone, Default)]
pub struct Env {
    map: Option<Arc<HashMap<String, String>>>,
    lookup: Option<Arc<EnvLookup>>,
}

type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

impl Env {
    /// The process environment, read at each lookup.
    pub fn real() -> Self {
        Env { map: None, lookup: None }
    }

    /// Variables from a function, called at each lookup: for hosts that keep their own view of
    /// the environment (a language runtime's `os.environ`), and for tests that change it.
    pub fn from_fn<F>(lookup: F) -> Self
    where
        F: Fn(&str) -> Option<String> + Send + Sync + 'static,
    {
        Env { map: None, lookup: Some(Arc::new(lookup)) }
    }

    /// A fixed set of variables; everything else is unset.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            map: Some(Arc::new(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect())),
            lookup: None,
        }
    }

    /// The value of `name`, or `None` when it is unset or not valid UTF-8.
    pub fn get(&self, name: &str) -> Option<String> {
        if let Some(lookup) = &self.lookup {
            return lookup(name);
        }
        match &self.map {
            Some(map) => map.get(name).cloned(),
            None => match std::env::var(name) {
                Ok(v) => Some(v),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    tracing::warn!(
                        variable = name,
                        "ignoring an environment variable that is not valid UTF-8"
                    );
                    None
                }
            },
        }
    }

    /// The value of `name` unless it is unset or blank (empty or whitespace only).
    pub fn get_non_blank(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.lookup.is_some() {
            return f.write_str("Env::from_fn");
        }
        match &self.map {
            None => f.write_str("Env::real"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_struct("Env::from_vars").field("names", &names).finish()
            }
        }
    }
}
