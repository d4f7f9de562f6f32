//! The SASL conversation through the public API: the client-first payload, strict rejection of
//! every server-first reply the spec says to refuse, call order, and the client-final payload.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::time::{Duration, SystemTime};

use bson::raw::CStr;
use bson::spec::BinarySubtype;
use bson::{RawBinaryRef, RawBsonRef, RawDocument, RawDocumentBuf};
use mongoawsauth::time_fmt::parse_amz_date;
use mongoawsauth::{Conversation, Credentials, ErrorKind};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const TOKEN: &str = "AQoDYXdzEJr-example-token";

fn long_term() -> Credentials {
    Credentials::new(Some("AKIDEXAMPLE"), Some(SECRET), None, None, "test").unwrap()
}

fn temporary() -> Credentials {
    Credentials::new(Some("ASIAEXAMPLE"), Some(SECRET), Some(TOKEN), None, "test").unwrap()
}

fn key(name: &str) -> &CStr {
    name.try_into().unwrap()
}

/// Starts a conversation and returns it with the client nonce taken from its client-first
/// payload.
fn started(credentials: Credentials) -> (Conversation, [u8; 32]) {
    let mut conversation = Conversation::new(credentials).unwrap();
    let first = conversation.client_first().unwrap();
    let doc = RawDocument::from_bytes(&first).unwrap();
    let nonce = doc.get_binary("r").unwrap().bytes.try_into().unwrap();
    (conversation, nonce)
}

fn binary(bytes: &[u8]) -> RawBinaryRef<'_> {
    RawBinaryRef { subtype: BinarySubtype::Generic, bytes }
}

fn server_nonce(client_nonce: &[u8; 32]) -> Vec<u8> {
    let mut nonce = client_nonce.to_vec();
    nonce.extend((0..32u8).map(|i| i.wrapping_mul(7).wrapping_add(3)));
    nonce
}

fn server_first(client_nonce: &[u8; 32], host: &str) -> Vec<u8> {
    let nonce = server_nonce(client_nonce);
    let mut doc = RawDocumentBuf::new();
    doc.append(key("s"), binary(&nonce));
    doc.append(key("h"), host);
    doc.into_bytes()
}

#[test]
fn client_first_is_the_52_byte_r_p_document() {
    let mut conversation = Conversation::new(long_term()).unwrap();
    let first = conversation.client_first().unwrap();
    assert_eq!(first.len(), 52);
    let doc = RawDocument::from_bytes(&first).unwrap();
    let fields: Vec<(String, RawBsonRef<'_>)> =
        doc.iter().map(|e| e.unwrap()).map(|(k, v)| (k.as_str().to_owned(), v)).collect();
    assert_eq!(fields.len(), 2);
    assert_eq!(fields[0].0, "r");
    match fields[0].1 {
        RawBsonRef::Binary(b) => {
            assert_eq!(b.subtype, BinarySubtype::Generic);
            assert_eq!(b.bytes.len(), 32);
        }
        other => panic!("r is {other:?}"),
    }
    assert_eq!(fields[1].0, "p");
    assert_eq!(fields[1].1, RawBsonRef::Int32(110), "p is int32 110, ASCII 'n'");
}

#[test]
fn every_conversation_has_a_fresh_nonce() {
    let nonces: Vec<[u8; 32]> = (0..16).map(|_| started(long_term()).1).collect();
    for (i, a) in nonces.iter().enumerate() {
        assert_ne!(a, &[0u8; 32]);
        for b in &nonces[i + 1..] {
            assert_ne!(a, b, "two conversations share a nonce");
        }
    }
}

/// Builds a document from (key, value) pairs in order, duplicates and all.
fn doc_of(fields: &[(&str, RawBsonRef<'_>)]) -> Vec<u8> {
    let mut doc = RawDocumentBuf::new();
    for (k, v) in fields {
        doc.append(key(k), *v);
    }
    doc.into_bytes()
}

/// Every reply the spec refuses (nonce not 64 bytes or not starting with ours; host empty, over
/// 255 bytes or with an empty label) and the strict-parsing rules, with a phrase the error
/// message must contain.
fn hostile_replies(client_nonce: &[u8; 32]) -> Vec<(&'static str, Vec<u8>, String)> {
    let good = server_nonce(client_nonce);
    let valid = server_first(client_nonce, "sts.amazonaws.com");
    let mut wrong_prefix = good.clone();
    wrong_prefix[0] ^= 0xff;
    let mut invalid_bson = valid.clone();
    invalid_bson[4] = 0x77; // an element type that does not exist
    let mut bad_string_len = valid.clone();
    // The h string's length prefix sits after: 4 (doc len) + 1 + 2 + 4 + 1 + 64 (s) + 1 + 2 (h).
    bad_string_len[79..83].copy_from_slice(&1000i32.to_le_bytes());
    let s = RawBsonRef::Binary(binary(&good));
    let h = RawBsonRef::String("sts.amazonaws.com");
    let long_host = format!("{}.amazonaws.com", "a".repeat(256 - ".amazonaws.com".len()));
    assert_eq!(long_host.len(), 256);
    let host = |host: &str| server_first(client_nonce, host);
    let nonce_of = |n: &[u8]| doc_of(&[("s", RawBsonRef::Binary(binary(n))), ("h", h)]);
    vec![
        ("empty payload", Vec::new(), "the payload is empty".into()),
        ("truncated BSON", valid[..valid.len() - 5].to_vec(), "not valid BSON".into()),
        ("truncated to the length prefix", valid[..4].to_vec(), "not valid BSON".into()),
        ("invalid element type", invalid_bson, "not valid BSON".into()),
        ("string length past the end", bad_string_len, "not valid BSON".into()),
        ("missing s", doc_of(&[("h", h)]), "s is missing".into()),
        ("missing h", doc_of(&[("s", s)]), "h is missing".into()),
        ("empty document", doc_of(&[]), "s is missing".into()),
        (
            "extra field",
            doc_of(&[("s", s), ("h", h), ("x", RawBsonRef::Int32(1))]),
            "unexpected field \"x\"".into(),
        ),
        (
            "extra field first",
            doc_of(&[("ok", RawBsonRef::Int32(1)), ("s", s), ("h", h)]),
            "unexpected field \"ok\"".into(),
        ),
        ("duplicate s", doc_of(&[("s", s), ("h", h), ("s", s)]), "s appears twice".into()),
        ("duplicate h", doc_of(&[("s", s), ("h", h), ("h", h)]), "h appears twice".into()),
        (
            "s with subtype 4",
            doc_of(&[
                ("s", RawBsonRef::Binary(RawBinaryRef { subtype: BinarySubtype::Uuid, bytes: &good })),
                ("h", h),
            ]),
            "binary subtype 0x04".into(),
        ),
        (
            "s with a user subtype",
            doc_of(&[
                (
                    "s",
                    RawBsonRef::Binary(RawBinaryRef {
                        subtype: BinarySubtype::UserDefined(0x80),
                        bytes: &good,
                    }),
                ),
                ("h", h),
            ]),
            "binary subtype 0x80".into(),
        ),
        ("s a string", doc_of(&[("s", RawBsonRef::String("nonce")), ("h", h)]), "expected binary".into()),
        ("s an int", doc_of(&[("s", RawBsonRef::Int32(64)), ("h", h)]), "expected binary".into()),
        (
            "h binary",
            doc_of(&[("s", s), ("h", RawBsonRef::Binary(binary(b"sts.amazonaws.com")))]),
            "expected string".into(),
        ),
        ("h null", doc_of(&[("s", s), ("h", RawBsonRef::Null)]), "expected string".into()),
        ("63-byte nonce", nonce_of(&good[..63]), "63 bytes, expected 64".into()),
        ("65-byte nonce", nonce_of(&[&good[..], &[0u8]].concat()), "65 bytes, expected 64".into()),
        ("32-byte nonce (ours only)", nonce_of(client_nonce), "32 bytes, expected 64".into()),
        ("wrong prefix", nonce_of(&wrong_prefix), "does not start with the client nonce".into()),
        ("host sts..com", host("sts..com"), "empty label".into()),
        ("host .amazonaws.com", host(".amazonaws.com"), "empty label".into()),
        ("host sts.amazonaws.", host("sts.amazonaws."), "empty label".into()),
        ("empty host", host(""), "empty STS host".into()),
        ("256-byte host", host(&long_host), "256 bytes".into()),
        ("host with a space", host("sts.amazonaws .com"), "whitespace or control".into()),
        ("host with a newline", host("sts.amazonaws.com\r\nX-Evil: 1"), "whitespace or control".into()),
    ]
}

#[test]
fn every_hostile_reply_is_an_authentication_error_that_says_why() {
    let count = hostile_replies(&[0; 32]).len();
    for credentials in [long_term(), temporary()] {
        for i in 0..count {
            // Each conversation has its own nonce, so the replies are rebuilt for it: a failure
            // must be about the named defect, not an accidental prefix mismatch.
            let (mut conversation, nonce) = started(credentials.clone());
            let (name, payload, expected) = hostile_replies(&nonce).swap_remove(i);
            let err = conversation.client_final(&payload).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Authentication, "{name}: {err}");
            assert!(err.message().contains(&expected), "{name}: expected {expected:?} in {err}");
            // Host errors come straight from sts_host::validate_host, which names the host but
            // not the payload-level advice; only the payload errors carry it.
            if !name.contains("host") {
                assert!(err.message().contains("check that the server"), "{name}: says what to do: {err}");
            }
            assert!(!err.to_string().contains(SECRET) && !err.to_string().contains(TOKEN));
        }
    }
}

#[test]
fn the_valid_reply_and_its_spec_hosts_are_accepted() {
    for host in ["sts.amazonaws.com", "sts.us-west-2.amazonaws.com", "localhost", &"x".repeat(255)] {
        let (mut conversation, nonce) = started(long_term());
        conversation.client_final(&server_first(&nonce, host)).unwrap_or_else(|e| panic!("{host}: {e}"));
    }
}

#[test]
fn calls_out_of_order_are_invalid_argument_errors() {
    let reply = |nonce: &[u8; 32]| server_first(nonce, "sts.amazonaws.com");

    let mut conversation = Conversation::new(long_term()).unwrap();
    let err = conversation.client_final(&[5, 0, 0, 0, 0]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("before client_first"), "{err}");
    // The early call did not spoil the conversation.
    let first = conversation.client_first().unwrap();
    let nonce = RawDocument::from_bytes(&first).unwrap().get_binary("r").unwrap().bytes.try_into().unwrap();
    let err = conversation.client_first().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("already called"), "{err}");
    conversation.client_final(&reply(&nonce)).unwrap();

    // Reuse after success.
    let err = conversation.client_final(&reply(&nonce)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("already finished"), "{err}");
    assert_eq!(conversation.client_first().unwrap_err().kind(), ErrorKind::InvalidArgument);

    // Reuse after failure: even a now-correct reply is refused.
    let (mut conversation, nonce) = started(long_term());
    assert_eq!(conversation.client_final(&[]).unwrap_err().kind(), ErrorKind::Authentication);
    let err = conversation.client_final(&reply(&nonce)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.message().contains("already finished"), "{err}");
    assert_eq!(conversation.client_first().unwrap_err().kind(), ErrorKind::InvalidArgument);
}

fn fields(payload: &[u8]) -> Vec<(String, String)> {
    RawDocument::from_bytes(payload)
        .unwrap()
        .iter()
        .map(|e| {
            let (k, v) = e.unwrap();
            (k.as_str().to_owned(), v.as_str().unwrap_or_else(|| panic!("{k:?} is not a string")).to_owned())
        })
        .collect()
}

#[test]
fn client_final_has_a_d_and_t_iff_session_token() {
    for (credentials, token) in [(long_term(), None), (temporary(), Some(TOKEN))] {
        let akid = credentials.access_key_id().to_owned();
        let (mut conversation, nonce) = started(credentials);
        let before = SystemTime::now();
        let payload =
            conversation.client_final(&server_first(&nonce, "sts.us-west-2.amazonaws.com")).unwrap();
        let fields = fields(&payload);
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        let expected: &[&str] = if token.is_some() { &["a", "d", "t"] } else { &["a", "d"] };
        assert_eq!(names, expected);

        let d = &fields[1].1;
        assert_eq!(d.len(), 16, "{d}");
        assert!(d.as_bytes()[8] == b'T' && d.ends_with('Z'), "{d}");
        let signed_at = parse_amz_date(d).unwrap_or_else(|| panic!("d {d:?} is not YYYYMMDDTHHMMSSZ"));
        let skew = match signed_at.duration_since(before) {
            Ok(ahead) => ahead,
            Err(behind) => behind.duration(),
        };
        assert!(skew < Duration::from_secs(60), "d {d} is {skew:?} away from now");

        let a = &fields[0].1;
        let scope = format!("AWS4-HMAC-SHA256 Credential={akid}/{}/us-west-2/sts/aws4_request, ", &d[..8]);
        assert!(a.starts_with(&scope), "{a}");
        let signature = a.rsplit_once("Signature=").unwrap().1;
        assert_eq!(signature.len(), 64);
        assert!(signature.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{a}");
        if let Some(token) = token {
            assert_eq!(fields[2].1, token);
            assert!(a.contains(";x-amz-security-token;"), "the token is signed: {a}");
        } else {
            assert!(!a.contains("x-amz-security-token"), "{a}");
        }
        assert!(!a.contains(SECRET));
    }
}

#[test]
fn client_final_at_uses_the_given_time() {
    let time = parse_amz_date("20191112T210122Z").unwrap();
    let (mut conversation, nonce) = started(long_term());
    let payload = conversation.client_final_at(&server_first(&nonce, "sts.amazonaws.com"), time).unwrap();
    let fields = fields(&payload);
    assert_eq!(fields[1], ("d".to_owned(), "20191112T210122Z".to_owned()));
    assert!(fields[0].1.contains("/20191112/us-east-1/sts/aws4_request"), "{}", fields[0].1);
}

#[test]
fn same_inputs_sign_identically_through_conversation_and_signing() {
    let time = parse_amz_date("20251215T123456Z").unwrap();
    let credentials = temporary();
    let (mut conversation, nonce) = started(credentials.clone());
    let via_conversation =
        conversation.client_final_at(&server_first(&nonce, "sts.eu-west-1.amazonaws.com"), time).unwrap();
    let via_signing = mongoawsauth::signing::client_final_payload(
        &credentials,
        "sts.eu-west-1.amazonaws.com",
        &server_nonce(&nonce),
        time,
    )
    .unwrap();
    assert_eq!(via_conversation, via_signing);
}
