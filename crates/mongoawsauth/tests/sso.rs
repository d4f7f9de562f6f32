//! The IAM Identity Center source against the testkit's SSO portal stand-in on loopback: both
//! profile forms and their token file names, missing, expired, corrupt and refused tokens (each
//! naming the exact `aws sso login` command), the portal's fault modes within the deadline,
//! secrets kept out of errors, and a login through the fake mongod with the role credentials.
//!
//! Every test has its own home of in-memory files (`HOME` through an injected `Env`, the token
//! cache through `ProviderConfig::with_fs`) and points the portal endpoint at the stand-in:
//! nothing is written to disk and nothing leaves 127.0.0.1.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use common::{assert_no_secret, login, standins};
use mongoawsauth::config::{Fs, ManualClock};
use mongoawsauth::provider::profile::sso::{NAME, SsoProvider, SsoSettings, cache_file_name};
use mongoawsauth::{Credentials, Env, ErrorKind, ProvideCredentials, ProviderConfig, ProviderError};
use mongoawsauth_testkit::sso::SsoFault;
use mongoawsauth_testkit::{SSO_REGION, SSO_ROLE, SSO_START_URL, StandIns};

const TIMEOUT: Duration = Duration::from_secs(5);

fn session_settings(s: &StandIns, session: &str) -> SsoSettings {
    SsoSettings {
        profile: "dev".to_owned(),
        session_name: Some(session.to_owned()),
        start_url: SSO_START_URL.to_owned(),
        region: SSO_REGION.to_owned(),
        account_id: s.sso().account_id(),
        role_name: SSO_ROLE.to_owned(),
        endpoint: Some(s.sso().url()),
        token_cache_dir: None,
    }
}

fn legacy_settings(s: &StandIns) -> SsoSettings {
    SsoSettings { session_name: None, ..session_settings(s, "unused") }
}

/// The home directory of every test, whose files are in memory.
const HOME: &str = "/home/u";

/// A home of in-memory files, empty at first: what the provider reads as `HOME`.
struct Home {
    fs: Fs,
}

impl Home {
    fn new() -> Home {
        Home { fs: Fs::from_files::<_, &str, &str>([]) }
    }
}

/// A provider whose `HOME` is `home`, with an STS and portal budget of `timeout`.
fn provider(settings: SsoSettings, home: &Home, timeout: Duration) -> SsoProvider {
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([("HOME", HOME)]))
        .with_sts_timeout(timeout)
        .with_fs(home.fs.clone());
    SsoProvider::with_config(settings, config)
}

/// A provider that reads its token from in-memory `fs` under [`HOME`], and the time
/// from `clock`.
fn provider_in(settings: SsoSettings, fs: &Fs, clock: &ManualClock) -> SsoProvider {
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([("HOME", HOME)]))
        .with_sts_timeout(TIMEOUT)
        .with_fs(fs.clone())
        .with_clock(clock.clone());
    SsoProvider::with_config(settings, config)
}

/// The token document `aws sso login` writes, expiring at `expires_at` (RFC 3339).
fn token_document(token: &str, expires_at: &str) -> String {
    serde_json::json!({
        "startUrl": SSO_START_URL,
        "region": SSO_REGION,
        "accessToken": token,
        "expiresAt": expires_at,
    })
    .to_string()
}

/// `~/.aws/sso/cache/<sha1(key)>.json` under [`HOME`].
fn token_path(key: &str) -> PathBuf {
    Path::new(HOME).join(".aws/sso/cache").join(cache_file_name(key))
}

/// Caches `token` in `home` under `key`, valid for `expires_in` from now.
fn write_token(home: &Home, key: &str, token: &str, expires_in: Duration) -> PathBuf {
    let path = token_path(key);
    let expires_at = mongoawsauth::time_fmt::iso8601(SystemTime::now() + expires_in);
    home.fs.write(&path, token_document(token, &expires_at)).unwrap();
    path
}

fn failed(result: Result<Credentials, ProviderError>) -> mongoawsauth::Error {
    match result {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(ProviderError::NotConfigured(e)) => panic!("expected a failure, got not configured: {e}"),
        Err(ProviderError::Failed(e)) => e,
    }
}

const HOUR: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn the_session_form_reads_the_token_named_after_the_session() {
    let s = standins().await;
    let home = Home::new();
    // Only under the AWS CLI's file name for session "my-sso-session", computed independently
    // (sha1sum).
    let cli_name = Path::new(HOME).join(".aws/sso/cache/b755b5ec73400c04400e978208d8559ad1f39053.json");
    let expires_at = mongoawsauth::time_fmt::iso8601(SystemTime::now() + HOUR);
    home.fs.write(&cli_name, token_document(s.sso_token(), &expires_at)).unwrap();
    let c = provider(session_settings(&s, "my-sso-session"), &home, TIMEOUT).load().await.unwrap();
    assert_eq!(c.source(), NAME);
    assert!(c.access_key_id().starts_with("ASIA") && c.is_temporary());
    let left = c.expiration().unwrap().duration_since(SystemTime::now()).unwrap();
    assert!(left > Duration::from_secs(3500) && left <= HOUR, "{left:?}");
    let requests = s.sso().requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].token_valid);
    assert_eq!(requests[0].path, "/federation/credentials");
    assert_eq!(requests[0].account_id.as_deref(), Some(s.sso().account_id().as_str()));
    assert_eq!(requests[0].role_name.as_deref(), Some(SSO_ROLE));
}

#[tokio::test]
async fn the_legacy_form_reads_the_token_named_after_the_start_url() {
    let s = standins().await;
    let home = Home::new();
    write_token(&home, SSO_START_URL, s.sso_token(), HOUR);
    let c = provider(legacy_settings(&s), &home, TIMEOUT).load().await.unwrap();
    assert_eq!(s.sso().issued().last().unwrap().access_key_id, c.access_key_id());
    // A token written for a session is not the legacy form's.
    let home = Home::new();
    write_token(&home, "my-sso-session", s.sso_token(), HOUR);
    let err = failed(provider(legacy_settings(&s), &home, TIMEOUT).load().await);
    assert!(err.to_string().contains("aws sso login --profile dev"), "{err}");
}

#[tokio::test]
async fn a_missing_token_names_the_login_command() {
    let s = standins().await;
    let home = Home::new();
    let err = failed(provider(session_settings(&s, "corp"), &home, TIMEOUT).load().await);
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    let text = err.to_string();
    assert!(text.contains("no SSO token is cached for sso-session 'corp'"), "{text}");
    assert!(text.contains(&token_path("corp").display().to_string()), "{text}");
    assert!(text.contains("run `aws sso login --sso-session corp`"), "{text}");
    let err = failed(provider(legacy_settings(&s), &home, TIMEOUT).load().await);
    assert!(err.to_string().contains(&format!("start URL {SSO_START_URL}")), "{err}");
    assert!(err.to_string().contains("run `aws sso login --profile dev`"), "{err}");
    assert_eq!(s.sso().counters().requests, 0, "nothing is sent without a token");
}

#[tokio::test]
async fn an_expired_token_names_the_login_command_and_is_not_sent() {
    let s = standins().await;
    let fs = Fs::from_files([(token_path("corp"), token_document(s.sso_token(), "2030-01-01T00:00:00Z"))]);
    // One minute after the token's expiry by the injected clock, whatever the real time.
    let clock = ManualClock::new(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_456_060));
    let err = failed(provider_in(session_settings(&s, "corp"), &fs, &clock).load().await);
    let text = err.to_string();
    assert!(text.contains("the SSO token for sso-session 'corp' expired at 2030-01-01T00:00:00Z"), "{text}");
    assert!(text.contains("run `aws sso login --sso-session corp`"), "{text}");
    assert_no_secret(&err, &text, &[s.sso_token()]);
    assert_eq!(s.sso().counters().requests, 0);
    // At its last second it is still sent. (What the portal answers is not the point here: by
    // this clock the role credentials it issues, an hour from the real time, have expired.)
    clock.set(SystemTime::UNIX_EPOCH + Duration::from_secs(1_893_455_999));
    let before = s.sso().counters().requests;
    let _ = provider_in(session_settings(&s, "corp"), &fs, &clock).load().await;
    assert_eq!(s.sso().counters().requests, before + 1, "a token not yet expired is sent");
}

#[tokio::test]
async fn a_corrupt_token_file_is_named_without_its_contents() {
    let s = standins().await;
    let fs = Fs::from_files::<_, &str, &str>([]);
    let clock = ManualClock::starting_now();
    let path = token_path("corp");
    for (contents, want) in [
        (format!("{{\"accessToken\": \"{}\"", s.sso_token()), "it is not a JSON object"),
        (format!("{{\"accessToken\": \"{}\"}}", s.sso_token()), "it has no expiresAt"),
        ("{\"expiresAt\": \"2030-01-01T00:00:00Z\"}".to_owned(), "it has no accessToken"),
    ] {
        fs.write(&path, &contents).unwrap();
        let err = failed(provider_in(session_settings(&s, "corp"), &fs, &clock).load().await);
        let text = err.to_string();
        assert!(text.contains(&format!("is unusable ({want})")), "{text}");
        assert!(text.contains("aws sso login --sso-session corp"), "{text}");
        assert_no_secret(&err, &text, &[s.sso_token()]);
    }
    fs.write(&path, vec![b' '; 64 * 1024 + 1]).unwrap();
    let err = failed(provider_in(session_settings(&s, "corp"), &fs, &clock).load().await);
    assert!(err.to_string().contains("could not be read (it is larger than 65536 bytes)"), "{err}");
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_refused_before_sending() {
    let s = standins().await;
    let home = Home::new();
    write_token(&home, "corp", "aoa-secret-part\r\nX-Injected: 1", HOUR);
    let err = failed(provider(session_settings(&s, "corp"), &home, TIMEOUT).load().await);
    let text = err.to_string();
    assert!(text.contains("holds characters no HTTP header can carry"), "{text}");
    assert!(text.contains("aws sso login --sso-session corp"), "{text}");
    assert_no_secret(&err, &text, &["aoa-secret-part"]);
    assert_eq!(s.sso().counters().requests, 0);
}

#[tokio::test]
async fn a_token_the_portal_refuses_says_to_log_in_again() {
    let s = standins().await;
    let home = Home::new();
    // A token the portal never issued (or revoked): 401.
    write_token(&home, "corp", "aoa-not-issued-by-the-portal-secret", HOUR);
    let err = failed(provider(session_settings(&s, "corp"), &home, TIMEOUT).load().await);
    let text = err.to_string();
    assert!(text.contains("refused the cached SSO token (HTTP 401)"), "{text}");
    assert!(text.contains("run `aws sso login --sso-session corp`"), "{text}");
    assert_no_secret(&err, &text, &["aoa-not-issued-by-the-portal-secret"]);
    assert!(!s.sso().requests()[0].token_valid);

    let token = s.sso().issue_token();
    write_token(&home, "corp", &token, HOUR);
    assert!(s.sso().revoke_token(&token));
    let err = failed(provider(session_settings(&s, "corp"), &home, TIMEOUT).load().await);
    assert!(err.to_string().contains("HTTP 401"), "{err}");

    // A role the user may not assume: 403, with both hints.
    write_token(&home, "corp", s.sso_token(), HOUR);
    let mut settings = session_settings(&s, "corp");
    settings.role_name = "admin".to_owned();
    let err = failed(provider(settings, &home, TIMEOUT).load().await);
    let text = err.to_string();
    assert!(text.contains("for role admin in account") && text.contains("(HTTP 403)"), "{text}");
    assert!(text.contains("aws sso login --sso-session corp") && text.contains("sso_role_name"), "{text}");
    assert_no_secret(&err, &text, &[s.sso_token()]);
}

#[tokio::test]
async fn fault_modes_end_in_clear_errors_within_the_deadline() {
    let s = standins().await;
    let home = Home::new();
    write_token(&home, "corp", s.sso_token(), HOUR);
    let p = provider(session_settings(&s, "corp"), &home, Duration::from_secs(2));
    for (fault, want) in [
        (SsoFault::Unauthorized, "(HTTP 401): it is no longer valid; run `aws sso login --sso-session corp`"),
        (SsoFault::Forbidden, "(HTTP 403): run `aws sso login --sso-session corp`"),
        (SsoFault::Garbage, "answered HTTP 200 but the body is not JSON"),
        (SsoFault::ServerError { times: u32::MAX }, "answered HTTP 500 (after 3 attempts)"),
    ] {
        s.sso().set_fault(Some(fault.clone()));
        let err = failed(p.load().await);
        assert!(err.to_string().contains(want), "{fault:?}: {err}");
        assert_no_secret(&err, &err.to_string(), &[s.sso_token()]);
    }

    // Two 500s, then success: retried.
    s.sso().set_fault(Some(SsoFault::ServerError { times: 2 }));
    p.load().await.unwrap();

    s.sso().set_fault(Some(SsoFault::Hang));
    let started = Instant::now();
    let err = failed(p.load().await);
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("did not answer within 2000 ms"), "{err}");
    assert!(elapsed >= Duration::from_millis(1900) && elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn settings_are_checked_before_anything_is_read() {
    let s = standins().await;
    let home = Home::new();
    let mut settings = session_settings(&s, "corp");
    settings.account_id = " ".to_owned();
    let err = failed(provider(settings, &home, TIMEOUT).load().await);
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(err.to_string().contains("sso_account_id is missing"), "{err}");
    let mut settings = session_settings(&s, "corp");
    settings.endpoint = None;
    settings.region = "us-east-1.evil.example/x".to_owned();
    let err = failed(provider(settings, &home, TIMEOUT).load().await);
    assert!(err.to_string().contains("sso_region is not a region name"), "{err}");
    let no_home = SsoProvider::with_config(
        session_settings(&s, "corp"),
        ProviderConfig::new().with_env(Env::from_vars::<_, &str, &str>([])),
    );
    assert!(failed(no_home.load().await).to_string().contains("HOME is not set"));
}

#[tokio::test]
async fn the_cache_key_names_the_role_not_the_token() {
    let s = standins().await;
    let home = Home::new();
    let p = provider(session_settings(&s, "corp"), &home, TIMEOUT);
    let key = p.cache_key().unwrap();
    assert!(key.starts_with("sso\n") && key.contains(SSO_ROLE) && key.contains(&s.sso().url()), "{key}");
    assert!(!key.contains(s.sso_token()));
    let mut other = session_settings(&s, "corp");
    other.role_name = "other".to_owned();
    assert_ne!(provider(other, &home, TIMEOUT).cache_key(), Some(key));
}

#[tokio::test]
async fn a_login_through_the_fake_mongod_uses_the_role_credentials() {
    let s = standins().await;
    let home = Home::new();
    write_token(&home, "corp", s.sso_token(), HOUR);
    let (credentials, users) = login(&s, provider(session_settings(&s, "corp"), &home, TIMEOUT)).await;
    assert_eq!(credentials.source(), NAME);
    assert_eq!(users, [s.sso().role_arn_of_session(SSO_ROLE)]);
}
