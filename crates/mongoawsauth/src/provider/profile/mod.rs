//! What a profile in the shared config files can name as its credential source, each a
//! [`ProvideCredentials`](crate::ProvideCredentials) of its own, built from plain settings (the
//! shared-config layer maps a resolved profile onto them):
//!
//! - [`process`]: `credential_process`, an external program printing a JSON document;
//! - [`sso`]: IAM Identity Center, with the token `aws sso login` cached;
//! - [`assume_role`]: `role_arn` with `source_profile` or `credential_source`, STS AssumeRole
//!   signed with the source's credentials;
//! - [`source`]: the profile step of the default chain, which reads the files and composes the
//!   sources above.

pub mod assume_role;
pub mod process;
pub mod source;
pub mod sso;

pub use source::{ProfileProvider, ProfileReport};
