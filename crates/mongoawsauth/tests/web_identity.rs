//! The web identity source against the testkit's STS stand-in on loopback: both answer forms,
//! the session name, token rotation, every fault mode within its deadline, the retry rule,
//! secrets kept out of errors, and a login through the fake mongod with the assumed role.
//!
//! The world is injected (`Env::from_vars`, `ProviderConfig::with_sts_endpoint`, in-memory token
//! files through `ProviderConfig::with_fs`): no test sets a process variable, writes a file
//! (except the symbolic-link test, which is about the real file system) or sends a packet beyond
//! 127.0.0.1.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{TempDir, assert_no_secret, config, login, standins};
use mongoawsauth::config::Fs;
use mongoawsauth::provider::web_identity::{NAME, WebIdentityProvider};
use mongoawsauth::{ErrorKind, ProviderError};
use mongoawsauth_testkit::StandIns;
use mongoawsauth_testkit::sts::{ResponseFormat, StsErrorCode, StsFault};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Where the tests' in-memory token file is.
const TOKEN_FILE: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

/// A provider for the stand-ins' web identity role, its token in an in-memory file (with a
/// trailing newline, as kubelet writes it) that the test can rewrite, and optional extra
/// variables. Returns the provider, the files and the token file's path.
fn provider(s: &StandIns, extra: &[(&str, &str)], timeout: Duration) -> (WebIdentityProvider, Fs, String) {
    let fs = Fs::from_files([(TOKEN_FILE, format!("{}\n", s.web_identity().token))]);
    let mut vars = vec![
        ("AWS_WEB_IDENTITY_TOKEN_FILE", TOKEN_FILE),
        ("AWS_ROLE_ARN", s.web_identity().role_arn.as_str()),
    ];
    vars.extend_from_slice(extra);
    let config = config(s, &vars, timeout).with_fs(fs.clone());
    (WebIdentityProvider::with_config(config), fs, TOKEN_FILE.to_owned())
}

fn failed(result: Result<mongoawsauth::Credentials, ProviderError>) -> mongoawsauth::Error {
    match result {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(ProviderError::NotConfigured(e)) => panic!("expected a failure, got not configured: {e}"),
        Err(ProviderError::Failed(e)) => e,
    }
}

fn assumed_arn(s: &StandIns, credentials: &mongoawsauth::Credentials) -> String {
    s.sts().identities().lookup(credentials.access_key_id()).expect("issued by the stand-in").identity.arn
}

#[tokio::test]
async fn xml_and_json_answers_both_give_expiring_credentials() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[("AWS_ROLE_SESSION_NAME", "xml-session")], TIMEOUT);
    for format in [None, Some(ResponseFormat::Xml), Some(ResponseFormat::Json)] {
        s.sts().set_response_format(format);
        let c = p.load().await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(c.source(), NAME);
        assert!(c.access_key_id().starts_with("ASIA") && c.is_temporary());
        let left = c.expiration().unwrap().duration_since(SystemTime::now()).unwrap();
        assert!(
            left > Duration::from_secs(3500) && left <= Duration::from_secs(3601),
            "{format:?}: {left:?}"
        );
        assert_eq!(
            assumed_arn(&s, &c),
            "arn:aws:sts::123456789012:assumed-role/mongo-web-identity/xml-session"
        );
    }
    assert_eq!(s.sts().counters().web_identity, 3);
}

#[tokio::test]
async fn the_request_is_an_unsigned_form_with_action_and_version_first() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[], TIMEOUT);
    p.load().await.unwrap();
    let requests = s.sts().assume_role_requests();
    let r = &requests[0];
    assert!(
        r.body
            .starts_with("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A"),
        "{}",
        r.body
    );
    assert!(r.content_type.as_deref().unwrap().starts_with("application/x-www-form-urlencoded"));
    assert!(!r.signed, "AssumeRoleWithWebIdentity is unsigned");
    assert!(r.query.is_empty());
    assert_eq!(r.param("RoleArn"), Some(s.web_identity().role_arn.as_str()));
    assert_eq!(
        r.param("WebIdentityToken"),
        Some(s.web_identity().token.as_str()),
        "trailing newline trimmed"
    );
}

#[tokio::test]
async fn the_session_name_comes_from_the_environment_or_is_generated() {
    let s = standins().await;
    let (named, _, _) = provider(&s, &[("AWS_ROLE_SESSION_NAME", "app@ns.example")], TIMEOUT);
    let c = named.load().await.unwrap();
    assert!(assumed_arn(&s, &c).ends_with("/mongo-web-identity/app@ns.example"));
    let (generated, _, _) = provider(&s, &[("AWS_ROLE_SESSION_NAME", "  ")], TIMEOUT);
    let one = generated.load().await.unwrap();
    let two = generated.load().await.unwrap();
    let names: Vec<String> = s.sts().assume_role_requests()[1..]
        .iter()
        .map(|r| r.param("RoleSessionName").unwrap().to_owned())
        .collect();
    assert!(names.iter().all(|n| n.starts_with("mongoawsauth-") && n.len() == 29), "{names:?}");
    assert_ne!(names[0], names[1], "a fresh name per fetch");
    assert!(assumed_arn(&s, &one).ends_with(&format!("/{}", names[0])));
    assert!(assumed_arn(&s, &two).ends_with(&format!("/{}", names[1])));
}

#[tokio::test]
async fn a_rotated_token_file_is_read_again_at_every_fetch() {
    let s = standins().await;
    let (p, fs, file) = provider(&s, &[], TIMEOUT);
    p.load().await.unwrap();
    let rotated = mongoawsauth_testkit::sts::generate_web_identity_token();
    s.sts().trust_web_identity(&s.web_identity().role_arn, &rotated);
    fs.write(&file, format!("{rotated}\r\n")).unwrap();
    p.load().await.unwrap();
    let sent: Vec<String> = s
        .sts()
        .assume_role_requests()
        .iter()
        .map(|r| r.param("WebIdentityToken").unwrap().to_owned())
        .collect();
    assert_eq!(sent, [s.web_identity().token.clone(), rotated.clone()]);
    // A token STS does not know: refused, and not retried.
    let unknown = mongoawsauth_testkit::sts::generate_web_identity_token();
    fs.write(&file, &unknown).unwrap();
    let e = failed(p.load().await);
    assert!(e.message().contains("InvalidIdentityToken") && e.message().contains(&file), "{e}");
    assert_no_secret(&e, &e.to_string(), &[&unknown, &rotated]);
    assert_eq!(s.sts().counters().web_identity, 3);
}

/// Kubernetes mounts a projected token as a chain of symbolic links (`token` ->
/// `..data/token` -> `..<timestamp>/token`) and swaps the middle link to rotate it: a link to a
/// regular file is read like the file, and a link to anything else is refused by what it is.
#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_projected_token_is_followed() {
    let s = standins().await;
    let dir = TempDir::new("webid-symlink");
    let real = dir.0.join("..2024_01_01");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("token"), format!("{}\n", s.web_identity().token)).unwrap();
    std::os::unix::fs::symlink(&real, dir.0.join("..data")).unwrap();
    let link = dir.0.join("token");
    std::os::unix::fs::symlink(dir.0.join("..data/token"), &link).unwrap();
    let link = link.to_str().unwrap().to_owned();
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", link.as_str()),
        ("AWS_ROLE_ARN", s.web_identity().role_arn.as_str()),
    ];
    let p = WebIdentityProvider::with_config(config(&s, &vars, TIMEOUT));
    p.load().await.unwrap();
    let sent = s.sts().assume_role_requests()[0].param("WebIdentityToken").unwrap().to_owned();
    assert_eq!(sent, s.web_identity().token);

    // The same link, now to a directory: refused by name, and STS is not asked.
    std::fs::remove_file(dir.0.join("..data")).unwrap();
    std::fs::create_dir_all(dir.0.join("elsewhere/token")).unwrap();
    std::os::unix::fs::symlink(dir.0.join("elsewhere"), dir.0.join("..data")).unwrap();
    let e = failed(p.load().await);
    assert!(e.message().contains("is a directory, not a regular file") && e.message().contains(&link), "{e}");
    assert_eq!(s.sts().counters().web_identity, 1);
}

#[tokio::test]
async fn retryable_faults_are_retried_and_then_succeed() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[], TIMEOUT);
    let faults = [
        StsFault::Error(StsErrorCode::IdpCommunicationError),
        StsFault::Error(StsErrorCode::Throttling),
        StsFault::ServerError(500),
        StsFault::ServerError(503),
    ];
    for fault in faults {
        let before = s.sts().counters().web_identity;
        s.sts().set_fault_times(fault.clone(), 2);
        let started = Instant::now();
        p.load().await.unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(s.sts().counters().web_identity - before, 3, "{fault:?}: two failures, then success");
        assert!(started.elapsed() < TIMEOUT);
    }
}

#[tokio::test]
async fn retries_stop_after_three_attempts() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[], TIMEOUT);
    s.sts().set_fault(Some(StsFault::Error(StsErrorCode::IdpCommunicationError)));
    let e = failed(p.load().await);
    assert_eq!(s.sts().counters().web_identity, 3);
    assert_eq!(e.kind(), ErrorKind::CredentialsProvider);
    assert!(e.message().contains("IDPCommunicationError") && e.message().contains("after 3 attempts"), "{e}");
    assert!(e.message().contains("try again later"), "{e}");
}

#[tokio::test]
async fn non_retryable_codes_fail_at_once_with_the_code_and_a_next_step() {
    let s = standins().await;
    let (p, _, file) = provider(&s, &[], TIMEOUT);
    for code in StsErrorCode::ALL.into_iter().filter(|c| !c.is_retryable()) {
        let before = s.sts().counters().web_identity;
        s.sts().set_fault(Some(StsFault::Error(code)));
        let e = failed(p.load().await);
        assert_eq!(s.sts().counters().web_identity - before, 1, "{code:?} must not be retried");
        assert!(e.message().contains(code.code()), "{e}");
        assert!(e.message().contains(&s.web_identity().role_arn), "{e}");
        assert!(e.message().contains(&s.local_sts_url()), "{e}");
        if code == StsErrorCode::InvalidIdentityToken {
            assert!(e.message().contains(&format!("check that the token in {file} is current")), "{e}");
        }
        assert_no_secret(&e, &e.to_string(), &[&s.web_identity().token]);
    }
}

#[tokio::test]
async fn a_hanging_sts_fails_within_the_timeout() {
    let s = standins().await;
    let deadline = Duration::from_millis(300);
    let (p, _, _) = provider(&s, &[], deadline);
    s.sts().set_fault(Some(StsFault::Hang));
    let started = Instant::now();
    let e = failed(p.load().await);
    let elapsed = started.elapsed();
    assert!(elapsed >= deadline && elapsed < deadline + Duration::from_millis(500), "{elapsed:?}");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(e.message().contains("did not answer within 300 ms"), "{e}");
    assert_eq!(s.sts().counters().web_identity, 1, "no time was left to retry");
}

#[tokio::test]
async fn a_slow_body_is_waited_for_only_until_the_timeout() {
    let s = standins().await;
    let (patient, _, _) = provider(&s, &[], Duration::from_secs(3));
    s.sts().set_fault(Some(StsFault::SlowBody(Duration::from_millis(100))));
    patient.load().await.unwrap();
    let deadline = Duration::from_millis(300);
    let (hurried, _, _) = provider(&s, &[], deadline);
    s.sts().set_fault(Some(StsFault::SlowBody(Duration::from_secs(2))));
    let started = Instant::now();
    let e = failed(hurried.load().await);
    assert!(started.elapsed() < deadline + Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

#[tokio::test]
async fn garbage_oversized_and_expired_answers_are_clear_errors() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[], TIMEOUT);
    let cases = [
        (StsFault::Garbage, "neither XML nor JSON"),
        (StsFault::Oversized, "more than 1048576 bytes"),
        (StsFault::ExpiredCredentials, "had already expired"),
        (StsFault::ServerError(502), "after 3 attempts"),
    ];
    for (fault, want) in cases {
        s.sts().set_fault(Some(fault.clone()));
        let before = s.sts().counters().web_identity;
        let e = failed(p.load().await);
        assert!(e.message().contains(want), "{fault:?}: {e}");
        let expected = if matches!(fault, StsFault::ServerError(_)) { 3 } else { 1 };
        assert_eq!(s.sts().counters().web_identity - before, expected, "{fault:?}");
        assert_no_secret(&e, &e.to_string(), &[&s.web_identity().token]);
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_retried_then_reported() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", closed.local_addr().unwrap());
    drop(closed);
    let vars =
        [("AWS_WEB_IDENTITY_TOKEN_FILE", TOKEN_FILE), ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r")];
    let config = mongoawsauth::ProviderConfig::new()
        .with_env(mongoawsauth::Env::from_vars(vars))
        .with_fs(Fs::from_files([(TOKEN_FILE, "eyJ.a.b")]))
        .with_sts_endpoint(url.clone())
        .with_sts_timeout(TIMEOUT);
    let e = failed(WebIdentityProvider::with_config(config).load().await);
    assert!(e.message().contains(&url) && e.message().contains("after 3 attempts"), "{e}");
    assert!(e.message().contains("check the endpoint"), "{e}");
}

#[tokio::test]
async fn configuration_errors_name_what_to_fix() {
    let s = standins().await;
    let missing = "/var/run/secrets/missing-token";
    let empty = "/var/run/secrets/empty";
    let fs = Fs::from_files([(empty, "\n")]);
    let role = s.web_identity().role_arn.as_str();
    let with = |vars: &[(&str, &str)]| {
        WebIdentityProvider::with_config(config(&s, vars, TIMEOUT).with_fs(fs.clone()))
    };
    let p = with(&[("AWS_WEB_IDENTITY_TOKEN_FILE", missing), ("AWS_ROLE_ARN", role)]);
    let e = failed(p.load().await);
    assert!(e.message().contains(missing) && e.message().contains("does not exist"), "{e}");
    let p = with(&[("AWS_WEB_IDENTITY_TOKEN_FILE", empty), ("AWS_ROLE_ARN", role)]);
    assert!(failed(p.load().await).message().contains("is empty"));
    let p = with(&[("AWS_WEB_IDENTITY_TOKEN_FILE", empty)]);
    let e = failed(p.load().await);
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.message().contains("AWS_ROLE_ARN"), "{e}");
    let p = WebIdentityProvider::with_config(config(&s, &[], TIMEOUT));
    assert!(p.load().await.unwrap_err().is_not_configured());
    assert_eq!(s.sts().counters().requests, 0, "no request for a configuration error");
}

#[tokio::test]
async fn the_endpoint_resolution_never_leaves_loopback_in_tests() {
    // Computed only: a regional URL is what the real world would use; the override wins here.
    let world = mongoawsauth::ProviderConfig::new()
        .with_env(mongoawsauth::Env::from_vars([("AWS_REGION", "us-isob-east-1")]));
    let e = mongoawsauth::sts::resolve_endpoint(&world).unwrap();
    assert_eq!(e.url(), "https://sts.us-isob-east-1.sc2s.sgov.gov");
    let e = mongoawsauth::sts::resolve_endpoint(&world.with_sts_endpoint("http://127.0.0.1:9/")).unwrap();
    assert_eq!(e.url(), "http://127.0.0.1:9/");
}

#[tokio::test]
async fn web_identity_credentials_log_in_as_the_assumed_role() {
    let s = standins().await;
    let (p, _, _) = provider(&s, &[("AWS_ROLE_SESSION_NAME", "mongo-app")], TIMEOUT);
    let (credentials, users) = login(&s, p).await;
    assert_eq!(credentials.source(), NAME);
    assert_eq!(users, ["arn:aws:sts::123456789012:assumed-role/mongo-web-identity/mongo-app"]);
    assert_eq!(s.mongod().counters().auth_succeeded, 1);
}
