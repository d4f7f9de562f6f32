//! The SSO access token `aws sso login` caches: where it lives and what it holds.
//!
//! The AWS CLI writes `~/.aws/sso/cache/<name>.json`, where `<name>` is the lower-case hex SHA-1
//! of the `sso_session` name (the `[sso-session NAME]` form) or of the `sso_start_url` (the
//! legacy form, with the start URL in the profile itself), as botocore's token loader and the
//! other SDKs compute it. The file is JSON; this module reads `accessToken` and `expiresAt`
//! (RFC 3339; older CLIs wrote `…UTC` instead of `…Z`). The refresh members (`refreshToken`,
//! `clientId`, `clientSecret`, `registrationExpiresAt`) are not read: this library does not
//! refresh tokens.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::config::{Env, FileError, Fs};
use crate::credentials::REDACTED;

/// The most bytes read from a token file (the CLI's are a few KiB).
const MAX_FILE_BYTES: usize = 64 * 1024;

/// The cache file name for `key` (the session name, or the start URL in the legacy form).
pub fn cache_file_name(key: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes());
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("{hex}.json")
}

/// `~/.aws/sso/cache`, with `~` from `HOME`, then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`
/// (the SDKs' order), or `None` when none is set.
pub(crate) fn default_cache_dir(env: &Env) -> Option<PathBuf> {
    let home = env.get_non_blank("HOME").or_else(|| env.get_non_blank("USERPROFILE")).or_else(|| {
        let drive = env.get_non_blank("HOMEDRIVE")?;
        let path = env.get_non_blank("HOMEPATH")?;
        Some(format!("{drive}{path}"))
    })?;
    Some(Path::new(&home).join(".aws").join("sso").join("cache"))
}

/// A cached access token. `Debug` never shows it; it is zeroized on drop.
pub struct CachedToken {
    access_token: Zeroizing<String>,
    expires_at: SystemTime,
}

impl CachedToken {
    /// The bearer token. Never log it.
    pub fn access_token(&self) -> &str {
        &self.access_token
    }

    /// When the token stops working.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &REDACTED)
            .field("expires_at", &crate::time_fmt::iso8601(self.expires_at))
            .finish()
    }
}

/// Why a token file's contents are unusable. Never quotes the contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not a JSON object.
    NotJson,
    /// `accessToken` is missing, blank or not a string.
    NoAccessToken,
    /// `expiresAt` is missing or not a string.
    NoExpiresAt,
    /// `expiresAt` is not a time.
    BadExpiresAt,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::NotJson => "it is not a JSON object",
            TokenError::NoAccessToken => "it has no accessToken",
            TokenError::NoExpiresAt => "it has no expiresAt",
            TokenError::BadExpiresAt => "its expiresAt is not an ISO 8601 time",
        })
    }
}

impl std::error::Error for TokenError {}

/// Parses a token file's contents.
pub fn parse_token(bytes: &[u8]) -> Result<CachedToken, TokenError> {
    // serde_json's error text can quote the input, so only the fact of failure is kept.
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| TokenError::NotJson)?;
    let doc = value.as_object().ok_or(TokenError::NotJson)?;
    let access_token = match doc.get("accessToken") {
        Some(serde_json::Value::String(t)) if !t.trim().is_empty() => Zeroizing::new(t.trim().to_owned()),
        _ => return Err(TokenError::NoAccessToken),
    };
    let expires_at = match doc.get("expiresAt") {
        Some(serde_json::Value::String(t)) => parse_expires_at(t).ok_or(TokenError::BadExpiresAt)?,
        _ => return Err(TokenError::NoExpiresAt),
    };
    Ok(CachedToken { access_token, expires_at })
}

/// RFC 3339, or the `2019-11-14T04:05:45UTC` form version 1 of the AWS CLI wrote.
fn parse_expires_at(text: &str) -> Option<SystemTime> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.into());
    }
    let zulu = format!("{}Z", text.strip_suffix("UTC")?);
    OffsetDateTime::parse(&zulu, &Rfc3339).ok().map(SystemTime::from)
}

/// Reads a token file through `fs`: `Ok(None)` when it does not exist.
pub(crate) fn read_file(fs: &Fs, path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, FileError> {
    fs.read_capped(path, MAX_FILE_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Miri: ring computes the SHA-1 in C and assembly, which Miri cannot run.
    #[cfg_attr(miri, ignore)]
    #[test]
    fn file_names_are_the_sha1_of_the_session_name_or_start_url() {
        // Checked with `printf %s KEY | sha1sum`, independently of this code.
        assert_eq!(cache_file_name("my-sso-session"), "b755b5ec73400c04400e978208d8559ad1f39053.json");
        assert_eq!(
            cache_file_name("https://d-abc123.awsapps.com/start"),
            "40a89917e3175433e361b710a9d43528d7f1890a.json"
        );
    }

    #[test]
    fn cache_dir_from_home_then_userprofile() {
        let dir = |vars: &[(&str, &str)]| default_cache_dir(&Env::from_vars(vars.iter().copied()));
        assert_eq!(dir(&[("HOME", "/home/u")]), Some(PathBuf::from("/home/u/.aws/sso/cache")));
        assert_eq!(
            dir(&[("HOME", " "), ("USERPROFILE", "/users/u")]),
            Some(PathBuf::from("/users/u/.aws/sso/cache"))
        );
        assert_eq!(
            dir(&[("HOMEDRIVE", "C:"), ("HOMEPATH", "/u")]),
            Some(PathBuf::from("C:/u/.aws/sso/cache"))
        );
        assert_eq!(dir(&[]), None);
    }

    #[test]
    fn tokens_parse_and_errors_never_quote_them() {
        let t = parse_token(
            br#"{"startUrl": "https://d-abc123.awsapps.com/start", "region": "us-east-1",
                 "accessToken": "aoa-secret-bearer", "expiresAt": "2026-11-29T10:00:00Z",
                 "refreshToken": "aor-secret", "clientSecret": "cs-secret"}"#,
        )
        .unwrap();
        assert_eq!(t.access_token(), "aoa-secret-bearer");
        assert_eq!(crate::time_fmt::iso8601(t.expires_at()), "2026-11-29T10:00:00Z");
        let debug = format!("{t:?}");
        assert!(!debug.contains("aoa-secret") && debug.contains(REDACTED), "{debug}");

        let old = parse_token(br#"{"accessToken": "x", "expiresAt": "2019-11-14T04:05:45UTC"}"#).unwrap();
        assert_eq!(crate::time_fmt::iso8601(old.expires_at()), "2019-11-14T04:05:45Z");

        let cases: [(&[u8], TokenError); 7] = [
            (b"", TokenError::NotJson),
            (b"{\"accessToken\": \"aoa-secret-bearer\"", TokenError::NotJson),
            (b"[]", TokenError::NotJson),
            (br#"{"expiresAt": "2026-11-29T10:00:00Z"}"#, TokenError::NoAccessToken),
            (br#"{"accessToken": " ", "expiresAt": "2026-11-29T10:00:00Z"}"#, TokenError::NoAccessToken),
            (br#"{"accessToken": "aoa-secret-bearer"}"#, TokenError::NoExpiresAt),
            (br#"{"accessToken": "aoa-secret-bearer", "expiresAt": "soon"}"#, TokenError::BadExpiresAt),
        ];
        for (bytes, want) in cases {
            let err = parse_token(bytes).unwrap_err();
            assert_eq!(err, want, "{}", String::from_utf8_lossy(bytes));
            assert!(!err.to_string().contains("aoa-secret"));
        }
    }
}
