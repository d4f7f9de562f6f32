//! An independent SigV4 (`AWS4-HMAC-SHA256`) verifier, written from the AWS specification with
//! `hmac` and `sha2` only, so that a bug in the client's signer cannot hide behind the same bug.
//!
//! [`Authorization::parse`] reads the `Authorization` header; [`verify`] rebuilds the canonical
//! request over exactly the headers listed in `SignedHeaders`, the string to sign and the signing
//! key chain, and compares signatures in constant time.

mod authorization;
mod canonical;
mod verify;

pub use authorization::{Authorization, AuthorizationError, CredentialScope};
pub use canonical::{Request, canonical_request};
pub(crate) use verify::is_amz_date;
pub use verify::{VerifyError, signature, signing_key, string_to_sign, verify};

/// The only algorithm SigV4 defines for header signing.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

#[cfg(test)]
mod vector_tests;
