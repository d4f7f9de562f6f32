//! A tiny MongoDB wire client for tests and demos: commands over OP_MSG, the legacy OP_QUERY
//! handshake, and SASL steps. It does no server selection, pooling or retries.

use std::fmt;

use bson::{Binary, Bson, Document, doc, spec::BinarySubtype};
use tokio::net::{TcpStream, ToSocketAddrs};

use crate::wire::{Header, Message, OpMsg, OpQuery, WireError, read_message, write_message};

/// Why a client call failed.
#[derive(Debug)]
pub enum ClientError {
    /// Connecting, sending or decoding failed.
    Wire(WireError),
    /// The server closed the connection instead of answering.
    Closed,
    /// The reply was of the wrong kind or shape.
    UnexpectedReply(String),
    /// The server answered `ok: 0` (returned by the SASL helpers only; [`Client::command`] hands
    /// back error replies as documents).
    Command {
        /// `code`.
        code: i32,
        /// `codeName`.
        code_name: String,
        /// `errmsg`.
        errmsg: String,
    },
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Wire(e) => e.fmt(f),
            Self::Closed => write!(f, "the server closed the connection without answering"),
            Self::UnexpectedReply(why) => write!(f, "unexpected reply: {why}"),
            Self::Command { code, code_name, errmsg } => {
                write!(f, "command failed with {code} ({code_name}): {errmsg}")
            }
        }
    }
}

impl std::error::Error for ClientError {}

impl From<WireError> for ClientError {
    fn from(e: WireError) -> Self {
        Self::Wire(e)
    }
}

impl From<std::io::Error> for ClientError {
    fn from(e: std::io::Error) -> Self {
        Self::Wire(WireError::Io(e))
    }
}

/// One step of a SASL conversation as the server answered it.
#[derive(Clone, Debug, PartialEq)]
pub struct SaslReply {
    /// `conversationId`, to echo in `saslContinue`.
    pub conversation_id: Bson,
    /// `done`.
    pub done: bool,
    /// The `payload` bytes.
    pub payload: Vec<u8>,
}

/// One connection to a server. Not shareable between tasks (`&mut self` everywhere).
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    next_request_id: i32,
}

impl Client {
    /// Connects to `addr`.
    pub async fn connect(addr: impl ToSocketAddrs) -> Result<Self, ClientError> {
        let stream = TcpStream::connect(addr).await?;
        Ok(Self { stream, next_request_id: 1 })
    }

    /// Sends `message` and reads the reply to it.
    pub async fn round_trip(&mut self, message: &Message) -> Result<(Header, Message), ClientError> {
        let id = self.next_request_id;
        self.next_request_id = self.next_request_id.wrapping_add(1);
        write_message(&mut self.stream, id, 0, message).await?;
        let (header, reply) = read_message(&mut self.stream).await?.ok_or(ClientError::Closed)?;
        if header.response_to != id {
            return Err(ClientError::UnexpectedReply(format!(
                "responseTo {} does not match request {id}",
                header.response_to
            )));
        }
        Ok((header, reply))
    }

    /// Runs `command` on `db` over OP_MSG (adding `$db`) and returns the reply document, whether
    /// `ok` is 1 or 0.
    pub async fn command(&mut self, db: &str, mut command: Document) -> Result<Document, ClientError> {
        command.insert("$db", db);
        match self.round_trip(&Message::Msg(OpMsg::new(command))).await?.1 {
            Message::Msg(m) => Ok(m.body),
            other => Err(ClientError::UnexpectedReply(format!("opcode {} to OP_MSG", other.op_code()))),
        }
    }

    /// Runs `command` on `db` as a legacy OP_QUERY (as Node 7.x sends its first `isMaster`) and
    /// returns the single document of the OP_REPLY.
    pub async fn legacy_command(&mut self, db: &str, command: Document) -> Result<Document, ClientError> {
        match self.round_trip(&Message::Query(OpQuery::command(db, command))).await?.1 {
            Message::Reply(mut r) if r.documents.len() == 1 => Ok(r.documents.remove(0)),
            Message::Reply(r) => {
                Err(ClientError::UnexpectedReply(format!("OP_REPLY with {} documents", r.documents.len())))
            }
            other => Err(ClientError::UnexpectedReply(format!("opcode {} to OP_QUERY", other.op_code()))),
        }
    }

    /// `saslStart` on `$external` with `mechanism` and `payload` (the client-first bytes).
    pub async fn sasl_start(&mut self, mechanism: &str, payload: &[u8]) -> Result<SaslReply, ClientError> {
        let cmd = doc! {
            "saslStart": 1,
            "mechanism": mechanism,
            "payload": Binary { subtype: BinarySubtype::Generic, bytes: payload.to_vec() },
        };
        sasl_reply(self.command("$external", cmd).await?)
    }

    /// `saslContinue` on `$external` for `conversation_id` with `payload` (the client-final bytes).
    pub async fn sasl_continue(
        &mut self,
        conversation_id: Bson,
        payload: &[u8],
    ) -> Result<SaslReply, ClientError> {
        let cmd = doc! {
            "saslContinue": 1,
            "conversationId": conversation_id,
            "payload": Binary { subtype: BinarySubtype::Generic, bytes: payload.to_vec() },
        };
        sasl_reply(self.command("$external", cmd).await?)
    }
}

/// Turns a reply into a [`SaslReply`], or its `ok: 0` into [`ClientError::Command`].
fn sasl_reply(reply: Document) -> Result<SaslReply, ClientError> {
    let ok = match reply.get("ok") {
        Some(Bson::Double(f)) => *f == 1.0,
        Some(Bson::Int32(i)) => *i == 1,
        Some(Bson::Int64(i)) => *i == 1,
        _ => false,
    };
    if !ok {
        return Err(ClientError::Command {
            code: reply.get_i32("code").unwrap_or(0),
            code_name: reply.get_str("codeName").unwrap_or("").to_owned(),
            errmsg: reply.get_str("errmsg").unwrap_or("").to_owned(),
        });
    }
    let bad = |why: &str| ClientError::UnexpectedReply(format!("{why} in {reply}"));
    Ok(SaslReply {
        conversation_id: reply.get("conversationId").cloned().ok_or_else(|| bad("no conversationId"))?,
        done: reply.get_bool("done").map_err(|_| bad("no boolean done"))?,
        payload: match reply.get("payload") {
            Some(Bson::Binary(b)) => b.bytes.clone(),
            _ => return Err(bad("no binary payload")),
        },
    })
}
