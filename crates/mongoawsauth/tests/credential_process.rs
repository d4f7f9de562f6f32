//! The `credential_process` source against fixture programs: small `sh` scripts each test
//! writes into its own temporary directory. Success with and without an expiry, quoting without
//! a shell, every failure (exit status, garbage, wrong version, missing fields, expired), a hang
//! killed with its whole process group at the timeout and when the caller gives up, output caps,
//! secrets kept out of errors, the cache rule, and a login through the fake mongod.
//!
//! Nothing here leaves 127.0.0.1; the scripts need only `/bin/sh` and coreutils.
#![cfg(unix)]
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use common::{TempDir, assert_no_secret, login, standins};
use mongoawsauth::cache::CachedProvider;
use mongoawsauth::config::ManualClock;
use mongoawsauth::provider::profile::process::{CredentialProcessProvider, NAME, ProcessSettings};
use mongoawsauth::{Credentials, ErrorKind, ProvideCredentials, ProviderError};
use mongoawsauth_testkit::files::write_executable;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKENprocess+/=";

/// Writes an executable `sh` script named `name` into `dir` and returns its path. The tests run
/// on many threads and spawn programs, so the script is written the way that cannot make its
/// own run fail with "Text file busy" (`mongoawsauth_testkit::files`).
fn script(dir: &TempDir, name: &str, body: &str) -> String {
    let path = dir.0.join(name);
    write_executable(&path, format!("#!/bin/sh\n{body}\n"), 0o700).unwrap();
    path.to_str().unwrap().to_owned()
}

/// A script printing `doc` on stdout.
fn printing(dir: &TempDir, doc: &str) -> String {
    script(dir, "helper", &format!("cat <<'EOF'\n{doc}\nEOF"))
}

fn document(expiration: Option<SystemTime>) -> String {
    let mut doc = serde_json::json!({
        "Version": 1, "AccessKeyId": "ASIAPROCESSEXAMPLE", "SecretAccessKey": SECRET, "SessionToken": TOKEN,
    });
    if let Some(at) = expiration {
        doc["Expiration"] = rfc3339(at).into();
    }
    doc.to_string()
}

/// The document without an expiry, changed by `edit`.
fn edited(edit: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(&document(None)).unwrap();
    edit(&mut doc);
    doc.to_string()
}

fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t).replace_nanosecond(0).unwrap();
    t.format(&time::format_description::well_known::Rfc3339).unwrap()
}

fn provider(command: &str, timeout: Duration) -> CredentialProcessProvider {
    let mut settings = ProcessSettings::new("dev", command);
    settings.timeout = timeout;
    CredentialProcessProvider::new(settings)
}

fn failed(result: Result<Credentials, ProviderError>) -> mongoawsauth::Error {
    match result {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(ProviderError::NotConfigured(e)) => panic!("expected a failure, got not configured: {e}"),
        Err(ProviderError::Failed(e)) => e,
    }
}

/// Whether `pid` is gone (or a zombie waiting to be reaped, which runs no code).
fn is_dead(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

async fn wait_dead(pid: u32) -> bool {
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if is_dead(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// Waits for a file the script writes and reads the pid in it.
async fn read_pid(path: &std::path::Path) -> u32 {
    let until = Instant::now() + Duration::from_secs(3);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        assert!(Instant::now() < until, "the script never wrote {}", path.display());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn temporary_credentials_with_their_expiry() {
    let dir = TempDir::new("process-ok");
    let expiry = SystemTime::now() + Duration::from_secs(3600);
    let helper = printing(&dir, &document(Some(expiry)));
    let c = provider(&helper, Duration::from_secs(5)).load().await.unwrap();
    assert_eq!(c.source(), NAME);
    assert_eq!(c.access_key_id(), "ASIAPROCESSEXAMPLE");
    assert_eq!((c.secret_access_key(), c.session_token()), (SECRET, Some(TOKEN)));
    assert_eq!(rfc3339(c.expiration().unwrap()), rfc3339(expiry));
}

/// The expiration a program prints is judged by the provider's clock: the one the profile chain
/// hands it from its `ProviderConfig`, the system's by default.
#[tokio::test]
async fn the_expiration_is_judged_by_the_injected_clock() {
    let dir = TempDir::new("process-clock");
    let printed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    let helper = printing(&dir, &document(Some(printed)));
    let by_the_system_clock = failed(provider(&helper, Duration::from_secs(5)).load().await);
    assert!(by_the_system_clock.to_string().contains("expired"), "{by_the_system_clock}");
    let before = ManualClock::new(printed - Duration::from_secs(3600));
    let c = provider(&helper, Duration::from_secs(5)).with_clock(Arc::new(before)).load().await.unwrap();
    assert_eq!(rfc3339(c.expiration().unwrap()), rfc3339(printed));
    let after = ManualClock::new(printed + Duration::from_secs(1));
    let err = failed(provider(&helper, Duration::from_secs(5)).with_clock(Arc::new(after)).load().await);
    assert!(err.to_string().contains("expired"), "{err}");
}

#[tokio::test]
async fn no_expiration_means_long_lived() {
    let dir = TempDir::new("process-long");
    let helper = printing(
        &dir,
        &format!(r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}"}}"#),
    );
    let c = provider(&helper, Duration::from_secs(5)).load().await.unwrap();
    assert_eq!(c.expiration(), None);
    assert!(!c.is_temporary());
}

#[tokio::test]
async fn arguments_are_split_with_shell_quoting_but_no_shell_runs() {
    let dir = TempDir::new("process-args");
    std::fs::create_dir_all(dir.0.join("my tools")).unwrap();
    let path = dir.0.join("my tools").join("helper");
    write_executable(
        &path,
        format!(
            "#!/bin/sh\n[ \"$#\" = 4 ] && [ \"$1\" = 'two words' ] && [ \"$2\" = '$HOME' ] && [ \"$3\" = 'a;b|c' ] \
             && [ \"$4\" = '' ] || {{ echo \"unexpected arguments: $*\" >&2; exit 9; }}\ncat <<'EOF'\n{}\nEOF\n",
            document(None)
        ),
        0o700,
    )
    .unwrap();
    let command = format!(r#""{}" 'two words' $HOME a\;b\|c """#, path.display());
    let c = provider(&command, Duration::from_secs(5)).load().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.access_key_id(), "ASIAPROCESSEXAMPLE");
}

#[tokio::test]
async fn a_failing_program_is_reported_with_the_first_line_of_stderr() {
    let dir = TempDir::new("process-exit");
    let helper =
        script(&dir, "helper", "echo '  role dev is not allowed  ' >&2\necho 'second line' >&2\nexit 3");
    let err = failed(provider(&helper, Duration::from_secs(5)).load().await);
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    let text = err.to_string();
    assert!(
        text.contains("credential_process of profile 'dev': the program helper exited with status 3"),
        "{text}"
    );
    assert!(text.contains("(stderr: \"role dev is not allowed\")"), "{text}");
    assert!(!text.contains("second line"), "{text}");
    assert!(!text.contains(&dir.0.display().to_string()), "the command's path is not quoted: {text}");
}

#[tokio::test]
async fn a_program_left_open_for_writing_is_reported_busy_with_what_to_do() {
    use std::io::Write as _;
    use std::os::unix::fs::PermissionsExt as _;
    let dir = TempDir::new("process-busy");
    let path = dir.0.join("helper");
    // Held open for writing during the whole attempt: the kernel refuses to run the file.
    let mut open = std::fs::File::create(&path).unwrap();
    open.write_all(b"#!/bin/sh\necho never\n").unwrap();
    open.set_permissions(std::fs::Permissions::from_mode(0o700)).unwrap();
    let err = failed(provider(path.to_str().unwrap(), Duration::from_millis(300)).load().await);
    drop(open);
    assert_eq!(err.kind(), ErrorKind::CredentialsProvider);
    let text = err.to_string();
    assert!(
        text.contains(
            "the program helper could not be started: the file is open for writing by a process \
             (text file busy); close it after writing it, before it is run"
        ),
        "{text}"
    );
}

#[tokio::test]
async fn bad_documents_are_named_without_quoting_stdout() {
    let dir = TempDir::new("process-bad");
    let future = rfc3339(SystemTime::now() + Duration::from_secs(3600));
    let cases = [
        (format!("garbage {SECRET}"), "stdout is not a JSON document"),
        (edited(|d| d["Version"] = 2.into()), "the JSON has Version 2, not 1"),
        (edited(|d| drop(d.as_object_mut().unwrap().remove("Version"))), "the JSON has no Version"),
        (
            format!(r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","Expiration":"{future}"}}"#),
            "SecretAccessKey is missing",
        ),
        (document(Some(SystemTime::now() - Duration::from_secs(60))), "the credentials expired at"),
        (String::new(), "stdout was empty"),
    ];
    for (doc, want) in cases {
        let helper = printing(&dir, &doc);
        let err = failed(provider(&helper, Duration::from_secs(5)).load().await);
        let text = err.to_string();
        assert!(text.contains("the program helper printed no usable credentials"), "{text}");
        assert!(text.contains(want), "{doc}: {text}");
        assert_no_secret(&err, &text, &[SECRET, TOKEN]);
    }
}

#[tokio::test]
async fn a_secret_echoed_on_stderr_is_redacted() {
    let dir = TempDir::new("process-echo");
    let helper = script(
        &dir,
        "helper",
        &format!(
            "cat <<'EOF'\n{}\nEOF\necho \"debug: got {SECRET} and {TOKEN}\" >&2\nexit 1",
            document(None)
        ),
    );
    let err = failed(provider(&helper, Duration::from_secs(5)).load().await);
    let text = err.to_string();
    assert!(text.contains("exited with status 1"), "{text}");
    assert!(text.contains("(stderr: \"debug: got ** redacted ** and ** redacted **\")"), "{text}");
    assert_no_secret(&err, &text, &[SECRET, TOKEN]);
}

#[tokio::test]
async fn a_hang_is_killed_with_its_children_at_the_timeout() {
    let dir = TempDir::new("process-hang");
    let pids = dir.0.join("pids");
    let helper = script(
        &dir,
        "helper",
        &format!(
            "echo waiting >&2\nsleep 30 &\necho $! > '{}.child'\necho $$ > '{}'\nwait",
            pids.display(),
            pids.display()
        ),
    );
    let started = Instant::now();
    let err = failed(provider(&helper, Duration::from_millis(400)).load().await);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let text = err.to_string();
    assert!(text.contains("did not finish within 400 ms and was killed (stderr: \"waiting\")"), "{text}");
    let leader = read_pid(&pids).await;
    let child = read_pid(&dir.0.join("pids.child")).await;
    assert!(wait_dead(leader).await, "the script {leader} still runs");
    assert!(wait_dead(child).await, "the script's child {child} still runs: the group was not killed");
}

#[tokio::test]
async fn a_caller_giving_up_kills_the_program_too() {
    let dir = TempDir::new("process-drop");
    let pids = dir.0.join("pids");
    let helper = script(
        &dir,
        "helper",
        &format!("sleep 30 &\necho $! > '{}.child'\necho $$ > '{}'\nwait", pids.display(), pids.display()),
    );
    let p = provider(&helper, Duration::from_secs(60));
    // The caller's deadline, as the authenticator applies it: the future is dropped.
    let outcome = tokio::time::timeout(Duration::from_millis(400), p.load()).await;
    assert!(outcome.is_err(), "the program cannot have finished");
    let leader = read_pid(&pids).await;
    let child = read_pid(&dir.0.join("pids.child")).await;
    assert!(wait_dead(leader).await, "the script {leader} still runs");
    assert!(wait_dead(child).await, "the script's child {child} still runs");
}

#[tokio::test]
async fn endless_stdout_is_cut_at_the_cap_and_the_program_killed() {
    let dir = TempDir::new("process-huge");
    let helper = script(&dir, "helper", "exec yes AKIAEXAMPLEAKIAEXAMPLE");
    let started = Instant::now();
    let err = failed(provider(&helper, Duration::from_secs(10)).load().await);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.to_string().contains("wrote more than 64 KiB on stdout and was killed"), "{err}");
}

#[tokio::test]
async fn a_chatty_stderr_never_blocks_the_answer() {
    let dir = TempDir::new("process-chatty");
    let helper = script(
        &dir,
        "helper",
        &format!("head -c 1048576 /dev/zero | tr '\\0' 'x' >&2\ncat <<'EOF'\n{}\nEOF", document(None)),
    );
    let c = provider(&helper, Duration::from_secs(10)).load().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.access_key_id(), "ASIAPROCESSEXAMPLE");
}

#[tokio::test]
async fn configuration_errors_never_quote_the_arguments() {
    let err =
        failed(provider("/usr/bin/helper --token 'hunter2-secret", Duration::from_secs(5)).load().await);
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert!(err.to_string().contains("has a ' that is never closed"), "{err}");
    assert!(!err.to_string().contains("hunter2"));

    let dir = TempDir::new("process-missing");
    let missing = dir.0.join("no-such-helper");
    let err = failed(
        provider(&format!("{} --token hunter2-secret", missing.display()), Duration::from_secs(5))
            .load()
            .await,
    );
    assert!(err.to_string().contains("the program no-such-helper was not found"), "{err}");
    assert!(!err.to_string().contains("hunter2"));

    let p = provider("/usr/bin/helper --token hunter2-secret", Duration::from_secs(5));
    let debug = format!("{p:?}");
    assert!(debug.contains("helper") && !debug.contains("hunter2"), "{debug}");
    let key = p.cache_key().unwrap();
    assert!(key.starts_with("credential_process\n") && !key.contains("hunter2"), "{key}");
}

#[tokio::test]
async fn only_expiring_credentials_are_cached() {
    let dir = TempDir::new("process-cache");
    let runs = dir.0.join("runs");
    let expiring = script(
        &dir,
        "expiring",
        &format!(
            "echo run >> '{}'\ncat <<'EOF'\n{}\nEOF",
            runs.display(),
            document(Some(SystemTime::now() + Duration::from_secs(3600)))
        ),
    );
    let cached = CachedProvider::new(provider(&expiring, Duration::from_secs(5)));
    for _ in 0..3 {
        cached.provide_credentials().await.unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&runs).unwrap().lines().count(),
        1,
        "ran once, then served from the cache"
    );

    let long_lived_runs = dir.0.join("long-runs");
    let long_lived = script(
        &dir,
        "long-lived",
        &format!(
            "echo run >> '{}'\ncat <<'EOF'\n{}\nEOF",
            long_lived_runs.display(),
            format_args!(r#"{{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"{SECRET}"}}"#)
        ),
    );
    let cached = CachedProvider::new(provider(&long_lived, Duration::from_secs(5)));
    for _ in 0..3 {
        cached.provide_credentials().await.unwrap();
    }
    assert_eq!(std::fs::read_to_string(&long_lived_runs).unwrap().lines().count(), 3, "never cached");
}

#[tokio::test]
async fn a_login_through_the_fake_mongod_uses_the_process_credentials() {
    let s = standins().await;
    let dir = TempDir::new("process-login");
    let t = s.temporary();
    let doc = serde_json::json!({
        "Version": 1, "AccessKeyId": t.access_key_id, "SecretAccessKey": t.secret_access_key,
        "SessionToken": t.session_token, "Expiration": rfc3339(SystemTime::now() + Duration::from_secs(3600)),
    });
    let helper = printing(&dir, &doc.to_string());
    let (credentials, users) = login(&s, provider(&helper, Duration::from_secs(5))).await;
    assert_eq!(credentials.source(), NAME);
    assert_eq!(users, std::slice::from_ref(&t.arn));
}
