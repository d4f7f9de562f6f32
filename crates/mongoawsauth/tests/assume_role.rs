//! Role chaining end to end on loopback: `AssumeRoleProvider`s nested over a source, each
//! `AssumeRole` signed with the previous step's credentials and verified by the STS stand-in's
//! independent SigV4 verifier against the roles' trust policies, then a login through the fake
//! mongod as the last role. Covers sources with and without a session token, `credential_source`,
//! external ids, refused trust, bad and expired source keys, retries, the cache of every step,
//! and that no secret reaches an error, a `Debug` string or a log line.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{config, login, standins};
use mongoawsauth::cache;
use mongoawsauth::provider::profile::assume_role::{
    AssumeRoleProvider, AssumeRoleSettings, CredentialSource,
};
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::{
    Authenticator, Credentials, ErrorKind, ProvideCredentials, ProviderConfig, ProviderError,
};
use mongoawsauth_testkit::sts::{StsErrorCode, StsFault};
use mongoawsauth_testkit::{Identity, StandIns};

const TIMEOUT: Duration = Duration::from_secs(10);

fn creds(id: &Identity) -> Credentials {
    Credentials::new(
        Some(&id.access_key_id),
        Some(&id.secret_access_key),
        id.session_token.as_deref(),
        None,
        "static",
    )
    .unwrap()
}

fn static_source(id: &Identity) -> Arc<dyn ProvideCredentials> {
    Arc::new(StaticProvider::new(creds(id)))
}

/// `chain-a`, `chain-b` or `chain-c` of the stand-ins, with a fixed session name.
fn settings(s: &StandIns, index: usize) -> AssumeRoleSettings {
    let role = &s.chained_roles()[index];
    AssumeRoleSettings {
        session_name: Some(format!("step-{index}")),
        external_id: role.external_id.clone(),
        ..AssumeRoleSettings::new(role.role_arn.clone())
    }
}

fn world(s: &StandIns) -> ProviderConfig {
    config(s, &[], TIMEOUT)
}

/// chain-a over `source`, chain-b over chain-a, chain-c over chain-b.
fn chain_of_three(s: &StandIns, source: Arc<dyn ProvideCredentials>) -> AssumeRoleProvider {
    let a = AssumeRoleProvider::with_config(settings(s, 0), source, world(s)).unwrap();
    let b = AssumeRoleProvider::with_config(settings(s, 1), Arc::new(a), world(s)).unwrap();
    AssumeRoleProvider::with_config(settings(s, 2), Arc::new(b), world(s)).unwrap()
}

fn assumed_arn(s: &StandIns, role: &str, session: &str) -> String {
    format!("arn:aws:sts::{}:assumed-role/{role}/{session}", s.sts().identities().account_id())
}

fn failure(result: Result<Credentials, ProviderError>) -> mongoawsauth::Error {
    match result {
        Ok(c) => panic!("expected a failure, got credentials {c:?}"),
        Err(ProviderError::NotConfigured(e)) => panic!("a configured role must fail, not fall through: {e}"),
        Err(ProviderError::Failed(e)) => e,
    }
}

fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        assert!(!text.contains(secret), "a secret leaked into {what}: {text}");
    }
}

#[tokio::test]
async fn a_chain_of_three_logs_in_as_the_last_role_and_caches_every_step() {
    let s = standins().await;
    let provider = chain_of_three(&s, static_source(s.user()));
    let (credentials, users) = login(&s, provider.clone()).await;
    assert_eq!(users, [assumed_arn(&s, "chain-c", "step-2")]);
    assert_eq!(credentials.source(), "assume_role");
    assert!(credentials.is_temporary() && credentials.expiration().is_some());
    assert_eq!(s.mongod().counters().auth_succeeded, 1);
    // Three signed AssumeRole calls, in chain order, each one accepted by the verifier.
    let requests = s.sts().assume_role_requests();
    let roles: Vec<&str> = requests.iter().map(|r| r.param("RoleArn").unwrap()).collect();
    let want: Vec<&str> = s.chained_roles().iter().map(|r| r.role_arn.as_str()).collect();
    assert_eq!(roles, want);
    assert!(requests.iter().all(|r| r.signed && r.param("DurationSeconds") == Some("3600")));
    let external: Vec<Option<&str>> = requests.iter().map(|r| r.param("ExternalId")).collect();
    assert_eq!(external, [None, None, s.chained_roles()[2].external_id.as_deref()]);
    let counters = s.sts().counters();
    assert_eq!((counters.assume_role, counters.succeeded - 1), (3, 3), "{counters:?}");

    // A new authenticator over newly built providers configured alike: every step is cached.
    let again = chain_of_three(&s, static_source(s.user()));
    let (cached, users) = login(&s, again).await;
    assert_eq!(users, [assumed_arn(&s, "chain-c", "step-2")]);
    assert_eq!(cached.access_key_id(), credentials.access_key_id());
    assert_eq!(s.sts().counters().assume_role, 3, "served from the cache");

    // A failed login drops the last step only; the steps before it stay cached.
    assert!(cache::invalidate_generation(cached.generation().unwrap()));
    let (fresh, _) = login(&s, provider.clone()).await;
    assert_ne!(fresh.access_key_id(), credentials.access_key_id());
    assert_eq!(s.sts().counters().assume_role, 4);
    let last = s.sts().assume_role_requests().pop().unwrap();
    assert_eq!(last.param("RoleArn"), Some(s.chained_roles()[2].role_arn.as_str()));
}

#[tokio::test]
async fn a_source_with_a_session_token_signs_it() {
    let s = standins().await;
    // The temporary session is `mongo-role/session`, which chain-a trusts; the stand-in accepts a
    // signature from temporary keys only with their session token, signed.
    let provider =
        AssumeRoleProvider::with_config(settings(&s, 0), static_source(s.temporary()), world(&s)).unwrap();
    let (_, users) = login(&s, provider).await;
    assert_eq!(users, [assumed_arn(&s, "chain-a", "step-0")]);
    // The same keys without their token are refused: the token was what made the call valid.
    let stripped = Identity { session_token: None, ..s.temporary().clone() };
    let provider =
        AssumeRoleProvider::with_config(settings(&s, 0), static_source(&stripped), world(&s)).unwrap();
    let err = failure(provider.load().await);
    assert!(err.message().contains("InvalidClientTokenId"), "{err}");
}

#[tokio::test]
async fn credential_sources_map_to_the_base_providers() {
    let s = standins().await;
    let user = s.user();
    let env = config(
        &s,
        &[("AWS_ACCESS_KEY_ID", &user.access_key_id), ("AWS_SECRET_ACCESS_KEY", &user.secret_access_key)],
        TIMEOUT,
    );
    let from_env =
        AssumeRoleProvider::from_credential_source(settings(&s, 0), CredentialSource::Environment, env)
            .unwrap();
    let (_, users) = login(&s, from_env).await;
    assert_eq!(users, [assumed_arn(&s, "chain-a", "step-0")]);

    // IMDS is cacheable: the role over it asks IMDS once, then serves both from the cache.
    let imds = world(&s).with_imds_endpoint(s.imds().url());
    let role = |config| {
        AssumeRoleProvider::from_credential_source(
            settings(&s, 0),
            CredentialSource::Ec2InstanceMetadata,
            config,
        )
        .unwrap()
    };
    let before = s.sts().counters().assume_role;
    for _ in 0..2 {
        let (_, users) = login(&s, role(imds.clone())).await;
        assert_eq!(users, [assumed_arn(&s, "chain-a", "step-0")]);
    }
    assert_eq!(s.imds().counters().credentials_issued, 1);
    assert_eq!(s.sts().counters().assume_role, before + 1);
}

#[tokio::test]
async fn external_ids_are_checked_and_never_shown() {
    let s = standins().await;
    let b = || {
        let a = AssumeRoleProvider::with_config(settings(&s, 0), static_source(s.user()), world(&s)).unwrap();
        Arc::new(AssumeRoleProvider::with_config(settings(&s, 1), Arc::new(a), world(&s)).unwrap())
    };
    let right = s.chained_roles()[2].external_id.clone().unwrap();
    for external_id in [None, Some("wrong-external-id-42".to_owned())] {
        let c = AssumeRoleSettings { external_id: external_id.clone(), ..settings(&s, 2) };
        let provider = AssumeRoleProvider::with_config(c, b(), world(&s)).unwrap();
        let err = failure(provider.load().await);
        let text = format!("{err} {err:?} {provider:?}");
        assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
        assert!(text.contains("AccessDenied") && text.contains("sts:ExternalId"), "{text}");
        assert!(text.contains(&assumed_arn(&s, "chain-b", "step-1")), "STS's words name the caller: {text}");
        assert_no_secret("an external id error", &text, &[&right, "wrong-external-id-42"]);
    }
    let provider = AssumeRoleProvider::with_config(settings(&s, 2), b(), world(&s)).unwrap();
    let (_, users) = login(&s, provider).await;
    assert_eq!(users, [assumed_arn(&s, "chain-c", "step-2")]);
}

#[tokio::test]
async fn a_role_that_does_not_trust_the_source_is_a_clear_access_denied() {
    let s = standins().await;
    // chain-b trusts only chain-a's sessions, not the IAM user.
    let provider =
        AssumeRoleProvider::with_config(settings(&s, 1), static_source(s.user()), world(&s)).unwrap();
    let err = failure(provider.load().await);
    let text = err.to_string();
    for want in [
        s.chained_roles()[1].role_arn.as_str(),
        "AccessDenied (HTTP 403)",
        "credentials from source 'static'",
        s.user().access_key_id.as_str(),
        s.user().arn.as_str(),
        "trust policy",
    ] {
        assert!(text.contains(want), "{want} missing from: {text}");
    }
    assert_no_secret("an AccessDenied error", &format!("{err} {err:?}"), &[&s.user().secret_access_key]);
    assert_eq!(s.sts().counters().assume_role, 1, "AccessDenied is not retried");
}

#[tokio::test]
async fn bad_and_expired_source_keys() {
    let s = standins().await;
    let temporary = s.temporary();
    let try_with = |id: Identity, expiry: Option<SystemTime>| {
        let c = Credentials::new(
            Some(&id.access_key_id),
            Some(&id.secret_access_key),
            id.session_token.as_deref(),
            expiry,
            "static",
        )
        .unwrap();
        AssumeRoleProvider::with_config(settings(&s, 0), Arc::new(StaticProvider::new(c)), world(&s)).unwrap()
    };
    let unknown = Identity { access_key_id: "AKIAUNKNOWNSOURCE001".into(), ..s.user().clone() };
    let wrong_secret = Identity { secret_access_key: "Z".repeat(40), ..s.user().clone() };
    let cases = [
        (try_with(unknown, None), "does not know these source credentials"),
        (try_with(wrong_secret.clone(), None), "check the secret access key that goes with access key id"),
    ];
    for (provider, want) in cases {
        let before = s.sts().counters().assume_role;
        let err = failure(provider.load().await);
        assert!(err.message().contains(want), "{want}: {err}");
        assert_eq!(s.sts().counters().assume_role, before + 1, "refused keys are not retried");
        assert_no_secret(
            "a refused-keys error",
            &format!("{err} {err:?}"),
            &[&wrong_secret.secret_access_key],
        );
    }
    // Expired at STS: the session token ran out.
    s.sts().expire_credentials(&temporary.access_key_id);
    let err = failure(try_with(temporary.clone(), None).load().await);
    assert!(err.message().contains("ExpiredToken") && err.message().contains("have expired"), "{err}");
    let token = temporary.session_token.as_deref().unwrap();
    assert_no_secret(
        "an expired-token error",
        &format!("{err} {err:?}"),
        &[token, &temporary.secret_access_key],
    );
    // Expired by their own expiry: refused before any request.
    let before = s.sts().counters().requests;
    let expired = try_with(s.user().clone(), Some(SystemTime::now() - Duration::from_secs(5)));
    let err = failure(expired.load().await);
    assert!(err.message().contains("expired at"), "{err}");
    assert_eq!(s.sts().counters().requests, before);
}

#[tokio::test]
async fn throttling_is_retried_like_the_other_sts_calls() {
    let s = standins().await;
    s.sts().set_fault_times(StsFault::Error(StsErrorCode::Throttling), 1);
    let provider =
        AssumeRoleProvider::with_config(settings(&s, 0), static_source(s.user()), world(&s)).unwrap();
    let (_, users) = login(&s, provider).await;
    assert_eq!(users, [assumed_arn(&s, "chain-a", "step-0")]);
    assert_eq!(s.sts().counters().assume_role, 2);
}

#[test]
fn no_secret_in_logs_errors_or_debug() {
    let recorder = common::logs::logs();
    let mut secrets: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let s = standins().await;
            let temporary = s.temporary();
            secrets.extend([temporary.secret_access_key.clone(), temporary.session_token.clone().unwrap()]);
            secrets.push(s.chained_roles()[2].external_id.clone().unwrap());
            let a = AssumeRoleProvider::with_config(settings(&s, 0), static_source(temporary), world(&s))
                .unwrap();
            let b = AssumeRoleProvider::with_config(settings(&s, 1), Arc::new(a), world(&s)).unwrap();
            let c = AssumeRoleProvider::with_config(settings(&s, 2), Arc::new(b), world(&s)).unwrap();
            texts.push(format!("{c:?}"));
            let issued = Authenticator::from_provider(c.clone()).credentials().await.unwrap();
            secrets
                .extend([issued.secret_access_key().to_owned(), issued.session_token().unwrap().to_owned()]);
            texts.push(format!("{issued:?} {issued}"));
            // A refusal, worded partly by STS.
            let wrong = AssumeRoleProvider::with_config(settings(&s, 1), static_source(temporary), world(&s))
                .unwrap();
            let err = failure(wrong.load().await);
            texts.push(format!("{err} {err:?}"));
        });
    }
    let lines = recorder.lines.lock().unwrap();
    assert!(
        lines.iter().any(|l| l.contains("STS AssumeRole request")),
        "the recorder saw no AssumeRole log at all, so this test proves nothing: {lines:?}"
    );
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    for line in lines.iter().chain(texts.iter()) {
        assert_no_secret("output", line, &secrets);
    }
}
