//! What a hostile or broken credential endpoint, or a hostile secret file, can do to a fetch:
//! never a panic, never a hang past the deadline, never a secret in an error or a log.
//!
//! - An IMDS whose token TTL header overflows every clock (2^63 s, more than `u64`): the TTL is
//!   clamped to IMDS's six hours and the token is reused, no panic.
//! - A token or assertion file that is a FIFO: every provider that reads one fails at once with
//!   an error that says so, well within its deadline.
//! - Endpoints that echo the container authorization token, the IMDS session token or a
//!   credentials document in a failing answer: the error's `Display` and `Debug` and every log
//!   line stay free of them.
//!
//! Every endpoint here is a stand-in or a scripted server on 127.0.0.1.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::fmt::Debug;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mongoawsauth::provider::ProvideCredentials;
use mongoawsauth::provider::container::ContainerProvider;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::provider::saml::{AssertionSource, SamlProvider};
use mongoawsauth::provider::web_identity::WebIdentityProvider;
use mongoawsauth::{Authenticator, Env, ProviderConfig};
use mongoawsauth_testkit::IdentityStore;
use mongoawsauth_testkit::metadata::{CredentialsMode, ImdsConfig, ImdsServer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CONNECT: Duration = Duration::from_millis(300);
const READ: Duration = Duration::from_millis(500);

/// A secret access key and session token a broken endpoint serves in a failing answer.
const DOC_SECRET: &str = "HostileDocSecretKey0123456789abcdefABCDEF";
const DOC_TOKEN: &str = "HostileDocSessionToken/9876543210+zyxw==";
/// The container authorization token sent, which a broken agent echoes back.
const AUTH_TOKEN: &str = "EchoedAuthorizationToken-5f2b9c71d04e";
/// The IMDS session token the scripted IMDS issues (and echoes).
const IMDS_TOKEN: &str = "AQAEAHostileImdsSessionToken-77c1e0aa93==";

// ---------------------------------------------------------------------------------------------
// A scripted HTTP/1.1 server: one answer per connection, chosen by a closure.

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

struct Reply {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

fn reply(status: u16, body: impl Into<String>) -> Reply {
    Reply { status, headers: vec![("content-type", "application/json".into())], body: body.into() }
}

type Handler = dyn Fn(&Request) -> Reply + Send + Sync;

/// Serves `handler` on 127.0.0.1 (port 0) until the runtime ends; returns the address.
async fn scripted(handler: impl Fn(&Request) -> Reply + Send + Sync + 'static) -> SocketAddr {
    let handler: Arc<Handler> = Arc::new(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&buf).into_owned();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap_or("").split(' ');
                let method = first.next().unwrap_or("").to_owned();
                let path = first.next().unwrap_or("").to_owned();
                let headers = lines
                    .take_while(|l| !l.is_empty())
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                let r = handler(&Request { method, path, headers });
                let mut out = format!(
                    "HTTP/1.1 {} Scripted\r\ncontent-length: {}\r\nconnection: close\r\n",
                    r.status,
                    r.body.len()
                );
                for (name, value) in &r.headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&r.body);
                let _ = stream.write_all(out.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    addr
}

// ---------------------------------------------------------------------------------------------
// Log capture: every field of every event and span, as text.
//
// One recorder is the global subscriber of this test binary, installed by the first line of
// every test: a scoped subscriber can miss events when another test thread registers the same
// log call site at the same moment (tracing caches per call site whether anyone listens), and
// a global one installed before anything logs cannot. Every test's log lines are checked.

use common::logs::logs;

/// Runs `body` on a fresh current-thread runtime; returns its output and every log line
/// recorded so far (this test's and those of tests running beside it).
fn with_logs<T>(body: impl std::future::Future<Output = T>) -> (T, Vec<String>) {
    let recorder = logs();
    let out = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(body);
    let lines = recorder.lines.lock().unwrap().clone();
    (out, lines)
}

/// Fails if a secret, or any 16-character piece of one, shows in `text`.
#[track_caller]
fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        let chars: Vec<char> = secret.chars().collect();
        for piece in chars.windows(16) {
            let piece: String = piece.iter().collect();
            assert!(!text.contains(&piece), "{what} shows part of a secret ({piece:?}): {text}");
        }
    }
}

#[track_caller]
fn assert_error_clean(err: &(impl std::fmt::Display + Debug), secrets: &[&str]) {
    assert_clean("the error", &err.to_string(), secrets);
    assert_clean("the error's Debug", &format!("{err:?}"), secrets);
}

fn credentials_doc() -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"ASIAHOSTILETEST","SecretAccessKey":"{DOC_SECRET}","Token":"{DOC_TOKEN}","Expiration":"2099-01-01T00:00:00Z"}}"#
    )
}

// ---------------------------------------------------------------------------------------------
// Clocks: durations from the network never overflow an Instant.

fn imds_provider(url: &str) -> ImdsProvider {
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
        .with_imds_endpoint(url)
        .with_metadata_connect_timeout(CONNECT)
        .with_metadata_read_timeout(READ);
    let provider = ImdsProvider::with_config(config);
    assert!(provider.endpoint().unwrap().starts_with("http://127.0.0.1:"));
    provider.clear_cached_state();
    provider
}

/// A scripted IMDS granting tokens with `ttl` in the TTL header, serving `role_listing` and
/// `credentials` (status, body) for the two GETs.
async fn scripted_imds(ttl: &'static str, role_listing: String, credentials: (u16, String)) -> String {
    let addr = scripted(move |req| match (req.method.as_str(), req.path.as_str()) {
        ("PUT", "/latest/api/token") => Reply {
            status: 200,
            headers: vec![("x-aws-ec2-metadata-token-ttl-seconds", ttl.to_owned())],
            body: IMDS_TOKEN.to_owned(),
        },
        _ if req.header("x-aws-ec2-metadata-token") != Some(IMDS_TOKEN) => reply(401, ""),
        ("GET", "/latest/meta-data/iam/security-credentials/") => reply(200, role_listing.clone()),
        ("GET", "/latest/meta-data/iam/security-credentials/role") => {
            reply(credentials.0, credentials.1.clone())
        }
        _ => reply(404, ""),
    })
    .await;
    format!("http://{addr}")
}

#[tokio::test]
async fn an_imds_token_ttl_past_every_clock_is_clamped_not_a_panic() {
    logs();
    // 2^63 s overflows `Instant`; the last one does not even fit a u64.
    for ttl in ["9223372036854775808", "18446744073709551615", "18446744073709551616"] {
        let url = scripted_imds(ttl, "role".into(), (200, credentials_doc())).await;
        let p = imds_provider(&url);
        let c = p.provide_credentials().await.unwrap_or_else(|e| panic!("TTL {ttl}: {e}"));
        assert_eq!(c.access_key_id(), "ASIAHOSTILETEST");
        // The clamped token is cached and reused: the second fetch sends no PUT (the scripted
        // IMDS answers a missing token with 401, so reuse is also what makes it succeed).
        p.provide_credentials().await.unwrap();
    }
}

#[tokio::test]
async fn the_imds_stand_in_granting_a_2_pow_63_s_token_works() {
    logs();
    let store = IdentityStore::default();
    let mode = CredentialsMode::Rotating {
        identities: store.clone(),
        role: "imds-role".into(),
        session: "i-0123456789abcdef0".into(),
    };
    let mut config = ImdsConfig::new(mode, "imds-role");
    config.token_ttl = Some(1 << 63);
    let s = ImdsServer::start(config).await.unwrap();
    let p = imds_provider(&s.url());
    p.provide_credentials().await.unwrap();
    p.provide_credentials().await.unwrap();
    assert_eq!(s.counters().tokens_issued, 1, "the clamped token is reused");
}

#[tokio::test]
async fn a_huge_credentials_timeout_is_no_panic() {
    logs();
    let env = Env::from_vars([("AWS_ACCESS_KEY_ID", "AKIAHUGETIMEOUT"), ("AWS_SECRET_ACCESS_KEY", "s")]);
    // Options refuse a timeout no face can express (more than 2^31-1 ms)...
    let options = mongoawsauth::Options::new().with_env(env.clone()).with_credentials_timeout(Duration::MAX);
    let e = Authenticator::new(options).unwrap_err();
    assert_eq!(e.option(), Some("credentials_timeout"), "{e}");
    // ...and an authenticator given one directly still runs instead of overflowing the clock.
    let source = mongoawsauth::provider::environment::EnvironmentProvider::with_env(env);
    let auth = Authenticator::from_provider(source).with_timeout(Duration::MAX);
    assert_eq!(auth.credentials().await.unwrap().access_key_id(), "AKIAHUGETIMEOUT");
}

#[tokio::test]
async fn huge_endpoint_timeouts_are_no_panic() {
    logs();
    // `Duration::MAX` (a host's "no limit") once overflowed the clock in every network source.
    let s = common::standins().await;
    let dir = common::TempDir::new("hostile-huge-timeouts");
    let file = dir.write("token", &s.web_identity().token);
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ROLE_ARN", s.web_identity().role_arn.as_str()),
    ];
    let web = WebIdentityProvider::with_config(common::config(&s, &vars, Duration::MAX));
    assert_eq!(web.provide_credentials().await.unwrap().source(), "web_identity");
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
        .with_imds_endpoint(s.imds().url())
        .with_metadata_connect_timeout(Duration::MAX)
        .with_metadata_read_timeout(Duration::MAX);
    let imds = ImdsProvider::with_config(config);
    imds.clear_cached_state();
    assert_eq!(imds.provide_credentials().await.unwrap().source(), "imds");
    let token = s.container().auth_token().unwrap();
    let full_uri = s.container().full_uri();
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.as_str()),
        ]))
        .with_ecs_base_url(s.container().base_url())
        .with_metadata_connect_timeout(Duration::MAX)
        .with_metadata_read_timeout(Duration::MAX);
    assert_eq!(
        ContainerProvider::with_config(config).provide_credentials().await.unwrap().source(),
        "container"
    );
}

// ---------------------------------------------------------------------------------------------
// Secret files that are FIFOs fail fast instead of hanging past the deadline.

/// Runs `fetch` with a 2 s deadline on its own thread and runtime, and fails the test if no
/// answer comes within 5 s (a fetch stuck in `open()` on a FIFO would never answer).
#[cfg(unix)]
fn within_deadline(provider: impl ProvideCredentials + 'static) -> mongoawsauth::Error {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build();
        let result = runtime.unwrap().block_on(async {
            Authenticator::from_provider(provider).with_timeout(Duration::from_secs(2)).credentials().await
        });
        let _ = tx.send(result.map(|c| c.access_key_id().to_owned()));
    });
    let started = Instant::now();
    match rx.recv_timeout(Duration::from_secs(5)) {
        Ok(Ok(id)) => panic!("expected an error, got credentials {id}"),
        Ok(Err(e)) => {
            assert!(started.elapsed() < Duration::from_secs(2), "took {:?}: {e}", started.elapsed());
            e
        }
        Err(_) => panic!("the fetch hung on the FIFO past its 2 s deadline"),
    }
}

#[cfg(unix)]
fn fifo(dir: &common::TempDir) -> String {
    let path = dir.0.join("fifo");
    let status = std::process::Command::new("mkfifo").arg(&path).status().unwrap();
    assert!(status.success(), "mkfifo failed");
    path.to_str().unwrap().to_owned()
}

#[cfg(unix)]
#[test]
fn a_fifo_web_identity_token_file_fails_fast() {
    logs();
    let dir = common::TempDir::new("hostile-webid-fifo");
    let path = fifo(&dir);
    let env = Env::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", path.as_str()),
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
    ]);
    let config = ProviderConfig::new().with_env(env).with_sts_endpoint("http://127.0.0.1:9/");
    let e = within_deadline(WebIdentityProvider::with_config(config));
    assert!(e.message().contains("is a FIFO, not a regular file") && e.message().contains(&path), "{e}");
}

#[cfg(unix)]
#[test]
fn a_fifo_container_token_file_fails_fast() {
    logs();
    let dir = common::TempDir::new("hostile-container-fifo");
    let path = fifo(&dir);
    let env = Env::from_vars([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds"),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path.as_str()),
    ]);
    let config = ProviderConfig::new().with_env(env).with_ecs_base_url("http://127.0.0.1:9");
    let e = within_deadline(ContainerProvider::with_config(config));
    assert!(e.message().contains("is a FIFO, not a regular file") && e.message().contains(&path), "{e}");
}

#[cfg(unix)]
#[test]
fn a_fifo_saml_assertion_file_fails_fast() {
    logs();
    let dir = common::TempDir::new("hostile-saml-fifo");
    let path = fifo(&dir);
    let p = SamlProvider::builder(
        "arn:aws:iam::123456789012:role/r",
        "arn:aws:iam::123456789012:saml-provider/idp",
        AssertionSource::from_file(&path),
    )
    .provider_config(
        ProviderConfig::new()
            .with_env(Env::from_vars([("UNUSED", "")]))
            .with_sts_endpoint("http://127.0.0.1:9/"),
    )
    .build()
    .unwrap();
    let e = within_deadline(p);
    assert!(e.message().contains("is a FIFO, not a regular file") && e.message().contains(&path), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Failing answers that carry secrets never reach an error or a log.

fn container_provider(url: &str, token_file: Option<&str>) -> ContainerProvider {
    let mut vars = vec![("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)];
    match token_file {
        Some(path) => vars.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", path)),
        None => vars.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN", AUTH_TOKEN)),
    }
    let config = ProviderConfig::new()
        .with_env(Env::from_vars(vars))
        .with_ecs_base_url("http://127.0.0.1:9")
        .with_metadata_connect_timeout(CONNECT)
        .with_metadata_read_timeout(READ);
    ContainerProvider::with_config(config)
}

/// A container agent that answers `status` with an error document echoing the `Authorization`
/// value it got, in the message and (for good measure) in the code.
async fn echoing_agent(status: u16) -> String {
    let addr = scripted(move |req| {
        let auth = req.header("authorization").unwrap_or("").to_owned();
        let prefix: String = auth.chars().take(20).collect();
        let body = serde_json::json!({
            "code": format!("Denied{prefix}"),
            "message": format!("the token {auth} is not valid for this pod"),
        });
        reply(status, body.to_string())
    })
    .await;
    format!("http://{addr}/v1/credentials")
}

#[test]
fn a_container_agent_echoing_the_authorization_token_never_shows_it() {
    logs();
    let dir = common::TempDir::new("hostile-container-echo");
    let file = dir.write("token", &format!("{AUTH_TOKEN}\n"));
    let (errors, lines) = with_logs(async {
        let mut errors = Vec::new();
        for status in [401, 403, 500] {
            let url = echoing_agent(status).await;
            for token_file in [None, Some(file.as_str())] {
                let e = container_provider(&url, token_file).provide_credentials().await.unwrap_err();
                assert!(e.to_string().contains(&format!("HTTP {status}")), "{e}");
                errors.push(e);
            }
        }
        errors
    });
    for e in &errors {
        assert_error_clean(e, &[AUTH_TOKEN]);
    }
    assert!(lines.iter().any(|l| l.contains("trying again")), "the 500s were retried and logged: {lines:?}");
    for line in &lines {
        assert_clean("a log line", line, &[AUTH_TOKEN]);
    }
}

#[tokio::test]
async fn a_container_agent_serving_a_credentials_document_in_a_failure_never_shows_it() {
    logs();
    let missing_expiry = format!(
        r#"{{"AccessKeyId":"ASIAHOSTILETEST","SecretAccessKey":"{DOC_SECRET}","Token":"{DOC_TOKEN}"}}"#
    );
    let error_with_secrets = format!(
        r#"{{"code":"Oops","message":"{DOC_SECRET} {DOC_TOKEN}","SecretAccessKey":"{DOC_SECRET}","Token":"{DOC_TOKEN}"}}"#
    );
    for (status, body) in [
        (200, missing_expiry.clone()),
        (403, credentials_doc()),
        (400, error_with_secrets.clone()),
        (503, error_with_secrets),
        (200, format!("<html>{DOC_SECRET}</html>")),
    ] {
        let addr = scripted(move |_| reply(status, body.clone())).await;
        let url = format!("http://{addr}/v1/credentials");
        let e = container_provider(&url, None).provide_credentials().await.unwrap_err();
        assert_error_clean(&e, &[DOC_SECRET, DOC_TOKEN, AUTH_TOKEN]);
    }
}

#[test]
fn an_imds_serving_secrets_in_failing_answers_never_shows_them() {
    logs();
    let error_doc = format!(
        r#"{{"Code":"AssumeRoleUnauthorizedAccess","Message":"token {IMDS_TOKEN} key {DOC_SECRET}","SecretAccessKey":"{DOC_SECRET}"}}"#
    );
    let missing_expiry =
        format!(r#"{{"AccessKeyId":"ASIAX","SecretAccessKey":"{DOC_SECRET}","Token":"{DOC_TOKEN}"}}"#);
    let cases = [
        // A credentials document where the role name should be.
        (format!("{{\"SecretAccessKey\":\"{DOC_SECRET}\",\"Token\":\"{DOC_TOKEN}\"}}"), (200, String::new())),
        ("role".to_owned(), (200, error_doc)),
        ("role".to_owned(), (200, missing_expiry)),
        ("role".to_owned(), (500, credentials_doc())),
        ("role".to_owned(), (403, credentials_doc())),
    ];
    let (errors, lines) = with_logs(async move {
        let mut errors = Vec::new();
        for (listing, credentials) in cases {
            let url = scripted_imds("21600", listing, credentials).await;
            errors.push(imds_provider(&url).provide_credentials().await.unwrap_err());
        }
        errors
    });
    assert!(errors[0].to_string().contains("not an IAM role name"), "{}", errors[0]);
    assert!(errors[1].to_string().contains("AssumeRoleUnauthorizedAccess"), "{}", errors[1]);
    assert!(errors[2].to_string().contains("Expiration"), "{}", errors[2]);
    for e in &errors {
        assert_error_clean(e, &[DOC_SECRET, DOC_TOKEN, IMDS_TOKEN]);
    }
    for line in &lines {
        assert_clean("a log line", line, &[DOC_SECRET, DOC_TOKEN, IMDS_TOKEN]);
    }
}
