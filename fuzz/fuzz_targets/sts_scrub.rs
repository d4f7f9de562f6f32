//! The scrubber every piece of STS server text goes through before an error, a log event or a
//! `Debug` string shows it (the error code and message, the issued role's ARN): a server may
//! quote back what the request sent (a web identity token, a SAML assertion, a session token).
//!
//! The input is a byte giving the length cap (times 4), then the secrets the request sent and
//! last the server's text, all NUL-separated (read as UTF-8, lossily).
//!
//! Invariants: no panic; the text searched is the server's text without control characters (the
//! output has none, so that is the only way a secret holding one could show); every occurrence
//! of a secret of 4 bytes or more in it, as sent, percent-encoded as the form body carried it, or
//! without its control characters, overlapping occurrences included, lies inside a part the
//! library hid, and the library hid nothing else; the output is exactly that text with each
//! hidden part replaced by one marker, cut at the cap with an ellipsis; the library reports every
//! text that quotes a secret as quoting one.
//!
//! The check finds the occurrences itself and compares them with the parts the library reports
//! hiding, rather than looking for the secrets in the output: the server's text may hold pieces
//! of the marker, and a secret may too, so where the markers stand cannot be read back from the
//! output.
#![no_main]

use std::ops::Range;

use libfuzzer_sys::fuzz_target;
use mongoawsauth::fuzzing::sts_scrub;

/// What the library writes in place of a secret.
const REDACTED: &str = "** redacted **";
/// Secrets shorter than this (in bytes) are not searched for, by design.
const MIN_LEN: usize = 4;

/// Percent-encoding as an STS form body carries a value: everything but RFC 3986's unreserved
/// characters, upper-case hex. Written here rather than taken from the library, so that a
/// mistake there is not repeated in the check.
fn form_encoded(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn visible(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

/// Every occurrence of `needle` in `haystack`, overlapping ones included, by brute force.
fn occurrences(haystack: &str, needle: &str) -> Vec<Range<usize>> {
    (0..haystack.len())
        .filter(|&at| haystack.is_char_boundary(at) && haystack[at..].starts_with(needle))
        .map(|at| at..at + needle.len())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else { return };
    let max_chars = usize::from(cap) * 4;
    let text = String::from_utf8_lossy(rest);
    let mut fields: Vec<&str> = text.split('\0').collect();
    let server_text = fields.pop().unwrap_or_default();
    let secrets = fields;

    let outcome = sts_scrub(&secrets, server_text, max_chars);
    let out = &outcome.shown;

    assert!(!out.chars().any(char::is_control), "the output has a control character: {out:?}");
    assert!(out.chars().count() <= max_chars + 1, "the output is not capped");
    assert_eq!(outcome.visible, visible(server_text), "the text searched is not the visible text");

    let hidden = &outcome.hidden;
    assert!(
        hidden.windows(2).all(|w| w[0].end < w[1].start) && hidden.iter().all(|r| r.start < r.end),
        "the hidden parts are not in order, apart and non-empty: {hidden:?}"
    );
    // Which bytes of the visible text some secret covers: exactly those must be hidden.
    let mut wanted = vec![false; outcome.visible.len()];
    for secret in secrets.iter().filter(|s| s.len() >= MIN_LEN) {
        for spelling in [secret.to_string(), form_encoded(secret), visible(secret)] {
            if spelling.len() < MIN_LEN {
                continue;
            }
            for found in occurrences(&outcome.visible, &spelling) {
                assert!(
                    hidden.iter().any(|h| h.start <= found.start && found.end <= h.end),
                    "a secret survived scrubbing: bytes {found:?} of the text are not hidden: {out:?}"
                );
                wanted[found].fill(true);
            }
            if server_text.contains(&spelling) {
                assert!(outcome.found, "a text that quotes a secret was not reported as quoting one");
            }
        }
    }
    for range in hidden {
        assert!(
            wanted.get(range.clone()).is_some_and(|bytes| bytes.iter().all(|&b| b)),
            "bytes {range:?} were hidden, but no secret covers all of them"
        );
    }

    let mut expected = String::new();
    let mut shown_up_to = 0;
    for range in hidden {
        expected.push_str(&outcome.visible[shown_up_to..range.start]);
        expected.push_str(REDACTED);
        shown_up_to = range.end;
    }
    expected.push_str(&outcome.visible[shown_up_to..]);
    if expected.chars().count() > max_chars {
        expected = expected.chars().take(max_chars).collect::<String>() + "…";
    }
    assert_eq!(out, expected.trim(), "the output is not the text with its hidden parts replaced");
});
