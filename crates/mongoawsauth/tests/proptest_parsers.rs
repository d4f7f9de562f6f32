//! Property tests for the two parsers that read server-controlled input: the server-first
//! payload and the STS host. Neither may panic on any input, and each accepts exactly what the
//! spec allows (its server-first validation and region calculation).
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use bson::raw::CStr;
use bson::spec::BinarySubtype;
use bson::{RawBinaryRef, RawDocument, RawDocumentBuf};
use mongoawsauth::ErrorKind;
use mongoawsauth::conversation::parse_server_first;
use mongoawsauth::sts_host::{region_for_host, validate_host};
use proptest::prelude::*;

const CLIENT_NONCE: [u8; 32] = [0x5a; 32];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// The spec's host rules, written from the spec text: 1..=255 bytes, no empty label (so no
/// leading, trailing or doubled dot), and nothing that could split an HTTP header.
fn host_is_valid(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host.split('.').all(|label| !label.is_empty())
        && !host.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The region table: the global endpoint (both spellings, as the spec's pseudocode names
/// aws.amazonaws.com and its table sts.amazonaws.com) and dotless hosts sign for us-east-1;
/// everything else for its second label.
fn expected_region(host: &str) -> &str {
    if host.eq_ignore_ascii_case("sts.amazonaws.com") || host.eq_ignore_ascii_case("aws.amazonaws.com") {
        return "us-east-1";
    }
    host.split('.').nth(1).unwrap_or("us-east-1")
}

/// Hosts that are mostly plausible, with the defects the spec names mixed in.
fn host_strategy() -> impl Strategy<Value = String> {
    let label = prop_oneof![
        8 => "[a-z0-9-]{1,12}",
        1 => Just(String::new()),
        1 => "[a-z]{0,3}[ \t\r\n\u{0}\u{7f}\u{a0}\u{2028}][a-z]{0,3}",
        1 => "[a-zA-Zé✓]{1,5}",
        1 => "[a-z]{60,63}",
    ];
    prop_oneof![
        8 => prop::collection::vec(label, 1..6).prop_map(|labels| labels.join(".")),
        1 => Just("sts.amazonaws.com".to_owned()),
        1 => Just("AWS.amazonaws.COM".to_owned()),
        1 => (250usize..260).prop_map(|n| "a".repeat(n)),
        1 => any::<String>(),
    ]
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn any_string_host_is_validated_by_the_spec_rules(host in any::<String>()) {
        check_host(&host)?;
    }

    #[test]
    fn structured_hosts_are_validated_by_the_spec_rules(host in host_strategy()) {
        check_host(&host)?;
    }
}

fn check_host(host: &str) -> Result<(), TestCaseError> {
    let valid = host_is_valid(host);
    match validate_host(host) {
        Ok(()) => prop_assert!(valid, "accepted {host:?}"),
        Err(e) => {
            prop_assert!(!valid, "rejected {host:?}: {e}");
            prop_assert_eq!(e.kind(), ErrorKind::Authentication);
        }
    }
    match region_for_host(host) {
        Ok(region) => {
            prop_assert!(valid);
            prop_assert_eq!(region, expected_region(host));
            prop_assert!(!region.is_empty() && !region.contains('.'));
        }
        Err(e) => {
            prop_assert!(!valid);
            prop_assert_eq!(e.kind(), ErrorKind::Authentication);
        }
    }
    Ok(())
}

/// What `s` holds in a generated payload.
#[derive(Clone, Debug)]
enum NonceField {
    Binary { subtype: u8, len: usize, prefix_matches: bool },
    String(String),
    Int32(i32),
}

/// What `h` holds in a generated payload.
#[derive(Clone, Debug)]
enum HostField {
    String(String),
    Binary(Vec<u8>),
    Bool(bool),
}

#[derive(Clone, Debug)]
enum Field {
    S(NonceField),
    H(HostField),
    Other(String, i32),
}

fn nonce_field() -> impl Strategy<Value = NonceField> {
    let subtype =
        prop_oneof![6 => Just(0u8), 1 => Just(2u8), 1 => Just(4u8), 1 => Just(0x80u8), 1 => any::<u8>()];
    let len = prop_oneof![6 => Just(64usize), 1 => Just(63usize), 1 => Just(65usize), 1 => 0usize..130];
    let prefix = prop_oneof![6 => Just(true), 1 => Just(false)];
    prop_oneof![
        8 => (subtype, len, prefix)
            .prop_map(|(subtype, len, prefix_matches)| NonceField::Binary { subtype, len, prefix_matches }),
        1 => "[a-z]{0,64}".prop_map(NonceField::String),
        1 => any::<i32>().prop_map(NonceField::Int32),
    ]
}

fn host_field() -> impl Strategy<Value = HostField> {
    prop_oneof![
        8 => host_strategy().prop_map(HostField::String),
        1 => prop::collection::vec(any::<u8>(), 0..20).prop_map(HostField::Binary),
        1 => any::<bool>().prop_map(HostField::Bool),
    ]
}

fn fields() -> impl Strategy<Value = Vec<Field>> {
    let base = (prop::option::weighted(0.95, nonce_field()), prop::option::weighted(0.95, host_field()));
    let extras = prop::collection::vec(
        prop_oneof![
            3 => ("[a-zA-Z_$]{1,8}", any::<i32>()).prop_map(|(k, v)| Field::Other(k, v)),
            1 => nonce_field().prop_map(Field::S),
            1 => host_field().prop_map(Field::H),
        ],
        0..3,
    );
    let extras = prop_oneof![4 => Just(Vec::new()), 1 => extras];
    (base, extras)
        .prop_map(|((s, h), extras)| {
            let mut fields: Vec<Field> = s.map(Field::S).into_iter().chain(h.map(Field::H)).collect();
            fields.extend(extras);
            fields
        })
        .prop_shuffle()
}

fn nonce_bytes(len: usize, prefix_matches: bool) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| i as u8 ^ 0xa5).collect();
    let n = len.min(32);
    bytes[..n].copy_from_slice(&CLIENT_NONCE[..n]);
    if !prefix_matches && n > 0 {
        bytes[n - 1] ^= 1;
    }
    bytes
}

fn key(name: &str) -> &CStr {
    name.try_into().unwrap()
}

fn encode(fields: &[Field]) -> Vec<u8> {
    let mut doc = RawDocumentBuf::new();
    for field in fields {
        match field {
            Field::S(NonceField::Binary { subtype, len, prefix_matches }) => {
                let bytes = nonce_bytes(*len, *prefix_matches);
                let subtype = BinarySubtype::from(*subtype);
                doc.append(key("s"), RawBinaryRef { subtype, bytes: &bytes });
            }
            Field::S(NonceField::String(s)) => doc.append(key("s"), s.as_str()),
            Field::S(NonceField::Int32(i)) => doc.append(key("s"), *i),
            Field::H(HostField::String(h)) => doc.append(key("h"), h.as_str()),
            Field::H(HostField::Binary(b)) => {
                doc.append(key("h"), RawBinaryRef { subtype: BinarySubtype::Generic, bytes: b })
            }
            Field::H(HostField::Bool(b)) => doc.append(key("h"), *b),
            Field::Other(k, v) => doc.append(key(k), *v),
        }
    }
    doc.into_bytes()
}

/// The spec's acceptance rule for a payload, and the host it must then yield.
fn expected(fields: &[Field]) -> Option<&str> {
    let mut s = None;
    let mut h = None;
    for field in fields {
        match field {
            Field::S(v) if s.is_none() => s = Some(v),
            Field::H(v) if h.is_none() => h = Some(v),
            // A second `s` or `h`, or any other field.
            _ => return None,
        }
    }
    match (s?, h?) {
        (NonceField::Binary { subtype: 0, len: 64, prefix_matches: true }, HostField::String(host))
            if host_is_valid(host) =>
        {
            Some(host)
        }
        _ => None,
    }
}

proptest! {
    #![proptest_config(config(2048))]

    #[test]
    fn arbitrary_bytes_never_panic_or_pass(payload in prop::collection::vec(any::<u8>(), 0..160)) {
        match parse_server_first(&payload, &CLIENT_NONCE) {
            Ok(first) => check_accepted(&payload, &first)?,
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Authentication),
        }
    }

    #[test]
    fn mutated_valid_payloads_never_panic(
        fields in fields(),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut payload = encode(&fields);
        for (at, byte) in flips {
            let i = at.index(payload.len());
            payload[i] = byte;
        }
        if let Some(cut) = cut {
            payload.truncate(cut.index(payload.len()));
        }
        match parse_server_first(&payload, &CLIENT_NONCE) {
            // A mutation may produce another valid payload; then it must really be one.
            Ok(first) => check_accepted(&payload, &first)?,
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Authentication),
        }
    }

    #[test]
    fn structured_payloads_pass_iff_the_spec_allows(fields in fields()) {
        let payload = encode(&fields);
        // `Other` keys that happen to be "s" or "h" are duplicates, like generated S/H extras.
        let fields: Vec<Field> = fields
            .into_iter()
            .map(|f| match f {
                Field::Other(k, v) if k == "s" => Field::S(NonceField::Int32(v)),
                Field::Other(k, v) if k == "h" => Field::H(HostField::String(format!("#{v}"))),
                other => other,
            })
            .collect();
        let expected = expected(&fields);
        match parse_server_first(&payload, &CLIENT_NONCE) {
            Ok(first) => {
                prop_assert_eq!(Some(first.host.as_str()), expected, "accepted {:?}", fields);
                prop_assert_eq!(&first.server_nonce[..], &nonce_bytes(64, true)[..]);
            }
            Err(e) => {
                prop_assert!(expected.is_none(), "rejected {:?}: {}", fields, e);
                prop_assert_eq!(e.kind(), ErrorKind::Authentication);
            }
        }
    }
}

/// Checks, independently of the parser, that an accepted payload is a BSON document of exactly
/// `s` (64 bytes of binary subtype 0 starting with our nonce) and `h` (a valid host), and that
/// the parser returned those values.
fn check_accepted(
    payload: &[u8],
    first: &mongoawsauth::conversation::ServerFirst,
) -> Result<(), TestCaseError> {
    let doc = RawDocument::from_bytes(payload).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let keys: Vec<String> = doc
        .iter()
        .map(|e| e.map(|(k, _)| k.as_str().to_owned()))
        .collect::<Result<_, _>>()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(keys.len(), 2);
    prop_assert!(keys.contains(&"s".to_owned()) && keys.contains(&"h".to_owned()));
    let s = doc.get_binary("s").map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(s.subtype, BinarySubtype::Generic);
    prop_assert_eq!(s.bytes, &first.server_nonce[..]);
    prop_assert_eq!(&first.server_nonce[..32], &CLIENT_NONCE[..]);
    prop_assert_eq!(doc.get_str("h").map_err(|e| TestCaseError::fail(e.to_string()))?, first.host.as_str());
    prop_assert!(host_is_valid(&first.host));
    Ok(())
}

#[test]
fn the_valid_structured_payload_is_accepted() {
    // Guards the strategy above: a plain valid payload must pass, or every structured case
    // would pass vacuously through the rejection branch.
    let fields = [
        Field::S(NonceField::Binary { subtype: 0, len: 64, prefix_matches: true }),
        Field::H(HostField::String("sts.us-east-2.amazonaws.com".into())),
    ];
    assert_eq!(expected(&fields), Some("sts.us-east-2.amazonaws.com"));
    let first = parse_server_first(&encode(&fields), &CLIENT_NONCE).unwrap();
    assert_eq!(first.host, "sts.us-east-2.amazonaws.com");
}
