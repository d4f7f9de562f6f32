//! The MONGODB-AWS cases of the spec's legacy connection-string tests
//! (`tests/data/spec/connection-string.json`), run against `AuthSettings` under both credential
//! policies, plus the specification's validation rules that the file does not cover.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::path::PathBuf;

use mongoawsauth::ErrorKind;
use mongoawsauth::settings::{AuthSettings, CredentialPolicy, ValidatedSettings};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct File {
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    description: String,
    uri: String,
    valid: bool,
    /// Absent means "no assertion", `null` means "auth not configured" (tests/README.md).
    #[serde(default)]
    credential: Option<Value>,
}

/// The two cases from 2020 that the file still marks `valid: true`, although DRIVERS-3131
/// (2025-09-30) made explicit credentials an error and added `valid: false` cases for the very
/// same inputs. Under the current spec (strict policy) they must fail; only the legacy policy
/// keeps the old answer. See the MongoDB authentication specification's MONGODB-AWS section and its connection-string
/// test README.
const LEGACY_ONLY: [&str; 2] = [
    "should use username and password if specified (MONGODB-AWS)",
    "should use username, password and session token if specified (MONGODB-AWS)",
];

/// The DRIVERS-3131 additions: credentials in the URI are errors under the current spec. The
/// legacy policy accepts them when they form a complete set, as the pre-2025 spec did.
const DRIVERS_3131: [&str; 2] = [
    "should throw an exception if username and password provided (MONGODB-AWS)",
    "should throw an exception if AWS_SESSION_TOKEN provided (MONGODB-AWS)",
];

fn aws_cases() -> Vec<Case> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/spec/connection-string.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file: File = serde_json::from_str(&text).unwrap();
    let cases: Vec<Case> =
        file.tests.into_iter().filter(|c| c.uri.contains("authMechanism=MONGODB-AWS")).collect();
    assert_eq!(cases.len(), 8, "the spec file at 92b3c0b9 has exactly 8 MONGODB-AWS cases");
    for name in LEGACY_ONLY.iter().chain(&DRIVERS_3131) {
        assert!(cases.iter().any(|c| c.description == *name), "case {name:?} is missing from the file");
    }
    cases
}

fn run(case: &Case, policy: CredentialPolicy) -> mongoawsauth::Result<ValidatedSettings> {
    AuthSettings::from_connection_string(&case.uri).and_then(|s| s.validate(policy))
}

/// Every password and token value in a URI, decoded, so that error texts can be checked for them.
/// Plain words (`pass`, `password`, `token`) are left out: the messages rightly use those words.
fn secrets_of(uri: &str) -> Vec<String> {
    let settings = AuthSettings::from_connection_string(uri).unwrap();
    let tokens = settings
        .mechanism_properties
        .into_iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("AWS_SESSION_TOKEN"))
        .map(|(_, v)| v);
    settings
        .password
        .into_iter()
        .chain(tokens)
        .filter(|s| !s.chars().all(|c| c.is_ascii_alphabetic()))
        .collect()
}

fn assert_error_hides_secrets(case: &Case, err: &mongoawsauth::Error) {
    let shown = format!("{err} / {err:?}");
    for secret in secrets_of(&case.uri) {
        assert!(!shown.contains(&secret), "{}: error shows a secret: {shown}", case.description);
    }
}

/// Checks a valid case's `credential` against what validation produced under the legacy policy.
fn check_credential(case: &Case, validated: &ValidatedSettings) {
    assert_eq!(validated.source, "$external", "{}", case.description);
    let Some(expected) = &case.credential else { return };
    let Value::Object(expected) = expected else {
        panic!("{}: a valid case with credential null", case.description)
    };
    if let Some(source) = expected.get("source") {
        assert_eq!(source, "$external", "{}", case.description);
    }
    if let Some(mechanism) = expected.get("mechanism") {
        assert_eq!(mechanism, "MONGODB-AWS", "{}", case.description);
    }
    let credentials = validated.credentials.as_ref();
    match expected.get("username") {
        Some(Value::String(user)) => {
            let c = credentials.unwrap_or_else(|| panic!("{}: no credentials", case.description));
            assert_eq!(c.access_key_id(), user, "{}", case.description);
        }
        Some(Value::Null) => assert!(credentials.is_none(), "{}", case.description),
        _ => {}
    }
    match expected.get("password") {
        Some(Value::String(password)) => {
            assert_eq!(credentials.unwrap().secret_access_key(), password, "{}", case.description);
        }
        Some(Value::Null) => assert!(credentials.is_none(), "{}", case.description),
        _ => {}
    }
    let expected_token =
        expected.get("mechanism_properties").and_then(|p| p.get("AWS_SESSION_TOKEN")).and_then(Value::as_str);
    if let Some(c) = credentials {
        assert_eq!(c.session_token(), expected_token, "{}", case.description);
        assert_eq!(c.is_temporary(), expected_token.is_some(), "{}", case.description);
    } else {
        assert_eq!(expected_token, None, "{}", case.description);
    }
}

#[test]
fn strict_policy_follows_the_current_spec() {
    let mut checked = 0;
    for case in aws_cases() {
        let expected = case.valid && !LEGACY_ONLY.contains(&case.description.as_str());
        let result = run(&case, CredentialPolicy::Strict);
        match &result {
            Ok(validated) => {
                assert!(expected, "{}: accepted, but the current spec rejects it", case.description);
                assert_eq!(validated.source, "$external");
                assert!(validated.credentials.is_none(), "strict never yields explicit credentials");
            }
            Err(err) => {
                assert!(!expected, "{}: rejected: {err}", case.description);
                assert_eq!(err.kind(), ErrorKind::Configuration, "{}: {err}", case.description);
                assert_error_hides_secrets(&case, err);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 8);
}

#[test]
fn legacy_policy_follows_the_old_spec() {
    let mut valid = 0;
    for case in aws_cases() {
        let result = run(&case, CredentialPolicy::Legacy);
        let is_3131 = DRIVERS_3131.contains(&case.description.as_str());
        // Under the old spec a complete set {user, password[, token]} is valid; a username alone
        // or a token alone is not.
        let expected = if is_3131 { case.uri.contains("user:pass@") } else { case.valid };
        match &result {
            Ok(validated) => {
                assert!(expected, "{}: accepted under the legacy policy", case.description);
                check_credential(&case, validated);
                valid += 1;
            }
            Err(err) => {
                assert!(!expected, "{}: rejected: {err}", case.description);
                assert_eq!(err.kind(), ErrorKind::Configuration, "{}: {err}", case.description);
                assert_error_hides_secrets(&case, err);
            }
        }
    }
    // Cases 1, 2, 4, 5 from the file and the username+password case of DRIVERS-3131.
    assert_eq!(valid, 5);
}

#[test]
fn legacy_credentials_of_case_5_are_temporary() {
    let case = aws_cases().into_iter().find(|c| c.description == LEGACY_ONLY[1]).unwrap();
    let c = run(&case, CredentialPolicy::Legacy).unwrap().credentials.unwrap();
    assert_eq!(c.access_key_id(), "user");
    assert_eq!(c.secret_access_key(), "password");
    assert_eq!(c.session_token(), Some("token!@#$%^&*()_+"));
}

#[test]
fn strict_errors_say_where_credentials_must_come_from() {
    for uri in [
        "mongodb://user:pass@localhost.com/?authMechanism=MONGODB-AWS",
        "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:token",
    ] {
        let err = AuthSettings::from_connection_string(uri)
            .unwrap()
            .validate(CredentialPolicy::Strict)
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("AWS_SESSION_TOKEN") || text.contains("AWS_ACCESS_KEY_ID"), "{text}");
        assert!(text.contains("credential provider"), "{text}");
    }
}

fn validate(uri: &str, policy: CredentialPolicy) -> mongoawsauth::Result<ValidatedSettings> {
    AuthSettings::from_connection_string(uri)?.validate(policy)
}

#[test]
fn auth_source_other_than_external_is_an_error() {
    for policy in [CredentialPolicy::Strict, CredentialPolicy::Legacy] {
        for source in ["admin", "", "%24external2", "$EXTERNAL"] {
            let uri = format!("mongodb://localhost/?authMechanism=MONGODB-AWS&authSource={source}");
            let err = validate(&uri, policy).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration, "{uri}");
            assert!(err.message().contains("authSource must be $external"), "{err}");
        }
        let ok = validate("mongodb://localhost/?authMechanism=MONGODB-AWS&authSource=%24external", policy);
        assert_eq!(ok.unwrap().source, "$external", "a percent-encoded $external is $external");
    }
}

#[test]
fn unknown_mechanism_property_is_an_error() {
    for policy in [CredentialPolicy::Strict, CredentialPolicy::Legacy] {
        let uri = "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=SERVICE_NAME:x";
        let err = validate(uri, policy).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
        assert!(err.message().contains("SERVICE_NAME"), "{err}");
        assert!(err.message().contains("AWS_CREDENTIAL_PROVIDER"), "{err}");
    }
    // Mechanism property names are case-insensitive (the spec's rule): a lower-case token is still a token.
    let uri = "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=aws_session_token:t";
    let err = validate(uri, CredentialPolicy::Strict).unwrap_err();
    assert!(err.message().contains("AWS_SESSION_TOKEN"), "{err}");
    let uri = "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=NOCOLON";
    assert_eq!(AuthSettings::from_connection_string(uri).unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[test]
fn other_mechanisms_are_rejected() {
    for mechanism in ["SCRAM-SHA-256", "MONGODB-X509", "GSSAPI", "PLAIN"] {
        let uri = format!("mongodb://localhost/?authMechanism={mechanism}");
        let err = validate(&uri, CredentialPolicy::Strict).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{mechanism}");
        assert!(err.message().contains(mechanism), "{err}");
    }
}

#[test]
fn option_names_are_case_insensitive() {
    let s = AuthSettings::from_connection_string(
        "mongodb+srv://cluster0.example.com/db?AUTHMECHANISM=MONGODB-AWS&authsource=$external",
    )
    .unwrap();
    assert_eq!(s.mechanism.as_deref(), Some("MONGODB-AWS"));
    assert_eq!(s.source.as_deref(), Some("$external"));
    assert!(s.validate(CredentialPolicy::Strict).is_ok());
}

#[test]
fn legacy_incomplete_sets_are_errors_that_name_the_gap() {
    let cases = [
        ("mongodb://:secretpw@localhost/?authMechanism=MONGODB-AWS", "no access key id"),
        ("mongodb://:@localhost.com/?authMechanism=MONGODB-AWS", "no access key id"),
        ("mongodb://user@localhost/?authMechanism=MONGODB-AWS", "without a password"),
        (
            "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tokval",
            "needs a username",
        ),
    ];
    for (uri, expected) in cases {
        let err = validate(uri, CredentialPolicy::Legacy).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{uri}");
        assert!(err.message().contains(expected), "{uri}: {err}");
        let text = format!("{err}{err:?}");
        assert!(!text.contains("secretpw") && !text.contains("tokval"), "{text}");
    }
}

#[test]
fn not_a_connection_string() {
    for uri in ["http://localhost/", "localhost:27017", ""] {
        let err = AuthSettings::from_connection_string(uri).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{uri:?}");
    }
}

/// Separators are found in the raw text and decoded afterwards, so an encoded comma or colon
/// inside a value stays data; and a malformed entry's error never repeats the entry.
#[test]
fn encoded_separators_stay_in_values_and_errors_never_repeat_an_entry() {
    let uri = "mongodb://AKIA1:secret@localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:abc%2CTOKEN%3APART";
    let settings = AuthSettings::from_connection_string(uri).unwrap();
    assert_eq!(
        settings.mechanism_properties,
        vec![("AWS_SESSION_TOKEN".to_owned(), "abc,TOKEN:PART".to_owned())]
    );
    let validated = settings.validate(CredentialPolicy::Legacy).unwrap();
    assert_eq!(validated.credentials.unwrap().session_token(), Some("abc,TOKEN:PART"));

    let typo = "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN=SECRETTOKENVALUE";
    let err = AuthSettings::from_connection_string(typo).unwrap_err();
    assert!(err.message().contains("NAME:VALUE"), "{err}");
    assert!(!err.to_string().contains("SECRETTOKENVALUE"), "{err}");
}
