//! The STS `GetCallerIdentity` request that MONGODB-AWS signs, and its SigV4 signature via
//! `aws-sigv4`.
//!
//! The client never sends this request: it signs it and hands the server the `Authorization`
//! value, the `X-Amz-Date` and (for temporary credentials) the session token; the server rebuilds
//! the identical request and sends it to STS. So every byte here must match what the server
//! rebuilds (the MongoDB authentication specification, MONGODB-AWS, "Signing"):
//! `POST /`, the 43-byte body below, and exactly the signed headers
//! `content-length;content-type;host;x-amz-date[;x-amz-security-token];x-mongodb-gs2-cb-flag;x-mongodb-server-nonce`.
//! No `x-amz-content-sha256` is added (aws-sigv4's default `PayloadChecksumKind::NoHeader`).

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bson::RawDocumentBuf;
use bson::raw::cstr;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::sts_host;

/// The form body of the request, with no trailing newline (the spec's 2020-06 fix).
pub const GET_CALLER_IDENTITY_BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// The signing service name.
pub const SERVICE: &str = "sts";

/// The output of signing: what goes into the client-final payload.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The full `Authorization` header value (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
    /// Signature=…`): the payload's `a`. Not a secret: it proves knowledge of one, for one
    /// request, for 15 minutes.
    pub authorization: String,
    /// The `X-Amz-Date` that was signed (`YYYYMMDDTHHMMSSZ`): the payload's `d`.
    pub amz_date: String,
}

impl std::fmt::Debug for Signature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signature")
            .field("authorization", &self.authorization)
            .field("amz_date", &self.amz_date)
            .finish()
    }
}

/// Signs the GetCallerIdentity request for `host` and the 64-byte `server_nonce` at `time`.
///
/// The host is validated and its region derived by the spec's rules; the nonce header is the
/// standard base64 of the whole server nonce.
pub fn sign_get_caller_identity(
    credentials: &Credentials,
    host: &str,
    server_nonce: &[u8],
    time: SystemTime,
) -> Result<Signature> {
    let region = sts_host::region_for_host(host)?;
    let nonce_header = STANDARD.encode(server_nonce);
    sign_with_nonce_header(credentials, host, region, &nonce_header, time)
}

/// Builds the client-final payload `{a, d[, t]}` for `host` and `server_nonce` at `time`.
///
/// `t` is present exactly when the credentials carry a session token.
pub fn client_final_payload(
    credentials: &Credentials,
    host: &str,
    server_nonce: &[u8],
    time: SystemTime,
) -> Result<Vec<u8>> {
    let signature = sign_get_caller_identity(credentials, host, server_nonce, time)?;
    Ok(encode_client_final(&signature, credentials.session_token()))
}

/// Encodes a client-final payload from a signature and the session token (if any).
pub fn encode_client_final(signature: &Signature, session_token: Option<&str>) -> Vec<u8> {
    // Written into one buffer of the exact size: a document of one to three string elements
    // needs no general BSON writer, whose growth would copy a kilobyte token several times.
    let fields = [
        ("a", Some(signature.authorization.as_str())),
        ("d", Some(signature.amz_date.as_str())),
        ("t", session_token),
    ];
    let present = || fields.iter().filter_map(|(key, value)| value.map(|value| (*key, value)));
    // Document: length, elements, NUL. Element: type, one-letter key and NUL, length, bytes, NUL.
    let total = 4 + present().map(|(_, value)| 1 + 2 + 4 + value.len() + 1).sum::<usize>() + 1;
    let Ok(total_i32) = i32::try_from(total) else {
        // Beyond what BSON lengths can say; left to the general writer to refuse.
        return encode_client_final_with_bson(signature, session_token);
    };
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&total_i32.to_le_bytes());
    for (key, value) in present() {
        out.push(0x02);
        out.extend_from_slice(key.as_bytes());
        out.push(0);
        // Smaller than `total`, which fits.
        out.extend_from_slice(&((value.len() + 1) as i32).to_le_bytes());
        out.extend_from_slice(value.as_bytes());
        out.push(0);
    }
    out.push(0);
    out
}

/// [`encode_client_final`] through the bson crate's writer: the reference the direct encoding is
/// tested against.
fn encode_client_final_with_bson(signature: &Signature, session_token: Option<&str>) -> Vec<u8> {
    let mut doc = RawDocumentBuf::new();
    doc.append(cstr!("a"), signature.authorization.as_str());
    doc.append(cstr!("d"), signature.amz_date.as_str());
    if let Some(token) = session_token {
        doc.append(cstr!("t"), token);
    }
    doc.into_bytes()
}

/// Signs with an arbitrary nonce header value: the building block of
/// [`sign_get_caller_identity`], separate so the published vectors (whose nonce header is not
/// base64 of 64 bytes) can be reproduced.
///
/// The direct path signs every input a real login has; the general signer takes the rest (a
/// session token with spaces, say), so both give the bytes aws-sigv4 always gave.
pub(crate) fn sign_with_nonce_header(
    credentials: &Credentials,
    host: &str,
    region: &str,
    nonce_header: &str,
    time: SystemTime,
) -> Result<Signature> {
    match direct::sign(credentials, host, region, nonce_header, time)? {
        Some(signature) => Ok(signature),
        None => reference::sign_with_nonce_header(credentials, host, region, nonce_header, time),
    }
}

/// Signs one request with SigV4 headers: every header given is signed, plus `x-amz-date` and,
/// for temporary credentials, `x-amz-security-token`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_request(
    credentials: &Credentials,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    region: &str,
    service: &str,
    time: SystemTime,
) -> Result<Signature> {
    let identity = credentials.signing_identity();
    let mut settings = SigningSettings::default();
    // The path is always "/" for MONGODB-AWS; normalisation could only change a test suite path.
    settings.uri_path_normalization_mode = aws_sigv4::http_request::UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(identity)
        .region(region)
        .name(service)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| signing_error(format!("incomplete signing parameters: {e}")))?
        .into();
    let request = SignableRequest::new(method, uri, headers.iter().copied(), SignableBody::Bytes(body))
        .map_err(|e| signing_error(format!("the request to sign is not valid HTTP: {e}")))?;
    let (instructions, _signature) =
        sign(request, &params).map_err(|e| signing_error(format!("SigV4 signing failed: {e}")))?.into_parts();
    let mut authorization = None;
    let mut amz_date = None;
    for (name, value) in instructions.headers() {
        match name {
            "authorization" => authorization = Some(value.to_owned()),
            "x-amz-date" => amz_date = Some(value.to_owned()),
            _ => {}
        }
    }
    match (authorization, amz_date) {
        (Some(authorization), Some(amz_date)) => Ok(Signature { authorization, amz_date }),
        _ => Err(Error::new(
            ErrorKind::Internal,
            "aws-sigv4 returned no Authorization or X-Amz-Date header; please report this",
        )),
    }
}

fn signing_error(message: String) -> Error {
    Error::new(ErrorKind::Signing, message)
}

mod direct;
mod key_cache;
#[doc(hidden)]
pub mod reference;

#[cfg(test)]
mod tests;
