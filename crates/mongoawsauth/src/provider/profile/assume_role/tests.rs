use super::*;
use crate::Env;
use crate::provider::static_keys::StaticProvider;

const ROLE: &str = "arn:aws:iam::123456789012:role/chained";
const EXTERNAL_ID: &str = "ext-id-that-stays-private";

fn static_source() -> Arc<dyn ProvideCredentials> {
    let credentials =
        Credentials::new(Some("AKIASTATICSOURCE0001"), Some("s3cr3t-static"), None, None, "static").unwrap();
    Arc::new(StaticProvider::new(credentials))
}

fn config(vars: &[(&str, &str)]) -> ProviderConfig {
    ProviderConfig::new().with_env(Env::from_vars(vars.iter().copied()))
}

fn provider(settings: AssumeRoleSettings, vars: &[(&str, &str)]) -> Result<AssumeRoleProvider, Error> {
    AssumeRoleProvider::with_config(settings, static_source(), config(vars))
}

#[test]
fn invalid_settings_are_configuration_errors_that_name_the_setting() {
    let with = |f: &dyn Fn(&mut AssumeRoleSettings)| {
        let mut s = AssumeRoleSettings::new(ROLE);
        s.origin = Some("profile dev".to_owned());
        f(&mut s);
        provider(s, &[]).unwrap_err()
    };
    let cases: Vec<(Error, &str)> = vec![
        (with(&|s| s.role_arn = "chained".into()), "role_arn in profile dev is not an IAM ARN"),
        (with(&|s| s.role_arn = "arn:aws:iam::123456789012:user/u".into()), "role_arn in profile dev"),
        (with(&|s| s.role_arn = format!(" {ROLE}")), "spaces around it"),
        (with(&|s| s.session_name = Some("a".into())), "role_session_name in profile dev must be"),
        (with(&|s| s.session_name = Some("has space".into())), "role_session_name"),
        (with(&|s| s.external_id = Some("x".into())), "external_id in profile dev must be"),
        (with(&|s| s.external_id = Some(format!("{EXTERNAL_ID} with spaces"))), "external_id"),
        (with(&|s| s.duration_seconds = Some(899)), "duration_seconds in profile dev is 899"),
        (with(&|s| s.duration_seconds = Some(43_201)), "900 to 43200"),
    ];
    for (err, want) in cases {
        assert_eq!(err.kind(), ErrorKind::Configuration, "{err}");
        assert!(err.message().contains(want), "{want} missing from: {err}");
        assert!(!format!("{err} {err:?}").contains(EXTERNAL_ID), "{err}");
    }
    for ok in [900, 3600, 43_200] {
        let mut s = AssumeRoleSettings::new(ROLE);
        s.duration_seconds = Some(ok);
        assert_eq!(provider(s, &[]).unwrap().duration_seconds(), ok);
    }
    assert_eq!(provider(AssumeRoleSettings::new(ROLE), &[]).unwrap().duration_seconds(), 3600);
}

#[test]
fn generated_session_names_follow_the_rust_sdk() {
    let p = provider(AssumeRoleSettings::new(ROLE), &[]).unwrap();
    let name = p.session_name();
    assert!(name.starts_with(GENERATED_SESSION_PREFIX), "{name}");
    assert!(name[GENERATED_SESSION_PREFIX.len()..].parse::<u128>().is_ok(), "{name}");
    assert!(is_session_name(name), "{name}");
    let mut s = AssumeRoleSettings::new(ROLE);
    s.session_name = Some("mine".into());
    assert_eq!(provider(s, &[]).unwrap().session_name(), "mine");
}

#[test]
fn credential_sources_map_to_the_base_providers() {
    let config = config(&[]);
    let names: Vec<String> = [
        CredentialSource::Environment,
        CredentialSource::Ec2InstanceMetadata,
        CredentialSource::EcsContainer,
    ]
    .into_iter()
    .map(|s| credential_source_provider(s, &config).name().to_owned())
    .collect();
    assert_eq!(names, ["environment", "imds", "container"]);
    let p = AssumeRoleProvider::from_credential_source(
        AssumeRoleSettings::new(ROLE),
        CredentialSource::EcsContainer,
        config,
    )
    .unwrap();
    assert_eq!(p.source().name(), "container");
}

/// Endpoints and signing regions: computed only, never requested.
#[test]
fn endpoint_and_signing_region_precedence() {
    // `profile`: the variables the shared config's endpoint settings are resolved from (a
    // profile adds its own keys there; the precedence itself is the shared config's).
    let target = |vars: &[(&str, &str)], profile: Option<&[(&str, &str)]>, options: Option<&str>| {
        let endpoints =
            profile.map(|p| EndpointSettings::resolve(&Env::from_vars(p.iter().copied()), None).unwrap());
        let mut config = config(vars);
        if let Some(url) = options {
            config = config.with_sts_endpoint(url);
        }
        let settings = AssumeRoleSettings { endpoints, ..AssumeRoleSettings::new(ROLE) };
        let p = AssumeRoleProvider::with_config(settings, static_source(), config).unwrap();
        let (endpoint, region) = p.resolve_endpoint().unwrap();
        (endpoint.url().to_owned(), region)
    };
    let eu: &[(&str, &str)] = &[("AWS_REGION", "eu-west-1")];
    let custom: &[(&str, &str)] =
        &[("AWS_REGION", "eu-west-1"), ("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:6/")];
    // What the provider resolved, and what it should have.
    type Row<'a> = ((String, String), (&'a str, &'a str));
    let rows: Vec<Row<'_>> = vec![
        (target(&[], None, None), ("https://sts.amazonaws.com", "us-east-1")),
        (target(eu, None, None), ("https://sts.eu-west-1.amazonaws.com", "eu-west-1")),
        (
            target(&[("AWS_DEFAULT_REGION", "cn-north-1")], None, None),
            ("https://sts.cn-north-1.amazonaws.com.cn", "cn-north-1"),
        ),
        (target(&[("AWS_REGION", "aws-global")], None, None), ("https://sts.amazonaws.com", "us-east-1")),
        (
            target(&[("AWS_REGION", "eu-west-1"), ("AWS_STS_REGIONAL_ENDPOINTS", "legacy")], None, None),
            ("https://sts.amazonaws.com", "us-east-1"),
        ),
        (target(custom, None, None), ("http://127.0.0.1:6/", "eu-west-1")),
        (
            target(&[("AWS_ENDPOINT_URL", "http://127.0.0.1:6/")], None, None),
            ("http://127.0.0.1:6/", "us-east-1"),
        ),
        (target(custom, None, Some("http://127.0.0.1:7/")), ("http://127.0.0.1:7/", "eu-west-1")),
        // With the profile's endpoint settings, they decide, not this provider's environment.
        (target(&[], Some(eu), None), ("https://sts.eu-west-1.amazonaws.com", "eu-west-1")),
        (
            target(&[], Some(&[("AWS_REGION", "us-east-2"), ("AWS_USE_FIPS_ENDPOINT", "true")]), None),
            ("https://sts-fips.us-east-2.amazonaws.com", "us-east-2"),
        ),
        (target(&[], Some(custom), None), ("http://127.0.0.1:6/", "eu-west-1")),
        (target(eu, Some(custom), Some("http://127.0.0.1:7/")), ("http://127.0.0.1:7/", "eu-west-1")),
    ];
    for (got, (url, region)) in rows {
        assert_eq!((got.0.as_str(), got.1.as_str()), (url, region));
    }
}

#[test]
fn cache_keys_tell_external_ids_apart_without_showing_them() {
    let key = |external_id: Option<&str>, session: Option<&str>| {
        let settings = AssumeRoleSettings {
            external_id: external_id.map(str::to_owned),
            session_name: session.map(str::to_owned),
            ..AssumeRoleSettings::new(ROLE)
        };
        let p = provider(settings, &[("AWS_REGION", "eu-west-1")]).unwrap();
        let target = p.inner.target().unwrap();
        p.inner.step_key(&target, "static with access key id AKIA1")
    };
    let a = key(Some(EXTERNAL_ID), None);
    assert!(!a.contains(EXTERNAL_ID), "{a}");
    assert!(a.contains("session (generated)") && a.contains(ROLE) && a.contains("duration 3600"), "{a}");
    assert!(
        a.contains("https://sts.eu-west-1.amazonaws.com")
            && a.ends_with("source static with access key id AKIA1")
    );
    assert_eq!(a, key(Some(EXTERNAL_ID), None), "stable within the process, generated names aside");
    assert_ne!(a, key(Some("another-external-id"), None));
    assert_ne!(a, key(None, None));
    assert_ne!(key(None, Some("s1")), key(None, Some("s2")));
}

#[test]
fn debug_hides_the_external_id() {
    let settings =
        AssumeRoleSettings { external_id: Some(EXTERNAL_ID.into()), ..AssumeRoleSettings::new(ROLE) };
    let p = provider(settings.clone(), &[]).unwrap();
    for shown in [format!("{settings:?}"), format!("{p:?}")] {
        assert!(!shown.contains(EXTERNAL_ID) && shown.contains(REDACTED), "{shown}");
        assert!(!shown.contains("s3cr3t-static"), "{shown}");
    }
    assert!(p.cache_key().is_none(), "the provider caches itself");
}

#[tokio::test]
async fn a_source_without_credentials_is_a_failure_that_names_the_role() {
    let settings = AssumeRoleSettings { origin: Some("profile dev".into()), ..AssumeRoleSettings::new(ROLE) };
    let p = AssumeRoleProvider::from_credential_source(
        settings,
        CredentialSource::Environment,
        config(&[]).with_sts_endpoint("http://127.0.0.1:9/"),
    )
    .unwrap();
    let err = p.load().await.unwrap_err();
    assert!(!err.is_not_configured(), "a configured role whose source is empty must stop the chain");
    let text = err.to_string();
    assert!(
        text.contains(ROLE) && text.contains("source 'environment'") && text.contains("profile dev"),
        "{text}"
    );
    assert!(text.contains("AWS_ACCESS_KEY_ID"), "{text}");
}
