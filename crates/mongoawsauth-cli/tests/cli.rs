//! Runs the built `mongoawsauth` binary with a cleared environment and checks its output.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::path::PathBuf;
use std::process::Output;

use serde::Deserialize;

mod common;

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    common::clean_command(args)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .expect("run mongoawsauth")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[derive(Deserialize)]
struct Vectors {
    signing_cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
    sts_host: String,
    x_mongodb_server_nonce: String,
    x_amz_date: String,
    authorization: String,
    client_final_payload_bson_b64: String,
}

/// `sign` must reproduce, byte for byte, the vectors computed by an independent from-scratch
/// SigV4 implementation (see tests/data/sigv4/README.md), for every case with a real 64-byte nonce.
#[test]
fn sign_matches_the_independent_vectors() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/sigv4/mongodb-aws-sigv4-vectors.json");
    let vectors: Vectors = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut checked = 0;
    for case in vectors.signing_cases.iter().filter(|c| c.name.starts_with("spec-nonce")) {
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID", case.access_key_id.as_str()),
            ("AWS_SECRET_ACCESS_KEY", case.secret_access_key.as_str()),
        ];
        if let Some(token) = &case.session_token {
            env.push(("AWS_SESSION_TOKEN", token));
        }
        let out = run(
            &[
                "sign",
                "--host",
                &case.sts_host,
                "--server-nonce",
                &case.x_mongodb_server_nonce,
                "--date",
                &case.x_amz_date,
                "--show-secrets",
            ],
            &env,
        );
        assert!(out.status.success(), "{}: {}", case.name, text(&out.stderr));
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(json["authorization"], case.authorization.as_str(), "{}", case.name);
        assert_eq!(json["date"], case.x_amz_date.as_str(), "{}", case.name);
        assert_eq!(json["payload"], case.client_final_payload_bson_b64.as_str(), "{}", case.name);
        match &case.session_token {
            Some(token) => assert_eq!(json["security_token"], token.as_str()),
            None => assert!(json.get("security_token").is_none()),
        }
        checked += 1;
    }
    assert_eq!(checked, 2);
}

/// `sign` prints the session token twice (`security_token`, and inside `payload`), so with
/// temporary credentials it refuses to run without `--show-secrets`, like `credentials --format
/// env`; long-term keys print no secret and need no flag.
#[test]
fn sign_prints_a_session_token_only_with_show_secrets() {
    let nonce = "A".repeat(88);
    let args = ["sign", "--host", "sts.amazonaws.com", "--server-nonce", nonce.as_str()];
    let temporary = [
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "SEKRIT-VALUE"),
        ("AWS_SESSION_TOKEN", "TOKEN-VALUE"),
    ];
    let out = run(&args, &temporary);
    assert!(!out.status.success());
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("session token") && stderr.contains("--show-secrets"), "{stderr}");
    assert!(!stderr.contains("TOKEN-VALUE") && !stderr.contains("SEKRIT-VALUE"), "{stderr}");

    let out = run(&[&args[..], &["--show-secrets"]].concat(), &temporary);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["security_token"], "TOKEN-VALUE");

    let long_term = [("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"), ("AWS_SECRET_ACCESS_KEY", "SEKRIT-VALUE")];
    let out = run(&args, &long_term);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("SEKRIT-VALUE"));
}

#[test]
fn sign_rejects_bad_input_with_a_clear_error() {
    let env = [("AWS_ACCESS_KEY_ID", "AKIA1"), ("AWS_SECRET_ACCESS_KEY", "SEKRIT-VALUE")];
    let nonce = "A".repeat(88);
    for (args, expected) in [
        (vec!["sign", "--host", "sts..com", "--server-nonce", nonce.as_str()], "empty label"),
        (vec!["sign", "--host", "sts.amazonaws.com", "--server-nonce", "!!"], "not standard base64"),
        (
            vec![
                "sign",
                "--host",
                "sts.amazonaws.com",
                "--server-nonce",
                nonce.as_str(),
                "--date",
                "yesterday",
            ],
            "YYYYMMDDTHHMMSSZ",
        ),
    ] {
        let out = run(&args, &env);
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("SEKRIT-VALUE"));
    }
    let out = run(&["sign", "--host", "sts.amazonaws.com", "--server-nonce", &nonce], &[]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("AWS_ACCESS_KEY_ID"), "{}", text(&out.stderr));
}

#[test]
fn credentials_redacts_by_default_and_lists_sources_when_none() {
    let env = [
        ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "SEKRIT-VALUE"),
        ("AWS_SESSION_TOKEN", "TOKEN-VALUE"),
    ];
    let out = run(&["credentials", "--format", "json"], &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["source"], "environment");
    assert_eq!(json["access_key_id"], "ASIAEXAMPLE");
    assert!(!stdout.contains("SEKRIT-VALUE") && !stdout.contains("TOKEN-VALUE"));

    let out = run(&["credentials", "--format", "env", "--show-secrets"], &env);
    assert!(text(&out.stdout).contains("export AWS_SESSION_TOKEN='TOKEN-VALUE'"));
    let out = run(&["credentials", "--format", "env"], &env);
    assert!(!out.status.success());

    let out = run(&["credentials"], &[]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("no AWS credentials found") && err.contains("environment: not configured"), "{err}");

    let out = run(&["credentials"], &[("AWS_ACCESS_KEY_ID", "AKIA1")]);
    assert!(text(&out.stderr).contains("AWS_SECRET_ACCESS_KEY is not"), "{}", text(&out.stderr));
}

#[test]
fn every_command_has_useful_help() {
    for (cmd, words) in [("demo", "loopback"), ("credentials", "--show-secrets"), ("sign", "--server-nonce")]
    {
        let out = run(&[cmd, "--help"], &[]);
        assert!(out.status.success());
        let help = text(&out.stdout);
        assert!(help.contains(words), "{cmd}: {help}");
    }
}

/// The subcommands `--help` lists (clap's own `help` aside).
fn listed_commands() -> Vec<String> {
    let out = run(&["--help"], &[]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    assert!(commands.len() >= 5, "{help}");
    commands
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).map(str::to_ascii_lowercase).collect()
}

/// The first line of `mongoawsauth --help` and the crate's top-level doc comment name every
/// command, so neither can fall behind when a command is added.
#[test]
fn the_description_and_the_doc_comment_name_every_command() {
    let out = run(&["--help"], &[]);
    let help = text(&out.stdout);
    let about = words(help.lines().next().unwrap());
    let main_rs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/main.rs")).unwrap();
    let doc: String = main_rs.lines().filter(|l| l.starts_with("//!")).collect::<Vec<_>>().join("\n");
    for command in listed_commands() {
        assert!(about.contains(&command), "--help's description does not mention {command}: {help}");
        assert!(doc.contains(&format!("`{command}`")), "src/main.rs's doc comment does not list {command}");
    }
}

/// `credentials --help` describes the chain the command really walks: no custom provider (a
/// library option the CLI has no flag for), and the sources in the default chain's order.
#[test]
fn credentials_help_describes_the_real_chain_in_order() {
    for args in [&["--help"][..], &["credentials", "--help"]] {
        let help = text(&run(args, &[]).stdout);
        assert!(!help.contains("custom provider"), "{args:?}: {help}");
    }
    let help = text(&run(&["credentials", "--help"], &[]).stdout);
    let positions: Vec<usize> = ["environment", "profile", "web identity", "container", "instance metadata"]
        .iter()
        .map(|source| help.find(source).unwrap_or_else(|| panic!("no {source} in: {help}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sources out of order: {help}");
}

/// No command's help mentions an option that command does not have: every `--flag` in the text
/// is one of the flags clap lists for it (hidden test-only flags are neither listed nor named).
#[test]
fn help_mentions_only_options_the_user_can_set() {
    for command in listed_commands() {
        let help = text(&run(&[command.as_str(), "--help"], &[]).stdout);
        let defined: Vec<&str> = help
            .lines()
            .map(str::trim_start)
            .filter_map(|l| l.strip_prefix("-h, ").or(Some(l)))
            .filter(|l| l.starts_with("--"))
            .filter_map(|l| l.split([' ', ',']).next())
            .collect();
        assert!(defined.contains(&"--help"), "{command}: {help}");
        let mut rest = help.as_str();
        while let Some(at) = rest.find("--") {
            let flag: String = rest[at..]
                .chars()
                .enumerate()
                .take_while(|(i, c)| *i < 2 || c.is_ascii_alphanumeric() || *c == '-')
                .map(|(_, c)| c)
                .collect();
            if flag.len() > 2 {
                assert!(
                    defined.contains(&flag.as_str()),
                    "{command} --help mentions {flag}, not an option of it"
                );
            }
            rest = &rest[at + 2..];
        }
    }
}

/// With `MONGOAWSAUTH_LOG` set and stderr piped (not a terminal), the log lines carry no ANSI
/// escape codes.
#[test]
fn piped_logs_have_no_colour_codes() {
    let env = [
        ("MONGOAWSAUTH_LOG", "mongoawsauth=debug"),
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "SEKRIT-VALUE"),
    ];
    let out = run(&["credentials"], &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.lines().any(|l| l.contains("mongoawsauth::")), "no log line: {stderr}");
    assert!(!stderr.contains('\x1b'), "escape codes in a piped log: {stderr:?}");
    assert!(!stderr.contains("SEKRIT-VALUE"));
}

/// The demo logs in through every credential source against the in-process stand-ins (each row
/// resolved by the source it names, through the real default chain) and refuses the wrong
/// secret; its JSON lines say so row by row.
#[test]
fn demo_logs_in_from_every_source_and_refuses_a_wrong_secret() {
    let out = run(&["demo", "--json"], &[]);
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    let rows: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let expected = [
        ("environment", Some("environment"), ":assumed-role/mongo-role/"),
        ("web identity", Some("web_identity"), ":assumed-role/mongo-web-identity/demo"),
        ("container (ECS relative URI)", Some("container"), ":assumed-role/ecs-task-role/demo-task"),
        ("container (full URI + token file)", Some("container"), ":assumed-role/container-role/"),
        ("EC2 IMDSv2", Some("imds"), ":assumed-role/imds-role/"),
        ("profile static keys", Some("profile"), ":user/mongo-user"),
        ("profile credential_process", Some("credential_process"), ":assumed-role/mongo-role/session"),
        ("profile SSO", Some("sso"), ":assumed-role/sso-role/"),
        ("profile chained role", Some("assume_role"), ":assumed-role/chain-a/"),
        ("SAML", Some("saml"), ":assumed-role/mongo-saml/"),
        ("custom callback", Some("custom"), ":user/mongo-user"),
        ("static keys (legacy policy)", Some("static"), ":user/mongo-user"),
        ("wrong secret (must be refused)", None, ""),
    ];
    assert_eq!(rows.len(), expected.len());
    for (row, (source, resolved_by, arn)) in rows.iter().zip(expected) {
        assert_eq!(row["source"], source);
        assert_eq!(row["passed"], true, "{row}");
        match resolved_by {
            Some(by) => {
                assert_eq!(row["resolved_by"], by, "{row}");
                assert!(row["arn"].as_str().unwrap().contains(arn), "{row}");
            }
            None => {
                assert!(row["arn"].is_null());
                assert!(row["error"].as_str().unwrap().contains("AuthenticationFailed"), "{row}");
            }
        }
    }
}
