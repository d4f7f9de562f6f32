//! A URL's user information and query never reach a `Debug` string, an error, a log or a cache
//! key: every type that holds a configured URL is built with one that carries a password and a
//! query token, and everything that can show it is checked.
//!
//! Every URL points at 127.0.0.1 (port 1 is closed, so requests fail at once) or at the testkit.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::fmt::Debug;
use std::time::Duration;

use common::{TempDir, standins};
use mongoawsauth::cache::{self, CachedProvider};
use mongoawsauth::provider::container::ContainerProvider;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::provider::saml::{AssertionSource, SamlProvider};
use mongoawsauth::provider::web_identity::WebIdentityProvider;
use mongoawsauth::sts::{caller_identity, resolve_endpoint};
use mongoawsauth::{Authenticator, Credentials, Env, Options, ProvideCredentials, ProviderConfig};

const RAW: &str = "http://user:pa55@127.0.0.1:1/x?token=s3cret";
const ROLE: &str = "arn:aws:iam::123456789012:role/r";
const IDP: &str = "arn:aws:iam::123456789012:saml-provider/idp";

#[track_caller]
fn assert_hidden(what: &str, text: &str) {
    for secret in ["pa55", "s3cret", "token=", "user:"] {
        assert!(!text.contains(secret), "{what} shows {secret:?}: {text}");
    }
}

#[track_caller]
fn check_debug(what: &str, value: &impl Debug) {
    assert_hidden(what, &format!("{value:?}"));
    assert_hidden(what, &format!("{value:#?}"));
}

#[track_caller]
fn check_error(what: &str, error: &mongoawsauth::Error) {
    assert_hidden(what, &error.to_string());
    check_debug(what, error);
}

fn config_with(vars: &[(&str, &str)]) -> ProviderConfig {
    ProviderConfig::new()
        .with_env(Env::from_vars(vars.iter().copied()))
        .with_sts_endpoint(RAW)
        .with_imds_endpoint(RAW)
        .with_ecs_base_url(RAW)
        .with_sts_timeout(Duration::from_secs(2))
        .with_metadata_connect_timeout(Duration::from_millis(500))
}

fn saml(config: ProviderConfig) -> SamlProvider {
    SamlProvider::builder(ROLE, IDP, AssertionSource::from_fn(|| Ok("PHNhbWw+".to_owned())))
        .provider_config(config)
        .build()
        .unwrap()
}

#[test]
fn debug_of_every_type_that_holds_a_url() {
    let dir = TempDir::new("url-debug");
    let token = dir.write("token", "t");
    let vars = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", RAW),
        ("AWS_ENDPOINT_URL_STS", RAW),
    ];
    let config = config_with(&vars);
    check_debug("ProviderConfig", &config);
    let endpoint = resolve_endpoint(&config).unwrap();
    check_debug("StsEndpoint", &endpoint);
    assert_hidden("StsEndpoint Display", &endpoint.to_string());
    assert_hidden("StsEndpoint::display_url", &endpoint.display_url());
    assert!(endpoint.to_string().contains("127.0.0.1:1/x"), "the rest is still shown: {endpoint}");
    // The same URL from a variable instead of the options.
    let from_variable = ProviderConfig::new().with_env(Env::from_vars(vars));
    let endpoint = resolve_endpoint(&from_variable).unwrap();
    check_debug("StsEndpoint from AWS_ENDPOINT_URL_STS", &endpoint);
    assert_hidden("StsEndpoint from AWS_ENDPOINT_URL_STS", &endpoint.to_string());

    check_debug("WebIdentityProvider", &WebIdentityProvider::with_config(config.clone()));
    check_debug("ContainerProvider", &ContainerProvider::with_config(config.clone()));
    check_debug("ImdsProvider", &ImdsProvider::with_config(config.clone()));
    check_debug("SamlProvider", &saml(config.clone()));
    check_debug(
        "SamlProviderBuilder",
        &SamlProvider::builder(ROLE, IDP, AssertionSource::from_fn(|| Ok(String::new())))
            .provider_config(config.clone()),
    );
    let options = Options::new().with_provider_config(config.clone());
    check_debug("Options", &options);
    check_debug("default chain", &options.default_chain());
    check_debug("Authenticator", &Authenticator::new(options).unwrap());
    check_debug("CachedProvider", &CachedProvider::new(WebIdentityProvider::with_config(config)));
}

#[test]
fn cache_keys_hide_the_url_but_keep_configurations_apart() {
    let dir = TempDir::new("url-keys");
    let token = dir.write("token", "t");
    let keys = |url: &str| {
        let vars = [
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
            ("AWS_ROLE_ARN", ROLE),
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", url),
        ];
        let config = config_with(&vars).with_sts_endpoint(url).with_imds_endpoint(url);
        let keys: Vec<String> = vec![
            WebIdentityProvider::with_config(config.clone()).cache_key().unwrap(),
            ContainerProvider::with_config(config.clone()).cache_key().unwrap(),
            ImdsProvider::with_config(config.clone()).cache_key().unwrap(),
            saml(config).cache_key().unwrap(),
        ];
        keys
    };
    let first = keys(RAW);
    let other_password = keys("http://user:other@127.0.0.1:1/x?token=s3cret");
    let other_query = keys("http://user:pa55@127.0.0.1:1/x?token=different");
    for key in first.iter().chain(&other_password).chain(&other_query) {
        assert_hidden("cache key", key);
        assert!(!key.contains("other") && !key.contains("different"), "{key}");
    }
    // The IMDS endpoint drops user information and query before any use (they are never sent),
    // so its key rightly does not change with them; every other source's does.
    for (i, (a, b)) in first.iter().zip(&other_password).enumerate() {
        if !a.starts_with("imds") {
            assert_ne!(a, b, "source {i}: a different password must be a different entry");
        }
    }
    for (a, b) in first.iter().zip(&other_query) {
        if !a.starts_with("imds") {
            assert_ne!(a, b, "a different query must be a different entry");
        }
    }
    assert_eq!(first, keys(RAW), "the same configuration shares its entry");
}

#[tokio::test]
async fn errors_hide_the_url() {
    let dir = TempDir::new("url-errors");
    let token = dir.write("token", "t");
    let config = config_with(&[
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
        ("AWS_ROLE_ARN", ROLE),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", RAW),
    ]);
    let e = WebIdentityProvider::with_config(config.clone()).load().await.unwrap_err();
    check_error("web identity error", e.error());
    let e = saml(config.clone()).load().await.unwrap_err();
    check_error("SAML error", e.error());
    let e = ContainerProvider::with_config(config.clone()).provide_credentials().await.unwrap_err();
    check_error("container error", e.error());
    let e = ImdsProvider::with_config(config.clone()).provide_credentials().await.unwrap_err();
    check_error("IMDS error", e.error());
    let credentials = Credentials::new(Some("AKIAEXAMPLE"), Some("secret"), None, None, "test").unwrap();
    let e = caller_identity::get_caller_identity(&credentials, &config).await.unwrap_err();
    check_error("GetCallerIdentity error", &e);
    let auth = Authenticator::new(Options::new().with_provider_config(config)).unwrap();
    check_error("chain error", &auth.credentials().await.unwrap_err());
}

#[tokio::test]
async fn cache_entries_hide_the_url() {
    let s = standins().await;
    let dir = TempDir::new("url-entries");
    let token = dir.write("token", &s.web_identity().token);
    // The stand-in ignores the user information and the unknown query parameter.
    let mut url = reqwest::Url::parse(&s.local_sts_url()).unwrap();
    url.set_username("user").unwrap();
    url.set_password(Some("pa55")).unwrap();
    url.set_query(Some("token=s3cret"));
    let config = ProviderConfig::new()
        .with_env(Env::from_vars([
            ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
            ("AWS_ROLE_ARN", s.web_identity().role_arn.as_str()),
        ]))
        .with_sts_endpoint(url.as_str())
        .with_sts_timeout(Duration::from_secs(5));
    let provider = CachedProvider::new(WebIdentityProvider::with_config(config));
    let key = provider.cache_key().unwrap();
    provider.provide_credentials().await.unwrap();
    let entries = cache::entries();
    assert!(entries.iter().any(|e| e.key == key), "the fetch was cached under {key:?}: {entries:?}");
    for entry in &entries {
        assert_hidden("cache entry", &entry.key);
        check_debug("CacheEntryInfo", entry);
    }
    assert!(cache::get(Some(&key)).is_some(), "the shown key still addresses the entry");
}
