//! The GetCallerIdentity signature computed directly: the canonical request streamed into one
//! SHA-256, the string to sign into one HMAC under a cached signing key, with everything that is
//! the same for every login (the request's fixed lines, the body's hash, the hash state after the
//! first block) built once per process.
//!
//! aws-sigv4's general request signer (`signing::reference`) parses a URI, builds a header map,
//! sorts and normalises headers and formats several intermediate strings for every request; for
//! MONGODB-AWS all of that is fixed by the MongoDB authentication specification except five
//! values: the host, the date, the session token, the server nonce and the access key id. The
//! direct path writes those five into the fixed layout and does only the cryptographic work
//! SigV4 requires, with aws-sigv4's own key derivation and signature primitives.
//!
//! It takes an input only when that input is plain: every byte visible ASCII, no space. Then
//! SigV4's header normalisation (trimming, collapsing runs of spaces) is the identity and the
//! general signer would accept it, so both paths sign the same bytes; the tests compare them on
//! random inputs. Anything else (a token with spaces, a non-ASCII host) goes to the general
//! signer, which normalises or refuses it exactly as before.

use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sigv4::sign::v4;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::key_cache::SIGNING_KEYS;
use super::{GET_CALLER_IDENTITY_BODY, SERVICE, Signature};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};

/// The canonical request up to the host's value: method, path, empty query, and the two fixed
/// headers that sort before `host`.
const CANONICAL_HEAD: &str =
    "POST\n/\n\ncontent-length:43\ncontent-type:application/x-www-form-urlencoded\nhost:";
const SIGNED_HEADERS_LONG_TERM: &str =
    "content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce";
const SIGNED_HEADERS_TEMPORARY: &str = "content-length;content-type;host;x-amz-date;x-amz-security-token;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce";
const ALGORITHM: &str = "AWS4-HMAC-SHA256";
const SCOPE_TERMINATOR: &str = "aws4_request";

/// The SHA-256 state after [`CANONICAL_HEAD`], and the hex SHA-256 of the body: the same for
/// every login, so hashed once.
struct Fixed {
    head_state: Sha256,
    body_hash_hex: [u8; 64],
}

static FIXED: LazyLock<Fixed> = LazyLock::new(|| {
    let mut body_hash_hex = [0u8; 64];
    hex_into(&Sha256::digest(GET_CALLER_IDENTITY_BODY), &mut body_hash_hex);
    let mut head_state = Sha256::new();
    head_state.update(CANONICAL_HEAD);
    Fixed { head_state, body_hash_hex }
});

/// Signs GetCallerIdentity directly, or returns `None` for inputs the general signer must handle
/// (see the module documentation).
pub(crate) fn sign(
    credentials: &Credentials,
    host: &str,
    region: &str,
    nonce_header: &str,
    time: SystemTime,
) -> Result<Option<Signature>> {
    let amz_date = amz_date(time)?;
    let token = credentials.session_token();
    let access_key_id = credentials.access_key_id();
    if ![host, region, nonce_header, access_key_id].into_iter().chain(token).all(is_plain) {
        return Ok(None);
    }
    // Both halves are ASCII digits and letters written by `amz_date`.
    let amz_date = std::str::from_utf8(&amz_date).map_err(|_| internal("the X-Amz-Date is not ASCII"))?;
    let date = &amz_date[..8];

    let fixed = &*FIXED;
    let mut hasher = fixed.head_state.clone();
    hasher.update(host);
    hasher.update("\nx-amz-date:");
    hasher.update(amz_date);
    if let Some(token) = token {
        hasher.update("\nx-amz-security-token:");
        hasher.update(token);
    }
    hasher.update("\nx-mongodb-gs2-cb-flag:n\nx-mongodb-server-nonce:");
    hasher.update(nonce_header);
    hasher.update("\n\n");
    let signed_headers = if token.is_some() { SIGNED_HEADERS_TEMPORARY } else { SIGNED_HEADERS_LONG_TERM };
    hasher.update(signed_headers);
    hasher.update("\n");
    hasher.update(fixed.body_hash_hex);
    let mut canonical_hash_hex = [0u8; 64];
    hex_into(&hasher.finalize(), &mut canonical_hash_hex);

    // The credential scope, `date/region/service/aws4_request`, appears in both the string to
    // sign and the Authorization value.
    let scope_len = date.len() + 1 + region.len() + 1 + SERVICE.len() + 1 + SCOPE_TERMINATOR.len();
    let mut string_to_sign =
        Vec::with_capacity(ALGORITHM.len() + 1 + amz_date.len() + 1 + scope_len + 1 + 64);
    for part in
        [ALGORITHM, "\n", amz_date, "\n", date, "/", region, "/", SERVICE, "/", SCOPE_TERMINATOR, "\n"]
    {
        string_to_sign.extend_from_slice(part.as_bytes());
    }
    string_to_sign.extend_from_slice(&canonical_hash_hex);

    let key = SIGNING_KEYS.get(credentials.secret_access_key(), date, time, region, SERVICE);
    let signature = v4::calculate_signature(key.as_bytes(), &string_to_sign);
    drop(key);

    let parts = [
        ALGORITHM,
        " Credential=",
        access_key_id,
        "/",
        date,
        "/",
        region,
        "/",
        SERVICE,
        "/",
        SCOPE_TERMINATOR,
        ", SignedHeaders=",
        signed_headers,
        ", Signature=",
        &signature,
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    parts.into_iter().for_each(|part| authorization.push_str(part));
    Ok(Some(Signature { authorization, amz_date: amz_date.to_owned() }))
}

/// Visible ASCII without spaces: what SigV4's header normalisation leaves unchanged.
fn is_plain(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic())
}

/// `YYYYMMDDTHHMMSSZ` in UTC, whole seconds rounded down, as aws-sigv4 writes it; an error for
/// a time outside the years 0 to 9999, which that form cannot hold.
fn amz_date(time: SystemTime) -> Result<[u8; 16]> {
    let nanos = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::try_from(after.as_nanos()).ok(),
        Err(before) => i128::try_from(before.duration().as_nanos()).ok().map(|n| -n),
    };
    let dt = nanos
        .and_then(|n| OffsetDateTime::from_unix_timestamp_nanos(n).ok())
        .filter(|dt| (0..=9999).contains(&dt.year()))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Signing,
                format!(
                    "the signing time {} is outside the years 0000 to 9999 that an X-Amz-Date can \
                     hold: sign at the current time, or check the time passed in",
                    crate::time_fmt::iso8601(time)
                ),
            )
        })?;
    let mut out = *b"00000000T000000Z";
    // The year is in 0..=9999 (checked above), so it is non-negative and four digits.
    let year = dt.year().unsigned_abs();
    write_digits(&mut out[0..4], year);
    write_digits(&mut out[4..6], u32::from(u8::from(dt.month())));
    write_digits(&mut out[6..8], u32::from(dt.day()));
    write_digits(&mut out[9..11], u32::from(dt.hour()));
    write_digits(&mut out[11..13], u32::from(dt.minute()));
    write_digits(&mut out[13..15], u32::from(dt.second()));
    Ok(out)
}

/// Writes `value` as zero-padded decimal filling `out` exactly.
fn write_digits(out: &mut [u8], mut value: u32) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Lowercase hex of a 32-byte digest.
fn hex_into(digest: &[u8], out: &mut [u8; 64]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (byte, pair) in digest.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX[usize::from(byte >> 4)];
        pair[1] = HEX[usize::from(byte & 0x0f)];
    }
}

fn internal(what: &str) -> Error {
    Error::new(ErrorKind::Internal, format!("{what}; please report this"))
}

#[cfg(test)]
#[path = "direct_tests.rs"]
mod tests;
