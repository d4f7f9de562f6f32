//! `mongoawsauth diagnose` against the loopback stand-ins, with a cleared environment.

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
    assert_eq!(statuses, ["used", "not tried", "not tried", "not tried"]);
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
    assert_eq!(sources[2]["source"], "container");
    assert_eq!(sources[2]["status"], "failed");
    assert_eq!(sources[3]["source"], "imds");
    assert_eq!(sources[3]["status"], "not tried");
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
}
