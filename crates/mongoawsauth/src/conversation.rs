//! The MONGODB-AWS SASL conversation: the client-first payload, strict validation of the
//! server's reply, and the signed client-final payload.
//!
//! ```text
//! client-first  {r: 32-byte nonce (binary 0), p: int32 110}        -> saslStart
//! server-first  {s: 64-byte nonce (binary 0), h: STS host}          <- reply
//! client-final  {a: Authorization, d: X-Amz-Date, t?: token}        -> saslContinue
//! ```
//!
//! One [`Conversation`] serves one connection's login and is used from one thread at a time.

use std::fmt;
use std::time::SystemTime;

use bson::raw::cstr;
use bson::spec::BinarySubtype;
use bson::{RawBinaryRef, RawBsonRef, RawDocument, RawDocumentBuf};

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind, Result};
use crate::signing;
use crate::sts_host;

/// Length of the client nonce, in bytes.
pub const CLIENT_NONCE_LEN: usize = 32;
/// Length of the server nonce (client nonce followed by the server's bytes), in bytes.
pub const SERVER_NONCE_LEN: usize = 64;
/// The gs2-cb-flag: ASCII `n`, "no channel binding". Advertising channel binding breaks legacy
/// servers, so the spec fixes this value.
pub const GS2_CB_FLAG: i32 = 110;
/// The SASL mechanism name to put in `saslStart`.
pub const MECHANISM: &str = "MONGODB-AWS";
/// The authentication database MONGODB-AWS uses.
pub const AUTH_SOURCE: &str = "$external";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    New,
    SentClientFirst,
    Done,
    Failed,
}

/// One login's SASL conversation.
///
/// Call [`Conversation::client_first`], send it in `saslStart`, then pass the server's payload to
/// [`Conversation::client_final`] and send the result in `saslContinue`. Calls out of that order
/// are errors, and after a failure the conversation cannot be reused.
pub struct Conversation {
    credentials: Credentials,
    client_nonce: [u8; CLIENT_NONCE_LEN],
    state: State,
}

/// The validated content of the server-first payload.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerFirst {
    /// The full 64-byte server nonce (our nonce, then 32 server bytes).
    pub server_nonce: [u8; SERVER_NONCE_LEN],
    /// The STS host the server will send the request to; validated by the spec's rules.
    pub host: String,
}

impl fmt::Debug for ServerFirst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerFirst").field("host", &self.host).finish_non_exhaustive()
    }
}

impl Conversation {
    /// Starts a conversation with a fresh 32-byte nonce from the operating system's CSPRNG.
    ///
    /// Fails only if the operating system cannot supply random bytes.
    pub fn new(credentials: Credentials) -> Result<Self> {
        let mut client_nonce = [0u8; CLIENT_NONCE_LEN];
        getrandom::fill(&mut client_nonce).map_err(|e| {
            Error::new(
                ErrorKind::Runtime,
                format!("the operating system could not supply random bytes for the nonce: {e}"),
            )
        })?;
        Ok(Conversation { credentials, client_nonce, state: State::New })
    }

    /// The credentials this conversation signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The client-first payload `{r, p}` (52 bytes of BSON) for `saslStart`.
    pub fn client_first(&mut self) -> Result<Vec<u8>> {
        if self.state != State::New {
            return Err(Error::invalid_argument(
                "client_first was already called on this conversation: start a new conversation \
                 for each login",
            ));
        }
        self.state = State::SentClientFirst;
        Ok(encode_client_first(&self.client_nonce))
    }

    /// Validates the server-first payload and returns the signed client-final payload for
    /// `saslContinue`, dated now.
    pub fn client_final(&mut self, server_payload: &[u8]) -> Result<Vec<u8>> {
        self.client_final_at(server_payload, SystemTime::now())
    }

    /// Like [`Conversation::client_final`], with the signature dated `time` instead of now.
    /// Servers accept a signature only within 15 minutes of their clock; this exists for tests
    /// and for reproducing a signature, not for production use.
    pub fn client_final_at(&mut self, server_payload: &[u8], time: SystemTime) -> Result<Vec<u8>> {
        match self.state {
            State::SentClientFirst => {}
            State::New => {
                return Err(Error::invalid_argument(
                    "client_final was called before client_first: send client_first in saslStart \
                     first",
                ));
            }
            State::Done | State::Failed => {
                return Err(Error::invalid_argument(
                    "this conversation has already finished: start a new conversation for each \
                     login",
                ));
            }
        }
        let result = parse_server_first(server_payload, &self.client_nonce).and_then(|first| {
            signing::client_final_payload(&self.credentials, &first.host, &first.server_nonce, time)
        });
        self.state = if result.is_ok() { State::Done } else { State::Failed };
        result
    }
}

impl fmt::Debug for Conversation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conversation")
            .field("credentials", &self.credentials)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Encodes the client-first payload for a given nonce.
pub fn encode_client_first(client_nonce: &[u8; CLIENT_NONCE_LEN]) -> Vec<u8> {
    let mut doc = RawDocumentBuf::new();
    doc.append(cstr!("r"), RawBinaryRef { subtype: BinarySubtype::Generic, bytes: client_nonce });
    doc.append(cstr!("p"), GS2_CB_FLAG);
    doc.into_bytes()
}

/// Parses and validates a server-first payload against our nonce, strictly: exactly the fields
/// `s` (binary subtype 0, 64 bytes, starting with `client_nonce`) and `h` (a valid STS host).
///
/// Every problem is an [`ErrorKind::Authentication`] error that says what was wrong.
pub fn parse_server_first(payload: &[u8], client_nonce: &[u8; CLIENT_NONCE_LEN]) -> Result<ServerFirst> {
    if payload.is_empty() {
        return Err(bad_reply("the payload is empty"));
    }
    let doc = RawDocument::from_bytes(payload)
        .map_err(|e| bad_reply(&format!("the payload is not valid BSON ({e})")))?;
    let mut nonce: Option<&[u8]> = None;
    let mut host: Option<&str> = None;
    for element in doc.iter() {
        let (key, value) = element.map_err(|e| bad_reply(&format!("the payload is not valid BSON ({e})")))?;
        match key.as_str() {
            "s" => {
                if nonce.is_some() {
                    return Err(bad_reply("the field s appears twice"));
                }
                match value {
                    RawBsonRef::Binary(RawBinaryRef { subtype: BinarySubtype::Generic, bytes }) => {
                        nonce = Some(bytes)
                    }
                    RawBsonRef::Binary(bin) => {
                        return Err(bad_reply(&format!(
                            "the server nonce s has binary subtype {:#04x}, expected 0 (generic)",
                            u8::from(bin.subtype)
                        )));
                    }
                    other => {
                        return Err(bad_reply(&format!(
                            "the server nonce s is a BSON {:?}, expected binary",
                            other.element_type()
                        )));
                    }
                }
            }
            "h" => {
                if host.is_some() {
                    return Err(bad_reply("the field h appears twice"));
                }
                match value {
                    RawBsonRef::String(s) => host = Some(s),
                    other => {
                        return Err(bad_reply(&format!(
                            "the STS host h is a BSON {:?}, expected string",
                            other.element_type()
                        )));
                    }
                }
            }
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(bad_reply(&format!(
                    "it has an unexpected field {shown:?} (only s and h are allowed)"
                )));
            }
        }
    }
    let nonce = nonce.ok_or_else(|| bad_reply("the server nonce s is missing"))?;
    let host = host.ok_or_else(|| bad_reply("the STS host h is missing"))?;
    let server_nonce: [u8; SERVER_NONCE_LEN] = nonce.try_into().map_err(|_| {
        bad_reply(&format!("the server nonce is {} bytes, expected {SERVER_NONCE_LEN}", nonce.len()))
    })?;
    if server_nonce[..CLIENT_NONCE_LEN] != client_nonce[..] {
        return Err(bad_reply(
            "the server nonce does not start with the client nonce (a replayed or tampered reply)",
        ));
    }
    sts_host::validate_host(host).map_err(|e| bad_reply(e.message()))?;
    Ok(ServerFirst { server_nonce, host: host.to_owned() })
}

fn bad_reply(what: &str) -> Error {
    Error::authentication(format!(
        "the server's MONGODB-AWS reply was rejected: {what}; check that the server (or a proxy in \
         between) is a genuine MongoDB deployment with MONGODB-AWS enabled"
    ))
}
