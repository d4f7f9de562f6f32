//! The spec's default chain as a driver gets it from `Options`, off AWS: nothing configured and
//! an IMDS address that never answers (as 169.254.169.254 behaves off EC2), pointed at a loopback
//! port. It must fail within the metadata connect timeout, not the SDKs' stalls, with an error
//! that names every source it tried and says what to do.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::time::{Duration, Instant};

use mongoawsauth::{Authenticator, Env, ErrorKind, Options, ProviderConfig};
use mongoawsauth_testkit::{StandIns, StandInsConfig};

mod common;

#[tokio::test]
async fn off_aws_the_chain_fails_fast_and_names_every_source() {
    let (_listener, _fillers, addr) = common::silent_listener().await;
    let imds = format!("http://{addr}");
    let config = ProviderConfig::new()
        .with_env(Env::from_vars(Vec::<(String, String)>::new()))
        .with_imds_endpoint(imds.clone())
        .with_metadata_connect_timeout(Duration::from_millis(300));
    let auth = Authenticator::new(Options::new().with_provider_config(config)).unwrap();
    let started = Instant::now();
    let err = auth.credentials().await.unwrap_err();
    let took = started.elapsed();
    // Generous bound: the point is "one connect timeout", not the 10 s read timeout or retries.
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_eq!(err.kind(), ErrorKind::CredentialsNotFound, "{err}");
    let sources: Vec<&str> = err.attempts().iter().map(|a| a.source.as_str()).collect();
    assert_eq!(sources, ["cache", "environment", "profile", "web_identity", "container", "imds"], "{err}");
    let text = err.to_string();
    assert!(text.contains("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"), "{text}");
    assert!(text.contains("imds: not configured"), "{text}");
    assert!(text.contains(&imds), "{text}");
}

#[tokio::test]
async fn the_default_chain_picks_each_source_in_the_spec_order() {
    let standins = StandIns::start(StandInsConfig::default()).await.unwrap();
    let temp = standins.temporary();
    let web = standins.web_identity();
    let token_file = web.token_file.as_ref().unwrap().display().to_string();
    // Environment and web identity both configured: the environment wins (spec order).
    let both = Env::from_vars([
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_ACCESS_KEY_ID", temp.access_key_id.as_str()),
        ("AWS_SECRET_ACCESS_KEY", temp.secret_access_key.as_str()),
        ("AWS_SESSION_TOKEN", temp.session_token.as_deref().unwrap()),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
        ("AWS_ROLE_ARN", web.role_arn.as_str()),
    ]);
    let config = ProviderConfig::new().with_sts_endpoint(standins.local_sts_url());
    let auth =
        Authenticator::new(Options::new().with_provider_config(config.clone().with_env(both))).unwrap();
    assert_eq!(auth.credentials().await.unwrap().source(), "environment");
    // The synchronous path gives the same answer: the environment needs no I/O.
    assert_eq!(auth.credentials_now().unwrap().source(), "environment");
    // Web identity and IMDS both available: web identity wins, and IMDS is never asked.
    let web_only = Env::from_vars([
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token_file.as_str()),
        ("AWS_ROLE_ARN", web.role_arn.as_str()),
        ("AWS_ROLE_SESSION_NAME", "default-chain-test"),
    ]);
    let config = config.with_env(web_only).with_imds_endpoint(standins.imds().url());
    let auth = Authenticator::new(Options::new().with_provider_config(config.clone())).unwrap();
    assert!(
        auth.credentials_now().is_none(),
        "nothing cached and no keys in the environment: only the chain can answer"
    );
    let first = auth.resolve().await.unwrap();
    assert_eq!(first.credentials.source(), "web_identity");
    assert!(!first.from_cache);
    assert!(first.credentials.generation().is_some(), "network credentials are cached");
    assert_eq!(standins.imds().requests().len(), 0);
    // A second client configured alike is served from the process-wide cache.
    let second_client = Authenticator::new(Options::new().with_provider_config(config.clone())).unwrap();
    let again = second_client.resolve().await.unwrap();
    assert!(again.from_cache);
    assert_eq!(again.credentials.access_key_id(), first.credentials.access_key_id());
    // The synchronous fast path serves the same settled entry the chain's cache step would.
    let fast = second_client.credentials_now().expect("a settled cache entry");
    assert_eq!(fast.generation(), first.credentials.generation());
    // With a custom provider ahead of the cache, only the chain may answer.
    let custom = mongoawsauth::provider::custom::CustomProvider::from_fn(|| {
        mongoawsauth::Credentials::new(Some("AKIACUSTOM"), Some("s"), None, None, "custom")
    });
    let with_custom = Options::new().with_provider_config(config.clone()).with_custom_provider(custom);
    assert!(Authenticator::new(with_custom).unwrap().credentials_now().is_none());
}
