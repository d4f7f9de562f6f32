//! Starts the STS stand-in, the fake mongod, the IMDS and container stand-ins and the SSO portal
//! stand-in on 127.0.0.1, prints one JSON line describing them (including the throwaway
//! identities' secrets, the container authorization token and an SSO access token, on purpose)
//! and runs until stdin reaches EOF or the process gets SIGTERM/SIGINT.
//!
//! While it runs it answers commands, one per stdin line, with one JSON line on stdout each, so
//! a test in another language can check what the stand-ins served (a scenario's `requests`):
//! - `counters`: `{"counters": {"imds.requests": 0, "container.unauthorized": 1, ...}}`, every
//!   counter by the dotted name a scenario uses;
//! - anything else: `{"error": "..."}` naming the commands. Blank lines are ignored.

use std::io::{BufRead as _, Write as _};
use std::sync::{Arc, Weak};
use std::time::Duration;

use clap::Parser;
use mongoawsauth_testkit::metadata::RateLimit;
use mongoawsauth_testkit::mongod::Fault;
use mongoawsauth_testkit::scenario;
use mongoawsauth_testkit::{StandIns, StandInsConfig};

/// Loopback MONGODB-AWS stand-ins: a SigV4-verifying STS and a fake mongod.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    // `help` rather than a doc comment: rustdoc would read `[::1]` and `<host>` as markup.
    #[arg(
        long,
        value_name = "URL",
        help = "Forward GetCallerIdentity to this loopback STS (e.g. moto) instead of the built-in one; must be http:// on 127.0.0.0/8, [::1] or localhost"
    )]
    sts_url: Option<String>,
    /// The STS host the fake mongod sends as `h` (and the Host header it forwards).
    #[arg(long, value_name = "HOST", default_value = mongoawsauth_testkit::mongod::DEFAULT_STS_HOST)]
    sts_host: String,
    #[arg(
        long,
        value_name = "FAULT",
        value_parser = parse_fault,
        help = "Start with a fault: short-nonce, nonce-wrong-prefix, sts-host=<host>, extra-field, nonce-wrong-subtype, host-wrong-type, payload-not-bson"
    )]
    fault: Option<Fault>,
    #[arg(
        long,
        value_name = "RATE[,BURST]",
        value_parser = parse_rate_limit,
        help = "Throttle the IMDS stand-in: answer 429 beyond RATE requests per second (bursts of BURST, default one second's worth), as EC2 throttles instance metadata queries per instance"
    )]
    imds_rate_limit: Option<RateLimit>,
    #[arg(
        long,
        value_name = "RATE[,BURST]",
        value_parser = parse_rate_limit,
        help = "Throttle the container credentials stand-in likewise (the ECS agent's default is 40,60)"
    )]
    container_rate_limit: Option<RateLimit>,
    /// How long the credentials the IMDS and container stand-ins hand out stay valid, in seconds
    /// (default six hours).
    #[arg(long, value_name = "SECONDS")]
    credentials_lifetime: Option<u64>,
    /// Hand out the same IMDS and container credentials until less than this many seconds
    /// remain before they expire, as the real endpoints do (default: new ones on every request).
    #[arg(long, value_name = "SECONDS")]
    rotate_before: Option<u64>,
    /// Do not stop at stdin EOF (only on SIGTERM/SIGINT) nor read commands, for runs without a
    /// stdin pipe.
    #[arg(long)]
    ignore_stdin: bool,
}

fn parse_rate_limit(s: &str) -> Result<RateLimit, String> {
    RateLimit::parse(s).ok_or_else(|| {
        format!("'{s}' is not a rate limit: give requests per second, optionally ',burst' (e.g. 40,60)")
    })
}

fn parse_fault(s: &str) -> Result<Fault, String> {
    Fault::parse(s).ok_or_else(|| format!("unknown fault '{s}'"))
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let config = StandInsConfig {
        sts_url: args.sts_url,
        sts_host: args.sts_host,
        fault: args.fault,
        ..StandInsConfig::default()
    };
    let standins = match StandIns::start(config).await {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("mongoawsauth-standins: could not start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let lifetime = args.credentials_lifetime.map(Duration::from_secs);
    let rotate_before = args.rotate_before.map(Duration::from_secs);
    standins.imds().set_rate_limit(args.imds_rate_limit);
    standins.imds().set_credentials_lifetime(lifetime);
    standins.imds().set_rotate_before(rotate_before);
    standins.container().set_rate_limit(args.container_rate_limit);
    standins.container().set_credentials_lifetime(lifetime);
    standins.container().set_rotate_before(rotate_before);
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{}", standins.to_json()).and_then(|()| out.flush()).is_err() {
        return std::process::ExitCode::FAILURE;
    }
    drop(out);
    wait_for_shutdown(args.ignore_stdin, Arc::downgrade(&standins)).await;
    // The last strong reference: dropping it stops the servers and removes the token file.
    drop(standins);
    std::process::ExitCode::SUCCESS
}

/// The reply to one command line, or `None` for a blank line.
fn answer(command: &str, standins: &StandIns) -> Option<serde_json::Value> {
    match command.trim() {
        "" => None,
        "counters" => Some(serde_json::json!({ "counters": scenario::counters(standins) })),
        other => Some(serde_json::json!({
            "error": format!("unknown command {other:?}; the commands are: counters")
        })),
    }
}

/// Answers commands from stdin until EOF. Holds the stand-ins weakly, so a shutdown by signal
/// (with this thread still blocked in a read) still drops them and cleans up.
fn serve_commands(standins: Weak<StandIns>) {
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Some(standins) = standins.upgrade() else { break };
        let Some(reply) = answer(&line, &standins) else { continue };
        drop(standins);
        let mut out = std::io::stdout().lock();
        if writeln!(out, "{reply}").and_then(|()| out.flush()).is_err() {
            break;
        }
    }
}

/// Returns at stdin EOF (unless ignored), SIGINT or SIGTERM.
async fn wait_for_shutdown(ignore_stdin: bool, standins: Weak<StandIns>) {
    let (eof_tx, eof_rx) = tokio::sync::oneshot::channel::<()>();
    if !ignore_stdin {
        // A plain thread: tokio's stdin would keep the runtime from shutting down while blocked.
        std::thread::spawn(move || {
            serve_commands(standins);
            let _ = eof_tx.send(());
        });
    }
    let stdin_eof = async {
        if ignore_stdin {
            std::future::pending::<()>().await;
        } else {
            let _ = eof_rx.await;
        }
    };
    tokio::select! {
        () = stdin_eof => {}
        () = terminate() => {}
        r = tokio::signal::ctrl_c() => { let _ = r; }
    }
}

#[cfg(unix)]
async fn terminate() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut s) => {
            s.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminate() {
    std::future::pending().await
}
