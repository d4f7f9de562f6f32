//! String to sign, signing key chain, and the signature comparison.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::{ALGORITHM, Authorization, Request, canonical_request};

type HmacSha256 = Hmac<Sha256>;

/// Why a signed request failed verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VerifyError {
    /// The request has no `X-Amz-Date` header.
    MissingDate,
    /// `X-Amz-Date` is not `YYYYMMDDTHHMMSSZ`.
    MalformedDate,
    /// The credential scope date is not the day of `X-Amz-Date`.
    ScopeDateMismatch,
    /// A header listed in `SignedHeaders` is absent from the request.
    SignedHeaderMissing(String),
    /// The recomputed signature differs from the one sent.
    SignatureMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingDate => write!(f, "the request has no X-Amz-Date header"),
            Self::MalformedDate => write!(f, "X-Amz-Date must be formatted as YYYYMMDD'T'HHMMSS'Z'"),
            Self::ScopeDateMismatch => write!(
                f,
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP"
            ),
            Self::SignedHeaderMissing(h) => {
                write!(f, "header '{h}' is listed in SignedHeaders but absent from the request")
            }
            Self::SignatureMismatch => write!(
                f,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
            ),
        }
    }
}

impl std::error::Error for VerifyError {}

/// `AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256 of canonical request>`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!("{ALGORITHM}\n{amz_date}\n{scope}\n{}", hex::encode(Sha256::digest(canonical_request.as_bytes())))
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The signing key: HMAC chain over `"AWS4" + secret`, then date, region, service, `aws4_request`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The hex signature of `string_to_sign` under `key`.
pub fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac(key, string_to_sign.as_bytes()))
}

/// Checks that `authz` is a valid signature of `req` by the holder of `secret`.
///
/// The date comes from the request's `X-Amz-Date` header and must be on the scope's day. Which
/// headers must be signed, which service and region are acceptable and how much clock skew is
/// tolerated are the caller's policy, not checked here.
pub fn verify(req: &Request<'_>, authz: &Authorization, secret: &str) -> Result<(), VerifyError> {
    let amz_date = req.header("x-amz-date").ok_or(VerifyError::MissingDate)?.trim();
    if !is_amz_date(amz_date) {
        return Err(VerifyError::MalformedDate);
    }
    if amz_date[..8] != authz.credential.date {
        return Err(VerifyError::ScopeDateMismatch);
    }
    let creq = canonical_request(req, &authz.signed_headers)?;
    let sts = string_to_sign(amz_date, &authz.credential.scope(), &creq);
    let c = &authz.credential;
    let key = signing_key(secret, &c.date, &c.region, &c.service);
    let expected = signature(&key, &sts);
    if constant_time_eq(expected.as_bytes(), authz.signature.as_bytes()) {
        Ok(())
    } else {
        Err(VerifyError::SignatureMismatch)
    }
}

/// `YYYYMMDDTHHMMSSZ` with digits where digits belong (the calendar is checked by callers that
/// care, with `time`).
pub(crate) fn is_amz_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 16 && b[8] == b'T' && b[15] == b'Z' && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amz_date_shape() {
        assert!(is_amz_date("20150830T123600Z"));
        assert!(!is_amz_date("20150830T123600"));
        assert!(!is_amz_date("2015083XT123600Z"));
        assert!(!is_amz_date("20150830T12360Ž"));
    }

    #[test]
    fn constant_time_eq_works() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}
