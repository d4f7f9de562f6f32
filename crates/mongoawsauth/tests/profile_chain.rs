//! The profile step of the default chain with sources that are themselves cached: a role whose
//! `source_profile` runs a `credential_process` with an expiry. The role puts its source behind
//! the process-wide cache; the profile step must not wrap the same source a second time, or the
//! two wrappers share one entry's single flight and wait on each other until the deadline.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::time::Duration;

use mongoawsauth::{Authenticator, Env, Options};
#[cfg(unix)]
use mongoawsauth_testkit::files::write_executable;
use mongoawsauth_testkit::{StandIns, StandInsConfig};

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_over_a_credential_process_source_resolves_and_caches_both() {
    let s = StandIns::start(StandInsConfig::default()).await.unwrap();
    let user = s.user();
    let role = &s.chained_roles()[0];
    let home = std::env::temp_dir().join(format!("mongoawsauth-profile-chain-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    let counter = home.join("runs");
    let script = home.join("creds.sh");
    write_executable(
        &script,
        format!(
            "#!/bin/sh\necho run >> '{}'\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"{}\", \"SecretAccessKey\": \"{}\", \"Expiration\": \"2999-01-01T00:00:00Z\"}}'\n",
            counter.display(),
            user.access_key_id,
            user.secret_access_key
        ),
        0o700,
    )
    .unwrap();
    std::fs::write(
        home.join(".aws/config"),
        format!(
            "[profile app]\nrole_arn = {}\nsource_profile = helper\nendpoint_url = {}\nregion = us-east-1\n\n\
             [profile helper]\ncredential_process = {}\n",
            role.role_arn,
            s.local_sts_url(),
            script.display()
        ),
    )
    .unwrap();
    let home_str = home.to_str().unwrap().to_owned();
    let env = Env::from_vars([
        ("HOME", home_str.as_str()),
        ("AWS_PROFILE", "app"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let auth =
        Authenticator::new(Options::new().with_env(env).with_credentials_timeout(Duration::from_secs(5)))
            .unwrap();
    let first = auth.credentials().await.expect("the role over a credential_process source resolves");
    assert_eq!(first.source(), "assume_role");
    let again = auth.credentials().await.unwrap();
    assert_eq!(again.access_key_id(), first.access_key_id(), "the assumed role is served from the cache");
    let runs = std::fs::read_to_string(&counter).unwrap_or_default().lines().count();
    assert_eq!(runs, 1, "the credential_process ran once, then its cached answer was reused");
    let _ = std::fs::remove_dir_all(&home);
}

/// The profile step hands its `ProviderConfig`'s clock to the `credential_process` source: a
/// program printing an expiration in 2020 is accepted when the injected clock says 2019.
#[cfg(unix)]
#[tokio::test]
async fn a_credential_process_profile_reads_the_configured_clock() {
    use std::time::SystemTime;

    use mongoawsauth::ProviderConfig;
    use mongoawsauth::config::ManualClock;

    let home = std::env::temp_dir().join(format!("mongoawsauth-profile-clock-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    let script = home.join("creds.sh");
    write_executable(
        &script,
        "#!/bin/sh\nprintf '{\"Version\": 1, \"AccessKeyId\": \"ASIACLOCKEXAMPLE\", \"SecretAccessKey\": \"s\", \
         \"SessionToken\": \"t\", \"Expiration\": \"2020-01-01T00:00:00Z\"}'\n",
        0o700,
    )
    .unwrap();
    std::fs::write(
        home.join(".aws/config"),
        format!("[default]\ncredential_process = {}\n", script.display()),
    )
    .unwrap();
    let home_str = home.to_str().unwrap().to_owned();
    let login = |now: SystemTime| {
        let env = Env::from_vars([("HOME", home_str.as_str()), ("AWS_EC2_METADATA_DISABLED", "true")]);
        let config = ProviderConfig::new().with_env(env.clone()).with_clock(ManualClock::new(now));
        Authenticator::new(
            Options::new()
                .with_env(env)
                .with_provider_config(config)
                .with_credentials_timeout(Duration::from_secs(5)),
        )
        .unwrap()
    };
    let in_2019 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_575_000_000);
    let c = login(in_2019).credentials().await.expect("2020 is still ahead by the configured clock");
    assert_eq!((c.access_key_id(), c.source()), ("ASIACLOCKEXAMPLE", "credential_process"));
    let err = login(SystemTime::now()).credentials().await.unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let _ = std::fs::remove_dir_all(&home);
}
