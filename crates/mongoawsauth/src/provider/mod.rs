//! Credential sources.
//!
//! A source implements [`ProvideCredentials`]. Its answer is credentials, or a
//! [`ProviderError`] that says either "not configured here, try the next source"
//! ([`ProviderError::NotConfigured`]) or "configured, and it failed" ([`ProviderError::Failed`]).
//! A [`chain::Chain`] runs sources in order: it moves on after `NotConfigured` and stops at the
//! first success or the first real failure, the rule the AWS SDKs follow.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};

pub mod chain;
pub mod container;
pub mod custom;
pub mod default_chain;
pub mod environment;
pub mod imds;
pub(crate) mod metadata;
pub mod profile;
pub mod saml;
pub mod static_keys;
pub mod web_identity;

/// The future a source returns.
pub type ProvideFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials, ProviderError>> + Send + 'a>>;

/// A source of AWS credentials.
///
/// Implementations must be cheap to call repeatedly, must never log a secret, and should return
/// [`ProviderError::NotConfigured`] when the environment shows no sign of them, so that a chain
/// can move on.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// A short, stable name for diagnostics, e.g. `"environment"`.
    fn name(&self) -> &str;

    /// Resolves credentials.
    fn provide_credentials(&self) -> ProvideFuture<'_>;

    /// A key that identifies this source's current configuration, for the process-wide cache
    /// (see [`crate::cache`]). Sources that fetch from AWS endpoints return one, computed from
    /// what they read (for example the role ARN and token file path), so every authenticator
    /// configured alike shares one entry. `None` (the default) means "never cache": the
    /// environment, static keys and custom providers answer fresh every time.
    fn cache_key(&self) -> Option<String> {
        None
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn cache_key(&self) -> Option<String> {
        (**self).cache_key()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn cache_key(&self) -> Option<String> {
        (**self).cache_key()
    }
}

/// Why a source gave no credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProviderError {
    /// The source is not configured here (its variables are unset, it is disabled...). The
    /// error's message says why; a chain moves on to its next source.
    NotConfigured(Error),
    /// The source is configured and failed. A chain stops and reports this.
    Failed(Error),
}

impl ProviderError {
    /// "Not configured here", with the reason (for example `"AWS_ACCESS_KEY_ID is not set"`).
    pub fn not_configured(reason: impl Into<String>) -> Self {
        ProviderError::NotConfigured(Error::new(ErrorKind::CredentialsNotFound, reason))
    }

    /// A real failure.
    pub fn failed(error: Error) -> Self {
        ProviderError::Failed(error)
    }

    /// The underlying error.
    pub fn error(&self) -> &Error {
        match self {
            ProviderError::NotConfigured(e) | ProviderError::Failed(e) => e,
        }
    }

    /// Whether a chain should move on to its next source.
    pub fn is_not_configured(&self) -> bool {
        matches!(self, ProviderError::NotConfigured(_))
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProviderError::NotConfigured(e) => write!(f, "not configured: {e}"),
            ProviderError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ProviderError {}

impl From<Error> for ProviderError {
    fn from(error: Error) -> Self {
        ProviderError::Failed(error)
    }
}
