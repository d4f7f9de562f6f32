//! Round trips, and garbage in -> error (never a panic).

use bson::{Binary, doc, spec::BinarySubtype};

use super::*;

fn sample_msg(flags: u32) -> Message {
    Message::Msg(OpMsg {
        flags,
        body: doc! { "insert": "c", "$db": "test", "bin": Binary { subtype: BinarySubtype::Generic, bytes: vec![1, 2, 3] } },
        sequences: vec![("documents".into(), vec![doc! {"a": 1}, doc! {"b": "x"}])],
    })
}

fn samples() -> Vec<Message> {
    vec![
        sample_msg(0),
        sample_msg(OpMsg::CHECKSUM_PRESENT),
        sample_msg(OpMsg::MORE_TO_COME | OpMsg::EXHAUST_ALLOWED),
        Message::Query(OpQuery::command("admin", doc! {"isMaster": 1, "helloOk": true})),
        Message::Query(OpQuery {
            return_fields_selector: Some(doc! {"x": 1}),
            ..OpQuery::command("admin", doc! {"$query": {"ismaster": 1}})
        }),
        Message::Reply(OpReply::command_reply(doc! {"ok": 1.0})),
    ]
}

async fn read(bytes: &[u8]) -> Result<Option<(Header, Message)>, WireError> {
    let mut r = bytes;
    read_message(&mut r).await
}

#[tokio::test]
async fn messages_round_trip() {
    for m in samples() {
        let bytes = m.encode(7, 3).unwrap();
        let (h, back) = read(&bytes).await.unwrap().unwrap();
        assert_eq!((h.request_id, h.response_to, h.op_code), (7, 3, m.op_code()));
        assert_eq!(h.message_length as usize, bytes.len());
        assert_eq!(back, m);
    }
    assert!(read(b"").await.unwrap().is_none());
}

#[test]
fn command_merges_sequences_and_unwraps_query() {
    let Message::Msg(m) = sample_msg(0) else { unreachable!() };
    let cmd = m.command();
    assert_eq!(cmd.get_array("documents").unwrap().len(), 2);
    let q = OpQuery::command("admin", doc! {"$query": {"ismaster": 1}, "$readPreference": {}});
    assert_eq!(q.as_command().unwrap(), ("admin".into(), doc! {"ismaster": 1}));
    let not_cmd = OpQuery { full_collection_name: "db.coll".into(), ..q };
    assert!(not_cmd.as_command().is_none());
}

#[tokio::test]
async fn checksum_is_verified() {
    let mut bytes = sample_msg(OpMsg::CHECKSUM_PRESENT).encode(1, 0).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 1;
    assert!(matches!(read(&bytes).await, Err(WireError::Checksum)));
}

#[tokio::test]
async fn specific_garbage_is_rejected() {
    let msg = |op: i32, body: &[u8]| {
        let mut v = ((16 + body.len()) as i32).to_le_bytes().to_vec();
        v.extend_from_slice(&[0; 8]);
        v.extend_from_slice(&op.to_le_bytes());
        v.extend_from_slice(body);
        v
    };
    let cases: Vec<Vec<u8>> = vec![
        vec![1, 2, 3],                                                   // truncated header
        (-1i32).to_le_bytes().iter().chain(&[0; 12]).copied().collect(), // negative length
        15i32.to_le_bytes().iter().chain(&[0; 12]).copied().collect(),   // length < 16
        (i32::MAX).to_le_bytes().iter().chain(&[0; 12]).copied().collect(),
        msg(2012, &[0; 9]),                                             // OP_COMPRESSED
        msg(OP_MSG, &[]),                                               // no flags
        msg(OP_MSG, &[0, 0, 0, 0]),                                     // no sections
        msg(OP_MSG, &[4, 0, 0, 0, 0, 5, 0, 0, 0, 0]),                   // unknown required flag
        msg(OP_MSG, &[0, 0, 0, 0, 2, 5, 0, 0, 0, 0]),                   // unknown section kind
        msg(OP_MSG, &[0, 0, 0, 0, 0, 5, 0, 0, 0]),                      // short document
        msg(OP_MSG, &[0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0]),       // negative doc length
        msg(OP_MSG, &[0, 0, 0, 0, 0, 6, 0, 0, 0, 0x10, 0]),             // invalid element
        msg(OP_MSG, &[0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]), // two kind-0
        msg(OP_MSG, &[0, 0, 0, 0, 1, 2, 0, 0, 0]),                      // sequence size < 4
        msg(OP_MSG, &[1, 0, 0, 0]),                                     // checksum flag, no room
        msg(OP_QUERY, b"\0\0\0\0admin.$cmd"),                           // unterminated name
        msg(OP_REPLY, &[0; 19]),                                        // short
        msg(OP_REPLY, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]), // count mismatch
    ];
    for bytes in cases {
        assert!(read(&bytes).await.is_err(), "{bytes:?}");
    }
}

/// A small xorshift generator, so the fuzz cases are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[tokio::test]
async fn fuzzed_messages_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let valid: Vec<Vec<u8>> = samples().iter().map(|m| m.encode(1, 0).unwrap()).collect();
    for i in 0..20_000 {
        let base = &valid[i % valid.len()];
        let mut bytes = base.clone();
        match rng.next() % 4 {
            0 => {
                let cut = (rng.next() as usize) % bytes.len();
                bytes.truncate(cut);
            }
            1 => {
                for _ in 0..1 + rng.next() % 4 {
                    let at = (rng.next() as usize) % bytes.len();
                    bytes[at] = rng.next() as u8;
                }
            }
            2 => {
                // Keep the header's length consistent so the body parser sees the damage.
                let at = 16 + (rng.next() as usize) % (bytes.len() - 16);
                bytes[at] = rng.next() as u8;
            }
            _ => {
                let n = (rng.next() % 64) as usize;
                bytes = (0..n).map(|_| rng.next() as u8).collect();
            }
        }
        // Any outcome but a panic is fine; some mutations are still valid messages.
        let _ = read(&bytes).await;
        for op in [OP_MSG, OP_QUERY, OP_REPLY] {
            let _ = Message::decode(op, bytes.get(16..).unwrap_or(&[]));
        }
    }
}
