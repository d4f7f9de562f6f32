//! The server-first reply parser, and a whole client conversation fed an arbitrary server reply.
//!
//! Invariants: no panic; the parser and the conversation agree on which replies are valid; no
//! error, `Debug` string or client-final payload shows the secret key, and only the `t` field
//! of the payload carries the session token; a finished conversation refuses another step.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, SystemTime};

use common::{NONCE_PLACEHOLDER, SECRET, TOKEN, assert_hidden, with_nonce};
use libfuzzer_sys::fuzz_target;
use mongoawsauth::conversation::{CLIENT_NONCE_LEN, parse_server_first};
use mongoawsauth::{Conversation, Credentials};

fuzz_target!(|data: &[u8]| {
    // The parser alone, against the placeholder as our nonce.
    if let Err(e) = parse_server_first(data, NONCE_PLACEHOLDER) {
        assert!(!e.message().is_empty());
    }

    // The whole conversation, with the placeholder replaced by this conversation's nonce.
    let expiry = SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000);
    let credentials =
        Credentials::new(Some("ASIAFUZZEXAMPLE"), Some(SECRET), Some(TOKEN), Some(expiry), "fuzz")
            .expect("valid credentials");
    let mut conversation = Conversation::new(credentials).expect("random bytes");
    let first = conversation.client_first().expect("first step");
    // {r: binary(32), p: int32}: the nonce starts after the length, type, "r\0", length, subtype.
    assert_eq!(first.len(), 52);
    let nonce: [u8; CLIENT_NONCE_LEN] = first[12..44].try_into().unwrap();
    let reply = with_nonce(data, &nonce);
    let expected = parse_server_first(&reply, &nonce);
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let result = conversation.client_final_at(&reply, time);
    let shown = format!("{conversation:?}");
    assert_hidden(&shown, SECRET, "", "Conversation's Debug");
    assert_hidden(&shown, TOKEN, "", "Conversation's Debug");
    match result {
        Ok(payload) => {
            assert!(expected.is_ok(), "the conversation accepted a reply the parser refuses");
            assert!(
                !common::contains(&payload, SECRET.as_bytes()),
                "the client-final payload holds the secret key"
            );
            let tokens = payload.windows(TOKEN.len()).filter(|w| *w == TOKEN.as_bytes()).count();
            assert_eq!(tokens, 1, "the session token appears once, in t");
        }
        Err(e) => {
            if let Err(parse_error) = &expected {
                assert_eq!(e.message(), parse_error.message(), "the conversation and the parser disagree");
            }
            // A reply that quotes our secrets back cannot be told from one that guessed them.
            if !common::contains(data, SECRET.as_bytes()) && !common::contains(data, TOKEN.as_bytes()) {
                let text = format!("{e} {e:?}");
                assert_hidden(&text, SECRET, "", "a conversation error");
                assert_hidden(&text, TOKEN, "", "a conversation error");
            }
        }
    }
    assert!(conversation.client_final_at(&reply, time).is_err(), "a finished conversation took another step");
});
