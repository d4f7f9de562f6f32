//! `saslStart` and `saslContinue` for MONGODB-AWS: the nonce exchange, the server-first payload
//! (with any configured [`Fault`]), and authentication through STS.

use bson::{Binary, Bson, Document, doc, spec::BinarySubtype};

use super::client_final;
use super::events::Event;
use super::fault::Fault;
use super::forward::{StsOutcome, forward};
use super::{Shared, reply};
use crate::random;

/// What `saslStart` sent, kept for `saslContinue`.
#[derive(Debug)]
pub(crate) struct Conversation {
    /// The `s` actually sent (whatever its length or prefix).
    nonce: Vec<u8>,
    /// The `h` actually sent, if it was a string.
    host: Option<String>,
}

const CONVERSATION_ID: i32 = 1;

fn fail(shared: &Shared, reason: String) -> Document {
    shared.recorder.record(Event::AuthFailed { reason: reason.clone() });
    reply::error(18, "AuthenticationFailed", &reason)
}

fn binary_payload(cmd: &Document) -> Result<&[u8], String> {
    match cmd.get("payload") {
        Some(Bson::Binary(b)) => Ok(&b.bytes),
        Some(other) => Err(format!("'payload' must be binary, not {:?}", other.element_type())),
        None => Err("the command has no 'payload'".into()),
    }
}

/// Checks the client-first payload: exactly `{r: 32-byte generic binary, p: int32 110}`.
fn client_nonce(payload: &[u8]) -> Result<Vec<u8>, String> {
    let doc = Document::from_reader(payload)
        .map_err(|e| format!("the client-first payload is not a BSON document: {e}"))?;
    if let Some(k) = doc.keys().find(|k| !matches!(k.as_str(), "r" | "p")) {
        return Err(format!("unexpected field '{k}' in the client-first payload"));
    }
    let r = match doc.get("r") {
        Some(Bson::Binary(Binary { subtype: BinarySubtype::Generic, bytes })) if bytes.len() == 32 => {
            bytes.clone()
        }
        Some(Bson::Binary(b)) if b.subtype != BinarySubtype::Generic => {
            return Err(format!("'r' must have binary subtype 0, not {:?}", b.subtype));
        }
        Some(Bson::Binary(b)) => return Err(format!("'r' must be 32 bytes, not {}", b.bytes.len())),
        Some(other) => return Err(format!("'r' must be binary, not {:?}", other.element_type())),
        None => return Err("the client-first payload has no 'r' (client nonce)".into()),
    };
    match doc.get("p") {
        Some(Bson::Int32(110)) => Ok(r),
        Some(Bson::Int32(p)) => Err(format!("'p' (gs2-cb-flag) must be 110 ('n'), not {p}")),
        Some(other) => Err(format!("'p' must be an int32, not {:?}", other.element_type())),
        None => Err("the client-first payload has no 'p' (gs2-cb-flag)".into()),
    }
}

/// The server-first payload bytes for client nonce `r`, with `fault` applied.
fn server_first(r: &[u8], host: &str, fault: Option<&Fault>) -> (Vec<u8>, Conversation) {
    let mut nonce = r.to_vec();
    nonce.extend(random::bytes(32));
    let mut host = Bson::String(host.to_owned());
    let mut subtype = BinarySubtype::Generic;
    let mut extra = false;
    match fault {
        None => {}
        Some(Fault::ShortNonce) => nonce.truncate(63),
        Some(Fault::NonceWrongPrefix) => nonce[0] ^= 0xff,
        Some(Fault::StsHost(h)) => host = Bson::String(h.clone()),
        Some(Fault::ExtraField) => extra = true,
        Some(Fault::NonceWrongSubtype) => subtype = BinarySubtype::UserDefined(0x80),
        Some(Fault::HostWrongType) => host = Bson::Int32(1),
        Some(Fault::PayloadNotBson) => {}
    }
    let conversation = Conversation {
        nonce: nonce.clone(),
        host: match &host {
            Bson::String(h) => Some(h.clone()),
            _ => None,
        },
    };
    let mut payload = doc! { "s": Binary { subtype, bytes: nonce }, "h": host };
    if extra {
        payload.insert("x", "unexpected");
    }
    let bytes = if fault == Some(&Fault::PayloadNotBson) {
        b"this is not a BSON document".to_vec()
    } else {
        // A document of a binary and a string always encodes.
        payload.to_vec().unwrap_or_default()
    };
    (bytes, conversation)
}

/// Handles `saslStart`; on success the conversation is stored in `slot`.
pub(crate) fn sasl_start(
    shared: &Shared,
    db: &str,
    cmd: &Document,
    slot: &mut Option<Conversation>,
) -> Document {
    *slot = None;
    if db != "$external" {
        return fail(shared, format!("MONGODB-AWS authenticates on '$external', not '{db}'"));
    }
    match cmd.get("mechanism") {
        Some(Bson::String(m)) if m == "MONGODB-AWS" => {}
        Some(Bson::String(m)) => {
            return fail(
                shared,
                format!("mechanism '{m}' is not supported; this server only does MONGODB-AWS"),
            );
        }
        _ => return fail(shared, "saslStart needs a string 'mechanism'".into()),
    }
    let r = match binary_payload(cmd).and_then(client_nonce) {
        Ok(r) => r,
        Err(reason) => return fail(shared, reason),
    };
    let fault = shared.fault();
    let (payload, conversation) = server_first(&r, &shared.config.sts_host, fault.as_ref());
    *slot = Some(conversation);
    doc! {
        "conversationId": CONVERSATION_ID,
        "done": false,
        "payload": Binary { subtype: BinarySubtype::Generic, bytes: payload },
        "ok": 1.0,
    }
}

/// Handles `saslContinue`; returns the reply and, on success, the authenticated ARN.
pub(crate) async fn sasl_continue(
    shared: &Shared,
    db: &str,
    cmd: &Document,
    slot: &mut Option<Conversation>,
) -> (Document, Option<String>) {
    let Some(conversation) = slot.take() else {
        return (fail(shared, "saslContinue without a preceding saslStart".into()), None);
    };
    if db != "$external" {
        return (fail(shared, format!("saslContinue must run on '$external', not '{db}'")), None);
    }
    let id = match cmd.get("conversationId") {
        Some(Bson::Int32(i)) => Some(i64::from(*i)),
        Some(Bson::Int64(i)) => Some(*i),
        Some(Bson::Double(f)) if f.fract() == 0.0 => Some(*f as i64),
        _ => None,
    };
    if id != Some(i64::from(CONVERSATION_ID)) {
        return (fail(shared, format!("saslContinue must carry conversationId {CONVERSATION_ID}")), None);
    }
    let doc = match binary_payload(cmd).and_then(|p| {
        Document::from_reader(p).map_err(|e| format!("the client-final payload is not a BSON document: {e}"))
    }) {
        Ok(d) => d,
        Err(reason) => return (fail(shared, reason), None),
    };
    let fin = match client_final::check(&doc, conversation.host.as_deref(), shared.config.max_clock_skew) {
        Ok(f) => f,
        Err(reason) => return (fail(shared, reason), None),
    };
    // `check` succeeded, so the host is a valid string.
    let host = conversation.host.as_deref().unwrap_or_default();
    let outcome = forward(&shared.sts_url, host, &conversation.nonce, &fin, shared.config.sts_timeout).await;
    match outcome {
        StsOutcome::Authenticated(arn) => {
            shared.recorder.record(Event::StsRequest { status: Some(200) });
            shared.recorder.record(Event::AuthSucceeded { arn: arn.clone() });
            let reply = doc! {
                "conversationId": CONVERSATION_ID,
                "done": true,
                "payload": Binary { subtype: BinarySubtype::Generic, bytes: Vec::new() },
                "ok": 1.0,
            };
            (reply, Some(arn))
        }
        StsOutcome::Refused { status, reason } => {
            shared.recorder.record(Event::StsRequest { status });
            (fail(shared, reason), None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Vec<u8> {
        (0u8..32).collect()
    }

    fn parse(bytes: &[u8]) -> Document {
        Document::from_reader(bytes).unwrap()
    }

    #[test]
    fn client_first_must_be_exact() {
        let ok = doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: r() }, "p": 110};
        assert_eq!(client_nonce(&ok.to_vec().unwrap()).unwrap(), r());
        let bad = [
            doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: vec![0; 31] }, "p": 110},
            doc! {"r": Binary { subtype: BinarySubtype::UserDefined(0x80), bytes: r() }, "p": 110},
            doc! {"r": "x", "p": 110},
            doc! {"p": 110},
            doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: r() }, "p": 121},
            doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: r() }, "p": 110_i64},
            doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: r() }},
            doc! {"r": Binary { subtype: BinarySubtype::Generic, bytes: r() }, "p": 110, "z": 1},
        ];
        for d in bad {
            assert!(client_nonce(&d.to_vec().unwrap()).is_err(), "{d}");
        }
        assert!(client_nonce(b"junk").is_err());
    }

    #[test]
    fn server_first_and_faults() {
        let (bytes, conv) = server_first(&r(), "sts.amazonaws.com", None);
        let d = parse(&bytes);
        assert_eq!(d.keys().collect::<Vec<_>>(), ["s", "h"]);
        let s = d.get_binary_generic("s").unwrap();
        assert_eq!((s.len(), &s[..32]), (64, &r()[..]));
        assert_eq!(d.get_str("h").unwrap(), "sts.amazonaws.com");
        assert_eq!(conv.nonce, *s);

        let (b, _) = server_first(&r(), "h", Some(&Fault::ShortNonce));
        assert_eq!(parse(&b).get_binary_generic("s").unwrap().len(), 63);
        let (b, _) = server_first(&r(), "h", Some(&Fault::NonceWrongPrefix));
        assert_ne!(&parse(&b).get_binary_generic("s").unwrap()[..32], &r()[..]);
        let (b, c) = server_first(&r(), "h", Some(&Fault::StsHost("sts..com".into())));
        assert_eq!(parse(&b).get_str("h").unwrap(), "sts..com");
        assert_eq!(c.host.as_deref(), Some("sts..com"));
        let (b, _) = server_first(&r(), "h", Some(&Fault::ExtraField));
        assert_eq!(parse(&b).len(), 3);
        let (b, _) = server_first(&r(), "h", Some(&Fault::NonceWrongSubtype));
        assert!(parse(&b).get_binary_generic("s").is_err());
        let (b, c) = server_first(&r(), "h", Some(&Fault::HostWrongType));
        assert_eq!(parse(&b).get_i32("h").unwrap(), 1);
        assert!(c.host.is_none());
        let (b, _) = server_first(&r(), "h", Some(&Fault::PayloadNotBson));
        assert!(Document::from_reader(&b[..]).is_err());
    }
}
