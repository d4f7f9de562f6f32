//! URLs made safe to show: the one formatter every `Debug` impl, error message, log field and
//! cache key uses for a URL that came from configuration.
//!
//! An endpoint URL is not a secret, but two of its parts can carry one: the user information
//! (`user:password@`, the proxy-style credentials some deployments put in any URL they are
//! given) and the query (pre-signed URLs, `?token=…`). The fragment is treated like the query.
//! What is kept: scheme, host, port and path, which is what a reader needs to tell endpoints
//! apart and to fix a typo. What is hidden is replaced by a marker rather than dropped, so that a
//! reader can see that something was there.
//!
//! Cache keys need more than a redacted URL: two configurations that differ only in their query
//! or credentials must not share an entry. [`url_for_key`] therefore adds a short keyed hash of
//! the raw URL when anything was hidden. The key is random per process and never leaves it, so
//! the hash cannot be used to test guesses of the hidden value outside the process.

use std::sync::LazyLock;

use hmac::{Hmac, Mac as _};
use sha2::Sha256;

use crate::credentials::REDACTED;

/// What stands in place of an unparsable URL.
const UNPARSABLE: &str = "(not a valid URL, not shown)";

/// `raw` with its user information, query and fragment replaced by a marker:
/// `http://user:pa55@127.0.0.1:1/x?token=s3cret` is shown as
/// `http://** redacted **@127.0.0.1:1/x?** redacted **`. A root path (`/`) is shown only when
/// `raw` has it, so that a URL reads as it was written. A string that is not a URL is not shown
/// at all.
pub(crate) fn url(raw: &str) -> String {
    match url::Url::parse(raw.trim()) {
        Ok(parsed) => shown(&parsed, has_root_slash(raw)).0,
        Err(_) => format!("{REDACTED} {UNPARSABLE}"),
    }
}

/// Like [`url`], for an already parsed URL (whose path is never empty: a root `/` is shown).
pub(crate) fn parsed_url(parsed: &url::Url) -> String {
    shown(parsed, true).0
}

/// A cache key's rendering of `raw`: [`url`] when nothing had to be hidden; otherwise the
/// redacted URL followed by a keyed hash of the raw text, so that configurations differing only
/// in hidden parts keep distinct entries without exposing those parts.
pub(crate) fn url_for_key(raw: &str) -> String {
    let (text, hid_something) = match url::Url::parse(raw.trim()) {
        Ok(parsed) => shown(&parsed, has_root_slash(raw)),
        Err(_) => (format!("{REDACTED} {UNPARSABLE}"), true),
    };
    if hid_something { format!("{text} (fingerprint {})", fingerprint(raw)) } else { text }
}

/// Whether the written URL ends its authority with `/` (before any query or fragment).
fn has_root_slash(raw: &str) -> bool {
    let raw = raw.trim();
    let end = raw.find(['?', '#']).unwrap_or(raw.len());
    raw[..end].ends_with('/')
}

/// The shown text, and whether anything was hidden.
fn shown(parsed: &url::Url, root_slash: bool) -> (String, bool) {
    let mut out = format!("{}://", parsed.scheme());
    let mut hid = false;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        out.push_str(REDACTED);
        out.push('@');
        hid = true;
    }
    // `host_str` keeps the brackets of an IPv6 literal.
    out.push_str(parsed.host_str().unwrap_or(""));
    if let Some(port) = parsed.port() {
        out.push_str(&format!(":{port}"));
    }
    if parsed.path() != "/" || root_slash {
        out.push_str(parsed.path());
    }
    if parsed.query().is_some() {
        out.push('?');
        out.push_str(REDACTED);
        hid = true;
    }
    if parsed.fragment().is_some() {
        out.push('#');
        out.push_str(REDACTED);
        hid = true;
    }
    (out, hid)
}

/// The process's hashing key: 32 random bytes, drawn once.
static KEY: LazyLock<[u8; 32]> = LazyLock::new(|| {
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        // The standard library's hasher seeds are random too (drawn from the OS by other means
        // on some platforms); a fixed key would turn the fingerprint into a plain hash that can
        // be checked against guesses anywhere.
        use std::hash::BuildHasher as _;
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let word = std::hash::RandomState::new().hash_one(i);
            chunk.copy_from_slice(&word.to_le_bytes());
        }
    }
    key
});

/// 16 hex digits of HMAC-SHA256(process key, `raw`).
fn fingerprint(raw: &str) -> String {
    let mut mac = <Hmac<Sha256>>::new_from_slice(KEY.as_slice()).expect("HMAC accepts a key of any length");
    mac.update(raw.as_bytes());
    mac.finalize().into_bytes().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RAW: &str = "http://user:pa55@127.0.0.1:1/x?token=s3cret";

    #[test]
    fn userinfo_query_and_fragment_are_replaced() {
        assert_eq!(url(RAW), format!("http://{REDACTED}@127.0.0.1:1/x?{REDACTED}"));
        assert_eq!(
            url("http://u@[::1]:8080/a/b#frag-s3cret"),
            format!("http://{REDACTED}@[::1]:8080/a/b#{REDACTED}")
        );
        assert_eq!(url("https://sts.eu-west-1.amazonaws.com"), "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(url("https://sts.eu-west-1.amazonaws.com/"), "https://sts.eu-west-1.amazonaws.com/");
        assert_eq!(url("http://u:p@127.0.0.1:1/?q"), format!("http://{REDACTED}@127.0.0.1:1/?{REDACTED}"));
        assert_eq!(url("http://127.0.0.1:8080/v1/credentials"), "http://127.0.0.1:8080/v1/credentials");
        let not_a_url = url("pa55 s3cret");
        assert!(!not_a_url.contains("pa55") && !not_a_url.contains("s3cret"), "{not_a_url}");
        let parsed = url::Url::parse(RAW).unwrap();
        assert_eq!(parsed_url(&parsed), url(RAW));
    }

    #[test]
    fn cache_keys_stay_distinct_without_showing_secrets() {
        let a = url_for_key(RAW);
        let b = url_for_key("http://user:other@127.0.0.1:1/x?token=s3cret");
        let c = url_for_key("http://user:pa55@127.0.0.1:1/x?token=different");
        for key in [&a, &b, &c] {
            assert!(!key.contains("pa55") && !key.contains("s3cret") && !key.contains("other"), "{key}");
            assert!(key.contains("fingerprint"), "{key}");
        }
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, url_for_key(RAW), "stable within the process");
        // Nothing hidden: the key is the URL itself, readable and unchanged.
        assert_eq!(url_for_key("http://127.0.0.1:2"), "http://127.0.0.1:2");
        assert_ne!(url_for_key("x y"), url_for_key("x z"));
    }
}
