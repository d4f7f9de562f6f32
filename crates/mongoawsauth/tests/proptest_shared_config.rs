//! Property tests for the shared config parser: it never panics, it reads back exactly what a
//! file written with any of the grammar's allowed spellings says, the credentials file wins the
//! merge for every key, and no error or `Debug` string ever carries a secret from the files.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::collections::BTreeMap;
use std::path::Path;

use mongoawsauth::Env;
use mongoawsauth::shared_config::{SelectedProfile, SharedConfig, resolve};
use proptest::prelude::*;

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// profile name -> key -> value.
type Model = BTreeMap<String, BTreeMap<String, String>>;

fn name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.@:+/%-]{1,12}"
}

fn key() -> impl Strategy<Value = String> {
    "[a-z0-9_]{1,12}"
}

/// Values as the grammar can carry them: no leading or trailing space or tab, no `#` or `;`
/// first or after whitespace (that would start a comment), no line breaks, not empty.
fn value() -> impl Strategy<Value = String> {
    "[!-\"$-:<-~]([ -~]{0,20}[!-~])?"
        .prop_filter("no comment after whitespace", |v| !v.contains(" #") && !v.contains(" ;"))
}

fn model() -> impl Strategy<Value = Model> {
    prop::collection::btree_map(name(), prop::collection::btree_map(key(), value(), 0..5), 0..5)
}

/// Renders a model, choosing among the spellings the grammar allows for each line.
fn render(model: &Model, credentials: bool, style: &[u8]) -> String {
    let mut out = String::new();
    let mut pick = style.iter().copied().cycle();
    for (profile, props) in model {
        match pick.next().unwrap() % 3 {
            0 => out.push_str("# a comment\n"),
            1 => out.push_str("\n \t\n"),
            _ => {}
        }
        let header = if credentials || profile == "default" {
            profile.clone()
        } else {
            format!("profile{}{profile}", if pick.next().unwrap() % 2 == 0 { " " } else { " \t " })
        };
        let comment = if pick.next().unwrap() % 2 == 0 { " ; trailing" } else { "" };
        let padding = if pick.next().unwrap() % 2 == 0 { " " } else { "" };
        out.push_str(&format!("[{padding}{header}{padding}]{comment}\n"));
        for (k, v) in props {
            let k = if pick.next().unwrap() % 2 == 0 { k.to_ascii_uppercase() } else { k.clone() };
            let line = match pick.next().unwrap() % 4 {
                0 => format!("{k}={v}"),
                1 => format!("{k} = {v}"),
                2 => format!("{k}\t=  {v} # comment"),
                _ => format!("{k} = {v}\t"),
            };
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

fn read_back(config: &SharedConfig) -> Model {
    config
        .profile_names()
        .map(|name| {
            let p = config.profile(name).unwrap();
            (
                name.to_owned(),
                p.properties().map(|prop| (prop.key().to_owned(), prop.value().to_owned())).collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(config(384))]

    #[test]
    fn any_text_parses_or_fails_without_panicking(text in any::<String>(), credentials in any::<bool>()) {
        let path = Path::new("/h/.aws/x");
        let file = Some((path, text.as_str()));
        let result = if credentials { SharedConfig::from_texts(None, file) } else { SharedConfig::from_texts(file, None) };
        if let Err(e) = result {
            prop_assert!(e.message().starts_with("/h/.aws/x line "), "{}", e);
        }
    }

    #[test]
    fn line_soup_parses_or_fails_without_panicking(
        lines in prop::collection::vec(prop_oneof![
            Just("[default]".to_owned()), Just("[profile a]".to_owned()), Just("[sso-session s]".to_owned()),
            Just("[services s]".to_owned()), Just("  nested = 1".to_owned()), Just("  # c".to_owned()),
            Just("s3 =".to_owned()), Just("k = v".to_owned()), Just("[".to_owned()), Just("=".to_owned()),
            "[ -~\t]{0,12}",
        ], 0..12),
    ) {
        let text = lines.join("\n");
        let _ = SharedConfig::from_texts(Some((Path::new("/c"), &text)), Some((Path::new("/k"), &text)));
    }

    #[test]
    fn rendered_files_read_back_exactly(model in model(), credentials in any::<bool>(), style in prop::collection::vec(any::<u8>(), 1..16)) {
        let text = render(&model, credentials, &style);
        let path = Path::new("/h/.aws/f");
        let parsed = if credentials {
            SharedConfig::from_texts(None, Some((path, &text)))
        } else {
            SharedConfig::from_texts(Some((path, &text)), None)
        };
        let parsed = parsed.map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(read_back(&parsed), model, "{}", text);
    }

    #[test]
    fn the_credentials_file_wins_every_key(cfg in model(), creds in model()) {
        let c = SharedConfig::from_texts(
            Some((Path::new("/c"), &render(&cfg, false, &[1]))),
            Some((Path::new("/k"), &render(&creds, true, &[1]))),
        ).unwrap();
        let mut want = cfg.clone();
        for (profile, props) in &creds {
            want.entry(profile.clone()).or_default().extend(props.clone());
        }
        prop_assert_eq!(read_back(&c), want);
    }

    #[test]
    fn secrets_never_reach_errors_or_debug(
        // Lines before the secret must not start with whitespace: an indented line continues
        // the property above it, and the secret's line would then belong to another key.
        before in prop::collection::vec("([!-~][ -~]{0,10})?", 0..4),
        after in prop::collection::vec("[ -~]{0,10}", 0..4),
        secret_line in prop_oneof![
            Just("aws_secret_access_key = SECRETMARK"), Just("SECRETMARK"),
            Just("aws_secret_access_key = x\n  SECRETMARK"), Just("aws_secret_access_key =\n  SECRETMARK"),
            Just("aws_session_token =\n  a = SECRETMARK"),
            Just("[SECRETMARK"), Just("= SECRETMARK"), Just("aws_session_token=SECRETMARK ; x"),
            Just("aws_access_key_id = AKID\naws_secret_access_key = SECRETMARK\nrole_arn = x"),
        ],
        profile in prop_oneof![Just("default"), Just("p")],
    ) {
        let text = format!("[{profile}]\n{}\n{secret_line}\n{}\n", before.join("\n"), after.join("\n"));
        let outcome = SharedConfig::from_texts(None, Some((Path::new("/k"), &text)));
        match outcome {
            Err(e) => {
                let shown = format!("{e} {e:?}");
                prop_assert!(!shown.contains("SECRETMARK"), "{}", shown);
            }
            Ok(c) => {
                let shown = format!("{c:?}");
                prop_assert!(!shown.contains("SECRETMARK"), "{}", shown);
                let selected = SelectedProfile::select(&Env::from_vars([("AWS_PROFILE", profile)]), None);
                let text = match resolve(&c, &selected) {
                    Ok(r) => format!("{r:?}"),
                    Err(e) => format!("{e} {e:?}"),
                };
                prop_assert!(!text.contains("SECRETMARK"), "{}", text);
            }
        }
    }
}
