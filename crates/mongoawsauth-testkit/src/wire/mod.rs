//! The MongoDB wire protocol, as much as MONGODB-AWS tests need: OP_MSG (with kind-0 and kind-1
//! sections, checksums and `moreToCome`), the legacy OP_QUERY handshake and its OP_REPLY.
//!
//! Decoding is total: any byte string gives a message or a [`WireError`], never a panic.

mod bytes;
mod crc32c;
mod op_msg;
mod op_query;

use std::fmt;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub use op_msg::OpMsg;
pub use op_query::{OpQuery, OpReply};

/// `OP_REPLY`, the legacy reply to OP_QUERY.
pub const OP_REPLY: i32 = 1;
/// `OP_QUERY`, still used by some drivers (Node 7.x) for the first `isMaster`.
pub const OP_QUERY: i32 = 2004;
/// `OP_MSG`, the message every modern command uses.
pub const OP_MSG: i32 = 2013;

/// The largest message accepted, equal to the `maxMessageSizeBytes` the fake mongod advertises.
pub const MAX_MESSAGE_SIZE: usize = 48_000_000;

/// The standard 16-byte message header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    /// Total message length including this header.
    pub message_length: i32,
    /// The sender's id for this message.
    pub request_id: i32,
    /// The `request_id` this message answers (0 for requests).
    pub response_to: i32,
    /// Which message follows.
    pub op_code: i32,
}

/// A decoded message body.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// OP_MSG.
    Msg(OpMsg),
    /// OP_QUERY.
    Query(OpQuery),
    /// OP_REPLY.
    Reply(OpReply),
}

/// Why a message could not be read or decoded.
#[derive(Debug)]
pub enum WireError {
    /// The connection failed.
    Io(std::io::Error),
    /// The connection closed in the middle of a message.
    Truncated,
    /// The header's length is below 16 or above [`MAX_MESSAGE_SIZE`].
    BadLength(i32),
    /// An opcode this implementation does not speak (e.g. OP_COMPRESSED, never advertised).
    UnsupportedOpCode(i32),
    /// The bytes do not form a valid message of their opcode.
    Malformed(&'static str),
    /// A BSON document inside is invalid, or could not be encoded.
    Bson(String),
    /// The OP_MSG CRC-32C checksum does not match.
    Checksum,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "wire I/O error: {e}"),
            Self::Truncated => write!(f, "the connection closed in the middle of a message"),
            Self::BadLength(n) => write!(f, "message length {n} is outside 16..={MAX_MESSAGE_SIZE}"),
            Self::UnsupportedOpCode(op) => write!(f, "unsupported opcode {op}"),
            Self::Malformed(why) => write!(f, "malformed message: {why}"),
            Self::Bson(e) => write!(f, "invalid BSON: {e}"),
            Self::Checksum => write!(f, "OP_MSG checksum mismatch"),
        }
    }
}

impl std::error::Error for WireError {}

impl From<std::io::Error> for WireError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl Message {
    /// The opcode this message is sent with.
    pub fn op_code(&self) -> i32 {
        match self {
            Self::Msg(_) => OP_MSG,
            Self::Query(_) => OP_QUERY,
            Self::Reply(_) => OP_REPLY,
        }
    }

    /// Decodes the bytes after the header according to `op_code`.
    pub fn decode(op_code: i32, body: &[u8]) -> Result<Self, WireError> {
        match op_code {
            OP_MSG => OpMsg::decode(body).map(Self::Msg),
            OP_QUERY => OpQuery::decode(body).map(Self::Query),
            OP_REPLY => OpReply::decode(body).map(Self::Reply),
            other => Err(WireError::UnsupportedOpCode(other)),
        }
    }

    /// Encodes the message with its header.
    pub fn encode(&self, request_id: i32, response_to: i32) -> Result<Vec<u8>, WireError> {
        let mut out = vec![0u8; 16];
        match self {
            Self::Msg(m) => m.encode_body(&mut out)?,
            Self::Query(q) => q.encode_body(&mut out)?,
            Self::Reply(r) => r.encode_body(&mut out)?,
        }
        let len = i32::try_from(out.len())
            .ok()
            .filter(|&l| l as usize <= MAX_MESSAGE_SIZE)
            .ok_or(WireError::BadLength(i32::MAX))?;
        out[0..4].copy_from_slice(&len.to_le_bytes());
        out[4..8].copy_from_slice(&request_id.to_le_bytes());
        out[8..12].copy_from_slice(&response_to.to_le_bytes());
        out[12..16].copy_from_slice(&self.op_code().to_le_bytes());
        if let Self::Msg(m) = self {
            m.finish_checksum(&mut out);
        }
        Ok(out)
    }
}

/// Reads one whole message. `Ok(None)` means the peer closed the connection between messages.
///
/// The header is checked before the body is read, and the body is read incrementally, so a
/// hostile length cannot make this allocate more than the bytes actually sent.
pub async fn read_message<R: AsyncRead + Unpin>(r: &mut R) -> Result<Option<(Header, Message)>, WireError> {
    let mut head = [0u8; 16];
    let mut got = 0;
    while got < head.len() {
        let n = r.read(&mut head[got..]).await?;
        if n == 0 {
            return if got == 0 { Ok(None) } else { Err(WireError::Truncated) };
        }
        got += n;
    }
    let field = |i: usize| i32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let header =
        Header { message_length: field(0), request_id: field(4), response_to: field(8), op_code: field(12) };
    let len = header.message_length;
    if len < 16 || len as usize > MAX_MESSAGE_SIZE {
        return Err(WireError::BadLength(len));
    }
    let body_len = len as usize - 16;
    let mut body = Vec::with_capacity(body_len.min(64 * 1024));
    r.take(body_len as u64).read_to_end(&mut body).await?;
    if body.len() != body_len {
        return Err(WireError::Truncated);
    }
    if header.op_code == OP_MSG {
        op_msg::check_checksum(&head, &body)?;
    }
    Message::decode(header.op_code, &body).map(|m| Some((header, m)))
}

/// Encodes and writes one message.
pub async fn write_message<W: AsyncWrite + Unpin>(
    w: &mut W,
    request_id: i32,
    response_to: i32,
    message: &Message,
) -> Result<(), WireError> {
    let bytes = message.encode(request_id, response_to)?;
    w.write_all(&bytes).await?;
    w.flush().await?;
    Ok(())
}

#[cfg(test)]
mod tests;
