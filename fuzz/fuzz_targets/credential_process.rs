//! What a `credential_process` program gives back: the `Version: 1` JSON document on stdout, the
//! first line of stderr that an error quotes, and the `credential_process` value itself, split
//! into a program and its arguments (POSIX and Windows rules).
//!
//! The input is stdout, a NUL byte, stderr, a NUL byte, then the command line (missing parts are
//! empty).
//!
//! Invariants: no panic; an output error never quotes a value of the document (no marker); parsed
//! credentials hide their secret in `Debug` and `Display`, have not expired and their expiry
//! formats; the quoted stderr line is one line of at most 200 characters (plus an ellipsis)
//! without control characters, and never shows the secret key or session token the document
//! holds, however stdout spelt them; a split command has a non-empty program, its label has no
//! directory and no control character, and a split error never quotes the command.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::time::{Duration, UNIX_EPOCH};

use common::{MARKERS, assert_hidden};
use libfuzzer_sys::fuzz_target;
use mongoawsauth::fuzzing::{process_command, process_stderr_quote};
use mongoawsauth::provider::profile::process::parse_output;
use mongoawsauth::time_fmt::iso8601;

/// The most characters the quoted stderr line has before its ellipsis.
const QUOTE_CHARS: usize = 200;

/// The secret key and session token of `stdout` as the library reads them (JSON-decoded,
/// trimmed), when they carry a marker: those must never be quoted from stderr.
fn document_secrets(stdout: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(stdout);
    let Ok(serde_json::Value::Object(map)) =
        serde_json::from_str::<serde_json::Value>(text.trim_start_matches('\u{feff}'))
    else {
        return Vec::new();
    };
    ["SecretAccessKey", "SessionToken"]
        .iter()
        .filter_map(|name| map.get(*name)?.as_str())
        .map(|s| s.trim().to_owned())
        .filter(|s| MARKERS.iter().any(|m| s.contains(m)))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let stdout = parts.next().unwrap_or_default();
    let stderr = parts.next().unwrap_or_default();
    let command = parts.next().unwrap_or_default();
    // 2026-01-01T00:00:00Z: seeds expire on both sides of it.
    let now = UNIX_EPOCH + Duration::from_secs(1_767_225_600);

    match parse_output(stdout, now, "credential_process") {
        Ok(c) => {
            assert!(!c.access_key_id().is_empty() && !c.secret_access_key().is_empty());
            if let Some(expiry) = c.expiration() {
                assert!(expiry > now, "expired credentials were accepted");
                let _ = iso8601(expiry);
            }
            let shown = format!("{c:?} {c}");
            for secret in [Some(c.secret_access_key()), c.session_token()].into_iter().flatten() {
                assert_hidden(&shown, secret, c.access_key_id(), "Credentials' Debug");
            }
        }
        Err(e) => {
            let text = e.to_string();
            for marker in MARKERS {
                assert!(!text.contains(marker), "an output error quotes the document: {text}");
            }
        }
    }

    if let Some(quote) = process_stderr_quote(stderr, stdout) {
        assert!(quote.chars().count() <= QUOTE_CHARS + 1, "the quote is not capped");
        assert!(!quote.chars().any(char::is_control), "the quote has a control character");
        for secret in document_secrets(stdout) {
            assert!(!quote.contains(&secret), "the quoted stderr shows a secret of stdout");
        }
    }

    if let Ok(command) = std::str::from_utf8(command) {
        let (posix, windows) = process_command(command);
        match posix {
            Ok((argv, label)) => {
                assert!(!argv.is_empty() && !argv[0].is_empty());
                assert!(!label.is_empty() && label.chars().count() <= 64);
                assert!(!label.contains(['/', '\\']) && !label.chars().any(char::is_control), "{label:?}");
            }
            // Only the markers are looked for: a command the fuzzer writes can be a piece of the
            // message's own wording ("' that is never cl" is in "has a ' that is never closed").
            Err(why) => assert_hidden(&why, command, "", "the error about a POSIX command"),
        }
        match windows {
            Ok(argv) => assert!(!argv.is_empty() && !argv[0].is_empty()),
            Err(why) => assert_hidden(&why, command, "", "the error about a Windows command"),
        }
    }
});
