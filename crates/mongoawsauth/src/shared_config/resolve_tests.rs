use std::path::Path;

use super::*;
use crate::ErrorKind;
use crate::config::Env;
use crate::shared_config::{CredentialSource, RoleSource};

const ROLE_A: &str = "arn:aws:iam::123456789012:role/A";
const ROLE_B: &str = "arn:aws:iam::123456789012:role/B";

fn config(config: &str, credentials: &str) -> SharedConfig {
    SharedConfig::from_texts(
        Some((Path::new("/h/.aws/config"), config)),
        Some((Path::new("/h/.aws/credentials"), credentials)),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn run(cfg: &str, creds: &str, profile: &str) -> Result<Resolution, Error> {
    let selected = SelectedProfile::select(&Env::from_vars([("AWS_PROFILE", profile)]), None);
    resolve(&config(cfg, creds), &selected)
}

fn plan(cfg: &str, creds: &str, profile: &str) -> ProfileSource {
    match run(cfg, creds, profile) {
        Ok(Resolution::Source(s)) => s,
        other => panic!("{profile}: {other:?}"),
    }
}

fn error(cfg: &str, creds: &str, profile: &str) -> String {
    match run(cfg, creds, profile) {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Configuration);
            e.message().to_owned()
        }
        other => panic!("{profile}: expected an error, got {other:?}"),
    }
}

/// A compact shape of a plan: "keys(ID)", "process", "sso", "web(ROLE)", "role(ROLE)<-...".
fn shape(source: &ProfileSource) -> String {
    match source {
        ProfileSource::StaticKeys(k) => format!("keys({})", k.access_key_id.value),
        ProfileSource::CredentialProcess(_) => "process".into(),
        ProfileSource::Sso(s) => format!("sso({})", s.cache_key()),
        ProfileSource::WebIdentity(w) => format!("web({})", w.role_arn.value.rsplit('/').next().unwrap()),
        ProfileSource::AssumeRole(r) => {
            let role = r.role_arn.value.rsplit('/').next().unwrap();
            match &r.source {
                RoleSource::Profile(next) => format!("role({role})<-{}", shape(next)),
                RoleSource::Named(n) => format!("role({role})<-{}", n.value.as_str()),
            }
        }
    }
}

#[test]
fn precedence_table() {
    let keys = "aws_access_key_id = K\naws_secret_access_key = s\n";
    let rows: Vec<(String, String, &str)> = vec![
        // One source each.
        (format!("[profile p]\n{keys}"), String::new(), "keys(K)"),
        ("[profile p]\ncredential_process = /bin/c\n".into(), String::new(), "process"),
        (format!("[profile p]\nrole_arn = {ROLE_A}\nweb_identity_token_file = /t\n"), String::new(), "web(A)"),
        (format!("[profile p]\nrole_arn = {ROLE_A}\ncredential_source = Ec2InstanceMetadata\n"), String::new(), "role(A)<-Ec2InstanceMetadata"),
        (
            "[profile p]\nsso_start_url = https://x/start\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n".into(),
            String::new(),
            "sso(https://x/start)",
        ),
        // Several: the first hop prefers the role over its own static keys.
        (format!("[profile p]\n{keys}role_arn = {ROLE_A}\nsource_profile = q\n[profile q]\naws_access_key_id = Q\naws_secret_access_key = s\n"), String::new(), "role(A)<-keys(Q)"),
        // Web identity wins over a role and over static keys.
        (format!("[profile p]\n{keys}role_arn = {ROLE_A}\nweb_identity_token_file = /t\nsource_profile = q\n"), String::new(), "web(A)"),
        // SSO before keys and process.
        (format!("[profile p]\n{keys}credential_process = /bin/c\nsso_session = s\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nsso_start_url = https://x\nsso_region = eu-west-1\n"), String::new(), "sso(s)"),
        // botocore: keys from the credentials file before credential_process, config-file keys after.
        ("[profile p]\ncredential_process = /bin/c\n".into(), format!("[p]\n{keys}"), "keys(K)"),
        (format!("[profile p]\ncredential_process = /bin/c\n{keys}"), String::new(), "process"),
        // A lone secret or token is not static keys (botocore).
        ("[profile p]\naws_secret_access_key = s\ncredential_process = /bin/c\n".into(), String::new(), "process"),
        // Blank values count as unset.
        ("[profile p]\nrole_arn =\ncredential_process = /bin/c\nweb_identity_token_file =\n".into(), String::new(), "process"),
        // Later hops: static keys win over the source profile's own role.
        (format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\n{keys}role_arn = {ROLE_B}\nsource_profile = r\n"), String::new(), "role(A)<-keys(K)"),
        // Chains of any depth.
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\nsource_profile = r\n[profile r]\ncredential_process = /bin/c\n"),
            String::new(),
            "role(A)<-role(B)<-process",
        ),
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\ncredential_source = environment\n"),
            String::new(),
            "role(A)<-role(B)<-Environment",
        ),
        (format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\nweb_identity_token_file = /t\n"), String::new(), "role(A)<-web(B)"),
        // A profile that is its own source uses its own keys.
        (format!("[profile p]\n{keys}role_arn = {ROLE_A}\nsource_profile = p\n"), String::new(), "role(A)<-keys(K)"),
        // The source profile may live in the credentials file only.
        (format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = base\n"), format!("[base]\n{keys}"), "role(A)<-keys(K)"),
    ];
    for (cfg, creds, want) in &rows {
        assert_eq!(shape(&plan(cfg, creds, "p")), *want, "{cfg}\n--\n{creds}");
    }
}

#[test]
fn role_parameters_are_carried_with_their_lines() {
    let p = plan(
        &format!(
            "[profile p]\nrole_arn = {ROLE_A}\ncredential_source = EcsContainer\nrole_session_name = s1\n\
             external_id = ext\nduration_seconds = 3600\n"
        ),
        "",
        "p",
    );
    let ProfileSource::AssumeRole(role) = p else { panic!() };
    assert_eq!(role.session_name.as_ref().unwrap().value, "s1");
    assert_eq!(role.external_id.as_ref().unwrap().value, "ext");
    assert_eq!(role.duration_seconds.as_ref().unwrap().value, 3600);
    assert_eq!(role.duration_seconds.as_ref().unwrap().origin.line, 6);
    assert!(matches!(&role.source, RoleSource::Named(n) if n.value == CredentialSource::EcsContainer));
}

#[test]
fn sso_forms() {
    let session = "[profile p]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n\
                   [sso-session corp]\nsso_start_url = https://corp/start\nsso_region = eu-west-1\n\
                   sso_registration_scopes = sso:account:access, other\n";
    let ProfileSource::Sso(s) = plan(session, "", "p") else { panic!() };
    assert_eq!(s.cache_key(), "corp");
    assert_eq!(s.region.value, "eu-west-1");
    assert_eq!(s.start_url.origin.section.as_ref(), "sso-session corp");
    assert_eq!(s.registration_scopes, ["sso:account:access", "other"]);
    assert_eq!(s.login_command(), "aws sso login --sso-session corp");

    let legacy = "[profile p]\nsso_start_url = https://corp/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n";
    let ProfileSource::Sso(s) = plan(legacy, "", "p") else { panic!() };
    assert_eq!(s.cache_key(), "https://corp/start");
    assert!(s.session.is_none());
    assert_eq!(s.login_command(), "aws sso login --profile p");

    // The profile may repeat the session's values, but not contradict them.
    let same = format!(
        "{session}[profile q]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n"
    );
    assert!(matches!(plan(&same, "", "q"), ProfileSource::Sso(_)));
    let other = format!(
        "{session}[profile q]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n"
    );
    assert!(error(&other, "", "q").contains("sets sso_region"));
}

#[test]
fn errors_name_the_profile_the_file_and_what_to_do() {
    let keys = "aws_access_key_id = K\naws_secret_access_key = SECRETNEVERSHOWN\n";
    let rows: Vec<(String, String, &str, &[&str])> = vec![
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\nsource_profile = p\n"
            ),
            String::new(),
            "p",
            &["loop", "p -> q -> p"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\nsource_profile = r\n[profile r]\nrole_arn = {ROLE_B}\nsource_profile = q\n"
            ),
            String::new(),
            "p",
            &["loop", "q -> r -> q"],
        ),
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = p\n"),
            String::new(),
            "p",
            &["names itself", "no static keys"],
        ),
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\nsource_profile = nowhere\n"),
            String::new(),
            "p",
            &["`nowhere`", "neither shared config file"],
        ),
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\n"),
            String::new(),
            "p",
            &["neither source_profile nor credential_source", "line 2"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\ncredential_source = Environment\n[profile q]\n{keys}"
            ),
            String::new(),
            "p",
            &["both source_profile and credential_source"],
        ),
        (
            format!("[profile p]\nrole_arn = {ROLE_A}\ncredential_source = Imds\n"),
            String::new(),
            "p",
            &["unknown credential_source", "Ec2InstanceMetadata"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\nmfa_serial = arn:aws:iam::1:mfa/u\n[profile q]\n{keys}"
            ),
            String::new(),
            "p",
            &["mfa_serial", "not supported for non-interactive logins", "line 4"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nregion = eu-west-1\n"
            ),
            String::new(),
            "p",
            &["`q`", "source_profile of `p`", "names no credentials"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\ncredential_source = Environment\nduration_seconds = 60\n"
            ),
            String::new(),
            "p",
            &["duration_seconds", "900", "43200"],
        ),
        (
            format!(
                "[profile p]\nrole_arn = {ROLE_A}\ncredential_source = Environment\nduration_seconds = 1h\n"
            ),
            String::new(),
            "p",
            &["duration_seconds"],
        ),
        (
            "[profile p]\nrole_arn = not-an-arn\ncredential_source = Environment\n".into(),
            String::new(),
            "p",
            &["role_arn", "not an IAM ARN"],
        ),
        ("[profile p]\nweb_identity_token_file = /t\n".into(), String::new(), "p", &["without role_arn"]),
        (
            "[profile p]\naws_access_key_id = K\n".into(),
            String::new(),
            "p",
            &["without aws_secret_access_key", "/h/.aws/config line 2"],
        ),
        (
            "[profile p]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n".into(),
            String::new(),
            "p",
            &["[sso-session nope]"],
        ),
        (
            "[profile p]\nsso_start_url = https://x\nsso_account_id = 1\n".into(),
            String::new(),
            "p",
            &["SSO profile without sso_region, sso_role_name"],
        ),
        (
            "[profile p]\nsso_session = s\n[sso-session s]\nsso_region = eu-west-1\n".into(),
            String::new(),
            "p",
            &["sso_start_url, sso_account_id, sso_role_name"],
        ),
        (
            String::new(),
            format!("[p]\n{keys}"),
            "absent",
            &["`absent` (from AWS_PROFILE)", "profiles defined are: p"],
        ),
    ];
    for (cfg, creds, profile, parts) in &rows {
        let msg = error(cfg, creds, profile);
        for part in *parts {
            assert!(msg.contains(part), "`{part}` missing from: {msg}");
        }
        assert!(!msg.contains("SECRETNEVERSHOWN"), "{msg}");
        if *profile == "p" {
            assert!(msg.contains("/h/.aws/"), "the file is named: {msg}");
        }
    }
}

#[test]
fn nothing_usable_in_the_selected_profile_falls_through() {
    let implicit = SelectedProfile::select(&Env::from_vars([("X", "y")]), None);
    let c = config("[default]\nregion = eu-west-1\n", "");
    let Resolution::NoCredentials(why) = resolve(&c, &implicit).unwrap() else { panic!() };
    assert!(why.contains("`default`") && why.contains("/h/.aws/config"), "{why}");
    let c = config("[profile other]\nregion = eu-west-1\n", "");
    let Resolution::NoCredentials(why) = resolve(&c, &implicit).unwrap() else { panic!() };
    assert!(why.contains("no default profile"), "{why}");
    // A named profile with nothing usable also falls through (every SDK moves on), but a named
    // profile that does not exist is an error (see the table above).
    let Resolution::NoCredentials(_) = run("[profile p]\nregion = eu-west-1\n", "", "p").unwrap() else {
        panic!()
    };
}

#[test]
fn plans_never_print_secrets() {
    let p = plan(
        &format!(
            "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\ncredential_process = /bin/c --token PROCESSSECRET\n"
        ),
        "[p]\naws_secret_access_key = UNUSEDSECRET\n",
        "p",
    );
    let q = plan(
        "",
        "[k]\naws_access_key_id = K\naws_secret_access_key = KEYSECRET\naws_session_token = TOKENSECRET\n",
        "k",
    );
    let text = format!("{p:?} {q:?} {:?} {:?}", p.steps(), q.steps());
    for secret in ["PROCESSSECRET", "UNUSEDSECRET", "KEYSECRET", "TOKENSECRET"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    let ProfileSource::StaticKeys(keys) = q else { panic!() };
    let creds = keys.credentials("profile").unwrap();
    assert_eq!(creds.secret_access_key(), "KEYSECRET");
    assert_eq!(creds.session_token(), Some("TOKENSECRET"));
    assert_eq!(creds.source(), "profile");
}

#[test]
fn steps_read_from_base_to_final_role() {
    let p = plan(
        &format!(
            "[profile p]\nrole_arn = {ROLE_A}\nsource_profile = q\n[profile q]\nrole_arn = {ROLE_B}\ncredential_source = Ec2InstanceMetadata\n"
        ),
        "",
        "p",
    );
    let steps = p.steps();
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(steps[0].starts_with("credential_source Ec2InstanceMetadata from [profile q]"), "{steps:?}");
    assert!(steps[1].contains(ROLE_B) && steps[1].contains("line 5"), "{steps:?}");
    assert!(steps[2].contains(ROLE_A) && steps[2].contains("line 2"), "{steps:?}");
}
