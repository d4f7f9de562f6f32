//! The rule that a secret never reaches a `Debug` string, a `Display` string, an error or a
//! log. Every public type that can hold the secret access key or the session token is built
//! from known values and formatted both ways, and so is every error produced along the way.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::fmt::{Debug, Display};
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bson::raw::CStr;
use bson::spec::BinarySubtype;
use bson::{RawBinaryRef, RawDocument, RawDocumentBuf};
use mongoawsauth::provider::chain::Chain;
use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::provider::saml::{AssertionSource, SamlProvider};
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::provider::web_identity::WebIdentityProvider;
use mongoawsauth::provider::{ProvideCredentials, ProviderError};
use mongoawsauth::settings::{AuthSettings, CredentialPolicy};
use mongoawsauth::{
    Authenticator, Conversation, Credentials, Env, Error, ErrorKind, Options, ProviderConfig, signing,
};

const SECRET: &str = "SECRETtestVALUE/abc+123";
const TOKEN: &str = "TOKENtestVALUE==";
const AKID: &str = "ASIAREDACTIONTEST";

/// Every spelling of the two secrets a careless formatter could produce.
fn forbidden() -> Vec<String> {
    let mut forms = Vec::new();
    for secret in [SECRET, TOKEN] {
        forms.push(secret.to_owned());
        forms.push(percent_encode(secret));
        forms.push(STANDARD.encode(secret));
        forms.push(URL_SAFE_NO_PAD.encode(secret));
        forms.push(secret.escape_debug().to_string());
    }
    // The distinctive stems catch a truncated or partly escaped copy.
    forms.push("SECRETtestVALUE".to_owned());
    forms.push("TOKENtestVALUE".to_owned());
    forms
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

#[track_caller]
fn assert_clean(what: &str, text: &str) {
    for form in forbidden() {
        assert!(!text.contains(&form), "{what} shows {form:?}: {text}");
    }
}

#[track_caller]
fn check_debug(what: &str, value: &impl Debug) {
    let text = format!("{value:?}");
    assert!(!text.is_empty());
    assert_clean(what, &text);
    assert_clean(what, &format!("{value:#?}"));
}

#[track_caller]
fn check_both(what: &str, value: &(impl Debug + Display)) {
    check_debug(what, value);
    assert_clean(what, &value.to_string());
}

#[track_caller]
fn check_error(what: &str, err: &Error) {
    check_both(what, err);
    assert_clean(what, err.message());
    for attempt in err.attempts() {
        check_both(what, attempt);
        check_debug(what, &attempt.outcome);
    }
}

fn temporary() -> Credentials {
    Credentials::new(Some(AKID), Some(SECRET), Some(TOKEN), None, "test").unwrap()
}

fn long_term() -> Credentials {
    Credentials::new(Some(AKID), Some(SECRET), None, Some(SystemTime::now()), "test").unwrap()
}

fn secret_env() -> Env {
    Env::from_vars([
        // The default chain's last source is IMDS: keep it away from the real metadata address.
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ACCESS_KEY_ID", AKID),
        ("AWS_SECRET_ACCESS_KEY", SECRET),
        ("AWS_SESSION_TOKEN", TOKEN),
    ])
}

#[test]
fn the_checker_catches_every_form() {
    // Guards the rest of the file: a check that cannot fail proves nothing.
    for leak in [
        SECRET.to_owned(),
        TOKEN.to_owned(),
        "SECRETtestVALUE%2Fabc%2B123".to_owned(),
        "TOKENtestVALUE%3D%3D".to_owned(),
        STANDARD.encode(SECRET),
        STANDARD.encode(TOKEN),
    ] {
        let result = std::panic::catch_unwind(|| assert_clean("probe", &format!("x {leak} y")));
        assert!(result.is_err(), "{leak} was not caught");
    }
}

#[test]
fn credentials_and_builder() {
    let c = temporary();
    check_both("temporary Credentials", &c);
    check_both("long-term Credentials", &long_term());
    check_both("renamed Credentials", &c.with_source("elsewhere"));
    // The accessors are the only way out, and they do work.
    assert_eq!((c.secret_access_key(), c.session_token()), (SECRET, Some(TOKEN)));

    let builder = Credentials::builder("builder")
        .access_key_id(AKID)
        .secret_access_key(SECRET)
        .session_token(TOKEN)
        .expiration(SystemTime::now());
    check_debug("CredentialsBuilder", &builder);
    check_both("built Credentials", &builder.build().unwrap());
}

#[test]
fn invalid_credential_shapes() {
    let shapes = [
        (None, Some(SECRET), None),
        (None, Some(SECRET), Some(TOKEN)),
        (None, None, Some(TOKEN)),
        (Some(AKID), None, Some(TOKEN)),
        (Some("AKIA WITH SPACE"), Some(SECRET), Some(TOKEN)),
    ];
    for (id, secret, token) in shapes {
        let err = Credentials::new(id, secret, token, None, "test").unwrap_err();
        check_error("Credentials::new error", &err);
    }
    let err = Credentials::builder("b").secret_access_key(SECRET).session_token(TOKEN).build().unwrap_err();
    check_error("builder error", &err);
}

fn key(name: &str) -> &CStr {
    name.try_into().unwrap()
}

#[test]
fn conversation_and_signature() {
    let mut conversation = Conversation::new(temporary()).unwrap();
    check_debug("new Conversation", &conversation);
    let first = conversation.client_first().unwrap();
    check_debug("started Conversation", &conversation);
    let nonce: Vec<u8> = RawDocument::from_bytes(&first).unwrap().get_binary("r").unwrap().bytes.to_vec();
    let mut server_nonce = nonce.clone();
    server_nonce.extend([7u8; 32]);
    let mut reply = RawDocumentBuf::new();
    reply.append(key("s"), RawBinaryRef { subtype: BinarySubtype::Generic, bytes: &server_nonce });
    reply.append(key("h"), "sts.amazonaws.com");
    let payload = conversation.client_final(reply.as_bytes()).unwrap();
    check_debug("finished Conversation", &conversation);
    // The payload carries the token in `t` by design (the server needs it); `a` and `d` must not.
    let doc = RawDocument::from_bytes(&payload).unwrap();
    assert_eq!(doc.get_str("t").unwrap(), TOKEN);
    assert_clean("a", doc.get_str("a").unwrap());
    assert_clean("d", doc.get_str("d").unwrap());

    let signature = signing::sign_get_caller_identity(
        &temporary(),
        "sts.amazonaws.com",
        &server_nonce,
        SystemTime::now(),
    )
    .unwrap();
    check_debug("Signature", &signature);
    assert_clean("Signature.authorization", &signature.authorization);

    // Errors of a conversation holding the secrets.
    let mut conversation = Conversation::new(temporary()).unwrap();
    check_error("out-of-order error", &conversation.client_final(&[]).unwrap_err());
    conversation.client_first().unwrap();
    check_error("hostile reply error", &conversation.client_final(&[1, 2, 3]).unwrap_err());
    check_error("reuse error", &conversation.client_final(reply.as_bytes()).unwrap_err());
}

#[tokio::test]
async fn providers_options_and_authenticators() {
    let env = secret_env();
    check_debug("Env::from_vars", &env);
    check_debug("ProviderConfig", &ProviderConfig::new().with_env(env.clone()));
    let environment = EnvironmentProvider::with_env(env.clone());
    check_debug("EnvironmentProvider", &environment);
    check_both("credentials from the environment", &environment.provide_credentials().await.unwrap());

    let static_provider = StaticProvider::new(temporary());
    check_debug("StaticProvider", &static_provider);
    let custom = CustomProvider::from_fn(|| Ok(temporary()));
    check_debug("CustomProvider", &custom);
    check_debug("async CustomProvider", &CustomProvider::from_async_fn(|| async { Ok(temporary()) }));
    check_debug("Chain", &Chain::new().then(static_provider.clone()).then(environment.clone()));

    let legacy = Options::new()
        .with_env(env.clone())
        .with_explicit_credentials(temporary())
        .with_credential_policy(CredentialPolicy::Legacy);
    check_debug("legacy Options", &legacy);
    let auth = Authenticator::new(legacy).unwrap();
    check_debug("legacy Authenticator", &auth);
    check_both("legacy credentials", &auth.credentials().await.unwrap());
    check_debug("Conversation from an Authenticator", &auth.conversation().await.unwrap());

    let with_custom = Options::new().with_env(env.clone()).with_custom_provider(custom);
    check_debug("Options with a custom provider", &with_custom);
    check_debug("default chain", &with_custom.default_chain());
    let auth = Authenticator::new(with_custom).unwrap();
    check_debug("Authenticator with a custom provider", &auth);
    check_debug("Authenticator::from_provider", &Authenticator::from_provider(environment));

    let strict = Options::new().with_explicit_credentials(temporary());
    check_debug("strict Options", &strict);
    check_error("strict explicit credentials error", &Authenticator::new(strict).unwrap_err());
}

// A custom provider's error message is the application's own text and is passed through as is,
// so it is not checked here.
#[tokio::test]
async fn environment_and_chain_errors() {
    let partial_sets: [&[(&str, &str)]; 6] = [
        &[("AWS_SECRET_ACCESS_KEY", SECRET)],
        &[("AWS_SESSION_TOKEN", TOKEN)],
        &[("AWS_SECRET_ACCESS_KEY", SECRET), ("AWS_SESSION_TOKEN", TOKEN)],
        &[("AWS_ACCESS_KEY_ID", AKID), ("AWS_SESSION_TOKEN", TOKEN)],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIA\tTAB"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
        ],
        &[
            ("AWS_ACCESS_KEY_ID", AKID),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", TOKEN),
            ("AWS_CREDENTIAL_EXPIRATION", SECRET),
        ],
    ];
    for vars in partial_sets {
        let provider = EnvironmentProvider::with_env(Env::from_vars(vars.iter().copied()));
        let err: ProviderError = provider.load().unwrap_err();
        check_both("environment ProviderError", &err);
        check_error("environment error", err.error());

        // The same failure through a chain and an authenticator, with its attempt list.
        let unconfigured =
            Chain::new().then(EnvironmentProvider::with_env(Env::from_vars([("UNRELATED", SECRET)])));
        let chain = unconfigured.then(provider);
        let auth = Authenticator::from_provider(chain);
        let err = auth.credentials().await.unwrap_err();
        assert!(!err.attempts().is_empty());
        check_error("chain error with attempts", &err);
    }

    // Nothing configured anywhere: the CredentialsNotFound error lists every source.
    let auth =
        Authenticator::new(Options::new().with_env(Env::from_vars([
            ("UNRELATED_VARIABLE", SECRET),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ])))
        .unwrap();
    let err = auth.credentials().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound);
    check_error("credentials-not-found error", &err);

    // A timeout while a provider holding the secrets is slow.
    let slow = CustomProvider::from_async_fn(|| async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        Ok(temporary())
    });
    let err = Authenticator::from_provider(slow)
        .credentials_until(std::time::Instant::now() + Duration::from_millis(20))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    check_error("timeout error", &err);
}

fn uri_with_secrets() -> String {
    format!(
        "mongodb://{AKID}:{}@localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{}",
        percent_encode(SECRET),
        percent_encode(TOKEN)
    )
}

#[test]
fn settings_and_their_errors() {
    let settings = AuthSettings::from_connection_string(&uri_with_secrets()).unwrap();
    assert_eq!(settings.password.as_deref(), Some(SECRET), "the URI was decoded");
    check_debug("AuthSettings", &settings);
    let validated = settings.validate(CredentialPolicy::Legacy).unwrap();
    check_debug("ValidatedSettings", &validated);
    assert_eq!(validated.credentials.as_ref().unwrap().session_token(), Some(TOKEN));
    check_error("strict settings error", &settings.validate(CredentialPolicy::Strict).unwrap_err());

    let hostile = [
        // Strict: password and token both present.
        (uri_with_secrets(), CredentialPolicy::Strict),
        // Legacy: incomplete sets.
        (
            format!("mongodb://:{}@localhost/?authMechanism=MONGODB-AWS", percent_encode(SECRET)),
            CredentialPolicy::Legacy,
        ),
        (
            format!(
                "mongodb://localhost/?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:{}",
                percent_encode(TOKEN)
            ),
            CredentialPolicy::Legacy,
        ),
        (
            format!("mongodb://AKIA%20SPACE:{}@localhost/?authMechanism=MONGODB-AWS", percent_encode(SECRET)),
            CredentialPolicy::Legacy,
        ),
        // Other settings errors while secrets are present.
        (format!("{}&authSource=admin", uri_with_secrets()), CredentialPolicy::Legacy),
        (format!("{},OTHER_PROPERTY:x", uri_with_secrets()), CredentialPolicy::Legacy),
        (uri_with_secrets().replace("MONGODB-AWS", "SCRAM-SHA-256"), CredentialPolicy::Legacy),
    ];
    for (uri, policy) in hostile {
        let settings = AuthSettings::from_connection_string(&uri).unwrap();
        check_debug("AuthSettings", &settings);
        let err = settings.validate(policy).unwrap_err();
        check_error(&format!("settings error for {policy:?}"), &err);
    }
    // A secret that is not valid UTF-8 once decoded.
    let err =
        AuthSettings::from_connection_string("mongodb://AKIA:SECRETtestVALUE%FF@localhost/").unwrap_err();
    check_error("URI decoding error", &err);
}

#[test]
fn logs_never_carry_a_secret() {
    let recorder = common::logs::Recorder::default();
    tracing::subscriber::with_default(recorder.clone(), || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            // Success through the environment and a full conversation.
            let auth = Authenticator::new(Options::new().with_env(secret_env())).unwrap();
            let mut conversation = auth.conversation().await.unwrap();
            conversation.client_first().unwrap();
            let _ = conversation.client_final(&[0]);
            // A partial environment behind an unconfigured source, so the chain logs both.
            let chain = Chain::new()
                .then(EnvironmentProvider::with_env(Env::from_vars([("X", SECRET)])))
                .then(EnvironmentProvider::with_env(Env::from_vars([("AWS_SESSION_TOKEN", TOKEN)])));
            let _ = Authenticator::from_provider(chain).credentials().await.unwrap_err();
        });
    });
    let lines = recorder.lines.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains(AKID)),
        "the recorder saw no credential log at all, so this test proves nothing: {lines:?}"
    );
    for line in lines.iter() {
        assert_clean("a log line", line);
    }
}

/// The secrets an STS stand-in echoes back under [`StsFault::EchoSecret`] (in the error code, and
/// in the message both raw and percent-encoded inside the quoted request body) reach neither the
/// error nor any DEBUG event.
#[test]
fn secrets_echoed_by_sts_reach_neither_errors_nor_logs() {
    use mongoawsauth_testkit::sts::StsFault;

    let recorder = common::logs::Recorder::default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (errors, secrets) = tracing::subscriber::with_default(recorder.clone(), || {
        runtime.block_on(async {
            let s = common::standins().await;
            s.sts().set_fault(Some(StsFault::EchoSecret));
            let dir = common::TempDir::new("echo");
            let token_file = dir.write("token", &s.web_identity().token);
            let vars = [
                ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
                ("AWS_ROLE_ARN", &s.web_identity().role_arn),
            ];
            let config = common::config(&s, &vars, Duration::from_secs(5));
            let web = WebIdentityProvider::with_config(config.clone()).load().await.unwrap_err();
            let assertion = s.saml().assertion.clone();
            let source = AssertionSource::from_fn({
                let assertion = assertion.clone();
                move || Ok(assertion.clone())
            });
            let saml = SamlProvider::builder(&s.saml().role_arn, &s.saml().principal_arn, source)
                .provider_config(config)
                .build()
                .unwrap()
                .load()
                .await
                .unwrap_err();
            assert_eq!(
                (s.sts().counters().web_identity, s.sts().counters().saml),
                (1, 1),
                "one attempt each"
            );
            (vec![web, saml], vec![s.web_identity().token.clone(), assertion])
        })
    });
    // The assertion is base64 ('+', '/', '='): its form-encoded spelling differs from the raw one.
    let mut forms: Vec<String> = Vec::new();
    for secret in &secrets {
        forms.push(secret.clone());
        forms.push(percent_encode(secret));
    }
    assert_ne!(forms[2], forms[3], "the assertion must exercise the encoded spelling");
    for e in &errors {
        let text = format!("{e} {e:?}");
        assert!(text.contains("InvalidIdentityToken") && text.contains("redacted"), "{text}");
        for form in &forms {
            assert!(!shows_part_of(&text, form), "the error shows a secret: {text}");
        }
    }
    let lines = recorder.lines.lock().unwrap();
    assert!(
        lines.iter().filter(|l| l.contains("STS request failed")).count() == 2,
        "the recorder did not see both failures, so this test proves nothing: {lines:?}"
    );
    // The stand-in's own events are its business; the library's are checked.
    for line in lines.iter().filter(|l| !l.starts_with("mongoawsauth_testkit")) {
        for form in &forms {
            assert!(!shows_part_of(line, form), "a log line shows a secret: {line}");
        }
    }
}

/// Whether `text` holds any 12 consecutive characters of `secret`: a truncated copy is a leak too.
fn shows_part_of(text: &str, secret: &str) -> bool {
    let chars: Vec<char> = secret.chars().collect();
    chars.windows(12.min(chars.len())).any(|w| text.contains(&w.iter().collect::<String>()))
}
