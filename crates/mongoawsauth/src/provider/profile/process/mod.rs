//! Credentials from an external program: a profile's `credential_process`.
//!
//! Reads no environment variable, file or URL itself: it runs the command its
//! [`ProcessSettings`] name (the value of `credential_process` in the profile) and reads the
//! JSON document the program prints on stdout (see [`parse_output`]). The program inherits this
//! process's environment and working directory; its stdin is closed.
//!
//! # No shell
//!
//! The SDKs disagree. botocore (boto3, the AWS CLI, and through them pymongo) splits the value
//! with POSIX shell quoting rules (`shlex`) and runs the words directly; the Rust, JavaScript,
//! Go and Java SDKs hand the whole value to `sh -c` (`cmd.exe /C` on Windows). We follow
//! botocore and run no shell:
//! - a command botocore accepts runs the same here, quotes included, and the same command gives
//!   the same result through a shell except where it relies on shell syntax;
//! - the value is interpreted once, by rules we control and test, instead of by whichever `sh`
//!   the host has: containers built without a shell (distroless images) still work, and a
//!   stray `$`, `*`, backquote or `;` in an argument stays literal instead of being expanded;
//! - a user who wants a pipeline or an environment expansion writes `sh -c '…'` in the profile,
//!   which works identically in every SDK.
//!
//! # Limits
//!
//! The run is bounded by [`ProcessSettings::timeout`] (10 s by default) and by the caller's
//! deadline, whichever comes first; on either, the program is killed together with every
//! process it started (its process group, on Unix). At most 64 KiB of stdout are read (more is
//! an error: a credentials document is a few hundred bytes) and 4 KiB of stderr are kept.
//!
//! # Errors and secrets
//!
//! A non-zero exit, a timeout, output that is not a `Version: 1` document, missing fields or
//! expired credentials each give an error naming the profile and the program (never its
//! arguments, which may carry a secret), quoting at most the first line of stderr, trimmed and
//! capped, with every word the program printed on stdout redacted from it. Stdout itself is
//! never quoted.
//!
//! # Caching
//!
//! Credentials with an `Expiration` go through the process-wide cache, keyed by a SHA-256 of the
//! command, as the SDKs cache them; credentials without one are long-lived and the program runs
//! again at each resolution (again as the SDKs do).

mod command;
mod output;
mod run;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use output::{OutputError, parse_output};
// For the fuzz targets (crate::fuzzing).
pub(crate) use command::{program_label, split_posix, split_windows};
pub(crate) use output::stderr_quote;

use crate::config::{Clock, SystemClock};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "credential_process";
/// How long the program may run unless [`ProcessSettings::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most stdout read from the program.
pub const STDOUT_CAP: usize = 64 * 1024;
/// The most stderr kept from the program (for the first line an error quotes).
const STDERR_KEEP: usize = 4 * 1024;

/// What a profile says about its `credential_process`.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessSettings {
    /// The profile the command came from, for messages.
    pub profile: String,
    /// The value of `credential_process`, exactly as written.
    pub command: String,
    /// How long the program may run (default [`DEFAULT_TIMEOUT`]); the caller's deadline also
    /// applies.
    pub timeout: Duration,
}

impl ProcessSettings {
    /// The command of `profile`, with the default timeout.
    pub fn new(profile: impl Into<String>, command: impl Into<String>) -> Self {
        ProcessSettings { profile: profile.into(), command: command.into(), timeout: DEFAULT_TIMEOUT }
    }
}

impl fmt::Debug for ProcessSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessSettings")
            .field("profile", &self.profile)
            .field("program", &label_of(&self.command))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Runs a profile's `credential_process`.
#[derive(Clone)]
pub struct CredentialProcessProvider {
    settings: ProcessSettings,
    label: String,
    clock: Arc<dyn Clock>,
}

impl CredentialProcessProvider {
    /// A provider for these settings. Nothing runs until credentials are asked for.
    pub fn new(settings: ProcessSettings) -> Self {
        let label = label_of(&settings.command);
        CredentialProcessProvider { settings, label, clock: Arc::new(SystemClock) }
    }

    /// Judges the expiration the program prints against `clock` instead of the system's (the
    /// profile chain passes its [`ProviderConfig`](crate::ProviderConfig)'s clock).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Runs the program now and reads its answer.
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let argv = command::split(&self.settings.command).map_err(|e| {
            ProviderError::Failed(Error::configuration(format!(
                "{NAME} of profile '{}' {e}: write the program and its arguments with shell-style \
                 quoting (no shell runs it; use sh -c '…' for pipelines)",
                self.settings.profile
            )))
        })?;
        tracing::debug!(profile = %self.settings.profile, program = %self.label, "running credential_process");
        let at = self.at();
        let finished = match run::run(&argv, self.settings.timeout, STDOUT_CAP, STDERR_KEEP).await {
            Ok(finished) => finished,
            Err(run::RunError::Spawn(e)) => {
                let why = match e.kind() {
                    std::io::ErrorKind::NotFound => {
                        "was not found: write its absolute path, or put its directory on PATH".to_owned()
                    }
                    std::io::ErrorKind::PermissionDenied => {
                        "cannot be run by this process (permission denied): check that it is an \
                         executable file"
                            .to_owned()
                    }
                    _ if run::is_busy(&e) => "could not be started: the file is open for writing by a \
                         process (text file busy); close it after writing it, before it is run"
                        .to_owned(),
                    _ => format!("could not be started ({e}): check that it is an executable file"),
                };
                return Err(failed(ErrorKind::CredentialsProvider, format!("{at} {why}")));
            }
            Err(run::RunError::TimedOut { stderr }) => {
                return Err(failed(
                    ErrorKind::Timeout,
                    format!(
                        "{at} did not finish within {} ms and was killed{}: check that it can run \
                         without a terminal or a prompt, or allow more time",
                        self.settings.timeout.as_millis(),
                        quoted(&stderr, b"")
                    ),
                ));
            }
            Err(run::RunError::StdoutTooLarge { stderr }) => {
                return Err(failed(
                    ErrorKind::CredentialsProvider,
                    format!(
                        "{at} wrote more than {} KiB on stdout and was killed{}: it must print only \
                         the credentials document",
                        STDOUT_CAP / 1024,
                        quoted(&stderr, b"")
                    ),
                ));
            }
            Err(run::RunError::Io(e, stderr)) => {
                return Err(failed(
                    ErrorKind::CredentialsProvider,
                    format!("{at} could not be read from ({e}){}", quoted(&stderr, b"")),
                ));
            }
        };
        if !finished.status.success() {
            let status = match finished.status.code() {
                Some(code) => format!("exited with status {code}"),
                None => "was ended by a signal".to_owned(),
            };
            return Err(failed(
                ErrorKind::CredentialsProvider,
                format!(
                    "{at} {status}{}: run the command by hand to see why",
                    quoted(&finished.stderr, &finished.stdout)
                ),
            ));
        }
        parse_output(&finished.stdout, self.clock.now(), NAME).map_err(|e| {
            let next = match e {
                OutputError::Expired(_) => "it must print current credentials (check the system clock too)",
                _ => {
                    "it must print {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …} on stdout, \
                     with SessionToken and Expiration for temporary credentials"
                }
            };
            failed(
                ErrorKind::CredentialsProvider,
                format!(
                    "{at} printed no usable credentials ({e}){}: {next}",
                    quoted(&finished.stderr, &finished.stdout)
                ),
            )
        })
    }

    fn at(&self) -> String {
        format!("{NAME} of profile '{}': the program {}", self.settings.profile, self.label)
    }
}

fn failed(kind: ErrorKind, message: String) -> ProviderError {
    ProviderError::Failed(Error::new(kind, message))
}

/// `; stderr: "…"` with the first line of stderr, or nothing.
fn quoted(stderr: &[u8], stdout: &[u8]) -> String {
    match output::stderr_quote(stderr, stdout) {
        Some(line) => format!(" (stderr: \"{line}\")"),
        None => String::new(),
    }
}

fn label_of(command_line: &str) -> String {
    match command::split(command_line) {
        Ok(argv) => command::program_label(&argv[0]),
        Err(_) => "(unparsable command)".to_owned(),
    }
}

impl ProvideCredentials for CredentialProcessProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }

    /// A digest of the command: profiles that run the same command share one entry, and the key
    /// carries none of the command's arguments.
    fn cache_key(&self) -> Option<String> {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.settings.command.as_bytes());
        let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Some(format!("{NAME}\n{hex}"))
    }
}

impl fmt::Debug for CredentialProcessProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProcessProvider").field("settings", &self.settings).finish()
    }
}
