//! A walk through the default chain that reports every source, for `mongoawsauth diagnose` and
//! for drivers that want to explain a failed login.
//!
//! Unlike a login, the walk bypasses the cache (it asks each source afresh) and records what
//! every source said: configured or not (and why), tried (outcome and time), or not tried (and
//! why). Reads whatever the sources read; see each source's module documentation.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

mod advice;

use crate::credentials::Credentials;
use crate::options::Options;
use crate::provider::container::ContainerProvider;
use crate::provider::{ProvideCredentials, ProviderError};

/// What one source of the chain did during a [`diagnose`] walk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceStatus {
    /// This source supplied the credentials a login would use.
    Used {
        /// The access key id (not a secret).
        access_key_id: String,
        /// Whether they are temporary (carry a session token).
        temporary: bool,
        /// When they expire, if the source said.
        expiry: Option<SystemTime>,
    },
    /// The source is not configured here; the reason says which variable is missing.
    NotConfigured(String),
    /// The source is configured and failed: a login stops here with this error.
    Failed(String),
    /// The walk never reached this source; the reason says why.
    NotTried(String),
}

/// One row of a [`Diagnosis`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceReport {
    /// The source's name.
    pub source: String,
    /// What happened.
    pub status: SourceStatus,
    /// How long the source took (zero when not tried).
    pub elapsed: Duration,
    /// More about how the source is configured, one line each, never a secret: for the profile
    /// step, the profile, the files, the role chain step by step (base source first, each with
    /// the file and line it came from) and the region and STS endpoint.
    pub details: Vec<String>,
}

/// The result of [`diagnose`]: one report per source of the default chain, in order, and the
/// credentials a login would use.
#[derive(Clone, Debug)]
pub struct Diagnosis {
    /// Every source, in chain order.
    pub sources: Vec<SourceReport>,
    /// The credentials the first successful source supplied.
    pub credentials: Option<Credentials>,
    /// The names (never the values) of the credential-related environment variables that were
    /// set during the walk; [`Diagnosis::advice`] names only these.
    pub set_variables: Vec<String>,
}

impl Diagnosis {
    /// The name of the source a login would use.
    pub fn used_source(&self) -> Option<&str> {
        self.sources.iter().find(|r| matches!(r.status, SourceStatus::Used { .. })).map(|r| r.source.as_str())
    }

    /// What to do next, in a sentence, when no source supplied credentials: how to fix the source
    /// that failed, naming only the variables that were set (as "unset AWS_X so the chain can
    /// move on"), or which sources could be configured when none was.
    pub fn advice(&self) -> Option<String> {
        advice::advice(self)
    }
}

/// Walks the default chain of `options` without the cache and reports every source.
///
/// Each source gets at most `per_source_timeout`. Inside a container (a container credentials
/// variable is set) IMDS is reported as not tried, as the spec requires.
pub async fn diagnose(options: &Options, per_source_timeout: Duration) -> Diagnosis {
    let env = options.provider_config().env().clone();
    let in_container = ContainerProvider::is_configured(&env);
    let mut sources = Vec::new();
    let mut credentials = None;
    let mut stop_reason: Option<String> = None;
    for source in options.default_sources() {
        let name = source.name().to_owned();
        if let Some(reason) = &stop_reason {
            sources.push(not_tried(name, reason.clone()));
            continue;
        }
        if name == crate::provider::imds::NAME && in_container {
            sources.push(not_tried(
                name,
                "inside a container (AWS_CONTAINER_CREDENTIALS_* is set) IMDS is never tried".into(),
            ));
            continue;
        }
        let (status, supplied, elapsed) = ask(&source, per_source_timeout).await;
        match &status {
            SourceStatus::Used { .. } => stop_reason = Some(format!("{name} already supplied credentials")),
            SourceStatus::Failed(_) => {
                stop_reason = Some(format!("the chain stops at {name}, which is configured and failed"))
            }
            _ => {}
        }
        if supplied.is_some() {
            credentials = supplied;
        }
        let details = if name == crate::provider::profile::source::NAME {
            profile_details(options)
        } else {
            Vec::new()
        };
        sources.push(SourceReport { source: name, status, elapsed, details });
    }
    let set_variables = advice::set_variables(&env);
    Diagnosis { sources, credentials, set_variables }
}

fn not_tried(source: String, reason: String) -> SourceReport {
    SourceReport {
        source,
        status: SourceStatus::NotTried(reason),
        elapsed: Duration::ZERO,
        details: Vec::new(),
    }
}

/// What the selected profile says, read again without fetching (the walk's own answer only
/// says whether it worked).
fn profile_details(options: &Options) -> Vec<String> {
    let provider = crate::provider::profile::ProfileProvider::with_config(options.provider_config().clone());
    match provider.report() {
        Ok(Ok(report)) => {
            let mut lines = vec![format!("profile {}", report.profile)];
            lines.extend(report.files);
            lines.extend(report.steps.iter().enumerate().map(|(i, step)| format!("step {}: {step}", i + 1)));
            lines.extend(report.endpoints);
            lines
        }
        Ok(Err(_)) | Err(_) => Vec::new(),
    }
}

async fn ask(
    source: &Arc<dyn ProvideCredentials>,
    timeout: Duration,
) -> (SourceStatus, Option<Credentials>, Duration) {
    let started = Instant::now();
    let result = tokio::time::timeout(timeout, source.provide_credentials()).await;
    let elapsed = started.elapsed();
    match result {
        Err(_) => {
            (SourceStatus::Failed(format!("no answer within {} ms", timeout.as_millis())), None, elapsed)
        }
        Ok(Ok(c)) => {
            let status = SourceStatus::Used {
                access_key_id: c.access_key_id().to_owned(),
                temporary: c.is_temporary(),
                expiry: c.expiration(),
            };
            (status, Some(c), elapsed)
        }
        Ok(Err(ProviderError::NotConfigured(e))) => {
            (SourceStatus::NotConfigured(e.message().to_owned()), None, elapsed)
        }
        Ok(Err(ProviderError::Failed(e))) => (SourceStatus::Failed(e.message().to_owned()), None, elapsed),
    }
}
