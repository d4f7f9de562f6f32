//! How a stand-in puts an answer on the wire: at once, or with one of the transport faults every
//! stand-in offers (a hang after the head, a slow drip, a reset). The answer itself (status,
//! headers, body) is the stand-in's business; these faults only change how its bytes arrive, so
//! a client is tested against exactly the answer it would otherwise have read.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the bytes of one answer are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Head and body in one write.
    AtOnce,
    /// The head and the first half of the body, then nothing more: the connection stays open
    /// (until the client gives up) with the rest of the body promised by `Content-Length`.
    HangMidBody,
    /// The head at once, then the body in [`DRIP_PIECES`] pieces spread evenly over this long:
    /// a client whose timeout restarts with every byte never gives up on such a server.
    Drip(Duration),
    /// No answer at all: the connection is closed with a TCP reset (`SO_LINGER` 0), as a
    /// crashing agent or a middlebox dropping the flow does.
    Reset,
}

/// How many pieces a [`Delivery::Drip`] body is cut into.
pub(crate) const DRIP_PIECES: u32 = 10;

/// What the connection is good for after an answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum After {
    /// The answer went out whole: serve the next request unless the client asked to close.
    Open,
    /// The answer was cut or refused on purpose, or the peer left: close the connection.
    Closed,
}

/// Sends `bytes` (a head followed by `body_len` bytes of body) as `how` says.
pub(crate) async fn deliver(stream: &mut TcpStream, bytes: &[u8], body_len: usize, how: Delivery) -> After {
    let head_len = bytes.len().saturating_sub(body_len);
    let written = match how {
        Delivery::AtOnce => stream.write_all(bytes).await,
        Delivery::Reset => {
            reset(stream);
            return After::Closed;
        }
        Delivery::HangMidBody => {
            let cut = head_len + body_len / 2;
            if stream.write_all(&bytes[..cut]).await.and(stream.flush().await).is_ok() {
                hold(stream).await;
            }
            return After::Closed;
        }
        Delivery::Drip(total) => drip(stream, &bytes[..head_len], &bytes[head_len..], total).await,
    };
    if written.is_ok() { After::Open } else { After::Closed }
}

/// Makes the next close of `stream` a TCP reset instead of an orderly FIN: the caller drops it
/// right after.
fn reset(stream: &TcpStream) {
    // Zero linger makes close() send RST at once and never blocks the thread.
    let _ = stream.set_zero_linger();
}

/// Keeps the connection open without answering until the client closes it (so that a hung
/// exchange frees its task when the client gives up).
pub(crate) async fn hold(stream: &mut TcpStream) {
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
}

async fn drip(stream: &mut TcpStream, head: &[u8], body: &[u8], total: Duration) -> std::io::Result<()> {
    stream.write_all(head).await?;
    stream.flush().await?;
    let piece = body.len().div_ceil(DRIP_PIECES as usize).max(1);
    for chunk in body.chunks(piece) {
        tokio::time::sleep(total / DRIP_PIECES).await;
        stream.write_all(chunk).await?;
        stream.flush().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    use super::*;

    const ANSWER: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij";

    /// Serves one connection with `how`; returns what a client read and how the read ended.
    async fn exchange(how: Delivery, client_wait: Duration) -> (Vec<u8>, std::io::Result<()>, Duration) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 64];
            let _ = stream.read(&mut request).await;
            deliver(&mut stream, ANSWER, 20, how).await
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let started = Instant::now();
        let mut got = Vec::new();
        let ended = tokio::time::timeout(client_wait, async {
            let mut buf = [0u8; 64];
            loop {
                match client.read(&mut buf).await {
                    Ok(0) => return Ok(()),
                    Ok(n) => got.extend_from_slice(&buf[..n]),
                    Err(e) => return Err(e),
                }
            }
        })
        .await
        .unwrap_or_else(|_| Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "client gave up")));
        drop(client);
        let after = server.await.unwrap();
        assert_eq!(after == After::Open, how == Delivery::AtOnce || matches!(how, Delivery::Drip(_)));
        (got, ended, started.elapsed())
    }

    #[tokio::test]
    async fn at_once_and_drip_send_the_same_bytes() {
        let (got, _, _) = exchange(Delivery::AtOnce, Duration::from_millis(300)).await;
        assert_eq!(got, ANSWER);
        let (got, _, took) =
            exchange(Delivery::Drip(Duration::from_millis(200)), Duration::from_secs(2)).await;
        assert!(ANSWER.starts_with(&got) && got.len() == ANSWER.len(), "{got:?}");
        assert!(took >= Duration::from_millis(180), "the body took {took:?}");
    }

    #[tokio::test]
    async fn hang_mid_body_sends_the_head_and_half_the_body() {
        let (got, ended, _) = exchange(Delivery::HangMidBody, Duration::from_millis(300)).await;
        assert_eq!(got, &ANSWER[..ANSWER.len() - 10]);
        assert_eq!(ended.unwrap_err().kind(), std::io::ErrorKind::TimedOut, "the rest never comes");
    }

    #[tokio::test]
    async fn reset_sends_nothing_and_resets() {
        let (got, ended, _) = exchange(Delivery::Reset, Duration::from_secs(2)).await;
        assert!(got.is_empty(), "{got:?}");
        assert_eq!(ended.unwrap_err().kind(), std::io::ErrorKind::ConnectionReset);
    }
}
