//! Runs examples/rust/authenticate.rs (built by `cargo test` with the other targets) against the
//! stand-ins, as a user would: good credentials print the ARN the server saw; a wrong secret fails
//! without showing the secret. The example's environment is cleared and confined to loopback.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::path::PathBuf;
use std::process::{Command, Output};

use mongoawsauth_testkit::{StandIns, StandInsConfig};

/// target/<profile>/examples/authenticate, found from this test's own path
/// (target/<profile>/deps/examples-<hash>).
fn example_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let path = profile_dir.join("examples").join(format!("authenticate{}", std::env::consts::EXE_SUFFIX));
    if !path.exists() {
        // `cargo test` builds examples with every other target; a run filtered with `--test`
        // does not, so build it here.
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "mongoawsauth", "--example", "authenticate"])
            .status()
            .unwrap();
        assert!(status.success(), "building the example failed");
    }
    assert!(path.exists(), "{} is missing", path.display());
    path
}

fn run(address: &str, vars: &[(&str, &str)]) -> Output {
    let home = std::env::temp_dir().join("mongoawsauth-example-home");
    Command::new(example_binary())
        .env_clear()
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("MONGOAWSAUTH_LOOPBACK_ONLY", "1")
        .env("MONGOD_ADDRESS", address)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn the_rust_example_logs_in_and_refuses_a_wrong_secret() {
    let standins = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let address = standins.mongod_addr().to_string();
    let temp = standins.temporary();
    let token = temp.session_token.as_deref().unwrap();
    let out = run(
        &address,
        &[
            ("AWS_ACCESS_KEY_ID", &temp.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", &temp.secret_access_key),
            ("AWS_SESSION_TOKEN", token),
        ],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), temp.arn);

    let out = run(
        &address,
        &[
            ("AWS_ACCESS_KEY_ID", &temp.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", "not-the-secret-at-all"),
            ("AWS_SESSION_TOKEN", token),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("authentication failed") && stderr.contains("18"), "{stderr}");
    assert!(!stderr.contains("not-the-secret-at-all") && !stderr.contains(token));
}
