//! The GetCallerIdentity signature through aws-sigv4's general request signer
//! (`aws_sigv4::http_request::sign`): every login's path before the direct one, kept because
//! it is the reference the direct path is tested and benchmarked against, and the path taken
//! for inputs the direct one leaves to it (see `signing::direct`).
//!
//! Hidden from the docs: not part of the supported API, public only so the signing benchmark can
//! call it.

use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{GET_CALLER_IDENTITY_BODY, SERVICE, Signature, encode_client_final, sign_request};
use crate::credentials::Credentials;
use crate::error::Result;
use crate::sts_host;

/// [`super::sign_get_caller_identity`] through the general signer.
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

/// [`super::client_final_payload`] through the general signer.
pub fn client_final_payload(
    credentials: &Credentials,
    host: &str,
    server_nonce: &[u8],
    time: SystemTime,
) -> Result<Vec<u8>> {
    let signature = sign_get_caller_identity(credentials, host, server_nonce, time)?;
    Ok(encode_client_final(&signature, credentials.session_token()))
}

/// Signs with an arbitrary nonce header value through the general signer.
pub(crate) fn sign_with_nonce_header(
    credentials: &Credentials,
    host: &str,
    region: &str,
    nonce_header: &str,
    time: SystemTime,
) -> Result<Signature> {
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("content-length", "43"),
        ("host", host),
        ("x-mongodb-server-nonce", nonce_header),
        ("x-mongodb-gs2-cb-flag", "n"),
    ];
    sign_request(
        credentials,
        "POST",
        "/",
        &headers,
        GET_CALLER_IDENTITY_BODY.as_bytes(),
        region,
        SERVICE,
        time,
    )
}
