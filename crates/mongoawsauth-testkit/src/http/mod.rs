//! A deliberately small HTTP/1.1 implementation: enough for the STS stand-in to serve SDKs and
//! drivers, and for the fake mongod to forward one request, with hard size caps and timeouts so
//! that garbage input ends in an error response or a closed connection, never a panic.

mod client;
mod delivery;
mod form;
mod head;
mod server;
mod url;

pub(crate) use client::post;
pub(crate) use delivery::{After, Delivery, deliver, hold};
pub(crate) use form::parse_form;
pub(crate) use server::{HttpRequest, HttpResponse, read_request};
pub use url::{LoopbackUrl, UrlError};

/// The most header bytes accepted in one request or response head.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
