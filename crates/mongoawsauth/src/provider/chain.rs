//! [`Chain`]: runs sources in order until one supplies credentials.
//!
//! Reads nothing itself. A source that is not configured is skipped; the first success or the
//! first real failure ends the chain. The error of a chain that found nothing lists every source
//! tried, its outcome and its time.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use tracing::Instrument as _;

use crate::error::{Attempt, AttemptOutcome, Error, ErrorKind};

use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// An ordered list of credential sources.
#[derive(Clone, Default)]
pub struct Chain {
    sources: Vec<Arc<dyn ProvideCredentials>>,
}

impl Chain {
    /// An empty chain; add sources with [`Chain::then`].
    pub fn new() -> Self {
        Chain::default()
    }

    /// Appends a source.
    #[must_use]
    pub fn then(mut self, source: impl ProvideCredentials + 'static) -> Self {
        self.sources.push(Arc::new(source));
        self
    }

    /// Appends a shared source.
    #[must_use]
    pub fn then_shared(mut self, source: Arc<dyn ProvideCredentials>) -> Self {
        self.sources.push(source);
        self
    }

    /// The names of the sources, in order.
    pub fn source_names(&self) -> Vec<&str> {
        self.sources.iter().map(|s| s.name()).collect()
    }

    async fn run(&self) -> Result<crate::Credentials, ProviderError> {
        let mut attempts = Vec::with_capacity(self.sources.len());
        for source in &self.sources {
            let started = Instant::now();
            let span = tracing::debug_span!("credential_source", source = %source.name());
            let result = source.provide_credentials().instrument(span).await;
            let elapsed = started.elapsed();
            let name = source.name().to_owned();
            match result {
                Ok(credentials) => {
                    tracing::debug!(
                        source = %name,
                        access_key_id = %credentials.access_key_id(),
                        elapsed_ms = elapsed.as_secs_f64() * 1000.0,
                        "credential source succeeded"
                    );
                    return Ok(credentials);
                }
                Err(ProviderError::NotConfigured(e)) => {
                    tracing::debug!(source = %name, reason = %e.message(), "credential source not configured");
                    // A nested chain reports its own attempts; keep them all, in order.
                    if e.attempts().is_empty() {
                        attempts.push(Attempt {
                            source: name,
                            outcome: AttemptOutcome::NotConfigured(e.message().to_owned()),
                            elapsed,
                        });
                    } else {
                        attempts.extend(e.attempts().iter().cloned());
                    }
                }
                Err(ProviderError::Failed(e)) => {
                    tracing::debug!(source = %name, error = %e.message(), "credential source failed");
                    let message = format!("the {name} credential source failed: {}", e.message());
                    if e.attempts().is_empty() {
                        attempts.push(Attempt {
                            source: name,
                            outcome: AttemptOutcome::Failed {
                                kind: e.kind(),
                                message: e.message().to_owned(),
                            },
                            elapsed,
                        });
                    } else {
                        attempts.extend(e.attempts().iter().cloned());
                    }
                    // The source's own error stays reachable as the cause (a host callback's
                    // exception, for one).
                    let kind = e.kind();
                    return Err(ProviderError::Failed(
                        Error::new(kind, message).with_attempts(attempts).with_cause(e),
                    ));
                }
            }
        }
        let names = self.source_names().join(", ");
        Err(ProviderError::NotConfigured(
            Error::new(
                ErrorKind::CredentialsNotFound,
                format!("none of the credential sources ({names}) is configured"),
            )
            .with_attempts(attempts),
        ))
    }
}

impl ProvideCredentials for Chain {
    fn name(&self) -> &str {
        "chain"
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.run())
    }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain").field("sources", &self.source_names()).finish()
    }
}
