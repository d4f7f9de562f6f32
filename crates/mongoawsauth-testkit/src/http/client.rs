//! Sending one request to a loopback HTTP server and reading its reply (the fake mongod's
//! forwarding of GetCallerIdentity to STS).

use std::fmt;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::head::{head_end, parse_head, single};
use super::{LoopbackUrl, MAX_HEAD};

/// The largest response body read; STS answers are under 2 KiB.
const MAX_REPLY: usize = 1024 * 1024;

/// A status and body.
#[derive(Debug)]
pub(crate) struct HttpReply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

/// Why the request got no usable reply.
#[derive(Debug)]
pub(crate) enum ClientError {
    /// Connecting, writing or reading failed.
    Io(std::io::Error),
    /// The whole exchange took longer than the timeout.
    Timeout,
    /// The reply was not HTTP/1.1 as we read it, or over the size cap.
    BadReply(&'static str),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "I/O error: {e}"),
            Self::Timeout => write!(f, "no complete reply in time"),
            Self::BadReply(why) => write!(f, "unreadable reply: {why}"),
        }
    }
}

/// POSTs `body` with exactly `headers` (the caller supplies `Host` and `Content-Length`) plus
/// `Connection: close` to `url`, and reads the reply within `timeout`.
pub(crate) async fn post(
    url: &LoopbackUrl,
    headers: &[(String, String)],
    body: &[u8],
    timeout: Duration,
) -> Result<HttpReply, ClientError> {
    tokio::time::timeout(timeout, exchange(url, headers, body)).await.map_err(|_| ClientError::Timeout)?
}

async fn exchange(
    url: &LoopbackUrl,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<HttpReply, ClientError> {
    let mut stream = TcpStream::connect(url.addr()).await.map_err(ClientError::Io)?;
    let mut req = format!("POST {} HTTP/1.1\r\n", url.path());
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("Connection: close\r\n\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    stream.write_all(&bytes).await.map_err(ClientError::Io)?;

    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(end) = head_end(&buf) {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return Err(ClientError::BadReply("head too large"));
        }
        let n = stream.read(&mut chunk).await.map_err(ClientError::Io)?;
        if n == 0 {
            return Err(ClientError::BadReply("connection closed before the head ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let (start, reply_headers) = parse_head(&buf[..end]).ok_or(ClientError::BadReply("bad head"))?;
    let status = start
        .strip_prefix("HTTP/1.1 ")
        .or_else(|| start.strip_prefix("HTTP/1.0 "))
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or(ClientError::BadReply("bad status line"))?;
    let length = single(&reply_headers, "content-length")
        .map_err(|_| ClientError::BadReply("conflicting Content-Length"))?
        .map(|v| v.parse::<usize>().map_err(|_| ClientError::BadReply("bad Content-Length")))
        .transpose()?;
    let chunked = single(&reply_headers, "transfer-encoding")
        .ok()
        .flatten()
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let mut rest = buf.split_off(end);
    // With `Connection: close` the server ends the body by closing, unless it says otherwise.
    loop {
        if let Some(len) = length.filter(|_| !chunked) {
            if len > MAX_REPLY {
                return Err(ClientError::BadReply("body too large"));
            }
            if rest.len() >= len {
                rest.truncate(len);
                break;
            }
        }
        if rest.len() > MAX_REPLY {
            return Err(ClientError::BadReply("body too large"));
        }
        let n = stream.read(&mut chunk).await.map_err(ClientError::Io)?;
        if n == 0 {
            if length.is_some() && !chunked {
                return Err(ClientError::BadReply("connection closed mid-body"));
            }
            break;
        }
        rest.extend_from_slice(&chunk[..n]);
    }
    let body = if chunked { dechunk(&rest).ok_or(ClientError::BadReply("bad chunked body"))? } else { rest };
    Ok(HttpReply { status, body })
}

/// Decodes a complete chunked body (extensions and trailers ignored).
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size.checked_add(2)? {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dechunks() {
        assert_eq!(dechunk(b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap(), b"abcde");
        assert!(dechunk(b"zz\r\n").is_none());
        assert!(dechunk(b"10\r\nabc\r\n").is_none());
        assert!(dechunk(b"ffffffffffffffffff\r\n").is_none());
    }
}
