//! `mongoawsauth diagnose` against the loopback stand-ins, with a cleared environment.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::process::Output;

use mongoawsauth_testkit::{StandIns, StandInsConfig};

mod common;

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    common::clean_command(args).envs(env.iter().copied()).output().expect("run mongoawsauth")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn names_the_source_and_the_arn_the_server_will_see() {
    let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let temp = standins.temporary();
    let sts = standins.local_sts_url();
    let out = run(
        &["diagnose", "--format", "json", "--sts-check", "--sts-endpoint", &sts],
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ACCESS_KEY_ID", &temp.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", &temp.secret_access_key),
            ("AWS_SESSION_TOKEN", temp.session_token.as_deref().unwrap()),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out);
    assert_eq!(v["used_source"], "environment");
    assert_eq!(v["access_key_id"], temp.access_key_id.as_str());
    assert_eq!(v["arn"], temp.arn.as_str());
    assert_eq!(v["database_user"], "arn:aws:iam::123456789012:role/mongo-role");
    let statuses: Vec<&str> =
        v["sources"].as_array().unwrap().iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["used", "not tried", "not tried", "not tried", "not tried"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains(&temp.secret_access_key) && !text.contains(temp.session_token.as_deref().unwrap())
    );
}

#[test]
fn a_wrong_secret_fails_the_sts_check_with_an_explanation() {
    let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let user = standins.user();
    let sts = standins.local_sts_url();
    let out = run(
        &["diagnose", "--sts-check", "--sts-endpoint", &sts],
        &[
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("AWS_ACCESS_KEY_ID", &user.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", "not-the-secret"),
        ],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("SignatureDoesNotMatch") && text.contains("a MongoDB server would refuse"),
        "{text}"
    );
}

#[test]
fn finds_imds_credentials_and_skips_imds_inside_a_container() {
    let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let imds = standins.imds().url();
    let out = run(&["diagnose", "--format", "json", "--imds-endpoint", &imds], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(json(&out)["used_source"], "imds");
    let imds_requests = standins.imds().requests().len();
    assert!(imds_requests >= 3, "token, role name, credentials");

    // A container variable set: the container source is configured (and here fails, since its
    // endpoint is a closed loopback port), and IMDS is never tried.
    let out = run(
        &["diagnose", "--format", "json", "--imds-endpoint", &imds, "--timeout", "2"],
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds")],
    );
    assert!(!out.status.success());
    let v = json(&out);
    let sources = v["sources"].as_array().unwrap();
    assert_eq!(sources[3]["source"], "container");
    assert_eq!(sources[3]["status"], "failed");
    assert_eq!(sources[4]["source"], "imds");
    assert_eq!(sources[4]["status"], "not tried");
    assert!(v["advice"].as_str().unwrap().contains("container source is configured but failed"));
    assert_eq!(standins.imds().requests().len(), imds_requests, "IMDS was contacted from inside a container");
}

#[test]
fn explains_a_misconfigured_environment() {
    let out = run(
        &["diagnose"],
        &[("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token")],
    );
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("AWS_ROLE_ARN"), "{text}");
    assert!(
        text.contains("web_identity is configured and failed")
            || text.contains("web_identity source is configured but failed"),
        "{text}"
    );
    // The advice names the variable that is set, not "its variables" in general.
    assert!(text.contains("or unset AWS_WEB_IDENTITY_TOKEN_FILE so the chain can move on"), "{text}");
    assert!(!text.contains("unset its variables"), "{text}");
}

/// A broken default profile, selected by no variable: the advice points at the files and does
/// not tell the user to unset variables that are not set.
#[test]
fn advice_for_a_broken_default_profile_names_nothing_to_unset() {
    let dir = std::env::temp_dir().join(format!("mongoawsauth-diagnose-advice-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    std::fs::write(&config, "[default]\nrole_arn = arn:aws:iam::123456789012:role/no-source\n").unwrap();
    let out = run(
        &["diagnose", "--format", "json"],
        &[("AWS_CONFIG_FILE", config.to_str().unwrap()), ("AWS_EC2_METADATA_DISABLED", "true")],
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(!out.status.success());
    let v = json(&out);
    let profile = v["sources"].as_array().unwrap().iter().find(|s| s["source"] == "profile").unwrap();
    assert_eq!(profile["status"], "failed", "{v}");
    let advice = v["advice"].as_str().unwrap();
    assert!(advice.starts_with("the profile source is configured but failed"), "{advice}");
    assert!(advice.contains("default profile") && !advice.contains("unset"), "{advice}");
}

/// A chained role from the shared config files: diagnose names the profile, each file, every
/// step of the chain with its file and line, and the ARN STS gives the final role, and never
/// prints a secret from the files.
#[test]
fn shows_the_profile_and_its_role_chain_step_by_step() {
    let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let user = standins.user();
    let role = &standins.chained_roles()[0];
    let sts = standins.local_sts_url();
    let dir = std::env::temp_dir().join(format!("mongoawsauth-diagnose-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(
        &config,
        format!(
            "[profile app]\nrole_arn = {}\nsource_profile = base\nregion = us-east-1\nendpoint_url = {sts}\n",
            role.role_arn
        ),
    )
    .unwrap();
    std::fs::write(
        &credentials,
        format!(
            "[base]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            user.access_key_id, user.secret_access_key
        ),
    )
    .unwrap();
    let out = run(
        &["diagnose", "--format", "json", "--sts-check", "--sts-endpoint", &sts],
        &[
            ("AWS_PROFILE", "app"),
            ("AWS_CONFIG_FILE", config.to_str().unwrap()),
            ("AWS_SHARED_CREDENTIALS_FILE", credentials.to_str().unwrap()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ],
    );
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stdout.contains(&user.secret_access_key), "a secret from the files was printed");
    let v = json(&out);
    assert_eq!(v["used_source"], "profile");
    let profile = v["sources"].as_array().unwrap().iter().find(|s| s["source"] == "profile").unwrap();
    let details: Vec<&str> =
        profile["details"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert_eq!(details[0], "profile app");
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("step 1: static keys") && d.contains("[base]") && d.contains("line 2")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.starts_with("step 2: assume role") && d.contains(&role.role_arn)),
        "{details:?}"
    );
    assert!(v["arn"].as_str().unwrap().contains(":assumed-role/"), "{v}");
}
