//! Reading HTTP/1.1 requests and writing responses on the server side.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};

use super::MAX_HEAD;
use super::head::{head_end, parse_head, single};

/// The largest request body accepted; STS requests are a few hundred bytes.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// How long a connection may stay silent in the middle of (or before) a request.
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// A parsed request.
#[derive(Debug)]
pub(crate) struct HttpRequest {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// The client asked to close the connection after this request (or spoke HTTP/1.0).
    pub(crate) close: bool,
}

impl HttpRequest {
    /// The first value of header `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A request that cannot be served; each maps to the status to answer before closing.
#[derive(Debug)]
pub(crate) enum HttpError {
    /// The peer went away or timed out: nothing to answer.
    Io,
    /// Not HTTP/1.1 as we accept it.
    Malformed,
    /// Head or body over the caps.
    TooLarge,
    /// Transfer codings (chunked uploads); no STS client sends them.
    Unsupported,
}

impl HttpError {
    /// The status line to answer with, if the peer is still there.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            Self::Io => None,
            Self::Malformed => Some(400),
            Self::TooLarge => Some(413),
            Self::Unsupported => Some(501),
        }
    }
}

async fn fill<R: AsyncRead + Unpin>(r: &mut R, buf: &mut Vec<u8>) -> Result<usize, HttpError> {
    let mut chunk = [0u8; 4096];
    let n = tokio::time::timeout(READ_TIMEOUT, r.read(&mut chunk))
        .await
        .map_err(|_| HttpError::Io)?
        .map_err(|_| HttpError::Io)?;
    buf.extend_from_slice(&chunk[..n]);
    Ok(n)
}

/// Reads one request from `r`, using and keeping `buf` for bytes already read (so pipelined
/// requests are not lost). `Ok(None)` means the peer closed the connection between requests.
pub(crate) async fn read_request<R: AsyncRead + Unpin>(
    r: &mut R,
    buf: &mut Vec<u8>,
) -> Result<Option<HttpRequest>, HttpError> {
    let end = loop {
        if let Some(end) = head_end(buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(HttpError::TooLarge);
        }
        if fill(r, buf).await? == 0 {
            return if buf.is_empty() { Ok(None) } else { Err(HttpError::Io) };
        }
    };
    if end > MAX_HEAD {
        return Err(HttpError::TooLarge);
    }
    let (start, headers) = parse_head(&buf[..end]).ok_or(HttpError::Malformed)?;
    let mut parts = start.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(HttpError::Malformed);
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") || method.is_empty() || !target.starts_with('/') {
        return Err(HttpError::Malformed);
    }
    if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding")) {
        return Err(HttpError::Unsupported);
    }
    let length = match single(&headers, "content-length").map_err(|_| HttpError::Malformed)? {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| HttpError::Malformed)?,
    };
    if length > MAX_BODY {
        return Err(HttpError::TooLarge);
    }
    while buf.len() < end + length {
        if fill(r, buf).await? == 0 {
            return Err(HttpError::Io);
        }
    }
    let body = buf[end..end + length].to_vec();
    buf.drain(..end + length);
    let connection = single(&headers, "connection").ok().flatten().unwrap_or("");
    let close = version == "HTTP/1.0" || connection.eq_ignore_ascii_case("close");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(Some(HttpRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body,
        close,
    }))
}

/// A response to write back.
#[derive(Debug)]
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) content_type: &'static str,
    /// Header fields besides `Content-Type`, `Content-Length` and `Connection`.
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

impl HttpResponse {
    /// A response with `content_type` and no other header field.
    pub(crate) fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Self {
        Self { status, content_type, headers: Vec::new(), body }
    }

    /// A `text/xml` response, the content type STS uses.
    pub(crate) fn xml(status: u16, body: String) -> Self {
        Self::new(status, "text/xml", body.into_bytes())
    }

    /// A plain-text response, for requests that never reached STS logic.
    pub(crate) fn text(status: u16, body: &str) -> Self {
        Self::new(status, "text/plain", body.as_bytes().to_vec())
    }

    /// The response bytes, with `Connection: close` if `close`.
    pub(crate) fn to_bytes(&self, close: bool) -> Vec<u8> {
        let reason = match self.status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            413 => "Payload Too Large",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            _ => "Unknown",
        };
        let mut head = format!(
            "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
            self.status,
            self.content_type,
            self.body.len(),
        );
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(if close { "Connection: close\r\n\r\n" } else { "\r\n" });
        let mut out = head.into_bytes();
        out.extend_from_slice(&self.body);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse(bytes: &[u8]) -> Result<Option<HttpRequest>, HttpError> {
        let mut r = bytes;
        read_request(&mut r, &mut Vec::new()).await
    }

    #[tokio::test]
    async fn reads_pipelined_requests() {
        let data = b"POST /?a=b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nConnection: close\r\n\r\n";
        let mut r = &data[..];
        let mut buf = Vec::new();
        let one = read_request(&mut r, &mut buf).await.unwrap().unwrap();
        assert_eq!((one.method.as_str(), one.path.as_str(), one.query.as_str()), ("POST", "/", "a=b"));
        assert_eq!(one.body, b"abc");
        assert!(!one.close);
        let two = read_request(&mut r, &mut buf).await.unwrap().unwrap();
        assert!(two.close && two.body.is_empty());
        assert!(read_request(&mut r, &mut buf).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn garbage_is_an_error_not_a_panic() {
        let big = format!("POST / HTTP/1.1\r\nContent-Length: {}\r\n\r\n", MAX_BODY + 1);
        let cases: Vec<(Vec<u8>, Option<u16>)> = vec![
            (b"\x00\x01\x02\r\n\r\n".to_vec(), Some(400)),
            (b"GET\r\n\r\n".to_vec(), Some(400)),
            (b"GET / HTTP/2\r\n\r\n".to_vec(), Some(400)),
            (b"GET x HTTP/1.1\r\n\r\n".to_vec(), Some(400)),
            (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n".to_vec(), Some(400)),
            (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n".to_vec(), Some(400)),
            (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(), Some(501)),
            (big.into_bytes(), Some(413)),
            (vec![b'a'; MAX_HEAD + 10], Some(413)),
            (b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc".to_vec(), None),
            (b"GET / HT".to_vec(), None),
        ];
        for (bytes, status) in cases {
            let err = parse(&bytes).await.unwrap_err();
            assert_eq!(err.status(), status, "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    #[test]
    fn response_bytes() {
        let r = HttpResponse::text(403, "no");
        let s = String::from_utf8(r.to_bytes(true)).unwrap();
        assert!(s.starts_with("HTTP/1.1 403 Forbidden\r\n"));
        assert!(s.contains("Content-Length: 2\r\nConnection: close\r\n\r\nno"));
        let mut r = HttpResponse::text(429, "slow down");
        r.headers.push(("Retry-After", "2".to_owned()));
        let s = String::from_utf8(r.to_bytes(false)).unwrap();
        assert!(s.starts_with("HTTP/1.1 429 Too Many Requests\r\n"), "{s}");
        assert!(s.ends_with("Content-Length: 9\r\nRetry-After: 2\r\n\r\nslow down"), "{s}");
    }
}
