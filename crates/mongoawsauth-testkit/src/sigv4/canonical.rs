//! The SigV4 canonical request: method, URI, query, the signed headers, and the body hash.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use super::VerifyError;

/// SigV4 URI-encodes everything except the RFC 3986 unreserved characters.
const SIGV4_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// An HTTP request as the verifier sees it.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    /// The method, e.g. `POST`.
    pub method: &'a str,
    /// The path as it appeared on the request line, e.g. `/`.
    pub path: &'a str,
    /// The query string without the `?` (empty if none), as it appeared on the request line.
    pub query: &'a str,
    /// Every header in the order received; names in any case, values as received.
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl Request<'_> {
    /// The value of the first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Builds the canonical request for `req` over exactly the headers in `signed_headers` (which
/// must be lower-case and sorted, as [`Authorization::parse`](super::Authorization::parse)
/// guarantees).
///
/// Header values are trimmed and runs of spaces and tabs collapsed to one space; repeated headers
/// are joined with `,` in the order received. A signed header absent from the request is an
/// error: AWS would compute a different signature for it anyway, and naming it helps debugging.
pub fn canonical_request(req: &Request<'_>, signed_headers: &[String]) -> Result<String, VerifyError> {
    let mut out = String::new();
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query(req.query));
    out.push('\n');
    for name in signed_headers {
        let values: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| collapse_whitespace(v))
            .collect();
        if values.is_empty() {
            return Err(VerifyError::SignedHeaderMissing(name.clone()));
        }
        out.push_str(name);
        out.push(':');
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(&hex::encode(Sha256::digest(req.body)));
    Ok(out)
}

/// Each path segment URI-encoded once, as received. For services other than S3 AWS signs the
/// path encoded once more than it appears on the wire, which this reproduces; MONGODB-AWS only
/// ever signs `/`. No dot-segment normalization (MONGODB-AWS never needs it).
fn canonical_uri(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    path.split('/')
        .map(|seg| utf8_percent_encode(seg, SIGV4_ENCODE).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Parameters decoded, re-encoded with the SigV4 set, and sorted by name then value.
fn canonical_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (reencode(k), reencode(v))
        })
        .collect();
    params.sort();
    params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

fn reencode(s: &str) -> String {
    let decoded: Vec<u8> = percent_decode_str(s).collect();
    percent_encoding::percent_encode(&decoded, SIGV4_ENCODE).to_string()
}

fn collapse_whitespace(v: &str) -> String {
    v.split([' ', '\t', '\r', '\n']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_trimmed_and_collapsed() {
        assert_eq!(collapse_whitespace("  a   b \t c  "), "a b c");
        assert_eq!(collapse_whitespace(""), "");
    }

    #[test]
    fn query_is_sorted_and_reencoded() {
        assert_eq!(canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
        assert_eq!(canonical_query("k=a%20b&x"), "k=a%20b&x=");
        assert_eq!(canonical_query("r=a:b/c"), "r=a%3Ab%2Fc");
    }

    #[test]
    fn missing_signed_header_is_named() {
        let headers = vec![("Host".to_owned(), "h".to_owned())];
        let req = Request { method: "POST", path: "/", query: "", headers: &headers, body: b"" };
        let err = canonical_request(&req, &["host".into(), "x-amz-date".into()]).unwrap_err();
        assert_eq!(err, VerifyError::SignedHeaderMissing("x-amz-date".into()));
    }
}
