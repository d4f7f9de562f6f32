//! The client side of MongoDB's MONGODB-AWS authentication.
//!
//! A driver that logs in with AWS IAM needs credentials, a client-first payload and a
//! client-final payload that carries a SigV4 signature of an STS `GetCallerIdentity` request.
//! This crate provides all three:
//!
//! - [`Authenticator`] resolves [`Credentials`] from the configured sources (the spec's chain:
//!   a custom provider, then the environment, ...) within a deadline;
//! - [`Conversation`] produces the payloads for `saslStart` and `saslContinue` and validates the
//!   server's reply strictly;
//! - [`settings::AuthSettings`] validates a driver's MONGODB-AWS settings against the spec.
//!
//! ```no_run
//! # async fn login() -> mongoawsauth::Result<()> {
//! use mongoawsauth::{Authenticator, Options};
//! let auth = Authenticator::new(Options::new())?;
//! let mut conversation = auth.conversation().await?;
//! let client_first = conversation.client_first()?;          // send in saslStart
//! # let server_first: Vec<u8> = Vec::new();
//! let client_final = conversation.client_final(&server_first)?; // send in saslContinue
//! # let _ = (client_first, client_final);
//! # Ok(()) }
//! ```
//!
//! Secrets are held in zeroizing storage and never appear in `Debug`, `Display` or errors.
//!
//! Where each concept lives: [`Options`] (how an authenticator finds credentials) in
//! `options.rs`, checked by [`Options::validate`] in `validate.rs`; every default value and limit
//! in [`defaults`]; the default chain an `Options` builds in [`provider::default_chain`]; the
//! sources in [`provider`]; the provider context (environment, endpoints, timeouts) in
//! [`config`]; the process-wide cache in [`cache`]; errors and their stable codes in [`Error`]
//! and [`ErrorKind`].

mod authenticator;
pub mod cache;
pub mod config;
pub mod conversation;
pub mod credentials;
mod deadline;
pub mod defaults;
pub mod diagnostics;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod http;
mod options;
pub mod provider;
mod redact;
mod region;
pub mod retry;
pub mod runtime;
mod secret_file;
pub mod settings;
pub mod shared_config;
pub mod signing;
pub mod sts;
pub mod sts_host;
pub mod time_fmt;
mod validate;

pub use authenticator::{Authenticator, DEFAULT_CREDENTIALS_TIMEOUT, Resolution};
pub use config::{Env, ProviderConfig};
pub use conversation::Conversation;
pub use credentials::{APPLICATION_SOURCE, Credentials, CredentialsBuilder};
pub use error::{Attempt, AttemptOutcome, Cause, Error, ErrorKind, Result};
pub use options::Options;
pub use provider::{ProvideCredentials, ProviderError};
pub use settings::CredentialPolicy;

// The crate README's example is compiled as a doctest, so the published front page stays true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The version of this crate.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
