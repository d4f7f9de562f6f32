//! IAM Identity Center (SSO): the token file `aws sso login` caches, the portal's
//! `GetRoleCredentials` answer, and the request URL built from the profile's endpoint, account
//! and role.
//!
//! The first byte picks what is fed (its value modulo 3):
//! - 0: a token file's contents (the rest of the input);
//! - 1: a portal answer: two bytes of status (little-endian, modulo 600), a byte whose low bit
//!   says whether an `x-amzn-ErrorType` header follows (up to the next NUL), then the body;
//! - 2: an endpoint, an account id and a role name, NUL-separated.
//!
//! Invariants: no panic; a token or portal error never quotes the file or the body (no marker);
//! a parsed token is non-empty, hidden in `Debug`, and its expiry formats; only a 200 gives
//! credentials, which hide their secret key and token in `Debug` and `Display` and expire after
//! "now" and before the year 10000; throttling and 5xx, and only they, are retryable; a request
//! URL is http(s), ends in `/federation/credentials`, and its query gives back exactly the
//! account id and the role name.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{MARKERS, assert_hidden};
use libfuzzer_sys::fuzz_target;
use mongoawsauth::provider::profile::sso::{
    CREDENTIALS_PATH, PortalError, cache_file_name, credentials_url, parse_response, parse_token,
};
use mongoawsauth::time_fmt::iso8601;

fn assert_no_marker(text: &str, what: &str) {
    for marker in MARKERS {
        assert!(!text.contains(marker), "{what} quotes the input: {text}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    // 2026-01-01T00:00:00Z.
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);
    match selector % 3 {
        0 => match parse_token(rest) {
            Ok(token) => {
                assert!(!token.access_token().is_empty());
                assert_eq!(token.access_token(), token.access_token().trim());
                let debug = format!("{token:?}");
                assert_hidden(&debug, token.access_token(), "", "CachedToken's Debug");
                let _ = iso8601(token.expires_at());
            }
            Err(e) => assert_no_marker(&e.to_string(), "a token file error"),
        },
        1 => {
            let [lo, hi, flag, rest @ ..] = rest else { return };
            let status = u16::from_le_bytes([*lo, *hi]) % 600;
            let (header, body) = if flag & 1 == 1 {
                let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
                let Ok(header) = std::str::from_utf8(&rest[..end]) else { return };
                (Some(header), rest.get(end + 1..).unwrap_or_default())
            } else {
                (None, rest)
            };
            match parse_response(status, header, body, now, "sso") {
                Ok(c) => {
                    assert_eq!(status, 200, "credentials from a non-200 answer");
                    let expiry = c.expiration().expect("portal credentials always expire");
                    assert!(expiry > now, "expired credentials were accepted");
                    assert!(expiry <= UNIX_EPOCH + Duration::from_secs(253_402_300_799));
                    let _ = iso8601(expiry);
                    let shown = format!("{c:?} {c}");
                    for secret in [Some(c.secret_access_key()), c.session_token()].into_iter().flatten() {
                        assert_hidden(&shown, secret, c.access_key_id(), "Credentials' Debug");
                    }
                }
                Err(e) => {
                    assert_no_marker(&e.to_string(), "a portal error");
                    let retryable = matches!(status, 429 | 500..=599);
                    assert_eq!(e.is_retryable(), retryable, "{status}: {e:?}");
                    if status == 200 {
                        assert!(matches!(e, PortalError::Unreadable(_) | PortalError::Expired(_)), "{e:?}");
                    }
                }
            }
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            let mut fields = text.splitn(3, '\0');
            let endpoint = fields.next().unwrap_or_default();
            let account = fields.next().unwrap_or_default();
            let role = fields.next().unwrap_or_default();
            if let Some(url) = credentials_url(endpoint, account, role) {
                assert!(matches!(url.scheme(), "http" | "https") && url.host().is_some(), "{url}");
                assert!(url.path().ends_with(CREDENTIALS_PATH), "{url}");
                let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
                let want = [("account_id", account), ("role_name", role)];
                assert!(
                    query.len() == 2 && query.iter().zip(want).all(|((k, v), (wk, wv))| k == wk && v == wv),
                    "{url} does not carry the account and role: {query:?}"
                );
            }
            let name = cache_file_name(endpoint);
            assert!(name.len() == 45 && name.ends_with(".json"), "{name}");
        }
    }
});
