//! Known-answer tests: the MONGODB-AWS vectors and the AWS SigV4 suite's POST cases, read from
//! the shared `tests/data/sigv4` folder.

use std::path::PathBuf;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::*;
use crate::time_fmt::parse_amz_date;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/sigv4")
}

#[derive(Deserialize)]
struct Vectors {
    signing_cases: Vec<SigningCase>,
    spec_payloads: SpecPayloads,
}

#[derive(Deserialize)]
struct SigningCase {
    name: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    sts_host: String,
    region: String,
    x_mongodb_server_nonce: String,
    x_amz_date: String,
    authorization: String,
    client_final_payload_bson_b64: String,
}

#[derive(Deserialize)]
struct SpecPayloads {
    client_first_b64: String,
    server_first_b64: String,
}

fn vectors() -> Vectors {
    let text = std::fs::read_to_string(data_dir().join("mongodb-aws-sigv4-vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn amz_time(value: &str) -> SystemTime {
    parse_amz_date(value).unwrap_or_else(|| panic!("bad date {value}"))
}

#[test]
fn mongodb_aws_vectors() {
    let vectors = vectors();
    assert_eq!(vectors.signing_cases.len(), 4);
    for case in &vectors.signing_cases {
        let credentials = Credentials::new(
            Some(&case.access_key_id),
            Some(&case.secret_access_key),
            case.session_token.as_deref(),
            None,
            "vector",
        )
        .unwrap();
        let time = amz_time(&case.x_amz_date);
        let signature = sign_with_nonce_header(
            &credentials,
            &case.sts_host,
            &case.region,
            &case.x_mongodb_server_nonce,
            time,
        )
        .unwrap();
        assert_eq!(signature.authorization, case.authorization, "{}", case.name);
        assert_eq!(signature.amz_date, case.x_amz_date, "{}", case.name);
        let payload = encode_client_final(&signature, credentials.session_token());
        assert_eq!(STANDARD.encode(&payload), case.client_final_payload_bson_b64, "{}", case.name);

        // Where the nonce header is base64 of a real 64-byte nonce, the public API must give the
        // same bytes from the raw nonce, deriving the region from the host itself.
        if let Ok(nonce) = STANDARD.decode(&case.x_mongodb_server_nonce)
            && nonce.len() == 64
        {
            let public = client_final_payload(&credentials, &case.sts_host, &nonce, time).unwrap();
            assert_eq!(public, payload, "{}", case.name);
        }
    }
}

#[test]
fn spec_example_payloads() {
    let vectors = vectors();
    let server_first = STANDARD.decode(&vectors.spec_payloads.server_first_b64).unwrap();
    let client_first = STANDARD.decode(&vectors.spec_payloads.client_first_b64).unwrap();
    assert_eq!(client_first.len(), 52);
    // The spec's client nonce is the `r` binary at offset 4 + 1 (type) + 2 ("r\0") + 4 (len) + 1 (subtype).
    let nonce: [u8; 32] = client_first[12..44].try_into().unwrap();
    assert_eq!(crate::conversation::encode_client_first(&nonce), client_first);
    let parsed = crate::conversation::parse_server_first(&server_first, &nonce).unwrap();
    assert_eq!(parsed.host, "sts.amazonaws.com");
    assert_eq!(&parsed.server_nonce[..32], &nonce);
}

#[test]
fn signed_headers_are_exactly_the_spec_list() {
    let long_term = Credentials::new(Some("AKIDEXAMPLE"), Some("secret"), None, None, "t").unwrap();
    let temporary = Credentials::new(Some("ASIAEXAMPLE"), Some("secret"), Some("tok"), None, "t").unwrap();
    let nonce = [7u8; 64];
    let now = SystemTime::now();
    let a = sign_get_caller_identity(&long_term, "sts.us-gov-west-1.amazonaws.com", &nonce, now).unwrap();
    assert!(a.authorization.contains("/us-gov-west-1/sts/aws4_request, "), "{}", a.authorization);
    assert!(a.authorization.contains(
        "SignedHeaders=content-length;content-type;host;x-amz-date;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce, Signature="
    ));
    let b = sign_get_caller_identity(&temporary, "sts.amazonaws.com", &nonce, now).unwrap();
    assert!(b.authorization.contains(
        "SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-security-token;x-mongodb-gs2-cb-flag;x-mongodb-server-nonce, Signature="
    ));
    assert!(!b.authorization.contains("x-amz-content-sha256"));
    assert_eq!(GET_CALLER_IDENTITY_BODY.len(), 43);
}

#[test]
fn token_is_in_the_payload_exactly_when_present() {
    let nonce = [1u8; 64];
    let now = SystemTime::now();
    for (token, expect) in [(None, false), (Some("tok"), true)] {
        let c = Credentials::new(Some("AKID"), Some("secret"), token, None, "t").unwrap();
        let payload = client_final_payload(&c, "sts.amazonaws.com", &nonce, now).unwrap();
        let doc = bson::RawDocument::from_bytes(&payload).unwrap();
        let keys: Vec<String> = doc.iter().map(|e| e.unwrap().0.as_str().to_owned()).collect();
        let expected: &[&str] = if expect { &["a", "d", "t"] } else { &["a", "d"] };
        assert_eq!(keys, expected);
    }
}

/// One case of the AWS 2015 suite: the raw request and the expected Authorization value.
struct SuiteCase {
    name: String,
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    authorization: String,
}

fn load_suite_case(dir: &std::path::Path) -> SuiteCase {
    let name = dir.file_name().unwrap().to_str().unwrap().to_owned();
    let req = std::fs::read_to_string(dir.join(format!("{name}.req"))).unwrap();
    let authorization = std::fs::read_to_string(dir.join(format!("{name}.authz"))).unwrap();
    let (head, body) = req.split_once("\n\n").unwrap_or((&req, ""));
    let mut lines = head.lines();
    let request_line = lines.next().unwrap();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap().to_owned();
    let uri = parts.next().unwrap().to_owned();
    let headers = lines
        .map(|line| {
            let (k, v) = line.split_once(':').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    SuiteCase { name, method, uri, headers, body: body.as_bytes().to_vec(), authorization }
}

/// The suite's POST cases, which are the shape MONGODB-AWS signs: headers only, a body, no
/// path normalisation. `post-sts-header-before` is the token mode MONGODB-AWS uses.
#[test]
fn aws_suite_post_cases() {
    let suite = data_dir().join("aws-sig-v4-test-suite");
    let cases = [
        "post-header-key-case",
        "post-header-key-sort",
        "post-header-value-case",
        "post-vanilla",
        "post-vanilla-empty-query-value",
        "post-vanilla-query",
        "post-x-www-form-urlencoded",
        "post-x-www-form-urlencoded-parameters",
        "post-sts-token/post-sts-header-before",
    ];
    let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";
    for path in cases {
        let case = load_suite_case(&suite.join(path));
        let mut date = None;
        let mut case_token = None;
        let headers: Vec<(&str, &str)> = case
            .headers
            .iter()
            .filter(|(k, v)| {
                if k.eq_ignore_ascii_case("x-amz-date") {
                    date = Some(v.clone());
                    false
                } else if k.eq_ignore_ascii_case("x-amz-security-token") {
                    case_token = Some(v.clone());
                    false
                } else {
                    true
                }
            })
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(t) = &case_token {
            assert_eq!(t, token);
        }
        let credentials = Credentials::new(
            Some("AKIDEXAMPLE"),
            Some("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            case_token.as_deref(),
            None,
            "suite",
        )
        .unwrap();
        let signature = sign_request(
            &credentials,
            &case.method,
            &case.uri,
            &headers,
            &case.body,
            "us-east-1",
            "service",
            amz_time(date.as_deref().unwrap()),
        )
        .unwrap();
        assert_eq!(signature.authorization, case.authorization, "{}", case.name);
    }
}

#[test]
fn changing_any_input_changes_the_signature() {
    let c = Credentials::new(Some("AKID"), Some("secret"), Some("tok"), None, "t").unwrap();
    let c2 = Credentials::new(Some("AKID"), Some("secreT"), Some("tok"), None, "t").unwrap();
    let c3 = Credentials::new(Some("AKID"), Some("secret"), Some("toK"), None, "t").unwrap();
    let t = amz_time("20251215T123456Z");
    let t2 = amz_time("20251215T123457Z");
    let mut nonce2 = [9u8; 64];
    nonce2[63] = 8;
    let base = sign_get_caller_identity(&c, "sts.amazonaws.com", &[9u8; 64], t).unwrap();
    for other in [
        sign_get_caller_identity(&c2, "sts.amazonaws.com", &[9u8; 64], t).unwrap(),
        sign_get_caller_identity(&c3, "sts.amazonaws.com", &[9u8; 64], t).unwrap(),
        sign_get_caller_identity(&c, "sts.amazonaws.com", &[9u8; 64], t2).unwrap(),
        sign_get_caller_identity(&c, "sts.amazonaws.com", &nonce2, t).unwrap(),
        sign_get_caller_identity(&c, "sts.us-east-1.amazonaws.com", &[9u8; 64], t).unwrap(),
    ] {
        assert_ne!(base.authorization, other.authorization);
    }
}

proptest::proptest! {
    /// The client-final payload written by hand is the bson crate's encoding, byte for byte,
    /// whatever the strings hold (a NUL, non-ASCII, nothing).
    #[test]
    fn client_final_encoding_is_bsons(
        authorization in "\\PC{0,200}",
        amz_date in ".{0,20}",
        token in proptest::option::of(".{0,300}"),
    ) {
        let signature = Signature { authorization, amz_date };
        proptest::prop_assert_eq!(
            encode_client_final(&signature, token.as_deref()),
            encode_client_final_with_bson(&signature, token.as_deref())
        );
    }
}
