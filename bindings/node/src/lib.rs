//! The Node.js binding of libmongoawsauth, built with napi-rs.
//!
//! A thin translation layer over the core crate (the core holds every rule; a binding only
//! converts arguments, errors and ownership): JavaScript arguments become core
//! `Options`, core results become JavaScript objects and Promises, core errors become
//! `MongoAwsAuthError` subclasses. No credential logic lives here.
//!
//! - Anything that may do I/O returns a Promise resolved on the JS thread by napi's tokio
//!   runtime; the JS thread never blocks.
//! - A JavaScript credential provider is called on the JS thread through a threadsafe function
//!   and awaited without blocking anything.
//! - No panic aborts the process: every export, and every callback napi runs on the JS thread
//!   for us (threadsafe functions, promise settlement), runs inside the panic boundary of
//!   [`guard`]; a panic becomes an `InternalError`.
//! - Secrets stay in the core's zeroizing storage until a caller reads the getter.

pub mod authenticator;
mod callback;
pub mod conversation;
pub mod credentials;
pub mod defaults;
pub mod errors;
mod future;
mod guard;
mod js_provider;
mod options;
mod saml;
pub mod settings;
pub mod signing;
pub mod testing;
mod values;

/// The version of the core library inside this addon.
#[napi_derive::napi]
pub const VERSION: &str = mongoawsauth::VERSION;
