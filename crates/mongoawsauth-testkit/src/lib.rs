//! Loopback stand-ins for testing MONGODB-AWS authentication end to end, with nothing sent
//! beyond 127.0.0.1:
//!
//! - [`sts`]: an STS stand-in that verifies SigV4 with its own [`sigv4`] verifier (independent of
//!   the client's signer) and knows the identities in an [`identity::IdentityStore`];
//! - [`mongod`]: a fake mongod running the MONGODB-AWS conversation, with strict server-side
//!   checks and [fault modes](mongod::Fault), forwarding to STS like a real mongod;
//! - [`metadata`]: IMDSv2 and container-credentials stand-ins handing out temporary credentials
//!   the STS stand-in accepts, with fault modes;
//! - [`sso`]: an IAM Identity Center portal stand-in (`GetRoleCredentials`) checking the bearer
//!   tokens it issued, with fault modes;
//! - [`client`]: a tiny wire client to drive it;
//! - [`StandIns`]: both servers at once, as the `mongoawsauth-standins` binary runs them.
//!
//! Every server binds 127.0.0.1 on port 0 and counts what it serves.

pub mod amz_date;
pub mod client;
#[cfg(unix)]
pub mod files;
pub mod http;
pub mod identity;
pub mod metadata;
pub mod mongod;
mod random;
pub mod scenario;
pub mod sigv4;
pub mod sso;
mod standins;
pub mod sts;
pub mod wire;

pub use client::Client;
pub use identity::{Identity, IdentityStore};
pub use standins::{SSO_REGION, SSO_ROLE, SSO_START_URL, StandIns, StandInsConfig};
