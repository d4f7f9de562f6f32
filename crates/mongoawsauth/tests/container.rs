//! The container source against the testkit's container stand-in on loopback: the relative URI
//! (with the ECS base URL pointed at the stand-in), the full URI with a token file (re-read on
//! every request) or a token, precedence, retries, every fault mode, the SSRF rule, no secret in
//! any error, and a login with container credentials through the fake mongod.
//!
//! Nothing here sends a packet to 169.254.170.2 or any other non-loopback address: every
//! provider is built by `provider()`, which points the ECS base URL at loopback and checks the
//! endpoint before the first request.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::time::{Duration, Instant, SystemTime};

use mongoawsauth::provider::ProvideCredentials;
use mongoawsauth::provider::container::ContainerProvider;
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::{Credentials, Env, ErrorKind, ProviderConfig, ProviderError};
use mongoawsauth_testkit::metadata::{ContainerConfig, ContainerServer, CredentialsMode, MetadataFault};
use mongoawsauth_testkit::{Identity, IdentityStore, StandIns, StandInsConfig};

mod common;

const RELATIVE: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

const CONNECT: Duration = Duration::from_millis(200);
const READ: Duration = Duration::from_millis(300);

/// A provider reading only `vars`, with the ECS base URL on loopback (port 9, where nothing
/// listens, unless `ecs_base` names a stand-in).
fn provider(vars: &[(&str, &str)], ecs_base: Option<&str>) -> ContainerProvider {
    let config = ProviderConfig::new()
        .with_env(Env::from_vars(vars.iter().copied()))
        .with_ecs_base_url(ecs_base.unwrap_or("http://127.0.0.1:9"))
        .with_metadata_connect_timeout(CONNECT)
        .with_metadata_read_timeout(READ);
    let provider = ContainerProvider::with_config(config);
    if let Ok(endpoint) = provider.endpoint() {
        assert!(endpoint.starts_with("http://127.0.0.1:"), "tests only talk to loopback, not {endpoint}");
    }
    provider
}

fn rotating(store: &IdentityStore) -> CredentialsMode {
    CredentialsMode::Rotating {
        identities: store.clone(),
        role: "pod-role".into(),
        session: "eks-pod".into(),
    }
}

async fn standin(store: &IdentityStore, token: Option<&str>) -> ContainerServer {
    let mut config = ContainerConfig::new(rotating(store));
    config.auth_token = token.map(str::to_owned);
    ContainerServer::start(config).await.unwrap()
}

fn assert_same(credentials: &Credentials, identity: &Identity) {
    assert_eq!(credentials.access_key_id(), identity.access_key_id);
    assert_eq!(credentials.secret_access_key(), identity.secret_access_key);
    assert_eq!(credentials.session_token(), identity.session_token.as_deref());
}

/// Fails if a handed-out secret or one of `tokens` shows in the error's `Display` or `Debug`.
fn assert_no_secrets(err: &ProviderError, issued: &[Identity], tokens: &[&str]) {
    let shown = format!("{err} {err:?}");
    for identity in issued {
        assert!(!shown.contains(&identity.secret_access_key), "{shown}");
        assert!(!shown.contains(identity.session_token.as_deref().unwrap()), "{shown}");
    }
    for token in tokens {
        assert!(!shown.contains(token), "{shown}");
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn relative_uri_against_the_ecs_base_url() {
    let store = IdentityStore::default();
    let s = standin(&store, None).await;
    let base = format!("{}/", s.base_url());
    let p = provider(&[(RELATIVE, s.relative_uri())], Some(&base));
    assert_eq!(p.name(), "container");
    assert_eq!(p.endpoint().unwrap(), s.full_uri(), "one slash between base and path");
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    assert_eq!(c.source(), "container");
    assert!(c.expiration().unwrap() > SystemTime::now() + Duration::from_secs(3600));
    let log = s.requests();
    assert_eq!((log.len(), log[0].method.as_str(), log[0].path.as_str()), (1, "GET", s.relative_uri()));
    assert_eq!(header(&log[0].headers, "accept"), Some("application/json"));
    assert_eq!(header(&log[0].headers, "authorization"), None);
}

#[tokio::test]
async fn full_uri_with_a_token_file_that_rotates() {
    let store = IdentityStore::default();
    let s = standin(&store, Some("pod-token-1")).await;
    let file = common::TokenFile::new("rotates", "pod-token-1\n");
    let p = provider(&[(FULL, &s.full_uri()), (TOKEN_FILE, file.path())], None);
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    assert_eq!(header(&s.requests()[0].headers, "authorization"), Some("pod-token-1"), "newline dropped");

    // The agent rotates the token and kubelet rewrites the file: the next fetch reads it again.
    s.set_auth_token(Some("pod-token-2".into()));
    file.write("pod-token-2");
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());

    // A stale file is refused by the agent; the error names the file, never the token.
    file.write("pod-token-1");
    let err = p.provide_credentials().await.unwrap_err();
    assert!(!err.is_not_configured());
    let text = err.to_string();
    assert!(
        text.contains("HTTP 403") && text.contains("AccessDenied") && text.contains(file.path()),
        "{text}"
    );
    assert_no_secrets(&err, &s.issued(), &["pod-token-1", "pod-token-2"]);
    assert_eq!(s.counters().requests, 3, "4xx answers are not retried");

    // A line break inside the token would split the header: refused before any request.
    file.write("pod-token-2\nX-Injected: 1\n");
    let err = p.provide_credentials().await.unwrap_err();
    assert_eq!(err.error().kind(), ErrorKind::Configuration);
    assert!(err.to_string().contains("line break"), "{err}");
    assert_no_secrets(&err, &[], &["pod-token-2"]);
    assert_eq!(s.counters().requests, 3);
}

#[tokio::test]
async fn full_uri_with_a_token_and_the_file_winning_over_it() {
    let store = IdentityStore::default();
    let s = standin(&store, Some("the-token")).await;
    let p = provider(&[(FULL, &s.full_uri()), (TOKEN, "the-token")], None);
    assert_same(&p.provide_credentials().await.unwrap(), &s.last_issued().unwrap());

    let file = common::TokenFile::new("wins", "the-token");
    let p = provider(&[(FULL, &s.full_uri()), (TOKEN, "stale-token"), (TOKEN_FILE, file.path())], None);
    p.provide_credentials().await.unwrap();
    assert_eq!(header(&s.requests()[1].headers, "authorization"), Some("the-token"));

    let p = provider(&[(FULL, &s.full_uri())], None);
    let err = p.provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("HTTP 401") && err.to_string().contains(TOKEN_FILE), "{err}");

    let p = provider(&[(FULL, &s.full_uri()), (TOKEN, "s3cr3t-wrong-token")], None);
    let err = p.provide_credentials().await.unwrap_err();
    assert!(err.to_string().contains("HTTP 403"), "{err}");
    assert_no_secrets(&err, &s.issued(), &["s3cr3t-wrong-token", "the-token"]);
}

#[tokio::test]
async fn relative_wins_over_full() {
    let store = IdentityStore::default();
    let relative = standin(&store, None).await;
    let full = standin(&store, None).await;
    let p = provider(
        &[(RELATIVE, relative.relative_uri()), (FULL, &full.full_uri())],
        Some(&relative.base_url()),
    );
    p.provide_credentials().await.unwrap();
    assert_eq!((relative.counters().requests, full.counters().requests), (1, 0));
}

#[tokio::test]
async fn not_configured_and_refused_full_uris() {
    assert!(!ContainerProvider::is_configured(&Env::from_vars([("AWS_ACCESS_KEY_ID", "x")])));
    let err = provider(&[], None).provide_credentials().await.unwrap_err();
    assert!(err.is_not_configured(), "{err}");

    for url in ["http://169.254.169.254/latest/meta-data/", "http://example.com/creds", "http://10.1.2.3/"] {
        let p = provider(&[(FULL, url), (TOKEN, "tok")], None);
        let err = p.provide_credentials().await.unwrap_err();
        assert!(!err.is_not_configured(), "{url}: a refused URL stops the chain");
        assert_eq!(err.error().kind(), ErrorKind::Configuration, "{url}");
        assert!(err.to_string().contains("SSRF"), "{err}");
    }
}

#[tokio::test]
async fn server_errors_are_retried() {
    let store = IdentityStore::default();
    let s = standin(&store, None).await;
    let p = provider(&[(FULL, &s.full_uri())], None);
    s.set_fault(Some(MetadataFault::ServerError { times: 2 }));
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    assert_eq!(s.counters().requests, 3);

    s.set_fault(Some(MetadataFault::ServerError { times: 100 }));
    let started = Instant::now();
    let err = p.provide_credentials().await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(err.to_string().contains("HTTP 500") && err.to_string().contains("after 3 attempts"), "{err}");
    assert_eq!(s.counters().requests, 6);
}

#[tokio::test]
async fn garbage_is_retried_then_reported() {
    let store = IdentityStore::default();
    let s = standin(&store, None).await;
    s.set_fault(Some(MetadataFault::Garbage));
    let err = provider(&[(FULL, &s.full_uri())], None).provide_credentials().await.unwrap_err();
    assert_eq!(err.error().kind(), ErrorKind::CredentialsProvider);
    assert!(err.to_string().contains("not credentials: the answer is not a JSON object"), "{err}");
    assert_eq!(s.counters().requests, 3, "an unparseable 200 is retried");
}

#[tokio::test]
async fn other_bad_answers_are_clear_errors_without_retries() {
    let cases = [
        (MetadataFault::Oversized, "more than 65536 bytes, which is not a credentials document"),
        (MetadataFault::NotFound, "HTTP 404: NotFound: no credentials here"),
        (
            MetadataFault::CodeNotSuccess,
            "HTTP 400: InvalidIdentityToken: the pod's service account token was rejected",
        ),
        (MetadataFault::ExpiredCredentials, "returned credentials that expired at"),
    ];
    for (fault, expected) in cases {
        let store = IdentityStore::default();
        let s = standin(&store, Some("tok-abc")).await;
        s.set_fault(Some(fault.clone()));
        let p = provider(&[(FULL, &s.full_uri()), (TOKEN, "tok-abc")], None);
        let err = p.provide_credentials().await.unwrap_err();
        assert!(!err.is_not_configured(), "{fault}");
        assert!(err.to_string().contains(expected), "{fault}: {err}");
        assert!(err.to_string().contains(&s.full_uri()), "{fault}: names the endpoint: {err}");
        assert_no_secrets(&err, &s.issued(), &["tok-abc"]);
        assert_eq!(s.counters().requests, 1, "{fault}");
    }
}

#[tokio::test]
async fn a_hung_or_slow_endpoint_fails_within_the_timeouts() {
    for fault in [MetadataFault::Hang, MetadataFault::SlowBody(Duration::from_secs(5))] {
        let store = IdentityStore::default();
        let s = standin(&store, None).await;
        s.set_fault(Some(fault.clone()));
        let started = Instant::now();
        let err = provider(&[(FULL, &s.full_uri())], None).provide_credentials().await.unwrap_err();
        let took = started.elapsed();
        // One attempt of at most connect + read: a timeout is not retried, or three of them
        // would outlast the caller's deadline before this error could be reported.
        assert!(took < Duration::from_millis(1500), "{fault}: {took:?}");
        let said = if fault == MetadataFault::Hang { "did not answer" } else { "did not finish" };
        assert!(err.to_string().contains(&format!("{said} within 500 ms")), "{fault}: {err}");
        assert_eq!(s.counters().requests, 1, "{fault}");
    }
}

#[tokio::test]
async fn nothing_listening_is_a_failure_not_a_fall_through() {
    // The variables say this is a container: an unreachable agent is an error, not "elsewhere".
    let p = provider(&[(RELATIVE, "/v2/credentials/x")], None);
    let err = p.provide_credentials().await.unwrap_err();
    assert!(!err.is_not_configured(), "{err}");
    assert!(err.to_string().contains("http://127.0.0.1:9/v2/credentials/x"), "{err}");
}

#[tokio::test]
async fn container_credentials_log_in_through_the_fake_mongod() {
    let s = StandIns::start(StandInsConfig::default()).await.unwrap();
    let token = s.container().auth_token().unwrap();
    let file = common::TokenFile::new("login", &format!("{token}\n"));
    let p = provider(&[(FULL, &s.container().full_uri()), (TOKEN_FILE, file.path())], None);
    let credentials = p.provide_credentials().await.unwrap();
    let issued = s.container().last_issued().unwrap();
    assert_same(&credentials, &issued);

    let (_, users) = common::login(&s, StaticProvider::new(credentials)).await;
    assert_eq!(users, std::slice::from_ref(&issued.arn));
    assert!(
        issued.arn.starts_with("arn:aws:sts::123456789012:assumed-role/container-role/"),
        "{}",
        issued.arn
    );
}
