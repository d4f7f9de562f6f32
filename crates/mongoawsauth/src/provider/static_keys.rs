//! Explicit credentials handed in by the host application.
//!
//! Reads nothing. The current MongoDB auth spec forbids credentials in the connection string or
//! client options; this source exists for drivers and tools that still accept them (the
//! pre-2025-10 spec) and for composing chains by hand.

use crate::credentials::Credentials;

use super::{ProvideCredentials, ProvideFuture};

/// The name this source reports.
pub const NAME: &str = "static";

/// Always returns the same credentials.
#[derive(Clone, Debug)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Serves `credentials` on every call.
    pub fn new(credentials: Credentials) -> Self {
        StaticProvider { credentials }
    }
}

impl ProvideCredentials for StaticProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let credentials = self.credentials.clone();
        Box::pin(async move { Ok(credentials) })
    }
}
