//! The CPU cost of one MONGODB-AWS login on the client, without credential resolution or I/O:
//! what a driver pays per new connection once it has credentials. See docs/benchmarks.md.
#![allow(clippy::unwrap_used, reason = "a benchmark stops with the cause if its setup fails")]
#![allow(missing_docs, reason = "criterion_group! declares a public function without docs")]

use std::hint::black_box;
use std::time::SystemTime;

use bson::raw::CStr;
use bson::spec::BinarySubtype;
use bson::{RawBinaryRef, RawDocumentBuf};
use criterion::{Criterion, criterion_group, criterion_main};
use mongoawsauth::conversation::{self, CLIENT_NONCE_LEN, SERVER_NONCE_LEN};
use mongoawsauth::time_fmt::parse_amz_date;
use mongoawsauth::{Conversation, Credentials, signing};

const HOST: &str = "sts.us-west-2.amazonaws.com";
/// Where the 64 nonce bytes start in the server-first payload built below: 4 (document length)
/// + 1 (type) + 2 ("s\0") + 4 (binary length) + 1 (subtype).
const NONCE_OFFSET: usize = 12;

fn credentials() -> [(&'static str, Credentials); 2] {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    // 464 bytes; STS tokens run from a few hundred bytes to over a kilobyte, and only their
    // hashing in the canonical request grows with them.
    let token = "AQoDYXdzEJr1K...example-session-token-of-realistic-length-".repeat(8);
    [
        ("long-term", Credentials::new(Some("AKIDEXAMPLE"), Some(secret), None, None, "bench").unwrap()),
        (
            "temporary",
            Credentials::new(Some("ASIAEXAMPLE"), Some(secret), Some(&token), None, "bench").unwrap(),
        ),
    ]
}

/// A server-first payload for `server_nonce`, laid out as a real server sends it.
fn server_first(server_nonce: &[u8; SERVER_NONCE_LEN]) -> Vec<u8> {
    let s: &CStr = "s".try_into().unwrap();
    let h: &CStr = "h".try_into().unwrap();
    let mut doc = RawDocumentBuf::new();
    doc.append(s, RawBinaryRef { subtype: BinarySubtype::Generic, bytes: server_nonce });
    doc.append(h, HOST);
    let bytes = doc.into_bytes();
    assert_eq!(&bytes[NONCE_OFFSET..NONCE_OFFSET + SERVER_NONCE_LEN], server_nonce);
    bytes
}

fn benches(c: &mut Criterion) {
    let time = parse_amz_date("20251215T123456Z").unwrap();
    let server_nonce: [u8; SERVER_NONCE_LEN] = std::array::from_fn(|i| i as u8);
    let client_nonce: [u8; CLIENT_NONCE_LEN] = server_nonce[..CLIENT_NONCE_LEN].try_into().unwrap();
    let template = server_first(&server_nonce);

    for (kind, creds) in credentials() {
        // The whole client side of a login: a new conversation (OS random nonce), client-first,
        // then validating the reply and signing. The reply must echo the random nonce, so the
        // loop copies it into a template: a 32-byte memcpy, negligible next to the rest.
        c.bench_function(&format!("conversation/{kind}"), |b| {
            let mut reply = template.clone();
            b.iter(|| {
                let mut conversation = Conversation::new(creds.clone()).unwrap();
                let first = conversation.client_first().unwrap();
                reply[NONCE_OFFSET..NONCE_OFFSET + CLIENT_NONCE_LEN]
                    .copy_from_slice(&first[NONCE_OFFSET..NONCE_OFFSET + CLIENT_NONCE_LEN]);
                black_box(conversation.client_final_at(black_box(&reply), time).unwrap())
            })
        });

        // Only the server-first parse and the client-final payload (signature + BSON).
        c.bench_function(&format!("parse_and_sign/{kind}"), |b| {
            b.iter(|| {
                let first = conversation::parse_server_first(black_box(&template), &client_nonce).unwrap();
                black_box(
                    signing::client_final_payload(&creds, &first.host, &first.server_nonce, time).unwrap(),
                )
            })
        });

        // The SigV4 signature alone.
        c.bench_function(&format!("signature/{kind}"), |b| {
            b.iter(|| {
                black_box(
                    signing::sign_get_caller_identity(
                        &creds,
                        black_box(HOST),
                        black_box(&server_nonce),
                        time,
                    )
                    .unwrap(),
                )
            })
        });
    }

    // Signing at the current time instead of a fixed one, to show the fixed time hides nothing.
    let (_, creds) = &credentials()[0];
    c.bench_function("signature/long-term-now", |b| {
        b.iter(|| {
            black_box(
                signing::sign_get_caller_identity(creds, HOST, &server_nonce, SystemTime::now()).unwrap(),
            )
        })
    });
}

criterion_group!(group, benches);
criterion_main!(group);
