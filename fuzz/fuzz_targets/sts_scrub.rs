//! The scrubber every piece of STS server text goes through before an error, a log event or a
//! `Debug` string shows it (the error code and message, the issued role's ARN): a server may
//! quote back what the request sent (a web identity token, a SAML assertion, a session token).
//!
//! The input is a byte giving the length cap (times 4), then the secrets the request sent and
//! last the server's text, all NUL-separated (read as UTF-8, lossily).
//!
//! Invariants: no panic; no secret of 4 bytes or more survives in the output, neither as sent
//! nor percent-encoded as the form body carried it, nor with its control characters removed
//! (the output has none, so that is the only way a secret holding one could show); the output
//! has no control character and at most the cap plus an ellipsis; the library reports every
//! text that quotes a secret as quoting one.
//!
//! What the check cannot see: a secret that contains the redaction marker's own text (it is
//! split wherever the marker stands), and one that ends with the ellipsis of a cut output.
#![no_main]

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

fuzz_target!(|data: &[u8]| {
    let Some((&cap, rest)) = data.split_first() else { return };
    let max_chars = usize::from(cap) * 4;
    let text = String::from_utf8_lossy(rest);
    let mut fields: Vec<&str> = text.split('\0').collect();
    let server_text = fields.pop().unwrap_or_default();
    let secrets = fields;

    let (out, found) = sts_scrub(&secrets, server_text, max_chars);

    assert!(!out.chars().any(char::is_control), "the output has a control character: {out:?}");
    assert!(out.chars().count() <= max_chars + 1, "the output is not capped");
    // The markers and the ellipsis are the library's own text; a secret is looked for around them.
    let shown = out.replace(REDACTED, "\0");
    let shown = shown.strip_suffix('…').unwrap_or(&shown);
    for secret in secrets.iter().filter(|s| s.len() >= MIN_LEN) {
        for spelling in [secret.to_string(), form_encoded(secret)] {
            let seen = visible(&spelling);
            if seen.len() >= MIN_LEN {
                assert!(!shown.contains(&seen), "a secret survived scrubbing: {out:?}");
            }
            if server_text.contains(&spelling) {
                assert!(found, "a text that quotes a secret was not reported as quoting one");
            }
        }
    }
});
