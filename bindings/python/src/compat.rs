//! TEMPORARY: the core names of the contract (phase 1 of the core's renames), until they land
//! on main. Removed by the merge that brings them.
#![allow(dead_code)]

use mongoawsauth::{AttemptOutcome, ErrorKind};

pub trait KindNames: Sized {
    fn name(self) -> &'static str;
    fn result_code(self) -> u32;
    fn from_result_code(n: u32) -> Option<Self>;
}

impl KindNames for ErrorKind {
    fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Configuration => "CONFIGURATION",
            ErrorKind::CredentialsNotFound => "CREDENTIALS_NOT_FOUND",
            ErrorKind::CredentialsProvider => "CREDENTIALS_PROVIDER",
            ErrorKind::Authentication => "AUTHENTICATION",
            ErrorKind::Signing => "SIGNING",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Runtime => "RUNTIME",
            _ => "INTERNAL",
        }
    }
    fn result_code(self) -> u32 {
        self.code()
    }
    fn from_result_code(n: u32) -> Option<Self> {
        [
            ErrorKind::InvalidArgument,
            ErrorKind::Configuration,
            ErrorKind::CredentialsNotFound,
            ErrorKind::CredentialsProvider,
            ErrorKind::Authentication,
            ErrorKind::Signing,
            ErrorKind::Timeout,
            ErrorKind::Runtime,
            ErrorKind::Internal,
        ]
        .into_iter()
        .find(|k| k.code() == n)
    }
}

pub trait OutcomeName {
    fn name(&self) -> &'static str;
}

impl OutcomeName for AttemptOutcome {
    fn name(&self) -> &'static str {
        match self {
            AttemptOutcome::Succeeded => "succeeded",
            AttemptOutcome::NotConfigured(_) => "not_configured",
            AttemptOutcome::Failed { .. } => "failed",
        }
    }
}

pub const APPLICATION_SOURCE: &str = "application";

pub const MAX_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(2_147_483_647);
