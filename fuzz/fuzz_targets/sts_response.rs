//! STS answers, XML and JSON: credentials for every action the library calls, error bodies, and
//! the `GetCallerIdentity` answer.
//!
//! Invariants: no panic; a parse error never quotes the body (checked with the marker secret the
//! seeds carry); the parsed answer's `Debug` hides the secret key and token; an accepted expiry
//! can be formatted (years up to 9999); error codes are never empty.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use common::{SECRET, TOKEN, assert_hidden};
use libfuzzer_sys::fuzz_target;
use mongoawsauth::fuzzing::{STS_ACTIONS, caller_identity, sts_credentials, sts_service_error};
use mongoawsauth::time_fmt::iso8601;

fuzz_target!(|data: &[u8]| {
    for action in STS_ACTIONS {
        match sts_credentials(action, data) {
            Ok(issued) => {
                assert!(!issued.access_key_id.is_empty());
                assert!(!issued.secret_access_key.is_empty() && !issued.session_token.is_empty());
                let public = format!("{} {:?}", issued.access_key_id, issued.assumed_role_arn);
                for secret in [issued.secret_access_key.as_str(), issued.session_token.as_str()] {
                    assert_hidden(&issued.debug, secret, &public, "the parsed STS answer's Debug");
                }
                let _ = iso8601(issued.expiration);
            }
            Err(why) => {
                assert_hidden(&why, SECRET, "", "an STS parse error");
                assert_hidden(&why, TOKEN, "", "an STS parse error");
            }
        }
    }
    if let Some((code, _message)) = sts_service_error(data) {
        assert!(!code.trim().is_empty());
    }
    if let Some(identity) = caller_identity(data) {
        assert!(!identity.arn.is_empty() && !identity.account.is_empty() && !identity.user_id.is_empty());
        let _ = identity.database_user();
    }
});
