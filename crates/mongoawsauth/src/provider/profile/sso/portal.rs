//! The IAM Identity Center portal's `GetRoleCredentials`, as a pure request builder and a pure
//! response parser:
//!
//! `GET {endpoint}/federation/credentials?account_id=A&role_name=R` with the access token in the
//! `x-amz-sso_bearer_token` header answers
//! `{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken", "expiration"}}`, the
//! expiration in milliseconds since the epoch. Errors carry their type in the
//! `x-amzn-ErrorType` header (or `__type` in the body): `UnauthorizedException` (401),
//! `ForbiddenException` (403), `ResourceNotFoundException` (404), `TooManyRequestsException`
//! (429), `InvalidRequestException` (400).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::credentials::Credentials;

/// The header that carries the access token.
pub const BEARER_HEADER: &str = "x-amz-sso_bearer_token";
/// The path of `GetRoleCredentials`.
pub const CREDENTIALS_PATH: &str = "/federation/credentials";

/// The portal's default endpoint in `region`: `https://portal.sso.{region}.{dnsSuffix}`, the DNS
/// suffix of the region's partition (`amazonaws.com`, `amazonaws.com.cn`…).
pub fn default_endpoint(region: &str) -> String {
    format!("https://portal.sso.{region}.{}", crate::sts::dns_suffix(region))
}

/// The `GetRoleCredentials` URL for `endpoint` (a base URL, perhaps with a path), percent-encoding
/// the account and role. `None` when `endpoint` is not an http(s) URL.
pub fn credentials_url(endpoint: &str, account_id: &str, role_name: &str) -> Option<url::Url> {
    let mut url = url::Url::parse(endpoint).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return None;
    }
    let path = format!("{}{CREDENTIALS_PATH}", url.path().trim_end_matches('/'));
    url.set_path(&path);
    url.set_query(None);
    url.query_pairs_mut().append_pair("account_id", account_id).append_pair("role_name", role_name);
    Some(url)
}

/// Why an answer gave no credentials. Never carries a value from a successful body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PortalError {
    /// 401: the access token is not (or no longer) valid.
    Unauthorized,
    /// 403: the token is refused for this account and role.
    Forbidden,
    /// 404: no such account or role for this identity.
    NotFound,
    /// 429: throttled.
    Throttled,
    /// 5xx.
    Server(u16),
    /// Another status, with the error type the portal gave, if any.
    Status(u16, Option<String>),
    /// 200, but the body is not the document described above; says what is wrong.
    Unreadable(&'static str),
    /// 200 with credentials that expired at this time.
    Expired(SystemTime),
}

impl PortalError {
    /// Whether trying again soon may help (the SDKs' rule: throttling and server errors).
    pub fn is_retryable(&self) -> bool {
        matches!(self, PortalError::Throttled | PortalError::Server(_))
    }
}

impl fmt::Display for PortalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortalError::Unauthorized => f.write_str("HTTP 401 UnauthorizedException"),
            PortalError::Forbidden => f.write_str("HTTP 403 ForbiddenException"),
            PortalError::NotFound => f.write_str("HTTP 404 ResourceNotFoundException"),
            PortalError::Throttled => f.write_str("HTTP 429 TooManyRequestsException"),
            PortalError::Server(status) => write!(f, "HTTP {status}"),
            PortalError::Status(status, Some(kind)) => write!(f, "HTTP {status} {kind}"),
            PortalError::Status(status, None) => write!(f, "HTTP {status}"),
            PortalError::Unreadable(why) => write!(f, "HTTP 200 but {why}"),
            PortalError::Expired(at) => {
                write!(f, "credentials that had expired at {}", crate::time_fmt::iso8601(*at))
            }
        }
    }
}

impl std::error::Error for PortalError {}

/// Reads one answer: `status`, the `x-amzn-ErrorType` header if any, and the body. `now` decides
/// whether the credentials have already expired; they are attributed to `source`.
pub fn parse_response(
    status: u16,
    error_type: Option<&str>,
    body: &[u8],
    now: SystemTime,
    source: &str,
) -> Result<Credentials, PortalError> {
    match status {
        200 => {}
        401 => return Err(PortalError::Unauthorized),
        403 => return Err(PortalError::Forbidden),
        404 => return Err(PortalError::NotFound),
        429 => return Err(PortalError::Throttled),
        500..=599 => return Err(PortalError::Server(status)),
        _ => return Err(PortalError::Status(status, error_kind(error_type, body))),
    }
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| PortalError::Unreadable("the body is not JSON"))?;
    let creds = value
        .get("roleCredentials")
        .filter(|c| c.is_object())
        .ok_or(PortalError::Unreadable("the body has no roleCredentials object"))?;
    let text = |name: &'static str, missing: &'static str| -> Result<&str, PortalError> {
        match creds.get(name) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
            _ => Err(PortalError::Unreadable(missing)),
        }
    };
    let access_key_id = text("accessKeyId", "roleCredentials has no accessKeyId")?;
    let secret = text("secretAccessKey", "roleCredentials has no secretAccessKey")?;
    let token = text("sessionToken", "roleCredentials has no sessionToken")?;
    let millis = creds
        .get("expiration")
        .and_then(serde_json::Value::as_f64)
        .ok_or(PortalError::Unreadable("roleCredentials has no numeric expiration"))?;
    // Up to 9999-12-31 in milliseconds; anything else is garbage, not an expiry.
    if !(millis.is_finite() && (0.0..=253_402_300_799_000.0).contains(&millis)) {
        return Err(PortalError::Unreadable("roleCredentials.expiration is out of range"));
    }
    let expiry = UNIX_EPOCH + Duration::from_millis(millis as u64);
    if expiry <= now {
        return Err(PortalError::Expired(expiry));
    }
    Credentials::new(Some(access_key_id), Some(secret), Some(token), Some(expiry), source)
        .map_err(|_| PortalError::Unreadable("roleCredentials.accessKeyId contains whitespace"))
}

/// The error type, from the header (`Kind:namespace`) or the body's `__type` (`ns#Kind`),
/// limited to a safe identifier.
fn error_kind(header: Option<&str>, body: &[u8]) -> Option<String> {
    let from_body = || {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let t = value.get("__type")?.as_str()?;
        Some(t.rsplit('#').next().unwrap_or(t).to_owned())
    };
    let raw = match header {
        Some(h) => h.split(':').next().unwrap_or(h).to_owned(),
        None => from_body()?,
    };
    let kind: String =
        raw.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.').take(64).collect();
    (!kind.is_empty()).then_some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=";
    const NOW_MS: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(NOW_MS)
    }

    fn body(expiration: serde_json::Value) -> Vec<u8> {
        serde_json::json!({"roleCredentials": {
            "accessKeyId": "ASIAEXAMPLE", "secretAccessKey": SECRET,
            "sessionToken": TOKEN, "expiration": expiration,
        }})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn endpoints_and_urls() {
        assert_eq!(default_endpoint("eu-west-1"), "https://portal.sso.eu-west-1.amazonaws.com");
        assert_eq!(default_endpoint("cn-north-1"), "https://portal.sso.cn-north-1.amazonaws.com.cn");
        let url = credentials_url("https://portal.sso.eu-west-1.amazonaws.com", "123456789012", "Dev Ops&x")
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?account_id=123456789012&role_name=Dev+Ops%26x"
        );
        let url = credentials_url("http://127.0.0.1:8080/prefix/?x=1", "1", "r").unwrap();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:8080/prefix/federation/credentials?account_id=1&role_name=r"
        );
        for bad in ["", "portal.sso.example", "ftp://x/", "file:///tmp"] {
            assert!(credentials_url(bad, "1", "r").is_none(), "{bad}");
        }
    }

    #[test]
    fn credentials_from_a_200() {
        let c = parse_response(200, None, &body((NOW_MS + 3_600_000).into()), now(), "sso").unwrap();
        assert_eq!(c.access_key_id(), "ASIAEXAMPLE");
        assert_eq!(c.secret_access_key(), SECRET);
        assert_eq!(c.session_token(), Some(TOKEN));
        assert_eq!(crate::time_fmt::iso8601(c.expiration().unwrap()), "2026-01-01T01:00:00Z");
        assert_eq!(c.source(), "sso");
    }

    #[test]
    fn every_failure_is_classified_without_values() {
        let cases: Vec<(u16, Option<&str>, Vec<u8>, PortalError)> = vec![
            (401, Some("UnauthorizedException:http://internal"), b"{}".to_vec(), PortalError::Unauthorized),
            (403, None, b"".to_vec(), PortalError::Forbidden),
            (404, None, b"".to_vec(), PortalError::NotFound),
            (429, None, b"".to_vec(), PortalError::Throttled),
            (503, None, b"<html>".to_vec(), PortalError::Server(503)),
            (
                400,
                None,
                br#"{"__type": "com.amazon#InvalidRequestException", "message": "bad"}"#.to_vec(),
                PortalError::Status(400, Some("InvalidRequestException".into())),
            ),
            (418, Some("Odd Kind\r\nX: y"), b"".to_vec(), PortalError::Status(418, Some("OddKindX".into()))),
            (418, None, b"teapot".to_vec(), PortalError::Status(418, None)),
            (200, None, b"not json".to_vec(), PortalError::Unreadable("the body is not JSON")),
            (200, None, b"{}".to_vec(), PortalError::Unreadable("the body has no roleCredentials object")),
            (
                200,
                None,
                body(serde_json::Value::Null),
                PortalError::Unreadable("roleCredentials has no numeric expiration"),
            ),
            (
                200,
                None,
                body((-1).into()),
                PortalError::Unreadable("roleCredentials.expiration is out of range"),
            ),
            (200, None, body((NOW_MS - 1000).into()), PortalError::Expired(now() - Duration::from_secs(1))),
        ];
        for (status, header, bytes, want) in cases {
            let err = parse_response(status, header, &bytes, now(), "sso").unwrap_err();
            assert_eq!(err, want);
            let text = err.to_string();
            assert!(!text.contains(SECRET) && !text.contains(TOKEN), "{text}");
        }
        let missing = serde_json::json!({"roleCredentials": {"accessKeyId": "A", "sessionToken": TOKEN, "expiration": NOW_MS + 1}});
        let err = parse_response(200, None, missing.to_string().as_bytes(), now(), "sso").unwrap_err();
        assert_eq!(err, PortalError::Unreadable("roleCredentials has no secretAccessKey"));
        assert!(PortalError::Throttled.is_retryable() && PortalError::Server(500).is_retryable());
        assert!(!PortalError::Unauthorized.is_retryable() && !PortalError::Forbidden.is_retryable());
    }
}
