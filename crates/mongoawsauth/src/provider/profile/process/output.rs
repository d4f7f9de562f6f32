//! What a `credential_process` prints, read without running anything: the `Version: 1` JSON
//! document on stdout, and the first line of stderr made safe to quote in an error.
//!
//! The document, as the AWS SDKs and CLI define it:
//!
//! ```json
//! {"Version": 1, "AccessKeyId": "…", "SecretAccessKey": "…",
//!  "SessionToken": "…", "Expiration": "2026-11-29T10:00:00Z"}
//! ```
//!
//! `SessionToken` is optional (long-term keys), and so is `Expiration` (its absence means the
//! credentials do not expire); other members (`AccountId`…) are ignored. Errors describe the
//! document's shape, never a value from it.

use std::fmt;
use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::credentials::{Credentials, REDACTED};

/// Why stdout is not a usable credentials document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputError {
    /// Nothing but whitespace.
    Empty,
    /// Not valid UTF-8, or not JSON.
    NotJson,
    /// JSON, but not an object.
    NotObject,
    /// No `Version` member.
    NoVersion,
    /// `Version` is not the number 1 (the text says what it is instead).
    WrongVersion(String),
    /// A required member is missing, blank or not a string.
    Field {
        /// The member's name.
        name: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// `Expiration` is not an ISO 8601 (RFC 3339) time.
    BadExpiration,
    /// `Expiration` is in the past.
    Expired(SystemTime),
}

impl fmt::Display for OutputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OutputError::Empty => f.write_str("stdout was empty"),
            OutputError::NotJson => f.write_str("stdout is not a JSON document"),
            OutputError::NotObject => f.write_str("stdout is JSON but not an object"),
            OutputError::NoVersion => f.write_str("the JSON has no Version"),
            OutputError::WrongVersion(what) => write!(f, "the JSON has Version {what}, not 1"),
            OutputError::Field { name, problem } => write!(f, "{name} {problem}"),
            OutputError::BadExpiration => {
                f.write_str("Expiration is not an ISO 8601 time such as 2026-11-29T10:00:00Z")
            }
            OutputError::Expired(at) => {
                write!(f, "the credentials expired at {}", crate::time_fmt::iso8601(*at))
            }
        }
    }
}

impl std::error::Error for OutputError {}

/// Parses what the process printed on stdout into credentials attributed to `source`, refusing
/// credentials that expired before `now`.
pub fn parse_output(stdout: &[u8], now: SystemTime, source: &str) -> Result<Credentials, OutputError> {
    let text = std::str::from_utf8(stdout).map_err(|_| OutputError::NotJson)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(OutputError::Empty);
    }
    // serde_json's own error text can quote the input, so only the fact of failure is kept.
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| OutputError::NotJson)?;
    let doc = value.as_object().ok_or(OutputError::NotObject)?;
    match doc.get("Version") {
        None => return Err(OutputError::NoVersion),
        // `1.0` is 1 to botocore (Python) and the JS SDK alike.
        Some(v) if v.as_f64() == Some(1.0) => {}
        Some(v) => return Err(OutputError::WrongVersion(describe_version(v))),
    }
    let field = |name: &'static str, required: bool| -> Result<Option<Zeroizing<String>>, OutputError> {
        match doc.get(name) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => {
                Ok(Some(Zeroizing::new(s.trim().to_owned())))
            }
            None | Some(serde_json::Value::Null) | Some(serde_json::Value::String(_)) if !required => {
                Ok(None)
            }
            None | Some(serde_json::Value::Null) => Err(OutputError::Field { name, problem: "is missing" }),
            Some(serde_json::Value::String(_)) => Err(OutputError::Field { name, problem: "is empty" }),
            Some(_) => Err(OutputError::Field { name, problem: "is not a string" }),
        }
    };
    let access_key_id = field("AccessKeyId", true)?.unwrap_or_default();
    let secret = field("SecretAccessKey", true)?.unwrap_or_default();
    let token = field("SessionToken", false)?;
    let expiry = match field("Expiration", false)? {
        None => None,
        Some(text) => Some(parse_time(&text).ok_or(OutputError::BadExpiration)?),
    };
    if let Some(at) = expiry
        && at <= now
    {
        return Err(OutputError::Expired(at));
    }
    Credentials::new(
        Some(&access_key_id),
        Some(&secret),
        token.as_deref().map(|t| t.as_str()),
        expiry,
        source,
    )
    .map_err(|_| OutputError::Field {
        name: "AccessKeyId",
        problem: "contains whitespace or control characters",
    })
}

/// `Version`'s JSON type or small value, for the error (never a long string).
fn describe_version(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) if n.to_string().len() <= 8 => n.to_string(),
        serde_json::Value::Number(_) => "a large number".to_owned(),
        serde_json::Value::String(s) if s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()) => {
            format!("\"{s}\" (a string)")
        }
        serde_json::Value::String(_) => "a string".to_owned(),
        serde_json::Value::Null => "null".to_owned(),
        serde_json::Value::Bool(_) => "a boolean".to_owned(),
        serde_json::Value::Array(_) => "an array".to_owned(),
        serde_json::Value::Object(_) => "an object".to_owned(),
    }
}

/// RFC 3339: `Z` or a numeric offset, fractional seconds allowed. A time without an offset is
/// refused rather than guessed.
fn parse_time(text: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(text.trim(), &Rfc3339).ok().map(SystemTime::from)
}

/// The most characters of stderr an error quotes.
pub(crate) const STDERR_QUOTE_CHARS: usize = 200;
/// Words of stdout at least this long are redacted from the quoted stderr line: short enough to
/// catch any key, token or secret, long enough not to hide ordinary words.
const MIN_SECRET_CHARS: usize = 8;

/// The first non-blank line of `stderr`, trimmed, without control characters, at most
/// [`STDERR_QUOTE_CHARS`] characters, and with every word the process printed on stdout
/// redacted: a process that echoes its own secret key on stderr must not get it into our error.
pub(crate) fn stderr_quote(stderr: &[u8], stdout: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut line: String = line.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let stdout_text = String::from_utf8_lossy(stdout);
    // The document's string values as decoded: stdout may spell one with JSON escapes (`\/`)
    // that the program does not use when it prints the value on stderr.
    let decoded: Vec<Zeroizing<String>> =
        match serde_json::from_str(stdout_text.trim_start_matches('\u{feff}')) {
            Ok(serde_json::Value::Object(doc)) => doc
                .values()
                .filter_map(serde_json::Value::as_str)
                .map(|v| Zeroizing::new(v.trim().to_owned()))
                .collect(),
            _ => Vec::new(),
        };
    let mut words: Vec<&str> = stdout_text
        .split(|c: char| c.is_whitespace() || "\"',:{}[]".contains(c))
        .chain(decoded.iter().map(|v| v.as_str()))
        .filter(|w| w.chars().count() >= MIN_SECRET_CHARS)
        .collect();
    // Longest first, so a secret that contains another word is redacted whole.
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    for word in words {
        if line.contains(word) {
            line = line.replace(word, REDACTED);
        }
    }
    if line.chars().count() > STDERR_QUOTE_CHARS {
        line = line.chars().take(STDERR_QUOTE_CHARS).collect::<String>() + "…";
    }
    Some(line)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=";

    fn now() -> SystemTime {
        // 2026-01-01T00:00:00Z
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600)
    }

    fn parse(doc: &str) -> Result<Credentials, OutputError> {
        parse_output(doc.as_bytes(), now(), "credential_process")
    }

    #[test]
    fn temporary_and_long_term_documents() {
        let c = parse(&format!(
            r#"{{"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": "{SECRET}",
                "SessionToken": "{TOKEN}", "Expiration": "2026-11-29T10:00:00Z", "AccountId": "123456789012"}}"#
        ))
        .unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        assert_eq!(crate::time_fmt::iso8601(c.expiration().unwrap()), "2026-11-29T10:00:00Z");
        assert_eq!(c.source(), "credential_process");

        let c =
            parse(&format!(r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}"}}"#))
                .unwrap();
        assert!(!c.is_temporary());
        assert_eq!(c.expiration(), None, "no Expiration means long-lived");
        // `1.0` is 1, as in botocore and the JS SDK.
        parse(&format!(r#"{{"Version":1.0,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}"}}"#))
            .unwrap();

        // Offsets other than Z, a BOM, surrounding whitespace, null and blank optionals.
        let c = parse(&format!(
            "\u{feff}\n {{\"Version\":1,\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"{SECRET}\",\
             \"SessionToken\":\"\",\"Expiration\":\"2026-11-29T12:00:00+02:00\"}}\n"
        ))
        .unwrap();
        assert_eq!(c.session_token(), None);
        assert_eq!(crate::time_fmt::iso8601(c.expiration().unwrap()), "2026-11-29T10:00:00Z");
        let c = parse(&format!(
            r#"{{"Version":1,"AccessKeyId":"A","SecretAccessKey":"{SECRET}","SessionToken":null,"Expiration":null}}"#
        ))
        .unwrap();
        assert_eq!((c.session_token(), c.expiration()), (None, None));
    }

    #[test]
    fn every_bad_document_is_named_without_its_values() {
        let ok = |extra: &str| {
            format!(r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}"{extra}}}"#)
        };
        let cases: Vec<(String, &str)> = vec![
            ("".into(), "stdout was empty"),
            (" \n".into(), "stdout was empty"),
            ("not json at all".into(), "not a JSON document"),
            (format!("{{\"SecretAccessKey\": \"{SECRET}\""), "not a JSON document"),
            ("[1, 2]".into(), "not an object"),
            (format!(r#"{{"AccessKeyId":"A","SecretAccessKey":"{SECRET}"}}"#), "has no Version"),
            (ok("").replace("\"Version\":1", "\"Version\":2"), "Version 2, not 1"),
            (ok("").replace("\"Version\":1", "\"Version\":\"1\""), "Version \"1\" (a string), not 1"),
            (ok("").replace("\"Version\":1", "\"Version\":1.5"), "Version 1.5, not 1"),
            (ok("").replace("\"Version\":1", "\"Version\":null"), "Version null, not 1"),
            (ok("").replace("\"Version\":1", &format!("\"Version\":\"{SECRET}\"")), "Version a string"),
            (ok("").replace("\"AccessKeyId\":\"AKIAEXAMPLE\",", ""), "AccessKeyId is missing"),
            (ok("").replace(&format!("\"{SECRET}\""), "\"  \""), "SecretAccessKey is empty"),
            (ok("").replace(&format!("\"{SECRET}\""), "42"), "SecretAccessKey is not a string"),
            (ok(r#","SessionToken":7"#), "SessionToken is not a string"),
            (ok(r#","Expiration":"tomorrow""#), "Expiration is not an ISO 8601 time"),
            (ok(r#","Expiration":1767225600"#), "Expiration is not a string"),
            (ok(r#","Expiration":"2025-12-31T23:00:00Z""#), "expired at 2025-12-31T23:00:00Z"),
            (ok("").replace("AKIAEXAMPLE", "AKIA EXAMPLE"), "AccessKeyId contains whitespace"),
            ("\u{ff}\u{fe}".into(), "not a JSON document"),
        ];
        for (doc, want) in cases {
            let err = parse(&doc).unwrap_err().to_string();
            assert!(err.contains(want), "{doc:?}: {err}");
            assert!(!err.contains(SECRET) && !err.contains("wJalr"), "{err}");
        }
        let err = parse_output(b"\xff{", now(), "p").unwrap_err();
        assert_eq!(err, OutputError::NotJson);
    }

    #[test]
    fn stderr_is_quoted_one_line_capped_and_redacted() {
        assert_eq!(stderr_quote(b"", b""), None);
        assert_eq!(stderr_quote(b"\n  \n", b""), None);
        assert_eq!(
            stderr_quote(b"\n  error: role not found \nsecond line\n", b"").as_deref(),
            Some("error: role not found")
        );
        assert_eq!(stderr_quote(b"a\tb\x1b[31mc", b"").as_deref(), Some("a b [31mc"));
        let long = "x".repeat(1000);
        let quoted = stderr_quote(long.as_bytes(), b"").unwrap();
        assert_eq!(quoted.chars().count(), STDERR_QUOTE_CHARS + 1);

        let stdout = format!(
            r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}","SessionToken":"{TOKEN}"}}"#
        );
        let stderr = format!("debug: using {SECRET} and token={TOKEN} for AKIAEXAMPLE\n");
        let quoted = stderr_quote(stderr.as_bytes(), stdout.as_bytes()).unwrap();
        assert!(!quoted.contains(SECRET) && !quoted.contains(TOKEN), "{quoted}");
        assert!(quoted.starts_with("debug: using ** redacted ** and token=** redacted **"), "{quoted}");
        // Short words stay readable.
        assert!(quoted.contains("debug: using"));
    }

    /// stdout is JSON, so the program may spell a value with escapes (`\/` is how PHP's and
    /// other encoders write `/`, common in secret keys) while stderr carries it as the value
    /// itself: the value as decoded is redacted too.
    #[test]
    fn values_spelt_with_json_escapes_are_redacted_as_decoded() {
        let stdout = format!(
            r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{}","SessionToken":"{}"}}"#,
            SECRET.replace('/', "\\/"),
            TOKEN.replace("IQoJ", "\\u0049QoJ")
        );
        let stderr = format!("using {SECRET} and {TOKEN}");
        let quoted = stderr_quote(stderr.as_bytes(), stdout.as_bytes()).unwrap();
        assert_eq!(quoted, "using ** redacted ** and ** redacted **");
    }
}
