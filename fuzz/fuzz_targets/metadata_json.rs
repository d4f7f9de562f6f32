//! What the container endpoint and IMDS send back: the JSON credentials document both serve,
//! and the IMDSv2 session token answer (body and TTL header).
//!
//! The first byte picks the answer: even, a credentials document (the rest of the input);
//! odd, a token answer (the body, then after the first NUL byte the TTL header's bytes).
//!
//! Invariants: no panic; an error or a scrubbed error document never shows the token the
//! request carried, nor a secret of the document itself; parsed credentials hide their secret
//! in `Debug` and `Display`, and their expiry formats; a token's TTL is within 1 s..6 h and its
//! `Debug` hides it.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::time::Duration;

use common::{SENT, assert_hidden};
use libfuzzer_sys::fuzz_target;
use mongoawsauth::fuzzing::{MetadataDocument, imds_token, metadata_document};
use mongoawsauth::time_fmt::iso8601;

/// The secret fields of a document, found the way the library finds them (the first key in
/// the map's order that matches case-insensitively), for the checks.
fn document_secrets(body: &[u8]) -> Vec<String> {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for names in [&["SecretAccessKey"][..], &["Token", "SessionToken"][..]] {
        if let Some((_, serde_json::Value::String(s))) =
            map.iter().find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        {
            out.push(s.clone());
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    if selector % 2 == 0 {
        let secrets = document_secrets(rest);
        let mut body = rest.to_vec();
        let parsed = metadata_document(&mut body, &[SENT]);
        assert!(body.iter().all(|b| *b == 0), "the body was not wiped");
        let shown = match &parsed {
            Ok(MetadataDocument::Credentials(c)) => {
                if let Some(expiry) = c.expiration() {
                    let _ = iso8601(expiry);
                }
                let shown = format!("{c:?} {c}");
                for secret in [Some(c.secret_access_key()), c.session_token()].into_iter().flatten() {
                    assert_hidden(&shown, secret, c.access_key_id(), "Credentials' Debug");
                }
                return;
            }
            Ok(MetadataDocument::Error { code, message }) => format!("{code} {message}"),
            Err(why) => why.clone(),
        };
        assert_hidden(&shown, SENT, "", "a metadata error");
        for secret in &secrets {
            assert_hidden(&shown, secret, "", "a metadata error");
        }
    } else {
        let (body, ttl) = match rest.iter().position(|b| *b == 0) {
            Some(at) => (&rest[..at], Some(&rest[at + 1..])),
            None => (rest, None),
        };
        match imds_token(body, ttl) {
            Ok((debug, token, ttl)) => {
                assert!(ttl >= Duration::from_secs(1) && ttl <= Duration::from_secs(21_600), "{ttl:?}");
                assert!(!token.is_empty());
                if !"Token(** redacted **)".contains(token.as_str()) {
                    assert!(!debug.contains(token.as_str()), "the token's Debug shows it");
                }
            }
            Err(why) => assert_hidden(&why, SENT, "", "an IMDS token error"),
        }
    }
});
