//! The `mongoawsauth-standins` binary: one JSON line on stdout, working endpoints, and a clean
//! exit at stdin EOF, as the Python and Node tests use it.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Tweaks, authenticate, authenticated_users};
use mongoawsauth_testkit::{Client, Identity};

fn identity(v: &serde_json::Value) -> Identity {
    Identity {
        arn: v["arn"].as_str().unwrap().to_owned(),
        access_key_id: v["access_key_id"].as_str().unwrap().to_owned(),
        secret_access_key: v["secret_access_key"].as_str().unwrap().to_owned(),
        session_token: v.get("session_token").map(|t| t.as_str().unwrap().to_owned()),
    }
}

#[tokio::test]
async fn prints_endpoints_and_exits_at_stdin_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mongoawsauth-standins"))
        .args(["--sts-host", "sts.us-east-2.amazonaws.com"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let mongod = v["mongod"].as_str().unwrap();
    assert!(mongod.starts_with("127.0.0.1:"));
    assert_eq!(
        v["mongodb_uri"],
        format!("mongodb://{mongod}/?directConnection=true&authMechanism=MONGODB-AWS&authSource=$external")
    );
    assert!(v["sts_url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert_eq!(v["sts_host"], "sts.us-east-2.amazonaws.com");
    let user = identity(&v["identities"]["user"]);
    let temporary = identity(&v["identities"]["temporary"]);
    assert!(user.session_token.is_none() && temporary.session_token.is_some());

    for id in [&user, &temporary] {
        let mut c = Client::connect(mongod).await.unwrap();
        authenticate(&mut c, id, &Tweaks::default()).await.unwrap();
        assert_eq!(authenticated_users(&mut c).await[0].0, id.arn);
    }

    // The web identity and SAML roles, for other languages' tests.
    let web = &v["web_identity"];
    assert!(web["role_arn"].as_str().unwrap().starts_with("arn:aws:iam::123456789012:role/"));
    let token_file = std::path::PathBuf::from(web["token_file"].as_str().unwrap());
    assert_eq!(std::fs::read_to_string(&token_file).unwrap().trim_end(), web["token"].as_str().unwrap());
    let saml = &v["saml"];
    for field in ["role_arn", "principal_arn", "assertion", "session_name"] {
        assert!(!saml[field].as_str().unwrap().is_empty(), "saml.{field}");
    }

    // The role chain for signed AssumeRole: chain-a trusts the user, each next role the one
    // before, and the last one wants an external id.
    let roles = v["assume_role"]["roles"].as_array().unwrap();
    let arns: Vec<&str> = roles.iter().map(|r| r["role_arn"].as_str().unwrap()).collect();
    assert_eq!(
        arns,
        ["chain-a", "chain-b", "chain-c"].map(|n| format!("arn:aws:iam::123456789012:role/{n}"))
    );
    assert!(roles[0]["trusted"].as_array().unwrap().iter().any(|t| t == &serde_json::json!(user.arn)));
    assert_eq!(roles[1]["trusted"][0], roles[0]["role_arn"]);
    assert!(roles[2]["external_id"].as_str().unwrap().len() >= 2);
    assert!(roles[0].get("external_id").is_none());

    drop(child.stdin.take());
    let deadline = Instant::now() + Duration::from_secs(5);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "the binary did not exit at stdin EOF");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success());
    assert!(!token_file.exists(), "the token file is removed at exit");
}

#[test]
fn refuses_a_non_loopback_sts_url() {
    let out = Command::new(env!("CARGO_BIN_EXE_mongoawsauth-standins"))
        .args(["--sts-url", "http://sts.amazonaws.com/"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing STS URL"));
}
