//! The direct path against aws-sigv4's general signer (`signing::reference`): the same bytes for
//! every input, whichever path takes it, and the cached key never served for the wrong inputs.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;

use super::*;
use crate::signing::{client_final_payload, reference, sign_get_caller_identity};
use crate::time_fmt::parse_amz_date;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

fn credentials(id: &str, secret: &str, token: Option<&str>) -> Credentials {
    Credentials::new(Some(id), Some(secret), token, None, "test").unwrap()
}

fn at(amz_date: &str) -> SystemTime {
    parse_amz_date(amz_date).unwrap()
}

/// Both paths must give the same signature and payload, or both the same kind of error.
fn assert_same_as_reference(creds: &Credentials, host: &str, nonce: &[u8], time: SystemTime) {
    let direct = sign_get_caller_identity(creds, host, nonce, time);
    let general = reference::sign_get_caller_identity(creds, host, nonce, time);
    match (&direct, &general) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "host {host:?}"),
        (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "host {host:?}: {a} / {b}"),
        _ => panic!("host {host:?}: the paths disagree: {direct:?} / {general:?}"),
    }
    if direct.is_ok() {
        assert_eq!(
            client_final_payload(creds, host, nonce, time).unwrap(),
            reference::client_final_payload(creds, host, nonce, time).unwrap()
        );
    }
}

#[test]
fn plain_inputs_take_the_direct_path_and_the_rest_the_general_one() {
    let time = at("20251215T123456Z");
    let long_term = credentials("AKIDEXAMPLE", SECRET, None);
    let temporary = credentials("ASIAEXAMPLE", SECRET, Some("FwoGZXIvYXdzEXAMPLE+/=="));
    let spaced = credentials("ASIAEXAMPLE", SECRET, Some("a token  with spaces "));
    let nonce = "bm9uY2U=";
    for creds in [&long_term, &temporary] {
        let signed = sign(creds, "sts.amazonaws.com", "us-east-1", nonce, time).unwrap();
        assert!(signed.is_some(), "{creds:?}");
    }
    assert!(sign(&spaced, "sts.amazonaws.com", "us-east-1", nonce, time).unwrap().is_none());
    assert!(sign(&long_term, "stś.amazonaws.com", "amazonaws", nonce, time).unwrap().is_none());
    // Whichever path signs, the bytes are the general signer's.
    for creds in [&long_term, &temporary, &spaced] {
        assert_same_as_reference(creds, "sts.us-west-2.amazonaws.com", &[5u8; 64], time);
    }
    assert_same_as_reference(&long_term, "stś.amazonaws.com", &[5u8; 64], time);
}

/// The general signer panics inside the `time` crate on a time past year 9999; the direct path
/// checks first and says what is wrong.
#[test]
fn a_time_x_amz_date_cannot_hold_is_an_error() {
    let creds = credentials("AKIDEXAMPLE", SECRET, None);
    let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    let error = sign_get_caller_identity(&creds, "sts.amazonaws.com", &[1u8; 64], year_10000).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Signing);
    assert!(error.to_string().contains("X-Amz-Date"), "{error}");
    let last_second = UNIX_EPOCH + Duration::from_millis(253_402_300_799_999);
    assert_same_as_reference(&creds, "sts.amazonaws.com", &[1u8; 64], last_second);
}

#[test]
fn amz_date_matches_aws_sigv4_around_the_edges() {
    let creds = credentials("AKIDEXAMPLE", SECRET, None);
    let times = [
        UNIX_EPOCH,
        UNIX_EPOCH - Duration::from_millis(1),
        UNIX_EPOCH - Duration::from_secs(86_400 * 365 * 1969),
        at("20000229T235959Z") + Duration::from_nanos(999_999_999),
        at("20251231T235959Z"),
        at("20260101T000000Z"),
    ];
    for time in times {
        assert_same_as_reference(&creds, "sts.amazonaws.com", &[3u8; 64], time);
    }
}

/// Through the public path, with the process-wide cache: going to another day, region or secret
/// and back must sign with the right key each time.
#[test]
fn the_cached_key_follows_date_region_and_secret() {
    let creds = credentials("AKIDEXAMPLE", SECRET, None);
    let rotated = credentials("AKIDEXAMPLE", "rotated/secret+EXAMPLEKEY", None);
    let day = at("20251215T235959Z");
    let next_day = at("20251216T000000Z");
    let nonce = [8u8; 64];
    let steps = [
        (&creds, "sts.us-west-2.amazonaws.com", day),
        (&creds, "sts.us-west-2.amazonaws.com", next_day),
        (&creds, "sts.us-west-2.amazonaws.com", day),
        (&creds, "sts.eu-west-1.amazonaws.com", day),
        (&rotated, "sts.us-west-2.amazonaws.com", day),
        (&creds, "sts.us-west-2.amazonaws.com", day),
    ];
    for (creds, host, time) in steps {
        assert_same_as_reference(creds, host, &nonce, time);
    }
}

fn any_host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sts.amazonaws.com".to_owned()),
        "sts\\.[a-z]{2}-[a-z]{4,9}-[1-4]\\.amazonaws\\.com",
        "[A-Za-z0-9-]{1,12}(\\.[A-Za-z0-9-]{1,12}){0,3}",
        "\\PC{1,30}",
    ]
}

fn any_token() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[A-Za-z0-9+/=]{1,700}".prop_map(Some),
        "[ -~]{1,40}".prop_map(Some),
        "\\PC{1,40}".prop_map(Some),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn same_bytes_as_the_general_signer(
        id in prop_oneof!["A[SK]IA[A-Z0-9]{12,16}", "\\PC{1,20}"],
        secret in "\\PC{1,60}",
        token in any_token(),
        host in any_host(),
        nonce in prop::collection::vec(any::<u8>(), 0..80),
        // From year 0 to the end of 9999, around the epoch at the nanosecond.
        secs in -62_167_219_200i64..253_402_300_800,
        nanos in 0u32..1_000_000_000,
    ) {
        let Ok(creds) = Credentials::new(Some(&id), Some(&secret), token.as_deref(), None, "prop") else {
            return Ok(());
        };
        let whole = Duration::from_secs(secs.unsigned_abs());
        let time = if secs >= 0 { UNIX_EPOCH + whole } else { UNIX_EPOCH - whole } + Duration::from_nanos(u64::from(nanos));
        assert_same_as_reference(&creds, &host, &nonce, time);
    }
}
