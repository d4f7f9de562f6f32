//! Runs one cell: starts the loopback stand-ins, points the endpoint's source at them with the
//! matrix's timeouts, sets the fault, resolves credentials through an [`Authenticator`] and
//! checks the outcome, the time it took, and that no secret reached the error or a log line.
//!
//! Every cell runs on a thread and runtime of its own, watched from outside: a fetch that hung
//! past every deadline fails its cell instead of hanging the suite.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use mongoawsauth::provider::container::ContainerProvider;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::provider::profile::assume_role::{AssumeRoleProvider, AssumeRoleSettings};
use mongoawsauth::provider::profile::sso::{SsoProvider, SsoSettings, cache_file_name};
use mongoawsauth::provider::saml::{AssertionSource, SamlProvider};
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::provider::web_identity::WebIdentityProvider;
use mongoawsauth::{Authenticator, Credentials, Env, ProvideCredentials, ProviderConfig};
use mongoawsauth_testkit::metadata::MetadataFault;
use mongoawsauth_testkit::sso::{SsoFault, write_token_file};
use mongoawsauth_testkit::sts::{StsErrorCode, StsFault};
use mongoawsauth_testkit::{SSO_REGION, SSO_ROLE, SSO_START_URL, StandIns, StandInsConfig};

use super::table::{Endpoint, Fault, Outcome, RETRY_AFTER_S, Timeouts, cell};
use crate::common::TempDir;
use crate::common::logs::logs;

/// Added to every cell's bound: the machine may be busy, and the bound is a promise about the
/// library's timeouts, not a benchmark.
const SLACK: Duration = Duration::from_secs(2);
/// The caller's deadline: longer than every cell's bound plus the slack, so that a source that
/// overruns its own timeouts shows up as a cell over its bound, not as this deadline's error.
const CALLER_DEADLINE: Duration = Duration::from_secs(20);
/// How long the watcher waits for a cell's thread before failing it as hung.
const WATCHDOG: Duration = Duration::from_secs(40);
/// How long a drip takes to deliver its whole body: far past every timeout of the matrix.
const DRIP: Duration = Duration::from_secs(5);
/// The warm-up fetch's budget: it only has to succeed.
const WARM_UP_BUDGET: Duration = Duration::from_secs(15);
/// The SSO session the cached token belongs to.
const SSO_SESSION: &str = "matrix";

/// What one fetch did.
struct Run {
    result: Result<Credentials, mongoawsauth::Error>,
    elapsed: Duration,
    /// How the error must name the endpoint (its URL, as messages show it).
    names: String,
    /// The source name credentials must carry.
    source: &'static str,
    /// Requests the faulty endpoint received.
    requests: u64,
    /// Every secret involved: sent (tokens, assertions, keys) or handed out by a stand-in.
    secrets: Vec<String>,
}

/// Runs cell `endpoint` × `fault` and checks it.
pub fn check(endpoint: Endpoint, fault: Fault) {
    let recorder = logs();
    // Lines logged before this cell started cannot hold its secrets (they are generated fresh).
    let first_line = recorder.lines.lock().unwrap().len();
    let expected = cell(endpoint, fault);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
        let _ = tx.send(runtime.unwrap().block_on(exercise(endpoint, fault)));
    });
    let run = match rx.recv_timeout(WATCHDOG) {
        Ok(run) => run,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{endpoint:?} × {fault:?}: no answer within {WATCHDOG:?}: a hang")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            panic!("{endpoint:?} × {fault:?}: the cell's thread failed (see its panic above)")
        }
    };
    let label = format!("{endpoint:?} × {fault:?}");

    // (a) within the documented deadline.
    assert!(
        run.elapsed <= expected.within + SLACK,
        "{label}: took {:?}, the documented bound is {:?} (+{SLACK:?} slack); {:?}",
        run.elapsed,
        expected.within,
        run.result.as_ref().map(|c| c.source()).map_err(|e| e.to_string())
    );

    // (b) the documented outcome.
    match (&expected.outcome, &run.result) {
        (Outcome::Credentials { at_least }, Ok(credentials)) => {
            assert_eq!(credentials.source(), run.source, "{label}");
            let expiry = credentials.expiration().expect("temporary credentials carry an expiry");
            assert!(expiry > SystemTime::now(), "{label}: handed out expired credentials");
            assert!(
                run.elapsed >= *at_least,
                "{label}: {:?} < {at_least:?}: Retry-After ignored",
                run.elapsed
            );
        }
        (Outcome::Error { kind, says }, Err(error)) => {
            let message = error.to_string();
            assert_eq!(error.kind(), *kind, "{label}: {message}");
            assert!(
                message.contains(&run.names),
                "{label}: the error does not name {}: {message}",
                run.names
            );
            for said in says {
                assert!(message.contains(said), "{label}: the error does not say {said:?}: {message}");
            }
        }
        (expected, got) => panic!("{label}: expected {expected:?}, got {got:?}"),
    }
    if let Some(requests) = expected.requests {
        assert_eq!(run.requests, requests, "{label}: requests to the endpoint");
    }

    // (c) no secret in the error or in any log line (this cell's and its neighbours').
    let runs = secret_runs(&run.secrets);
    let shown = match &run.result {
        Ok(credentials) => format!("{credentials:?} {credentials}"),
        Err(error) => format!("{error} {error:?}"),
    };
    assert_clean(&label, "the outcome", &shown, &runs);
    let lines = recorder.lines.lock().unwrap()[first_line..].to_vec();
    for line in &lines {
        assert_clean(&label, "a log line", line, &runs);
    }
}

/// How many characters of a secret, in a row, count as showing it (a cut or re-encoded echo
/// still shares such a run with the secret).
const RUN: usize = 16;

/// Every run of [`RUN`] characters of every secret (a shorter secret whole).
fn secret_runs(secrets: &[String]) -> HashSet<String> {
    let mut runs = HashSet::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let chars: Vec<char> = secret.chars().collect();
        for run in chars.windows(RUN.min(chars.len())) {
            runs.insert(run.iter().collect());
        }
    }
    runs
}

/// Fails if `text` shows one of `runs`.
fn assert_clean(label: &str, what: &str, text: &str, runs: &HashSet<String>) {
    let chars: Vec<char> = text.chars().collect();
    let shortest = runs.iter().map(|r| r.chars().count()).min().unwrap_or(RUN);
    for width in shortest..=RUN {
        for window in chars.windows(width) {
            let window: String = window.iter().collect();
            assert!(!runs.contains(&window), "{label}: {what} shows part of a secret ({window:?}): {text}");
        }
    }
}

async fn exercise(endpoint: Endpoint, fault: Fault) -> Run {
    let s = StandIns::start(StandInsConfig::default()).await.expect("the stand-ins start");
    let timeouts = Timeouts::for_fault(fault);
    let home = TempDir::new("fault-matrix");
    let metadata_config = || {
        ProviderConfig::new()
            .with_metadata_connect_timeout(timeouts.connect)
            .with_metadata_read_timeout(timeouts.read)
    };
    let sts_config = |vars: &[(&str, &str)]| {
        ProviderConfig::new()
            .with_env(Env::from_vars(vars.iter().copied()))
            .with_sts_endpoint(s.local_sts_url())
            .with_sts_timeout(timeouts.budget)
    };
    let mut secrets = Vec::new();
    let (provider, names, source): (Arc<dyn ProvideCredentials>, String, &'static str) = match endpoint {
        Endpoint::Imds => {
            let config = metadata_config()
                .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
                .with_imds_endpoint(s.imds().url());
            let provider = ImdsProvider::with_config(config);
            // A cold process: no session token and no last good credentials for this address
            // (a port may be reused by an earlier cell's stand-in).
            provider.clear_cached_state();
            (Arc::new(provider), format!("IMDS at {}", s.imds().url()), "imds")
        }
        Endpoint::Container => {
            let token = s.container().auth_token().expect("the stand-in wants a token");
            secrets.push(token.clone());
            let full_uri = s.container().full_uri();
            let config = metadata_config()
                .with_env(Env::from_vars([
                    ("AWS_CONTAINER_CREDENTIALS_FULL_URI", full_uri.as_str()),
                    ("AWS_CONTAINER_AUTHORIZATION_TOKEN", token.as_str()),
                ]))
                .with_ecs_base_url(s.container().base_url());
            let names = format!("the container credentials endpoint {full_uri}");
            (Arc::new(ContainerProvider::with_config(config)), names, "container")
        }
        Endpoint::WebIdentity => {
            let role = s.web_identity();
            secrets.push(role.token.clone());
            let file = home.write("token", &role.token);
            let config = sts_config(&[
                ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
                ("AWS_ROLE_ARN", role.role_arn.as_str()),
            ]);
            let names = format!("STS AssumeRoleWithWebIdentity at {}", s.local_sts_url());
            (Arc::new(WebIdentityProvider::with_config(config)), names, "web_identity")
        }
        Endpoint::Saml => {
            let role = s.saml();
            secrets.push(role.assertion.clone());
            let assertion = role.assertion.clone();
            let provider = SamlProvider::builder(
                &role.role_arn,
                &role.principal_arn,
                AssertionSource::from_fn(move || Ok(assertion.clone())),
            )
            .provider_config(sts_config(&[]))
            .build()
            .expect("valid SAML settings");
            let names = format!("STS AssumeRoleWithSAML at {}", s.local_sts_url());
            (Arc::new(provider), names, "saml")
        }
        Endpoint::AssumeRole => {
            let user = s.user();
            secrets.push(user.secret_access_key.clone());
            let source = Credentials::new(
                Some(&user.access_key_id),
                Some(&user.secret_access_key),
                None,
                None,
                "static",
            )
            .expect("the stand-in's user keys");
            let role = &s.chained_roles()[0];
            let settings = AssumeRoleSettings {
                session_name: Some("fault-matrix".to_owned()),
                external_id: role.external_id.clone(),
                ..AssumeRoleSettings::new(role.role_arn.clone())
            };
            if let Some(external_id) = &role.external_id {
                secrets.push(external_id.clone());
            }
            let provider = AssumeRoleProvider::with_config(
                settings,
                Arc::new(StaticProvider::new(source)),
                sts_config(&[]),
            )
            .expect("valid role settings");
            let names = format!("STS AssumeRole at {}", s.local_sts_url());
            (Arc::new(provider), names, "assume_role")
        }
        Endpoint::Sso => {
            secrets.push(s.sso_token().to_owned());
            let path = home.0.join(".aws/sso/cache").join(cache_file_name(SSO_SESSION));
            let expires = SystemTime::now() + Duration::from_secs(3600);
            write_token_file(&path, SSO_START_URL, SSO_REGION, s.sso_token(), expires).expect("token file");
            let settings = SsoSettings {
                profile: "matrix".to_owned(),
                session_name: Some(SSO_SESSION.to_owned()),
                start_url: SSO_START_URL.to_owned(),
                region: SSO_REGION.to_owned(),
                account_id: s.sso().account_id(),
                role_name: SSO_ROLE.to_owned(),
                endpoint: Some(s.sso().url()),
                token_cache_dir: None,
            };
            let config = ProviderConfig::new()
                .with_env(Env::from_vars([("HOME", home.0.to_str().expect("a UTF-8 temporary path"))]))
                .with_sts_timeout(timeouts.budget);
            let names = format!("the SSO portal at {}", s.sso().url());
            (Arc::new(SsoProvider::with_config(settings, config)), names, "sso")
        }
    };
    let requests = || match endpoint {
        Endpoint::Imds => s.imds().counters().requests,
        Endpoint::Container => s.container().counters().requests,
        Endpoint::WebIdentity => s.sts().counters().web_identity,
        Endpoint::Saml => s.sts().counters().saml,
        Endpoint::AssumeRole => s.sts().counters().assume_role,
        Endpoint::Sso => s.sso().counters().requests,
    };
    if !matches!(endpoint, Endpoint::Imds | Endpoint::Container) {
        // One good web identity fetch first, so that the process's STS HTTP client (which every
        // STS action and the SSO source share) exists: building the first one loads the TLS
        // roots, which on a busy machine can eat a 1 s budget before the fault is reached. Web
        // identity caches nothing itself, so the cell's own source still starts cold. The
        // metadata sources use another client, built before their per-request timeouts start.
        let role = s.web_identity();
        let file = home.write("warm-up-token", &role.token);
        let warm = WebIdentityProvider::with_config(
            ProviderConfig::new()
                .with_env(Env::from_vars([
                    ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
                    ("AWS_ROLE_ARN", role.role_arn.as_str()),
                ]))
                .with_sts_endpoint(s.local_sts_url())
                .with_sts_timeout(WARM_UP_BUDGET),
        );
        let (warm, _) = resolve(warm).await;
        assert!(warm.is_ok(), "{endpoint:?}: the STS stand-in works before the fault: {warm:?}");
    }
    let before = requests();
    match endpoint {
        Endpoint::Imds => s.imds().set_fault(Some(metadata_fault(fault))),
        Endpoint::Container => s.container().set_fault(Some(metadata_fault(fault))),
        Endpoint::WebIdentity | Endpoint::Saml | Endpoint::AssumeRole => set_sts_fault(&s, fault),
        Endpoint::Sso => s.sso().set_fault(Some(sso_fault(fault))),
    }
    let (result, elapsed) = resolve(provider).await;
    let requests = requests() - before;
    // Every identity the stand-ins handed out, whole or in an answer cut short, and every IMDS
    // session token a request carried.
    for identity in s.sts().identities().identities() {
        secrets.push(identity.secret_access_key.clone());
        secrets.extend(identity.session_token.clone());
    }
    for request in s.imds().requests() {
        secrets.extend(
            request.headers.iter().filter(|(n, _)| n == "x-aws-ec2-metadata-token").map(|(_, v)| v.clone()),
        );
    }
    Run { result, elapsed, names, source, requests, secrets }
}

/// Resolves through the public API with the caller's deadline; how long it took.
async fn resolve(
    provider: impl ProvideCredentials + 'static,
) -> (Result<Credentials, mongoawsauth::Error>, Duration) {
    let auth = Authenticator::from_provider(provider).with_timeout(CALLER_DEADLINE);
    let started = Instant::now();
    let result = auth.credentials().await;
    (result, started.elapsed())
}

fn metadata_fault(fault: Fault) -> MetadataFault {
    match fault {
        Fault::HangBeforeHeaders => MetadataFault::Hang,
        Fault::HangMidBody => MetadataFault::HangMidBody,
        Fault::SlowDrip => MetadataFault::SlowBody(DRIP),
        Fault::ServerErrorThenSuccess => MetadataFault::ServerError { times: 2 },
        Fault::ServerErrorPersistent => MetadataFault::ServerError { times: u32::MAX },
        Fault::ThrottledWithinDeadline => MetadataFault::Throttled { retry_after: RETRY_AFTER_S, times: 1 },
        Fault::ThrottledPastDeadline => MetadataFault::Throttled { retry_after: 3600, times: u32::MAX },
        Fault::Unauthorized => MetadataFault::Unauthorized,
        Fault::Forbidden => MetadataFault::Forbidden,
        Fault::NotFound => MetadataFault::NotFound,
        Fault::Garbage => MetadataFault::Garbage,
        Fault::Oversized => MetadataFault::Oversized,
        Fault::ExpiredCredentials => MetadataFault::ExpiredCredentials,
        Fault::ConnectionReset => MetadataFault::Reset,
    }
}

fn set_sts_fault(s: &StandIns, fault: Fault) {
    let sts = s.sts();
    match fault {
        Fault::HangBeforeHeaders => sts.set_fault(Some(StsFault::Hang)),
        Fault::HangMidBody => sts.set_fault(Some(StsFault::HangMidBody)),
        Fault::SlowDrip => sts.set_fault(Some(StsFault::Drip(DRIP))),
        Fault::ServerErrorThenSuccess => sts.set_fault_times(StsFault::ServerError(503), 2),
        Fault::ServerErrorPersistent => sts.set_fault(Some(StsFault::ServerError(500))),
        Fault::ThrottledWithinDeadline => {
            sts.set_fault_times(StsFault::Throttled { retry_after: RETRY_AFTER_S }, 1);
        }
        Fault::ThrottledPastDeadline => sts.set_fault(Some(StsFault::Throttled { retry_after: 3600 })),
        Fault::Unauthorized => sts.set_fault(Some(StsFault::Status(401))),
        Fault::Forbidden => sts.set_fault(Some(StsFault::Error(StsErrorCode::AccessDenied))),
        Fault::NotFound => sts.set_fault(Some(StsFault::Status(404))),
        Fault::Garbage => sts.set_fault(Some(StsFault::Garbage)),
        Fault::Oversized => sts.set_fault(Some(StsFault::Oversized)),
        Fault::ExpiredCredentials => sts.set_fault(Some(StsFault::ExpiredCredentials)),
        Fault::ConnectionReset => sts.set_fault(Some(StsFault::Reset)),
    }
}

fn sso_fault(fault: Fault) -> SsoFault {
    match fault {
        Fault::HangBeforeHeaders => SsoFault::Hang,
        Fault::HangMidBody => SsoFault::HangMidBody,
        Fault::SlowDrip => SsoFault::SlowBody(DRIP),
        Fault::ServerErrorThenSuccess => SsoFault::ServerError { times: 2 },
        Fault::ServerErrorPersistent => SsoFault::ServerError { times: u32::MAX },
        Fault::ThrottledWithinDeadline => SsoFault::Throttled { retry_after: RETRY_AFTER_S, times: 1 },
        Fault::ThrottledPastDeadline => SsoFault::Throttled { retry_after: 3600, times: u32::MAX },
        Fault::Unauthorized => SsoFault::Unauthorized,
        Fault::Forbidden => SsoFault::Forbidden,
        Fault::NotFound => SsoFault::NotFound,
        Fault::Garbage => SsoFault::Garbage,
        Fault::Oversized => SsoFault::Oversized,
        Fault::ExpiredCredentials => SsoFault::ExpiredCredentials,
        Fault::ConnectionReset => SsoFault::Reset,
    }
}
