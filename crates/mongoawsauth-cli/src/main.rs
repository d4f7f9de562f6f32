//! `mongoawsauth`: the command line face of libmongoawsauth.
//!
//! - `diagnose`: the default chain source by source: what each found, which one a login would
//!   use and (with `--sts-check`) the ARN a MongoDB server will authenticate;
//! - `credentials`: which credentials this process would use;
//! - `saml`: temporary credentials from STS AssumeRoleWithSAML, for the SAML single sign-on step;
//! - `sign`: a client-final payload signed by hand, to compare with another implementation;
//! - `demo`: a self-contained MONGODB-AWS login against loopback stand-ins.
//!
//! `MONGOAWSAUTH_LOG` takes a tracing filter (e.g. `mongoawsauth=debug`); logs go to stderr and
//! never contain a secret. They are coloured only when stderr is a terminal and `NO_COLOR` is
//! unset, so a log piped to a file or another program carries no escape codes.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;

/// MONGODB-AWS authentication for MongoDB: diagnose the credential chain, print the credentials
/// a login would use, get SAML credentials, sign a payload by hand, or run a loopback demo.
#[derive(Debug, Parser)]
#[command(name = "mongoawsauth", version, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Log in to a loopback fake mongod through the real MONGODB-AWS conversation, from several
    /// credential sources, and show what the server saw. Touches nothing but 127.0.0.1.
    Demo(commands::demo::Args),
    /// Resolve credentials with the default chain (environment, shared config profile, web
    /// identity, container endpoint, EC2 instance metadata) and print their source, access key id
    /// and expiry. Secrets stay redacted unless asked.
    Credentials(commands::credentials::Args),
    /// Sign the GetCallerIdentity request for a server nonce and STS host with the credentials
    /// from the environment, and print the client-final payload as JSON.
    Sign(commands::sign::Args),
    /// Run STS AssumeRoleWithSAML with an assertion from your identity provider and print the
    /// temporary credentials, secrets included (the SAML single-sign-on step of Atlas's AWS IAM
    /// workflow: eval the output, then connect with authMechanism=MONGODB-AWS).
    Saml(commands::saml::Args),
    /// Walk the default credential chain source by source and say what each found, which one a
    /// login would use, and (with --sts-check) which ARN a MongoDB server will authenticate.
    Diagnose(commands::diagnose::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Demo(args) => commands::demo::run(args).await,
            Command::Credentials(args) => commands::credentials::run(args).await,
            Command::Sign(args) => commands::sign::run(args),
            Command::Saml(args) => commands::saml::run(args).await,
            Command::Diagnose(args) => commands::diagnose::run(args).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let Ok(filter) = std::env::var("MONGOAWSAUTH_LOG") else { return };
    match tracing_subscriber::EnvFilter::try_new(&filter) {
        Ok(filter) => {
            tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(std::io::stderr)
                .with_ansi(colour_logs(std::io::stderr().is_terminal(), std::env::var_os("NO_COLOR")))
                .init();
        }
        Err(e) => eprintln!("warning: ignoring MONGOAWSAUTH_LOG={filter:?}: {e}"),
    }
}

/// Colour codes belong on a terminal only: in a file, a pipe or a CI log they are noise that
/// breaks grep. `NO_COLOR` set to anything but the empty string turns them off everywhere
/// (the convention of no-color.org).
fn colour_logs(stderr_is_terminal: bool, no_color: Option<std::ffi::OsString>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_are_coloured_only_on_a_terminal_without_no_color() {
        assert!(colour_logs(true, None));
        assert!(colour_logs(true, Some("".into())));
        assert!(!colour_logs(true, Some("1".into())));
        assert!(!colour_logs(false, None));
        assert!(!colour_logs(false, Some("1".into())));
    }
}
