//! `mongoawsauth saml` against the testkit's STS stand-in: the binary runs with a cleared
//! environment and `--sts-endpoint` pointing at loopback, so nothing leaves 127.0.0.1.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::io::Write as _;
use std::process::{Output, Stdio};

use mongoawsauth_testkit::{StandIns, StandInsConfig};

mod common;

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = common::clean_command(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mongoawsauth");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Fixture {
    standins: StandIns,
    dir: std::path::PathBuf,
    assertion_file: String,
}

impl Fixture {
    fn new(tag: &str) -> Self {
        let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
        let dir = std::env::temp_dir().join(format!("mongoawsauth-cli-saml-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("assertion.b64");
        std::fs::write(&file, format!("{}\n", standins.saml().assertion)).unwrap();
        Fixture { standins, assertion_file: file.to_str().unwrap().to_owned(), dir }
    }

    fn args<'a>(&'a self, url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec![
            "saml",
            "--role-arn",
            &self.standins.saml().role_arn,
            "--principal-arn",
            &self.standins.saml().principal_arn,
            "--sts-endpoint",
            url,
        ];
        args.extend_from_slice(extra);
        args
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn saml_prints_working_temporary_credentials() {
    let f = Fixture::new("ok");
    let url = f.standins.local_sts_url();
    let out = run(
        &f.args(&url, &["--assertion-file", &f.assertion_file, "--format", "json", "--duration", "900"]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let akid = json["access_key_id"].as_str().unwrap();
    let principal = f.standins.sts().identities().lookup(akid).expect("issued by the stand-in");
    assert_eq!(principal.identity.arn, "arn:aws:sts::123456789012:assumed-role/mongo-saml/mongo-saml-user");
    assert_eq!(json["secret_access_key"], principal.identity.secret_access_key.as_str());
    assert_eq!(json["session_token"], principal.identity.session_token.as_deref().unwrap());
    assert_eq!(json["source"], "saml");
    assert!(json["expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(f.standins.sts().assume_role_requests()[0].param("DurationSeconds"), Some("900"));

    // The default format is shell exports; `-` reads the assertion from stdin.
    let out = run(&f.args(&url, &["--assertion-file", "-"]), Some(&f.standins.saml().assertion));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for name in
        ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"]
    {
        assert!(stdout.contains(&format!("export {name}='")), "{stdout}");
    }
    assert_eq!(f.standins.sts().counters().saml, 2);
}

#[test]
fn saml_errors_are_clear_and_never_show_the_assertion() {
    let f = Fixture::new("errors");
    let url = f.standins.local_sts_url();
    let assertion = f.standins.saml().assertion.clone();
    let other_idp = "arn:aws:iam::123456789012:saml-provider/other";
    let mut refused = f.args(&url, &["--assertion-file", &f.assertion_file]);
    refused[4] = other_idp;
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (refused, "AccessDenied"),
        (f.args(&url, &["--assertion-file", &f.assertion_file, "--duration", "60"]), "900 to 43200"),
        (f.args(&url, &["--assertion-file", "/nonexistent/assertion.b64"]), "/nonexistent/assertion.b64"),
        (f.args(&url, &["--assertion-file", &f.assertion_file, "--timeout", "0"]), "--timeout"),
    ];
    for (args, want) in cases {
        let out = run(&args, None);
        assert!(!out.status.success(), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!stderr.contains(&assertion) && !text(&out.stdout).contains(&assertion));
    }
    assert_eq!(f.standins.sts().counters().saml, 1, "only the refused request reached STS");
}
