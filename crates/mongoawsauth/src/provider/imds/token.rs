//! The IMDSv2 session token: the `PUT /latest/api/token` answer, and a process-wide cache of
//! tokens keyed by endpoint so that every fetch (and every provider) on the instance reuses one
//! token until shortly before it expires.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

/// The path of the token request.
pub(super) const TOKEN_PATH: &str = "/latest/api/token";
/// The header that asks for a TTL, and that carries the TTL granted.
pub(super) const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
/// The header that carries the token on every other request.
pub(super) const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// The TTL asked for: six hours, IMDS's maximum (as every SDK asks). A longer TTL granted is
/// cut to this: the IMDSv2 protocol allows no more, and an unchecked TTL of 2^63 s would
/// overflow the clock the token's reuse time is computed on.
pub(super) const REQUESTED_TTL: Duration = Duration::from_secs(21_600);
/// A token is dropped this long before IMDS would expire it (the Rust SDK's margin), so a
/// request never carries a token that expires in flight.
const EXPIRY_MARGIN: Duration = Duration::from_secs(120);
/// Tokens are about 56 characters; anything much longer is not a token.
const MAX_TOKEN_LEN: usize = 4096;

/// A token, cheap to clone; its value never appears in `Debug`.
#[derive(Clone)]
pub(crate) struct Token(Arc<SecretString>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(** redacted **)")
    }
}

impl Token {
    /// The header value to send, marked sensitive so that HTTP tracing never prints it.
    pub(super) fn header_value(&self) -> HeaderValue {
        // Validated as a header value when it was parsed.
        let mut value = HeaderValue::from_str(self.0.expose_secret()).unwrap_or(HeaderValue::from_static(""));
        value.set_sensitive(true);
        value
    }

    /// The token itself, to redact it from text IMDS sends back.
    pub(crate) fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    fn same_as(&self, other: &Token) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Parses the answer to the token request: the body is the token, the TTL header (when
/// present) how long it lives, at most [`REQUESTED_TTL`] (a larger number, even one past
/// `u64`, is cut to it). The error texts never quote the body or the header.
pub(crate) fn parse(body: &[u8], ttl_header: Option<&HeaderValue>) -> Result<(Token, Duration), String> {
    let text = std::str::from_utf8(body).map_err(|_| "the token is not text".to_owned())?.trim();
    if text.is_empty() {
        return Err("the token is empty".to_owned());
    }
    if text.len() > MAX_TOKEN_LEN || HeaderValue::from_str(text).is_err() {
        return Err("the answer is not a token (too long, or characters a header cannot carry)".to_owned());
    }
    let ttl = match ttl_header {
        None => REQUESTED_TTL,
        Some(value) => match value.to_str().ok().and_then(ttl_seconds) {
            Some(seconds) if seconds > 0 => Duration::from_secs(seconds).min(REQUESTED_TTL),
            _ => return Err(format!("its {TTL_HEADER} header is not a positive number of seconds")),
        },
    };
    Ok((Token(Arc::new(SecretString::from(text))), ttl))
}

/// A TTL header's seconds; a run of digits too long for a `u64` is a very long TTL, not an
/// error (it is cut to the maximum anyway).
fn ttl_seconds(text: &str) -> Option<u64> {
    let text = text.trim();
    match text.parse::<u64>() {
        Ok(seconds) => Some(seconds),
        Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => Some(u64::MAX),
        Err(_) => None,
    }
}

/// How long a token with `ttl` is reused: the TTL minus the margin, and for very short TTLs
/// (seen only from stand-ins) half of it.
pub(super) fn reuse_for(ttl: Duration) -> Duration {
    ttl.saturating_sub(EXPIRY_MARGIN.min(ttl / 2))
}

struct Cached {
    token: Token,
    until: Instant,
}

static CACHE: LazyLock<Mutex<HashMap<String, Cached>>> = LazyLock::new(Mutex::default);

fn cache() -> std::sync::MutexGuard<'static, HashMap<String, Cached>> {
    // Every critical section is a single insert, remove or lookup: a panic cannot leave the map
    // half-updated, so a poisoned lock is still safe to use.
    CACHE.lock().unwrap_or_else(|p| p.into_inner())
}

/// The cached token for `endpoint`, if it is still good.
pub(super) fn cached(endpoint: &str) -> Option<Token> {
    let mut cache = cache();
    match cache.get(endpoint) {
        Some(c) if Instant::now() < c.until => Some(c.token.clone()),
        Some(_) => {
            cache.remove(endpoint);
            None
        }
        None => None,
    }
}

/// Caches `token` for `endpoint`. A TTL whose end the clock cannot represent (never one from
/// [`parse`], which caps it) is cached for the longest TTL instead.
pub(super) fn store(endpoint: &str, token: &Token, ttl: Duration) {
    let now = Instant::now();
    let until =
        now.checked_add(reuse_for(ttl)).or_else(|| now.checked_add(reuse_for(REQUESTED_TTL))).unwrap_or(now);
    cache().insert(endpoint.to_owned(), Cached { token: token.clone(), until });
}

/// Forgets `token` (IMDS refused it), unless another fetch has already replaced it.
pub(super) fn forget(endpoint: &str, token: &Token) {
    let mut cache = cache();
    if cache.get(endpoint).is_some_and(|c| c.token.same_as(token)) {
        cache.remove(endpoint);
    }
}

/// Forgets whatever token `endpoint` has.
pub(super) fn clear(endpoint: &str) {
    cache().remove(endpoint);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token_and_ttl() {
        let (t, ttl) = parse(b"AQAEAExample==\n", Some(&HeaderValue::from_static("21600"))).unwrap();
        assert_eq!(t.0.expose_secret(), "AQAEAExample==");
        assert_eq!(ttl, REQUESTED_TTL);
        assert_eq!(parse(b"tok", Some(&HeaderValue::from_static("5"))).unwrap().1, Duration::from_secs(5));
        assert_eq!(parse(b"tok", None).unwrap().1, REQUESTED_TTL, "no header: the TTL asked for");
        for (body, ttl) in [
            (&b""[..], None),
            (b"  \n", None),
            (b"\xff\xfe", None),
            (b"a\x01b", None),
            (b"tok", Some("0")),
            (b"tok", Some("soon")),
            (b"tok", Some("-5")),
        ] {
            let ttl = ttl.map(HeaderValue::from_static);
            assert!(parse(body, ttl.as_ref()).is_err(), "{body:?} {ttl:?}");
        }
        assert!(parse(&vec![b'a'; MAX_TOKEN_LEN + 1], None).is_err());
        // Past the protocol's six hours, up to and beyond what a u64 or an Instant can hold.
        for huge in ["21601", "9223372036854775808", "18446744073709551615", "99999999999999999999999"] {
            let ttl = HeaderValue::from_static(huge);
            assert_eq!(parse(b"tok", Some(&ttl)).unwrap().1, REQUESTED_TTL, "{huge}");
        }
        assert!(parse(b"tok", Some(&HeaderValue::from_static("00"))).is_err());
        let err = parse(b"Zq9xVw", Some(&HeaderValue::from_static("x"))).unwrap_err();
        assert!(!err.contains("Zq9xVw"), "{err}");
        assert_eq!(format!("{t:?}"), "Token(** redacted **)");
    }

    #[test]
    fn reuse_window() {
        assert_eq!(reuse_for(REQUESTED_TTL), Duration::from_secs(21_480));
        assert_eq!(reuse_for(Duration::from_secs(10)), Duration::from_secs(5));
        assert_eq!(reuse_for(Duration::from_secs(1)), Duration::from_millis(500));
    }

    #[test]
    fn cache_by_endpoint() {
        let endpoint = "http://127.0.0.1:1/token-cache-unit-test";
        let (a, _) = parse(b"a", None).unwrap();
        let (b, _) = parse(b"b", None).unwrap();
        assert!(cached(endpoint).is_none());
        store(endpoint, &a, Duration::from_secs(600));
        assert!(cached(endpoint).unwrap().same_as(&a));
        forget(endpoint, &b);
        assert!(cached(endpoint).is_some(), "forgetting another token keeps this one");
        forget(endpoint, &a);
        assert!(cached(endpoint).is_none());
        store(endpoint, &b, Duration::from_millis(2));
        std::thread::sleep(Duration::from_millis(5));
        assert!(cached(endpoint).is_none(), "expired tokens are not reused");
        store(endpoint, &b, Duration::MAX);
        assert!(cached(endpoint).is_some(), "an unrepresentable TTL is cached for the longest one");
        clear(endpoint);
        assert!(cached(endpoint).is_none());
    }
}
