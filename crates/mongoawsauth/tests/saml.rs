//! The SAML source against the testkit's STS stand-in on loopback: sync, async and file
//! assertion sources (asked again at every fetch; a file through the injected file reader),
//! duration and policy on the wire, refusals, faults, secrets kept out of errors, the
//! authenticator's cache on the injected clock, and a login through the fake mongod.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use common::{TempDir, assert_no_secret, config, login, standins};
use mongoawsauth::config::{Fs, ManualClock};
use mongoawsauth::provider::saml::{AssertionSource, NAME, SamlOptions, SamlProvider};
use mongoawsauth::{Authenticator, ErrorKind, Options, ProviderError};
use mongoawsauth_testkit::StandIns;
use mongoawsauth_testkit::sts::{ResponseFormat, StsErrorCode, StsFault};

const TIMEOUT: Duration = Duration::from_secs(5);

fn counting_source(assertion: String) -> (AssertionSource, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let source = AssertionSource::from_fn(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok(assertion.clone())
    });
    (source, calls)
}

fn provider(s: &StandIns, source: AssertionSource, timeout: Duration) -> SamlProvider {
    SamlProvider::builder(&s.saml().role_arn, &s.saml().principal_arn, source)
        .provider_config(config(s, &[], timeout))
        .build()
        .unwrap()
}

fn failed(result: Result<mongoawsauth::Credentials, ProviderError>) -> mongoawsauth::Error {
    match result {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => {
            assert!(!e.is_not_configured(), "SAML is always configured once built: {e}");
            e.error().clone()
        }
    }
}

#[tokio::test]
async fn the_assertion_is_asked_for_at_every_fetch_and_both_forms_work() {
    let s = standins().await;
    let (source, calls) = counting_source(s.saml().assertion.clone());
    let p = provider(&s, source, TIMEOUT);
    for format in [ResponseFormat::Xml, ResponseFormat::Json] {
        s.sts().set_response_format(Some(format));
        let c = p.load().await.unwrap_or_else(|e| panic!("{format:?}: {e}"));
        assert_eq!(c.source(), NAME);
        assert!(c.is_temporary() && c.expiration().unwrap() > SystemTime::now() + Duration::from_secs(3000));
        let arn = s.sts().identities().lookup(c.access_key_id()).unwrap().identity.arn;
        assert_eq!(arn, "arn:aws:sts::123456789012:assumed-role/mongo-saml/mongo-saml-user");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let r = &s.sts().assume_role_requests()[0];
    assert!(r.body.starts_with("Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn="), "{}", r.body);
    assert_eq!(r.param("PrincipalArn"), Some(s.saml().principal_arn.as_str()));
    assert_eq!(r.param("SAMLAssertion"), Some(s.saml().assertion.as_str()));
    assert_eq!(r.param("RoleSessionName"), None, "AssumeRoleWithSAML has no session name");
    assert_eq!((r.param("DurationSeconds"), r.param("Policy")), (None, None));
    assert!(!r.signed);
}

#[tokio::test]
async fn async_and_file_sources_with_duration_and_policy() {
    let s = standins().await;
    let assertion = s.saml().assertion.clone();
    let source = AssertionSource::from_async_fn(move || {
        let a = assertion.clone();
        async move { Ok(a) }
    });
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    let p = SamlProvider::builder(&s.saml().role_arn, &s.saml().principal_arn, source)
        .duration(Duration::from_secs(900))
        .policy(policy)
        .provider_config(config(&s, &[], TIMEOUT))
        .build()
        .unwrap();
    let c = p.load().await.unwrap();
    let left = c.expiration().unwrap().duration_since(SystemTime::now()).unwrap();
    assert!(left <= Duration::from_secs(901) && left > Duration::from_secs(800), "{left:?}");
    let r = &s.sts().assume_role_requests()[0];
    assert_eq!((r.param("DurationSeconds"), r.param("Policy")), (Some("900"), Some(policy)));

    // A file, with the assertion wrapped over lines the way some tools write it.
    let dir = TempDir::new("saml-file");
    let wrapped: String = s
        .saml()
        .assertion
        .as_bytes()
        .chunks(76)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect();
    let file = dir.write("assertion.b64", &wrapped);
    let p = provider(&s, AssertionSource::from_file(&file), TIMEOUT);
    p.load().await.unwrap();
    assert_eq!(s.sts().assume_role_requests()[1].param("SAMLAssertion"), Some(s.saml().assertion.as_str()));
}

/// An assertion file that exists only in the configured file reader, behind
/// `Authenticator::saml`'s cache on a manual clock: read there (never from the disk, where the
/// path does not exist), re-read when the cache's refresh window is reached by that clock.
#[tokio::test]
async fn an_in_memory_assertion_file_is_read_again_when_the_cache_clock_says_so() {
    let s = standins().await;
    let path = "/run/mongoawsauth-test-idp/assertion.b64";
    assert!(!std::path::Path::new(path).exists(), "the test needs a path with no real file");
    let fs = Fs::from_files([(path, s.saml().assertion.as_str())]);
    let clock = ManualClock::starting_now();
    let options = Options::new()
        .with_provider_config(config(&s, &[], TIMEOUT).with_fs(fs.clone()).with_clock(clock.clone()));
    let saml =
        SamlOptions::new(&s.saml().role_arn, &s.saml().principal_arn, AssertionSource::from_file(path));
    let auth = Authenticator::saml(saml, options).unwrap();

    let first = auth.resolve().await.unwrap();
    assert!(!first.from_cache);
    assert_eq!(first.credentials.source(), NAME);
    assert_eq!(s.sts().assume_role_requests()[0].param("SAMLAssertion"), Some(s.saml().assertion.as_str()));
    assert!(auth.resolve().await.unwrap().from_cache);
    assert_eq!(s.sts().counters().saml, 1);

    // STS's credentials last an hour: 56 minutes later by the clock they are inside the 5-minute
    // refresh window, and the next login fetches again, reading the file again.
    clock.advance(Duration::from_secs(56 * 60));
    assert!(!auth.resolve().await.unwrap().from_cache, "the cache did not read the injected clock");
    assert_eq!(s.sts().counters().saml, 2);
    fs.write(path, "<samlp:Response>").unwrap();
    clock.advance(Duration::from_secs(56 * 60));
    let e = auth.resolve().await.unwrap_err();
    assert!(e.message().contains("is not base64") && !e.message().contains("samlp"), "{e}");
    fs.remove(std::path::Path::new(path)).unwrap();
    let e = auth.resolve().await.unwrap_err();
    assert!(e.message().contains(&format!("the SAML assertion file {path} does not exist")), "{e}");
    assert_eq!(s.sts().counters().saml, 2);
}

#[tokio::test]
async fn refusals_are_not_retried_and_never_show_the_assertion() {
    let s = standins().await;
    let unknown = mongoawsauth_testkit::sts::generate_saml_assertion("mallory");
    let p = provider(&s, counting_source(unknown.clone()).0, TIMEOUT);
    let e = failed(p.load().await);
    assert!(e.message().contains("InvalidIdentityToken"), "{e}");
    assert!(e.message().contains("get a fresh assertion"), "{e}");
    assert_no_secret(&e, &e.to_string(), &[&unknown]);
    assert_eq!(s.sts().counters().saml, 1);

    let other_idp = "arn:aws:iam::123456789012:saml-provider/other-idp";
    let p =
        SamlProvider::builder(&s.saml().role_arn, other_idp, counting_source(s.saml().assertion.clone()).0)
            .provider_config(config(&s, &[], TIMEOUT))
            .build()
            .unwrap();
    let e = failed(p.load().await);
    assert!(e.message().contains("AccessDenied") && e.message().contains("trust policy"), "{e}");
    assert_no_secret(&e, &e.to_string(), &[&s.saml().assertion]);
    assert_eq!(s.sts().counters().saml, 2);

    // Not base64: refused before any request, without quoting it.
    let p = provider(&s, counting_source("<samlp:Response>".into()).0, TIMEOUT);
    let e = failed(p.load().await);
    assert!(e.message().contains("is not base64") && !e.message().contains("samlp"), "{e}");
    assert_eq!(s.sts().counters().saml, 2);
}

#[tokio::test]
async fn faults_get_the_documented_behaviour_within_the_deadline() {
    let s = standins().await;
    let (source, calls) = counting_source(s.saml().assertion.clone());
    let p = provider(&s, source, TIMEOUT);
    s.sts().set_fault_times(StsFault::Error(StsErrorCode::Throttling), 2);
    p.load().await.unwrap();
    assert_eq!(s.sts().counters().saml, 3);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "retries reuse the assertion of their fetch");

    s.sts().set_fault(Some(StsFault::ExpiredCredentials));
    let e = failed(p.load().await);
    assert!(e.message().contains("already expired") && e.message().contains("clock"), "{e}");

    let deadline = Duration::from_millis(300);
    let hurried = provider(&s, counting_source(s.saml().assertion.clone()).0, deadline);
    s.sts().set_fault(Some(StsFault::Hang));
    let started = Instant::now();
    let e = failed(hurried.load().await);
    assert!(started.elapsed() < deadline + Duration::from_millis(500), "{:?}", started.elapsed());
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_no_secret(&e, &e.to_string(), &[&s.saml().assertion]);
}

#[tokio::test]
async fn saml_credentials_log_in_as_the_assumed_role() {
    let s = standins().await;
    let p = provider(&s, counting_source(s.saml().assertion.clone()).0, TIMEOUT);
    let (credentials, users) = login(&s, p).await;
    assert_eq!(credentials.source(), NAME);
    assert_eq!(users, ["arn:aws:sts::123456789012:assumed-role/mongo-saml/mongo-saml-user"]);
}
