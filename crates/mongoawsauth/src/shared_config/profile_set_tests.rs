use std::path::Path;

use super::*;
use crate::ErrorKind;

const CONFIG: &str = "/h/.aws/config";
const CREDENTIALS: &str = "/h/.aws/credentials";

fn load(config: Option<&str>, credentials: Option<&str>) -> SharedConfig {
    SharedConfig::from_texts(
        config.map(|t| (Path::new(CONFIG), t)),
        credentials.map(|t| (Path::new(CREDENTIALS), t)),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn value<'a>(config: &'a SharedConfig, profile: &str, key: &str) -> Option<&'a str> {
    config.profile(profile)?.get(key).map(Property::value)
}

#[test]
fn config_file_section_rules() {
    let c = load(
        Some(
            "[default]\na = 1\n[profile dev]\na = 2\n[plain]\na = 3\n[profile  spaced\t]\na = 4\n\
             [sso-session corp]\nsso_region = eu-west-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n\
             [profile bad name]\na = 5\n[Profile upper]\na = 6\n[profile]\na = 7\n[unknown thing]\na = 8\n",
        ),
        None,
    );
    assert_eq!(value(&c, "default", "a"), Some("1"));
    assert_eq!(value(&c, "dev", "a"), Some("2"));
    assert_eq!(value(&c, "spaced", "a"), Some("4"));
    // `[plain]` needs the prefix in the config file; `[profile bad name]` is not an identifier;
    // the prefix is case-sensitive; `[profile]` alone is a section called "profile" without a
    // prefix, which the config file does not accept either.
    for missing in ["plain", "bad name", "bad", "upper", "profile", "thing"] {
        assert!(c.profile(missing).is_none(), "{missing}");
    }
    assert_eq!(c.profile_names().collect::<Vec<_>>(), ["default", "dev", "spaced"]);
    assert_eq!(c.sso_session("corp").unwrap().get("sso_region").unwrap().value(), "eu-west-1");
    let sts = c.services("local").unwrap().get("sts").unwrap();
    assert_eq!(sts.sub_property("endpoint_url").unwrap().value, "http://127.0.0.1:1");
    let ignored: Vec<usize> = c.notices().iter().map(|n| n.line).collect();
    assert_eq!(ignored, [5, 14, 16, 18, 20], "{:?}", c.notices());
}

#[test]
fn credentials_file_section_rules() {
    let c =
        load(None, Some("[default]\na = 1\n[dev]\na = 2\n[profile dev]\na = 3\n[sso-session x]\na = 4\n"));
    assert_eq!(value(&c, "default", "a"), Some("1"));
    assert_eq!(value(&c, "dev", "a"), Some("2"));
    assert!(c.sso_session("x").is_none());
    assert_eq!(c.notices().len(), 2);
    assert!(
        c.notices()[0].message.contains("belongs") || c.notices()[0].message.contains("[NAME] sections only")
    );
}

#[test]
fn profile_default_replaces_default_in_the_config_file() {
    let c = load(Some("[default]\na = 1\nb = 1\n[profile default]\na = 2\n"), None);
    assert_eq!(value(&c, "default", "a"), Some("2"));
    assert_eq!(value(&c, "default", "b"), None);
    // Order does not matter.
    let c = load(Some("[profile default]\na = 2\n[default]\nb = 1\n"), None);
    assert_eq!(value(&c, "default", "b"), None);
    // And it does not reach into the credentials file.
    let c = load(Some("[profile default]\na = 2\n"), Some("[default]\nb = 3\n"));
    assert_eq!(value(&c, "default", "a"), Some("2"));
    assert_eq!(value(&c, "default", "b"), Some("3"));
}

#[test]
fn repeated_sections_merge_and_the_later_line_wins() {
    let c = load(Some("[profile dev]\na = 1\nb = 1\n[profile x]\n[profile dev]\na = 2\na = 3\n"), None);
    assert_eq!(value(&c, "dev", "a"), Some("3"));
    assert_eq!(value(&c, "dev", "b"), Some("1"));
    assert_eq!(c.profile("dev").unwrap().get("a").unwrap().origin().line, 7);
    assert_eq!(c.profile("dev").unwrap().headers().len(), 2);
}

#[test]
fn the_credentials_file_wins_for_the_same_key() {
    let c = load(
        Some("[profile dev]\nregion = eu-west-1\naws_access_key_id = FROMCONFIG\n"),
        Some("[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n"),
    );
    let dev = c.profile("dev").unwrap();
    assert_eq!(dev.get("aws_access_key_id").unwrap().value(), "FROMCREDS");
    assert_eq!(dev.get("aws_access_key_id").unwrap().origin().kind, FileKind::Credentials);
    assert_eq!(dev.get("region").unwrap().origin().kind, FileKind::Config);
    assert_eq!(dev.get("region").unwrap().origin().section.as_ref(), "profile dev");
    assert_eq!(dev.headers().len(), 2);
    assert!(dev.describe().contains("[profile dev] in /h/.aws/config and [dev] in /h/.aws/credentials"));
}

#[test]
fn keys_are_case_insensitive_names_are_not() {
    let c = load(Some("[profile Dev]\nREGION = eu-west-1\n[profile dev]\nRegion = us-east-1\n"), None);
    assert_eq!(value(&c, "Dev", "region"), Some("eu-west-1"));
    assert_eq!(value(&c, "dev", "region"), Some("us-east-1"));
}

#[test]
fn invalid_keys_are_ignored_with_a_notice() {
    let c = load(Some("[default]\nbad key = x\ngood = y\n"), None);
    assert_eq!(value(&c, "default", "bad key"), None);
    assert_eq!(value(&c, "default", "good"), Some("y"));
    assert_eq!(c.notices().len(), 1);
    assert_eq!(c.notices()[0].line, 2);
}

#[test]
fn secrets_are_redacted_in_debug() {
    let c = load(
        None,
        Some(
            "[default]\naws_access_key_id = AKIDVISIBLE\naws_secret_access_key = SECRETKEY1\naws_session_token = SECRETTOKEN2\naws_security_token = SECRETTOKEN3\n",
        ),
    );
    let text = format!("{c:?}");
    assert!(text.contains("AKIDVISIBLE"), "{text}");
    for secret in ["SECRETKEY1", "SECRETTOKEN2", "SECRETTOKEN3"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    let p = c.profile("default").unwrap();
    assert!(p.get("aws_secret_access_key").unwrap().is_secret());
    assert!(!p.get("aws_access_key_id").unwrap().is_secret());
    assert!(!format!("{:?}", p.get("aws_secret_access_key").unwrap().secret()).contains("SECRETKEY1"));
}

#[test]
fn load_reads_through_the_injected_reader() {
    let env = Env::from_vars([("HOME", "/h")]);
    let fs = Fs::from_files([(CONFIG, "[profile dev]\nregion = eu-west-1\n")]);
    let c = SharedConfig::load_with(&env, &fs, false).unwrap();
    assert_eq!(value(&c, "dev", "region"), Some("eu-west-1"));
    assert_eq!(c.files().len(), 2);
    assert!(c.files()[0].read);
    assert!(!c.files()[1].read, "a missing credentials file is normal");
    // An empty AWS_SHARED_CREDENTIALS_FILE reads no file even when the default exists.
    let fs = Fs::from_files([(CREDENTIALS, "[dev]\naws_access_key_id = A\naws_secret_access_key = s\n")]);
    let env = Env::from_vars([("HOME", "/h"), ("AWS_SHARED_CREDENTIALS_FILE", "")]);
    let c = SharedConfig::load_with(&env, &fs, false).unwrap();
    assert!(c.profile("dev").is_none());
    assert_eq!(c.files()[1].location, Location::Disabled);
    // No HOME: the default files are simply not there.
    let c = SharedConfig::load_with(&Env::from_vars([("X", "y")]), &fs, false).unwrap();
    assert!(c.profile_names().next().is_none());
}

#[test]
fn malformed_and_non_utf8_files_name_the_file_and_line() {
    let env = Env::from_vars([("HOME", "/h")]);
    let fs = Fs::from_files([(CREDENTIALS, &b"[default]\naws_secret_access_key SECRETX\n"[..])]);
    let e = SharedConfig::load_with(&env, &fs, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.message().starts_with("/h/.aws/credentials line 2: "), "{e}");
    assert!(!e.message().contains("SECRETX"), "{e}");

    let fs = Fs::from_files([(CONFIG, &b"[default]\nregion = eu\n\xff\xfe = x\n"[..])]);
    let e = SharedConfig::load_with(&env, &fs, false).unwrap_err();
    assert!(e.message().starts_with("/h/.aws/config line 3: "), "{e}");
    assert!(e.message().contains("not valid UTF-8"), "{e}");
}

#[test]
#[cfg_attr(miri, ignore = "Miri cannot open a file with O_NONBLOCK, as the real file system does")]
fn an_unreadable_file_is_an_error_naming_it() {
    let dir = std::env::temp_dir().join(format!("mongoawsauth-unreadable-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("config-is-a-dir")).unwrap();
    let env = Env::from_vars([("AWS_CONFIG_FILE", dir.join("config-is-a-dir").to_str().unwrap())]);
    let e = SharedConfig::load_with(&env, &Fs::real(), false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration);
    assert!(e.message().contains("config-is-a-dir"), "{e}");
    assert!(e.message().contains("named by AWS_CONFIG_FILE"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
