//! IMDS static stability through a whole resolution, against the testkit's stand-ins on
//! loopback: an IMDS that hangs still gets the last good credentials served before the
//! resolution's deadline, a hang with nothing to fall back on ends inside the deadline with
//! advice, and keys a login reported as failed are not served again while IMDS is down.
//!
//! Every authenticator runs the default chain with a fixed environment (no keys, no container
//! variables, shared config files off), so IMDS at a loopback stand-in is its only source, and
//! on a manual clock that IMDS's extensions and the cache's windows both read: expirations are
//! judged at a time the test fixed, not at whenever a slow machine gets there. (Deadlines stay
//! real: they are what a hung IMDS is measured against.)
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::time::{Duration, Instant, SystemTime};

use mongoawsauth::config::{Clock, ManualClock};
use mongoawsauth::provider::ProvideCredentials;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::{Authenticator, Conversation, Env, ErrorKind, Options, ProviderConfig, cache};
use mongoawsauth_testkit::metadata::{CredentialsMode, ImdsConfig, ImdsServer, MetadataFault};
use mongoawsauth_testkit::{Client, Identity, IdentityStore, StandIns, StandInsConfig};

mod common;

/// Short enough for a quick test, long enough for a loaded machine to fetch from a loopback
/// IMDS. Shorter than one IMDS request may take (the default 1 s connect plus 10 s read
/// timeouts stay in force): that mismatch is what the fallback must survive.
const DEADLINE: Duration = Duration::from_secs(2);

fn imds_config(endpoint: &str) -> ProviderConfig {
    ProviderConfig::new()
        .with_env(Env::from_vars([("AWS_EC2_METADATA_DISABLED", "false")]))
        .with_imds_endpoint(endpoint)
        .with_shared_config(false)
}

/// An authenticator whose only source is IMDS at `endpoint`, with no token or last good
/// credentials left over from an earlier stand-in on the same port, on `clock`; and IMDS's
/// cache key.
fn authenticator(endpoint: &str, clock: &ManualClock) -> (Authenticator, String) {
    assert!(endpoint.starts_with("http://127.0.0.1:"), "tests only talk to loopback, not {endpoint}");
    let imds = ImdsProvider::with_config(imds_config(endpoint));
    imds.clear_cached_state();
    let key = imds.cache_key().unwrap();
    cache::expire(Some(&key), SystemTime::UNIX_EPOCH);
    let config = imds_config(endpoint).with_clock(clock.clone());
    let options = Options::new().with_provider_config(config).with_credentials_timeout(DEADLINE);
    (Authenticator::new(options).unwrap(), key)
}

async fn standin(store: &IdentityStore) -> ImdsServer {
    let mode = CredentialsMode::Rotating {
        identities: store.clone(),
        role: "imds-role".into(),
        session: "i-0123456789abcdef0".into(),
    };
    ImdsServer::start(ImdsConfig::new(mode, "imds-role")).await.unwrap()
}

/// Makes the cached IMDS entry due for a fetch: one minute left by `clock`, inside the refresh
/// window.
fn near_expiry(key: &str, clock: &ManualClock) {
    assert_eq!(cache::expire(Some(key), clock.now() + Duration::from_secs(60)), 1);
}

fn time_left(expiry: Option<SystemTime>, clock: &ManualClock) -> Duration {
    expiry.unwrap().duration_since(clock.now()).unwrap()
}

/// Fails if any line logged so far shows a secret that was handed out.
fn assert_no_secret_logged(issued: &[Identity]) {
    for line in common::logs::logs().lines.lock().unwrap().iter() {
        for identity in issued {
            assert!(!line.contains(&identity.secret_access_key), "a secret was logged: {line}");
            assert!(!line.contains(identity.session_token.as_deref().unwrap()), "a token was logged: {line}");
        }
    }
}

/// The static stability warnings logged about `endpoint` and `access_key_id`.
fn warnings_about(endpoint: &str, access_key_id: &str) -> Vec<String> {
    let lines = common::logs::logs().lines.lock().unwrap();
    lines
        .iter()
        .filter(|l| l.contains(endpoint) && l.contains(access_key_id) && l.contains("static stability"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_hung_imds_gets_the_last_good_credentials_served_before_the_deadline() {
    common::logs::logs();
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let clock = ManualClock::starting_now();
    let (auth, key) = authenticator(&s.url(), &clock);
    let good = auth.credentials().await.unwrap();
    assert_eq!(good.source(), "imds");

    near_expiry(&key, &clock);
    s.set_fault(Some(MetadataFault::Hang));
    let started = Instant::now();
    let kept = auth.resolve().await.unwrap_or_else(|e| panic!("no fallback for a hung IMDS: {e}"));
    let elapsed = started.elapsed();
    assert!(elapsed < DEADLINE, "{elapsed:?}");
    assert!(elapsed >= DEADLINE * 8 / 10, "IMDS kept nine tenths of the deadline: {elapsed:?}");
    assert!(!kept.from_cache);
    assert_eq!(kept.credentials.access_key_id(), good.access_key_id());
    assert_eq!(kept.credentials.secret_access_key(), good.secret_access_key());
    // Static stability's extension, 10 to 15 minutes, measured by a clock that stood still: no
    // slack for the time the test took.
    let left = time_left(kept.credentials.expiration(), &clock);
    assert!(left >= Duration::from_secs(10 * 60) && left <= Duration::from_secs(15 * 60), "{left:?}");

    // The extension is long enough for the cache to serve the next logins at once.
    let next = auth.resolve().await.unwrap();
    assert!(next.from_cache);
    assert_eq!(next.credentials.access_key_id(), good.access_key_id());

    let warnings = warnings_about(&s.url(), good.access_key_id());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("did not answer within"), "the warning names the failure: {warnings:?}");
    assert!(warnings[0].contains(&format!("access_key_id={}", good.access_key_id())), "{warnings:?}");
    assert_no_secret_logged(&s.issued());
}

#[tokio::test]
async fn a_hung_imds_with_nothing_to_fall_back_on_fails_inside_the_deadline_with_advice() {
    common::logs::logs();
    let store = IdentityStore::default();
    let s = standin(&store).await;
    s.set_fault(Some(MetadataFault::Hang));
    let (auth, _) = authenticator(&s.url(), &ManualClock::starting_now());
    let started = Instant::now();
    let err = auth.resolve().await.unwrap_err();
    assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let text = err.to_string();
    assert!(text.contains(&format!("IMDS at {} did not answer within", s.url())), "{text}");
    assert!(text.contains("no earlier IMDS credentials to fall back on"), "{text}");
    assert!(text.contains("raise the credentials timeout"), "{text}");
}

/// One login through the fake mongod; returns the conversation and whether the server
/// accepted it.
async fn log_in(s: &StandIns, auth: &Authenticator) -> (Conversation, bool) {
    let mut conversation = auth.conversation().await.unwrap();
    let mut client = Client::connect(s.mongod_addr()).await.unwrap();
    let first = client.sasl_start("MONGODB-AWS", &conversation.client_first().unwrap()).await.unwrap();
    let client_final = conversation.client_final(&first.payload).unwrap();
    let accepted = client.sasl_continue(first.conversation_id, &client_final).await.is_ok_and(|r| r.done);
    (conversation, accepted)
}

#[tokio::test]
async fn keys_a_login_failed_with_are_not_served_again_while_imds_is_down() {
    common::logs::logs();
    let s = StandIns::start(StandInsConfig::default()).await.unwrap();
    let imds = s.imds();
    let clock = ManualClock::starting_now();
    let (auth, key) = authenticator(&imds.url(), &clock);
    let (conversation, accepted) = log_in(&s, &auth).await;
    assert!(accepted);
    let good = conversation.credentials().clone();

    // IMDS fails fast; the keys still work, and static stability keeps them in use.
    imds.set_fault(Some(MetadataFault::ServerError { times: 1_000_000 }));
    near_expiry(&key, &clock);
    let (conversation, accepted) = log_in(&s, &auth).await;
    assert!(accepted);
    assert_eq!(conversation.credentials().access_key_id(), good.access_key_id());

    // Then AWS stops accepting them, and a login fails and is reported.
    assert!(s.sts().identities().remove(good.access_key_id()));
    let (conversation, accepted) = log_in(&s, &auth).await;
    assert!(!accepted);
    assert_eq!(conversation.credentials().access_key_id(), good.access_key_id());
    assert!(auth.report_failed_conversation(&conversation));

    // While IMDS is down, no resolution hands those keys out again: not after a fast failure...
    let err = auth.credentials().await.map(|c| c.access_key_id().to_owned()).unwrap_err();
    assert!(err.to_string().contains("reported failed by a login"), "{err}");
    assert!(err.to_string().contains("HTTP 500"), "the IMDS failure is still named: {err}");
    // ...nor when IMDS hangs, where the resolution still ends inside its deadline.
    imds.set_fault(Some(MetadataFault::Hang));
    let started = Instant::now();
    let err = auth.credentials().await.map(|c| c.access_key_id().to_owned()).unwrap_err();
    assert!(started.elapsed() < DEADLINE, "{:?}", started.elapsed());
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(err.to_string().contains("reported failed by a login"), "{err}");

    // Once IMDS answers again, its new keys log in.
    imds.set_fault(None);
    let (conversation, accepted) = log_in(&s, &auth).await;
    assert!(accepted);
    assert_ne!(conversation.credentials().access_key_id(), good.access_key_id());
    assert_no_secret_logged(&imds.issued());
}

#[tokio::test]
async fn a_failure_report_by_generation_also_withdraws_the_kept_keys() {
    common::logs::logs();
    let store = IdentityStore::default();
    let s = standin(&store).await;
    let clock = ManualClock::starting_now();
    let (auth, key) = authenticator(&s.url(), &clock);
    auth.credentials().await.unwrap();
    s.set_fault(Some(MetadataFault::ServerError { times: 1_000_000 }));
    near_expiry(&key, &clock);
    let kept = auth.credentials().await.unwrap();
    assert!(auth.report_failure(kept.generation().unwrap()));
    let err = auth.credentials().await.map(|c| c.access_key_id().to_owned()).unwrap_err();
    assert!(err.to_string().contains("reported failed by a login"), "{err}");
}
