//! The IMDSv2 source against the testkit's IMDS stand-in on loopback: the token, role and
//! credentials steps, token reuse, 401 and 5xx handling, every fault mode, "not on EC2" in a
//! fraction of a second, static stability, no secret in any error, and a login with IMDS
//! credentials through the fake mongod.
//!
//! Nothing here sends a packet to 169.254.169.254 or fd00:ec2::254: every provider is built by
//! `provider()` (or with an explicit loopback endpoint) and checked to point at loopback first.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use mongoawsauth::provider::ProvideCredentials;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::{Credentials, Env, ErrorKind, ProviderConfig, ProviderError};
use mongoawsauth_testkit::metadata::{CredentialsMode, ImdsConfig, ImdsServer, MetadataFault};
use mongoawsauth_testkit::{Identity, IdentityStore, StandIns, StandInsConfig};

mod common;

const CONNECT: Duration = Duration::from_millis(200);
const READ: Duration = Duration::from_millis(400);

fn config(endpoint: &str) -> ProviderConfig {
    // A fixed environment: nothing from the process environment can disable or redirect IMDS.
    ProviderConfig::new()
        .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
        .with_imds_endpoint(endpoint)
        .with_metadata_connect_timeout(CONNECT)
        .with_metadata_read_timeout(READ)
}

/// A provider for a loopback endpoint, with no token or last good credentials left over from an
/// earlier stand-in on the same port.
fn provider_with(config: ProviderConfig) -> ImdsProvider {
    let provider = ImdsProvider::with_config(config);
    let endpoint = provider.endpoint().unwrap();
    assert!(endpoint.starts_with("http://127."), "tests only talk to loopback, not {endpoint}");
    provider.clear_cached_state();
    provider
}

fn provider(endpoint: &str) -> ImdsProvider {
    provider_with(config(endpoint))
}

async fn standin(store: &IdentityStore) -> ImdsServer {
    standin_with(store, |_| {}).await
}

async fn standin_with(store: &IdentityStore, tweak: impl FnOnce(&mut ImdsConfig)) -> ImdsServer {
    let mode = CredentialsMode::Rotating {
        identities: store.clone(),
        role: "imds-role".into(),
        session: "i-0123456789abcdef0".into(),
    };
    let mut config = ImdsConfig::new(mode, "imds-role");
    tweak(&mut config);
    ImdsServer::start(config).await.unwrap()
}

fn assert_same(credentials: &Credentials, identity: &Identity) {
    assert_eq!(credentials.access_key_id(), identity.access_key_id);
    assert_eq!(credentials.secret_access_key(), identity.secret_access_key);
    assert_eq!(credentials.session_token(), identity.session_token.as_deref());
}

/// Fails if any secret the stand-in handed out shows in the error's `Display` or `Debug`.
fn assert_no_secrets(err: &ProviderError, issued: &[Identity]) {
    let shown = format!("{err} {err:?}");
    for identity in issued {
        assert!(!shown.contains(&identity.secret_access_key), "{shown}");
        assert!(!shown.contains(identity.session_token.as_deref().unwrap()), "{shown}");
    }
}

async fn failure(provider: &ImdsProvider) -> ProviderError {
    provider.provide_credentials().await.unwrap_err()
}

#[tokio::test]
async fn fetches_token_role_and_credentials() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let p = provider(&s.url());
    assert_eq!(p.name(), "imds");
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    assert_eq!(c.source(), "imds");
    let left = c.expiration().unwrap().duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(5 * 3600), "{left:?}");
    let log = s.requests();
    let steps: Vec<(&str, &str, bool)> =
        log.iter().map(|r| (r.method.as_str(), r.path.as_str(), r.authenticated)).collect();
    assert_eq!(
        steps,
        [
            ("PUT", "/latest/api/token", false),
            ("GET", "/latest/meta-data/iam/security-credentials/", true),
            ("GET", "/latest/meta-data/iam/security-credentials/imds-role", true),
        ]
    );
}

#[tokio::test]
async fn the_token_is_reused_across_fetches_and_providers() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let p = provider(&s.url());
    let first = p.provide_credentials().await.unwrap();
    let second = p.provide_credentials().await.unwrap();
    assert_ne!(first.access_key_id(), second.access_key_id(), "each fetch gets what IMDS serves now");
    // A second provider for the same endpoint shares the process-wide token.
    let other = ImdsProvider::with_config(config(&s.url()));
    other.provide_credentials().await.unwrap();
    let c = s.counters();
    assert_eq!((c.tokens_issued, c.credentials_issued, c.unauthorized), (1, 3, 0));
}

#[tokio::test]
async fn a_short_token_ttl_is_honoured() {
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| c.token_ttl = Some(1)).await;
    let p = provider(&s.url());
    p.provide_credentials().await.unwrap();
    p.provide_credentials().await.unwrap();
    assert_eq!(s.counters().tokens_issued, 1);
    // Reused for half of a 1 s TTL, then renewed before IMDS would refuse it.
    tokio::time::sleep(Duration::from_millis(600)).await;
    p.provide_credentials().await.unwrap();
    assert_eq!((s.counters().tokens_issued, s.counters().unauthorized), (2, 0));
}

#[tokio::test]
async fn a_missing_ttl_header_means_the_ttl_asked_for() {
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| c.send_ttl_header = false).await;
    let p = provider(&s.url());
    p.provide_credentials().await.unwrap();
    p.provide_credentials().await.unwrap();
    assert_eq!(s.counters().tokens_issued, 1);
}

#[tokio::test]
async fn an_expired_token_gets_one_new_token_and_one_retry() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let p = provider(&s.url());
    p.provide_credentials().await.unwrap();
    s.set_fault(Some(MetadataFault::TokenExpiredOnce));
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    let counters = s.counters();
    assert_eq!((counters.tokens_issued, counters.unauthorized), (2, 1));
}

#[tokio::test]
async fn a_token_refused_again_after_renewal_is_an_error() {
    // Tokens that are dead on arrival: every GET gets 401.
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| {
        c.token_ttl = Some(0);
        c.send_ttl_header = false;
    })
    .await;
    let err = failure(&provider(&s.url())).await;
    assert!(!err.is_not_configured());
    assert!(err.to_string().contains("refused a fresh session token"), "{err}");
    let c = s.counters();
    assert_eq!((c.tokens_issued, c.unauthorized, c.requests), (2, 2, 4), "one renewal, one retry");
}

#[tokio::test]
async fn server_errors_are_retried_then_succeed() {
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| c.fault = Some(MetadataFault::ServerError { times: 2 })).await;
    let p = provider(&s.url());
    let c = p.provide_credentials().await.unwrap();
    assert_same(&c, &s.last_issued().unwrap());
    let statuses: Vec<Option<u16>> = s.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200), Some(200), Some(200)]);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times() {
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| c.fault = Some(MetadataFault::ServerError { times: 100 })).await;
    let p = provider(&s.url());
    let started = Instant::now();
    let err = failure(&p).await;
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(!err.is_not_configured());
    assert_eq!(err.error().kind(), ErrorKind::CredentialsProvider);
    assert!(err.to_string().contains("HTTP 500 3 times"), "{err}");
    assert_eq!(s.counters().requests, 3);
}

#[tokio::test]
async fn a_hung_imds_fails_within_the_timeouts() {
    let store = IdentityStore::default();
    let s = standin_with(&store, |c| c.fault = Some(MetadataFault::Hang)).await;
    let p = provider(&s.url());
    let started = Instant::now();
    let err = failure(&p).await;
    let took = started.elapsed();
    assert!(took >= READ && took < CONNECT + READ + Duration::from_millis(500), "{took:?}");
    assert!(!err.is_not_configured(), "IMDS accepted the connection: this is EC2 misbehaving");
    assert!(err.to_string().contains("did not answer the session token request within 600 ms"), "{err}");
    assert_eq!(s.counters().requests, 1, "timeouts are not retried");
}

#[tokio::test]
async fn a_slow_body_fails_within_the_timeouts() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    s.set_fault(Some(MetadataFault::SlowBody(Duration::from_secs(5))));
    let p = provider(&s.url());
    let started = Instant::now();
    let err = failure(&p).await;
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(
        err.to_string().contains("started answering the session token request but did not finish"),
        "{err}"
    );
}

#[tokio::test]
async fn nothing_listening_means_not_on_ec2_at_once() {
    // A loopback address no stand-in binds, on a port just released: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let endpoint = format!("http://127.0.0.77:{port}");
    let p = provider(&endpoint);
    let started = Instant::now();
    let err = failure(&p).await;
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert!(err.is_not_configured(), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("IMDS at {endpoint} could not be reached")), "{text}");
    assert!(text.contains("probably not on EC2; set AWS_EC2_METADATA_DISABLED=true to skip it"), "{text}");
}

#[tokio::test]
async fn a_connect_timeout_means_not_on_ec2_and_is_not_retried() {
    let (listener, fillers, addr) = common::silent_listener().await;
    let p = provider(&format!("http://{addr}"));
    let started = Instant::now();
    let err = failure(&p).await;
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(err.is_not_configured(), "{err}");
    let message = err.error().message();
    // A kernel set to reset connections to a full queue (tcp_abort_on_overflow) refuses instead.
    if !message.contains("could not be reached") {
        assert_eq!(
            message,
            format!(
                "IMDS at http://{addr} did not answer within 200 ms: this process is probably not on EC2; \
                 set AWS_EC2_METADATA_DISABLED=true to skip it"
            )
        );
    }
    drop((listener, fillers));
}

#[tokio::test]
async fn disabled_imds_is_never_called() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let config = config(&s.url()).with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "TRUE")]));
    let err = ImdsProvider::with_config(config).provide_credentials().await.unwrap_err();
    assert!(err.is_not_configured());
    assert!(err.to_string().contains("AWS_EC2_METADATA_DISABLED"), "{err}");
    assert_eq!(s.counters().connections, 0);
}

#[tokio::test]
async fn the_endpoint_variable_is_used_when_no_override_is_given() {
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let env = Env::from_vars([("AWS_EC2_METADATA_SERVICE_ENDPOINT", format!("{}/", s.url()))]);
    let p = provider_with(ProviderConfig::new().with_env(env).with_metadata_connect_timeout(CONNECT));
    p.provide_credentials().await.unwrap();
    assert_eq!(s.counters().credentials_issued, 1);
}

#[tokio::test]
async fn bad_answers_are_clear_errors() {
    let cases = [
        (MetadataFault::Garbage, "with something that is not credentials: the answer is not a JSON object"),
        (MetadataFault::Oversized, "with more than 65536 bytes"),
        (MetadataFault::NotFound, "no IAM role attached to this instance"),
        (
            MetadataFault::CodeNotSuccess,
            "AssumeRoleUnauthorizedAccess: EC2 cannot assume the role. Please see documentation.; does \
             the role's trust policy let ec2.amazonaws.com assume it?",
        ),
    ];
    for (fault, expected) in cases {
        let store = IdentityStore::default();
        let s = standin_with(&store, |c| c.fault = Some(fault.clone())).await;
        let err = failure(&provider(&s.url())).await;
        assert!(!err.is_not_configured(), "{fault}: {err}");
        assert_eq!(err.error().kind(), ErrorKind::CredentialsProvider, "{fault}");
        assert!(err.to_string().contains(expected), "{fault}: {err}");
        assert!(err.to_string().contains(&s.url()), "{fault}: the error names the endpoint: {err}");
        assert_no_secrets(&err, &s.issued());
    }
    // No role listed at all.
    let store = IdentityStore::default();
    let s = standin(&store).await;
    s.set_role_name("");
    let err = failure(&provider(&s.url())).await;
    assert!(err.to_string().contains("no IAM role attached to this instance"), "{err}");
}

/// Captures the messages of warnings logged on this thread.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<Vec<String>>>);

struct FieldText(String);

impl tracing::field::Visit for FieldText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl tracing::Subscriber for Warnings {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if *event.metadata().level() == tracing::Level::WARN {
            let mut text = FieldText(String::new());
            event.record(&mut text);
            self.0.lock().unwrap().push(text.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Runs `test` on a single-threaded runtime on this thread, returning the warnings it logged.
fn with_warnings(test: impl std::future::Future<Output = ()>) -> Vec<String> {
    let warnings = Warnings::default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    tracing::subscriber::with_default(warnings.clone(), || runtime.block_on(test));
    warnings.0.lock().unwrap().clone()
}

fn minutes_left(c: &Credentials) -> u64 {
    c.expiration().unwrap().duration_since(SystemTime::now()).unwrap().as_secs() / 60
}

#[test]
fn expired_credentials_are_kept_a_little_longer_with_a_warning() {
    let warnings = with_warnings(async {
        let store = IdentityStore::default();
        let s = standin_with(&store, |c| c.fault = Some(MetadataFault::ExpiredCredentials)).await;
        let c = provider(&s.url()).provide_credentials().await.unwrap();
        let issued = s.last_issued().unwrap();
        assert_same(&c, &issued);
        assert!((9..=15).contains(&minutes_left(&c)), "{:?}", c.expiration());
        assert_eq!(c.source(), "imds");
    });
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("already expired") && warnings[0].contains("static stability"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("access_key_id=ASIA"), "{warnings:?}");
}

#[test]
fn a_failure_after_a_success_serves_the_last_good_credentials() {
    let mut secrets = Vec::new();
    let warnings = with_warnings(async {
        let store = IdentityStore::default();
        let s = standin(&store).await;
        let p = provider(&s.url());
        let good = p.provide_credentials().await.unwrap();
        for fault in
            [MetadataFault::Garbage, MetadataFault::ServerError { times: 100 }, MetadataFault::NotFound]
        {
            s.set_fault(Some(fault));
            let kept = p.provide_credentials().await.unwrap();
            assert_eq!(kept.access_key_id(), good.access_key_id());
            assert_eq!(kept.secret_access_key(), good.secret_access_key());
            assert!((9..=15).contains(&minutes_left(&kept)), "{:?}", kept.expiration());
        }
        // An IMDS that stops answering, seen by another provider for the same endpoint: the last
        // good credentials are kept process-wide.
        s.set_fault(Some(MetadataFault::Hang));
        let kept = ImdsProvider::with_config(config(&s.url())).provide_credentials().await.unwrap();
        assert_eq!(kept.access_key_id(), good.access_key_id());
        secrets = s.issued();
    });
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    for w in &warnings {
        assert!(w.contains("IMDS failed") && w.contains("static stability"), "{w}");
        for identity in &secrets {
            assert!(
                !w.contains(&identity.secret_access_key)
                    && !w.contains(identity.session_token.as_deref().unwrap())
            );
        }
    }
    assert!(warnings[0].contains("not credentials"), "the warning names the failure: {}", warnings[0]);
}

#[tokio::test]
async fn imds_credentials_log_in_through_the_fake_mongod() {
    let s = StandIns::start(StandInsConfig::default()).await.unwrap();
    let p = provider(&s.imds().url());
    let credentials = p.provide_credentials().await.unwrap();
    let issued = s.imds().last_issued().unwrap();
    assert_same(&credentials, &issued);

    let (_, users) = common::login(&s, StaticProvider::new(credentials)).await;
    assert_eq!(users, std::slice::from_ref(&issued.arn));
    assert!(issued.arn.starts_with("arn:aws:sts::123456789012:assumed-role/imds-role/i-"), "{}", issued.arn);

    let json = s.to_json();
    assert_eq!(json["imds_url"], s.imds().url());
    assert_eq!(json["container_url"], s.container().full_uri());
    assert_eq!(json["container_token"], s.container().auth_token().unwrap());
}
