//! What every fuzz target shares: the marker secrets the seed corpora carry, and the checks that
//! no text the library produces quotes a secret.
#![allow(dead_code)]

/// A secret access key the seeds carry. Long and distinctive, so that finding it in a message
/// means the message quoted it, never that a message's own wording happened to match.
pub const SECRET: &str = "FuzzSecretKeyMarker/0123456789+abcdefXYZ";
/// A session token the seeds carry.
pub const TOKEN: &str = "FuzzSessionTokenMarker/0123456789+abcdefXYZ==";
/// A secret the request carried (an IMDS session token, a container authorization token), which
/// an endpoint may echo.
pub const SENT: &str = "FuzzSentTokenMarker-0123456789abcdef";
/// Stands in the seeds for the client nonce, which is random per conversation; the targets
/// replace it with the real nonce so that the fuzzer can reach past the nonce check.
pub const NONCE_PLACEHOLDER: &[u8; 32] = b"CLIENT-NONCE-PLACEHOLDER-32BYTES";

/// The markers a secret is recognised by.
pub const MARKERS: [&str; 3] = [SECRET, TOKEN, SENT];

/// Panics if `text` (what the library showed: an error, a `Debug` string) shows a marker that
/// `secret` carries, unless `public` (the input's text that is not secret and may be shown)
/// carries it too.
///
/// Only the markers are searched for, never an arbitrary secret the fuzzer made up: a made-up
/// "secret" can equal a piece of the library's own wording ("is not valid UTF-8"), and the
/// comparison made here would even teach the fuzzer that wording. The markers are long and
/// appear in no message, so finding one means a value was quoted.
pub fn assert_hidden(text: &str, secret: &str, public: &str, what: &str) {
    for marker in MARKERS {
        if secret.contains(marker) && !public.contains(marker) && text.contains(marker) {
            panic!("{what} shows a secret (the marker {marker:?})");
        }
    }
}

/// Whether `haystack` contains `needle`, for byte inputs.
pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first occurrence of the nonce placeholder in `data`, replaced by `nonce`.
pub fn with_nonce(data: &[u8], nonce: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if let Some(at) = out.windows(NONCE_PLACEHOLDER.len()).position(|w| w == NONCE_PLACEHOLDER) {
        out[at..at + NONCE_PLACEHOLDER.len()].copy_from_slice(nonce);
    }
    out
}
