//! The fault matrix: every network credential endpoint (IMDS, the container endpoint, the three
//! STS actions, the IAM Identity Center portal) against every way it can fail (a hang before
//! the headers or mid-body, a slow drip, 5xx, 429 with `Retry-After`, 401, 403, 404, a garbage
//! or oversized body, expired credentials, a reset connection), one test per cell.
//!
//! Each test sets the fault on the endpoint's loopback stand-in, resolves credentials through
//! the public API (`Authenticator::credentials`) with the matrix's short timeouts, and asserts:
//! (a) the fetch ends within the cell's documented bound; (b) its documented outcome (the error
//! kind and a message naming the endpoint and what to do next, or credentials after retrying
//! or honouring `Retry-After`), and where it matters how many requests the endpoint saw; (c) no
//! secret sent or handed out shows in the error's `Display` or `Debug`, nor in any log line.
//!
//! The expected outcomes and bounds are the table in `fault_matrix/table.rs`, which
//! `docs/reliability.md` ("Fault matrix") describes. A failing test is named after its cell:
//! `sts_saml::hang_mid_body`. Everything runs on 127.0.0.1.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

#[path = "fault_matrix/harness.rs"]
mod harness;
#[path = "fault_matrix/table.rs"]
mod table;

/// One module per endpoint, one test per fault.
macro_rules! cells {
    ($($module:ident => $endpoint:ident),* $(,)?) => {$(
        mod $module {
            use crate::harness::check;
            use crate::table::{Endpoint, Fault};

            const ENDPOINT: Endpoint = Endpoint::$endpoint;

            #[test]
            fn hang_before_headers() {
                check(ENDPOINT, Fault::HangBeforeHeaders);
            }
            #[test]
            fn hang_mid_body() {
                check(ENDPOINT, Fault::HangMidBody);
            }
            #[test]
            fn slow_drip() {
                check(ENDPOINT, Fault::SlowDrip);
            }
            #[test]
            fn server_error_then_success() {
                check(ENDPOINT, Fault::ServerErrorThenSuccess);
            }
            #[test]
            fn server_error_persistent() {
                check(ENDPOINT, Fault::ServerErrorPersistent);
            }
            #[test]
            fn throttled_retry_after_within_deadline() {
                check(ENDPOINT, Fault::ThrottledWithinDeadline);
            }
            #[test]
            fn throttled_retry_after_past_deadline() {
                check(ENDPOINT, Fault::ThrottledPastDeadline);
            }
            #[test]
            fn unauthorized_401() {
                check(ENDPOINT, Fault::Unauthorized);
            }
            #[test]
            fn forbidden_403() {
                check(ENDPOINT, Fault::Forbidden);
            }
            #[test]
            fn not_found_404() {
                check(ENDPOINT, Fault::NotFound);
            }
            #[test]
            fn garbage_body() {
                check(ENDPOINT, Fault::Garbage);
            }
            #[test]
            fn oversized_body() {
                check(ENDPOINT, Fault::Oversized);
            }
            #[test]
            fn expired_credentials() {
                check(ENDPOINT, Fault::ExpiredCredentials);
            }
            #[test]
            fn connection_reset() {
                check(ENDPOINT, Fault::ConnectionReset);
            }
        }
    )*};
}

cells! {
    imds => Imds,
    container => Container,
    sts_web_identity => WebIdentity,
    sts_saml => Saml,
    sts_assume_role => AssumeRole,
    sso => Sso,
}
