//! Cold start, side by side: a new `Authenticator` and its first `credentials()` with static keys
//! from the shared config files' default profile, and with the same keys in the environment.
//! The profile case reads and parses both files from a temporary directory on every iteration
//! (the profile step re-reads them at every fetch), so the difference between the two is what
//! the shared-config support adds to a first login. The goal: within 2 ms of the environment.
//! See docs/benchmarks.md.
#![allow(clippy::unwrap_used, reason = "a benchmark stops with the cause if its setup fails")]
#![allow(missing_docs, reason = "criterion_group! declares a public function without docs")]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use mongoawsauth::{Authenticator, Env, Options, ProviderConfig};

// Throwaway values shaped like real keys; nothing here is ever sent anywhere.
const ACCESS_KEY_ID: &str = "AKIABENCHMARKEXAMPLE";
const SECRET: &str = "benchmark/secret/key/not/a/real/one/000000";

/// A temporary home with a config file of a realistic size (a default profile with a region,
/// a handful of named profiles, an SSO session, a services section) and a credentials file whose
/// `[default]` holds the keys.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = std::env::temp_dir().join(format!("mongoawsauth-bench-cold-start-{}", std::process::id()));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        let mut config = String::from("[default]\nregion = us-east-1\noutput = json\n\n");
        for i in 0..8 {
            config.push_str(&format!(
                "# team {i}\n[profile team-{i}]\nregion = eu-west-1\nrole_arn = \
                 arn:aws:iam::123456789012:role/team-{i}\nsource_profile = default\n\n"
            ));
        }
        config.push_str(
            "[profile sso-dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Dev\n\n\
             [sso-session corp]\nsso_start_url = https://d-example.awsapps.com/start\nsso_region = us-east-1\n\n\
             [services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n",
        );
        std::fs::write(dir.join(".aws/config"), config).unwrap();
        std::fs::write(
            dir.join(".aws/credentials"),
            format!("[default]\naws_access_key_id = {ACCESS_KEY_ID}\naws_secret_access_key = {SECRET}\n"),
        )
        .unwrap();
        Home { dir }
    }

    fn path(&self, rel: &str) -> String {
        self.dir.join(rel).display().to_string()
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Options over exactly `vars`, with IMDS switched off: nothing can reach the network.
fn options(vars: Vec<(&str, String)>) -> Options {
    let env = Env::from_vars(vars.iter().map(|(k, v)| (*k, v.as_str())));
    Options::new().with_provider_config(ProviderConfig::new().with_env(env))
}

fn profile_options(home: &Home) -> Options {
    options(vec![
        ("HOME", home.path("")),
        ("AWS_CONFIG_FILE", home.path(".aws/config")),
        ("AWS_SHARED_CREDENTIALS_FILE", home.path(".aws/credentials")),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ])
}

fn environment_options(empty_home: &Path) -> Options {
    options(vec![
        ("HOME", empty_home.display().to_string()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", SECRET.to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ])
}

/// One cold start: a fresh authenticator (the options are built inside, as a new client does)
/// and its first credentials, with the process-wide cache emptied first.
fn cold_start(runtime: &tokio::runtime::Runtime, make: impl Fn() -> Options, source: &str) {
    mongoawsauth::cache::clear();
    let credentials = runtime.block_on(async {
        let auth = Authenticator::new(make()).expect("options");
        auth.credentials().await.expect("credentials")
    });
    assert_eq!(credentials.source(), source);
    black_box(credentials);
}

fn cold_start_group(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let home = Home::new();
    let empty_home = home.dir.join("empty");
    std::fs::create_dir_all(&empty_home).unwrap();

    let mut group = c.benchmark_group("cold_start");
    group.bench_function("environment", |b| {
        b.iter(|| cold_start(&runtime, || environment_options(&empty_home), "environment"))
    });
    group.bench_function("profile-static-keys", |b| {
        b.iter(|| cold_start(&runtime, || profile_options(&home), "profile"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    targets = cold_start_group
}
criterion_main!(benches);
