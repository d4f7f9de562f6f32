//! `signing::client_final_payload` against its floor: the HMAC and SHA-256 work a SigV4
//! signature cannot avoid, done with the same primitives, in the same process, on the same
//! inputs. See docs/benchmarks.md, "Signing".
//!
//! The floor is 4 HMACs to derive the signing key (aws-sigv4's `generate_signing_key`), 1 SHA-256
//! over the canonical request, and 1 HMAC over the string to sign (aws-sigv4's
//! `calculate_signature`). Anything a login costs beyond that is formatting, allocation and
//! bookkeeping.
//!
//! Two measurements run in one `cargo bench` invocation:
//! - criterion's groups `signing/<kind>` with `floor`, `old` (the general aws-sigv4 request
//!   signer every login went through before, kept callable as `signing::reference`) and `new`
//!   (`signing::client_final_payload`);
//! - an interleaved pass, printed at the end: short batches of floor, old and new in turn, round
//!   after round, so that the load of a busy machine falls on all three alike. Its per-round
//!   ratios are the numbers to quote.
#![allow(clippy::unwrap_used, reason = "a benchmark stops with the cause if its setup fails")]
#![allow(missing_docs, reason = "criterion_group! declares a public function without docs")]

use std::hint::black_box;
use std::time::{Instant, SystemTime};

use aws_sigv4::sign::v4;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};
use mongoawsauth::time_fmt::parse_amz_date;
use mongoawsauth::{Credentials, signing};
use sha2::{Digest, Sha256};

const HOST: &str = "sts.us-west-2.amazonaws.com";
const REGION: &str = "us-west-2";
const AMZ_DATE: &str = "20251215T123456Z";

fn credentials() -> [(&'static str, Credentials); 2] {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    // The same 464-byte token as the conversation bench: only its share of the canonical request
    // grows with it.
    let token = "AQoDYXdzEJr1K...example-session-token-of-realistic-length-".repeat(8);
    [
        ("long-term", Credentials::new(Some("AKIDEXAMPLE"), Some(secret), None, None, "bench").unwrap()),
        (
            "temporary",
            Credentials::new(Some("ASIAEXAMPLE"), Some(secret), Some(&token), None, "bench").unwrap(),
        ),
    ]
}

/// What the floor hashes and signs, written out here independently of the library so the floor
/// does not borrow its formatting. `floor_matches_the_library` below proves they are the bytes
/// the library signs.
struct FloorInput {
    secret: String,
    canonical_request: Vec<u8>,
    /// The string to sign up to (not including) the hex of the canonical request's hash.
    string_to_sign_prefix: Vec<u8>,
}

impl FloorInput {
    fn new(credentials: &Credentials, nonce: &[u8]) -> Self {
        let token =
            credentials.session_token().map(|t| format!("x-amz-security-token:{t}\n")).unwrap_or_default();
        let signed = if credentials.is_temporary() {
            "content-length;content-type;host;x-amz-date;x-amz-security-token;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce"
        } else {
            "content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce"
        };
        let body_hash = hex::encode(Sha256::digest(signing::GET_CALLER_IDENTITY_BODY));
        let canonical_request = format!(
            "POST\n/\n\ncontent-length:43\ncontent-type:application/x-www-form-urlencoded\n\
             host:{HOST}\nx-amz-date:{AMZ_DATE}\n{token}x-mongodb-gs2-cb-flag:n\n\
             x-mongodb-server-nonce:{}\n\n{signed}\n{body_hash}",
            STANDARD.encode(nonce)
        );
        let string_to_sign_prefix =
            format!("AWS4-HMAC-SHA256\n{AMZ_DATE}\n{}/{REGION}/sts/aws4_request\n", &AMZ_DATE[..8]);
        FloorInput {
            secret: credentials.secret_access_key().to_owned(),
            canonical_request: canonical_request.into_bytes(),
            string_to_sign_prefix: string_to_sign_prefix.into_bytes(),
        }
    }

    /// The 4 + 1 + 1: derive the key, hash the canonical request, sign the string to sign.
    /// `scratch` is reused across calls so that the floor pays no allocation of its own beyond
    /// what the two aws-sigv4 primitives allocate inside.
    fn sign(&self, time: SystemTime, scratch: &mut Vec<u8>) -> String {
        let key = v4::generate_signing_key(&self.secret, time, REGION, "sts");
        let hash = Sha256::digest(&self.canonical_request);
        let mut hash_hex = [0u8; 64];
        hex::encode_to_slice(hash, &mut hash_hex).unwrap();
        scratch.clear();
        scratch.extend_from_slice(&self.string_to_sign_prefix);
        scratch.extend_from_slice(&hash_hex);
        v4::calculate_signature(key, scratch)
    }
}

/// The `Signature=` value of a client-final payload's `a`.
fn signature_in(payload: &[u8]) -> String {
    let doc = bson::RawDocument::from_bytes(payload).unwrap();
    let authorization = doc.get_str("a").unwrap();
    authorization.rsplit_once("Signature=").unwrap().1.to_owned()
}

/// One benchmarked path: a name and what one iteration does.
type Path<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

fn paths<'a>(
    creds: &'a Credentials,
    floor: &'a FloorInput,
    nonce: &'a [u8],
    time: SystemTime,
) -> Vec<Path<'a>> {
    let scratch = std::cell::RefCell::new(Vec::with_capacity(256));
    vec![
        ("floor", Box::new(move || floor.sign(black_box(time), &mut scratch.borrow_mut()).len())),
        (
            "old",
            Box::new(move || {
                signing::reference::client_final_payload(creds, black_box(HOST), black_box(nonce), time)
                    .unwrap()
                    .len()
            }),
        ),
        (
            "new",
            Box::new(move || {
                signing::client_final_payload(creds, black_box(HOST), black_box(nonce), time).unwrap().len()
            }),
        ),
    ]
}

fn floor_matches_the_library(creds: &Credentials, floor: &FloorInput, nonce: &[u8], time: SystemTime) {
    let payload = signing::client_final_payload(creds, HOST, nonce, time).unwrap();
    let old = signing::reference::client_final_payload(creds, HOST, nonce, time).unwrap();
    assert_eq!(payload, old, "the new path must give the old path's bytes");
    let floor_signature = floor.sign(time, &mut Vec::new());
    assert_eq!(floor_signature, signature_in(&payload), "the floor must do the library's signing work");
}

fn criterion_groups(c: &mut Criterion) {
    let time = parse_amz_date(AMZ_DATE).unwrap();
    let nonce: [u8; 64] = std::array::from_fn(|i| i as u8);
    for (kind, creds) in credentials() {
        let floor = FloorInput::new(&creds, &nonce);
        floor_matches_the_library(&creds, &floor, &nonce, time);
        let mut group = c.benchmark_group(format!("signing/{kind}"));
        for (name, run) in paths(&creds, &floor, &nonce, time) {
            group.bench_function(name, |b| b.iter(|| black_box(run())));
        }
        group.finish();
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Round after round, a batch of each path in turn (the order rotating each round), so that the
/// machine's load at any moment weighs on all three alike; the ratios are taken within a round.
fn interleaved(_: &mut Criterion) {
    let quick = std::env::args().any(|a| a == "--test" || a == "--list");
    let (rounds, batch) = if quick { (1, 10) } else { (101, 2000) };
    let time = parse_amz_date(AMZ_DATE).unwrap();
    let nonce: [u8; 64] = std::array::from_fn(|i| i as u8);
    println!("\ninterleaved: {rounds} rounds of {batch} iterations per path; medians over rounds");
    println!(
        "{:<10} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "kind", "floor µs", "old µs", "new µs", "old/floor", "new/floor"
    );
    for (kind, creds) in credentials() {
        let floor = FloorInput::new(&creds, &nonce);
        let paths = paths(&creds, &floor, &nonce, time);
        let mut per_iter: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); paths.len()];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); paths.len()];
        for round in 0..rounds {
            let mut this_round = vec![0.0; paths.len()];
            for offset in 0..paths.len() {
                let index = (round + offset) % paths.len();
                let run = &paths[index].1;
                let start = Instant::now();
                for _ in 0..batch {
                    black_box(run());
                }
                this_round[index] = start.elapsed().as_secs_f64() * 1e6 / batch as f64;
            }
            for (index, micros) in this_round.iter().enumerate() {
                per_iter[index].push(*micros);
                ratios[index].push(micros / this_round[0]);
            }
        }
        let m: Vec<f64> = per_iter.iter_mut().map(|v| median(v)).collect();
        let r: Vec<f64> = ratios.iter_mut().map(|v| median(v)).collect();
        println!("{kind:<10} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>10.2}", m[0], m[1], m[2], r[1], r[2]);
    }
}

criterion_group!(group, criterion_groups, interleaved);
criterion_main!(group);
