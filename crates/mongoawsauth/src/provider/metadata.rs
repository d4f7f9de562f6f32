//! What the two metadata sources (the container endpoint and IMDS) share: the JSON credentials
//! document both serve, and how their endpoints and answers are shown in messages. (Their
//! retries follow [`crate::retry::IMDS`] and [`crate::retry::CONTAINER`].)
//!
//! The answers of credential endpoints are never quoted in a message: an answer that failed can
//! still hold a credentials document, and an agent may echo the token it was sent. Messages
//! give the status, the length and type of the answer, where its JSON broke or which field is
//! missing; the only endpoint text shown is the code and message of an error document, and
//! only after [`scrubbed`] has taken out every secret (the values sent and the values in the
//! document itself).
//!
//! Reads no environment variable, file or URL itself.

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::{Zeroize, Zeroizing};

use crate::credentials::Credentials;

/// A random duration in `[low, high]`.
pub(crate) fn random_between(low: Duration, high: Duration) -> Duration {
    use crate::retry::RandomSource as _;
    low + high.saturating_sub(low).mul_f64(crate::retry::OsRandom.unit())
}

/// A duration for a message: `1 s`, `1.5 s`, `200 ms`.
pub(crate) fn human(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else if d >= Duration::from_secs(1) {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// A URL for a message: scheme, host, port and path only. User information and the query are
/// left out: either could carry a secret.
pub(crate) fn shown_url(url: &reqwest::Url) -> String {
    // `host_str` keeps the brackets of an IPv6 literal.
    let host = url.host_str().unwrap_or("");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = if url.path() == "/" { "" } else { url.path() };
    format!("{}://{host}{port}{path}", url.scheme())
}

/// A configuration value (an environment variable's text), made safe to quote: control
/// characters replaced, at most 200 characters. Never for an endpoint's answer: see
/// [`scrubbed`].
pub(crate) fn quoted(text: &str) -> String {
    let mut out: String =
        text.chars().take(200).map(|c| if c.is_control() { ' ' } else { c }).collect::<String>();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out.trim().to_owned()
}

/// What replaces a secret in text from an endpoint.
const REDACTED: &str = "** redacted **";
/// An echo of a secret that was cut or re-encoded is caught by any run of this many characters
/// it shares with the secret.
const SECRET_RUN: usize = 16;

/// Text from an endpoint (an error document's code or message), made safe to show: every
/// occurrence of each of `secrets` replaced, control characters replaced, cut to 200
/// characters; and withheld entirely if it still shares a run of 16 characters with a secret
/// (a partial or altered echo).
pub(crate) fn scrubbed(text: &str, secrets: &[&str]) -> String {
    let secrets: Vec<&str> = secrets.iter().copied().filter(|s| !s.trim().is_empty()).collect();
    let mut clean = Zeroizing::new(text.to_owned());
    for secret in &secrets {
        if clean.contains(secret) {
            clean = Zeroizing::new(clean.replace(secret, REDACTED));
        }
    }
    let shown = quoted(&clean);
    let chars: Vec<char> = shown.chars().collect();
    let echoes = chars.windows(SECRET_RUN).any(|run| {
        let run: String = run.iter().collect();
        secrets.iter().any(|s| s.contains(&run))
    });
    if echoes { "(withheld: it repeats part of a secret)".to_owned() } else { shown }
}

/// The length and type of an answer, for a message that must not quote it:
/// `312 bytes of text/html`. The content type is shown only if it looks like one.
pub(crate) fn body_summary(response: &crate::http::HttpResponse) -> String {
    let kind = response
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim())
        .filter(|t| {
            !t.is_empty()
                && t.len() <= 64
                && t.contains('/')
                && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"/.+-_".contains(&b))
        });
    match kind {
        Some(kind) => format!("{} bytes of {kind}", response.body.len()),
        None => format!("{} bytes", response.body.len()),
    }
}

/// What a credentials document said.
#[derive(Debug)]
pub(crate) enum Document {
    /// Usable credentials.
    Credentials(Credentials),
    /// An error answer: `{"Code": ..., "Message": ...}` (IMDS) or `{"code", "message"}` (the
    /// container agents), both already [`scrubbed`].
    Error { code: String, message: String },
}

/// Why a body is not a credentials document. The texts name fields, never values.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// JSON, but not an object.
    NotJson,
    /// Not JSON: where the parser gave up (1-based line and column, never the text there).
    Syntax { line: usize, column: usize },
    /// A required field is absent, or not a non-empty string.
    Missing(&'static str),
    /// `Expiration` is not an RFC 3339 time.
    BadExpiration,
    /// The values cannot make credentials (e.g. an access key id with a space in it).
    Invalid(String),
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParseError::NotJson => f.write_str("the answer is not a JSON object"),
            ParseError::Syntax { line, column } => {
                write!(f, "the answer is not a JSON object (not JSON at line {line}, column {column})")
            }
            ParseError::Missing(field) => write!(f, "the answer has no {field} string"),
            ParseError::BadExpiration => f.write_str("its Expiration is not an RFC 3339 time"),
            ParseError::Invalid(why) => f.write_str(why),
        }
    }
}

/// Parses the JSON credentials document IMDS and the container endpoints serve:
/// `AccessKeyId`, `SecretAccessKey`, `Token` (or `SessionToken`), `Expiration` (RFC 3339), and
/// optionally `Code`, which must be `Success` when present. Keys match case-insensitively, as in
/// the Rust SDK. `body` is wiped once read, because it holds the secret. `sent` are the secrets
/// the request carried (a token), which an error document's code and message may echo: they
/// are [`scrubbed`] of those and of the document's own secret fields.
pub(crate) fn parse(body: &mut [u8], source: &str, sent: &[&str]) -> Result<Document, ParseError> {
    let parsed = serde_json::from_slice::<serde_json::Value>(body);
    body.zeroize();
    let parsed = parsed.map_err(|e| ParseError::Syntax { line: e.line(), column: e.column() })?;
    let serde_json::Value::Object(mut map) = parsed else {
        return Err(ParseError::NotJson);
    };
    // Take every field out of the map, so that the secret ones can be wiped after use.
    let mut take = |names: &[&str]| -> Option<Zeroizing<String>> {
        let key = map.keys().find(|k| names.iter().any(|n| k.eq_ignore_ascii_case(n)))?.clone();
        match map.remove(&key)? {
            serde_json::Value::String(s) => Some(Zeroizing::new(s)),
            _ => None,
        }
    };
    let code = take(&["Code"]);
    let message = take(&["Message"]);
    let id = take(&["AccessKeyId"]);
    let secret = take(&["SecretAccessKey"]);
    let token = take(&["Token", "SessionToken"]);
    let expiration = take(&["Expiration"]);
    if let Some(code) = code.as_ref().filter(|c| c.as_str() != "Success") {
        let mut secrets = sent.to_vec();
        secrets.extend([&secret, &token].into_iter().flatten().map(|s| s.as_str()));
        return Ok(Document::Error {
            code: scrubbed(code, &secrets),
            message: message.as_ref().map(|m| scrubbed(m, &secrets)).unwrap_or_default(),
        });
    }
    let present = |v: &Option<Zeroizing<String>>| v.as_ref().is_some_and(|s| !s.trim().is_empty());
    if !present(&id) {
        return Err(ParseError::Missing("AccessKeyId"));
    }
    if !present(&secret) {
        return Err(ParseError::Missing("SecretAccessKey"));
    }
    if !present(&token) {
        return Err(ParseError::Missing("Token"));
    }
    let expiration = expiration.ok_or(ParseError::Missing("Expiration"))?;
    let expiry = parse_time(expiration.trim()).ok_or(ParseError::BadExpiration)?;
    Credentials::new(text(&id), text(&secret), text(&token), Some(expiry), source)
        .map(Document::Credentials)
        .map_err(|e| ParseError::Invalid(e.message().to_owned()))
}

fn text(v: &Option<Zeroizing<String>>) -> Option<&str> {
    v.as_ref().map(|s| s.as_str())
}

/// An RFC 3339 time, or `None` for one the platform's clock cannot represent (converting with
/// `From` would panic there, e.g. before 1601 on Windows).
fn parse_time(text: &str) -> Option<SystemTime> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    let seconds = t.unix_timestamp();
    let whole = if seconds >= 0 {
        SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds.unsigned_abs()))
    } else {
        SystemTime::UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs()))
    };
    whole?.checked_add(Duration::from_nanos(u64::from(t.nanosecond())))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    fn parse_str(text: &str) -> Result<Document, ParseError> {
        parse(&mut text.as_bytes().to_vec(), "test", &[])
    }

    fn creds(text: &str) -> Credentials {
        match parse_str(text) {
            Ok(Document::Credentials(c)) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn imds_shape() {
        let c = creds(&format!(
            r#"{{"Code":"Success","LastUpdated":"2021-09-20T21:42:26Z","Type":"AWS-HMAC",
            "AccessKeyId":"ASIAX","SecretAccessKey":"{SECRET}","Token":"tok",
            "Expiration":"2021-09-21T04:16:53Z"}}"#
        ));
        assert_eq!(
            (c.access_key_id(), c.secret_access_key(), c.session_token()),
            ("ASIAX", SECRET, Some("tok"))
        );
        assert_eq!(crate::time_fmt::iso8601(c.expiration().unwrap()), "2021-09-21T04:16:53Z");
        assert_eq!(c.source(), "test");
    }

    #[test]
    fn container_shape_session_token_and_any_case() {
        let c = creds(&format!(
            r#"{{"accesskeyid":"ASIAX","SECRETACCESSKEY":"{SECRET}","SessionToken":"tok",
            "expiration":"2030-01-01T00:00:00+02:00","RoleArn":"arn:aws:iam::1:role/r","AccountId":"1"}}"#
        ));
        assert_eq!(c.session_token(), Some("tok"));
        assert_eq!(crate::time_fmt::iso8601(c.expiration().unwrap()), "2029-12-31T22:00:00Z");
    }

    #[test]
    fn error_documents() {
        for text in [
            r#"{"Code":"AssumeRoleUnauthorizedAccess","Message":"no trust"}"#,
            r#"{"code":"AssumeRoleUnauthorizedAccess","message":"no trust"}"#,
        ] {
            match parse_str(text) {
                Ok(Document::Error { code, message }) => {
                    assert_eq!(
                        (code.as_str(), message.as_str()),
                        ("AssumeRoleUnauthorizedAccess", "no trust")
                    );
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn bad_documents_name_the_field_never_the_value() {
        let cases = [
            ("", ParseError::Syntax { line: 1, column: 0 }),
            ("<html>", ParseError::Syntax { line: 1, column: 1 }),
            ("{\n \"a\": x}", ParseError::Syntax { line: 2, column: 7 }),
            ("[1,2]", ParseError::NotJson),
            (r#""AccessKeyId""#, ParseError::NotJson),
            (
                r#"{"SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#,
                ParseError::Missing("AccessKeyId"),
            ),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":7,"Token":"t"}"#,
                ParseError::Missing("SecretAccessKey"),
            ),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2030-01-01T00:00:00Z"}"#,
                ParseError::Missing("Token"),
            ),
            (r#"{"AccessKeyId":"A","SecretAccessKey":"s","Token":"t"}"#, ParseError::Missing("Expiration")),
            (
                r#"{"AccessKeyId":"A","SecretAccessKey":"s","Token":"t","Expiration":"soon"}"#,
                ParseError::BadExpiration,
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_str(text).unwrap_err(), expected, "{text}");
        }
        let err = parse_str(&format!(
            r#"{{"AccessKeyId":"A B","SecretAccessKey":"{SECRET}","Token":"t","Expiration":"2030-01-01T00:00:00Z"}}"#
        ))
        .unwrap_err();
        assert!(matches!(&err, ParseError::Invalid(m) if !m.contains(SECRET)), "{err:?}");
    }

    #[test]
    fn error_documents_never_show_a_secret() {
        let sent = "SentTokenValue-0123456789abcdef";
        let text = format!(
            r#"{{"Code":"Denied","Message":"token {sent} or {} or {SECRET}","SecretAccessKey":"{SECRET}"}}"#,
            &sent[..20]
        );
        match parse(&mut text.into_bytes(), "test", &[sent]) {
            Ok(Document::Error { code, message }) => {
                assert_eq!(code, "Denied");
                assert_eq!(message, "(withheld: it repeats part of a secret)", "a cut echo is caught");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(scrubbed(&format!("bad {sent}!"), &[sent]), "bad ** redacted **!");
        assert_eq!(scrubbed(&format!("{}{sent}", "x".repeat(195)), &[sent]).chars().count(), 201);
        assert_eq!(scrubbed("nothing secret", &[sent, "", " "]), "nothing secret");
    }

    #[test]
    fn times_the_clock_cannot_hold_are_refused_not_a_panic() {
        assert!(
            parse_time("0001-01-01T00:00:00Z").is_some_and(|t| t < SystemTime::UNIX_EPOCH) || cfg!(windows)
        );
        assert!(parse_time("9999-12-31T23:59:59.999999999Z").is_some());
        assert_eq!(
            parse_time("1970-01-01T00:00:01.5Z"),
            SystemTime::UNIX_EPOCH.checked_add(Duration::from_millis(1500))
        );
    }

    #[test]
    fn body_is_wiped() {
        let mut body = format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#).into_bytes();
        let _ = parse(&mut body, "test", &[]);
        assert!(body.iter().all(|b| *b == 0));
    }

    #[test]
    fn helpers() {
        assert_eq!(human(Duration::from_secs(1)), "1 s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
        assert_eq!(human(Duration::from_millis(200)), "200 ms");
        let url = reqwest::Url::parse("http://user:pw@[fd00:ec2::23]:8080/v1/credentials?x=secret").unwrap();
        assert_eq!(shown_url(&url), "http://[fd00:ec2::23]:8080/v1/credentials");
        assert_eq!(
            shown_url(&reqwest::Url::parse("http://169.254.169.254/").unwrap()),
            "http://169.254.169.254"
        );
        assert_eq!(quoted("a\nb"), "a b");
        let summary = |ct: &str, body: &[u8]| {
            let mut headers = reqwest::header::HeaderMap::new();
            headers
                .insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_str(ct).unwrap());
            body_summary(&crate::http::HttpResponse { status: 200, headers, body: body.to_vec().into() })
        };
        assert_eq!(summary("text/html; charset=utf-8", b"<html>"), "6 bytes of text/html");
        assert_eq!(summary("text/<b>", b""), "0 bytes");
        assert_eq!(quoted(&"x".repeat(300)).chars().count(), 201);
        let d = random_between(Duration::from_secs(600), Duration::from_secs(900));
        assert!((600..=900).contains(&d.as_secs()));
    }
}
