//! One process of the fleet simulation (benchmarks/fleet.py, `make fleet`): M threads that log
//! in over and over for a while against the IMDS or container credentials stand-in, the way a
//! driver's connection pool does, then one JSON line of statistics on stdout.
//!
//! A login is what a driver does per connection: a blocking call into the library's runtime for
//! a conversation (credentials from the authenticator, so from the process-wide cache), the
//! client-first payload, then the signed client-final payload. By default the server side is
//! played locally (a well-formed server-first payload with a fresh server nonce), because
//! verifying every login through the fake mongod and its STS stand-in would cost more CPU than
//! the credential path being measured; `--mongod ADDR --verify-every N` sends every Nth login
//! of each thread through the fake mongod instead, which checks the signature with the
//! credentials the stand-in issued. A login fails when no credentials come back, when they have
//! already expired (a real server would refuse them), or when the fake mongod refuses it; a
//! refused login is reported to the authenticator, as a driver must.
//!
//! Sends nothing but to the loopback endpoints given, and refuses to start unless
//! `MONGOAWSAUTH_LOOPBACK_ONLY=1` is set, so even a mistake cannot reach a real metadata service.
//!
//! Usage:
//!   fleet_worker --source imds --endpoint http://127.0.0.1:PORT [options]
//!   fleet_worker --source container --endpoint http://127.0.0.1:PORT/PATH --token TOKEN [options]
//! Options: --threads 64, --duration 60 (s), --think-ms 50 (pause between a thread's logins),
//!   --refresh-window 5 --refresh-ahead 10 (s; equal values switch refresh-ahead off),
//!   --mongod 127.0.0.1:PORT --verify-every 0, --id N (echoed in the output), --lifetime S (the
//!   stand-in's credentials lifetime: logins on credentials that outlive it are counted as
//!   `extended`, IMDS static stability at work).

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use bson::spec::BinarySubtype;
use bson::{Binary, Document, doc};
use mongoawsauth::{Authenticator, Conversation, Env, Options, ProviderConfig, conversation, runtime};

#[derive(Debug)]
struct Args {
    id: u32,
    source: String,
    endpoint: String,
    token: Option<String>,
    threads: usize,
    duration: Duration,
    think: Duration,
    refresh_window: Duration,
    refresh_ahead: Duration,
    mongod: Option<String>,
    verify_every: u64,
    lifetime: Option<Duration>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        id: 0,
        source: String::new(),
        endpoint: String::new(),
        token: None,
        threads: 64,
        duration: Duration::from_secs(60),
        think: Duration::from_millis(50),
        refresh_window: Duration::from_secs(5),
        refresh_ahead: Duration::from_secs(10),
        mongod: None,
        verify_every: 0,
        lifetime: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0);
        let seconds = |v: &str| {
            number(v).map(Duration::from_secs_f64).ok_or_else(|| format!("{flag}: '{v}' is not seconds"))
        };
        let count = |v: &str| v.parse::<u64>().map_err(|_| format!("{flag}: '{v}' is not a count"));
        match flag.as_str() {
            "--id" => args.id = count(&value)? as u32,
            "--source" => args.source = value,
            "--endpoint" => args.endpoint = value,
            "--token" => args.token = Some(value),
            "--threads" => args.threads = count(&value)?.max(1) as usize,
            "--duration" => args.duration = seconds(&value)?,
            "--think-ms" => args.think = seconds(&value)? / 1000,
            "--refresh-window" => args.refresh_window = seconds(&value)?,
            "--refresh-ahead" => args.refresh_ahead = seconds(&value)?,
            "--mongod" => args.mongod = Some(value),
            "--verify-every" => args.verify_every = count(&value)?,
            "--lifetime" => args.lifetime = Some(seconds(&value)?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if !matches!(args.source.as_str(), "imds" | "container") {
        return Err("--source must be imds or container".into());
    }
    if !(args.endpoint.starts_with("http://127.") || args.endpoint.starts_with("http://[::1]")) {
        return Err("--endpoint must be an http:// URL on loopback (a stand-in)".into());
    }
    if args.verify_every > 0 && args.mongod.is_none() {
        return Err("--verify-every needs --mongod".into());
    }
    Ok(args)
}

/// The authenticator every thread shares, reading only the variables given here.
fn authenticator(args: &Args) -> Result<Authenticator, String> {
    let vars: Vec<(&str, String)> = match args.source.as_str() {
        "imds" => Vec::new(),
        _ => vec![
            ("AWS_CONTAINER_CREDENTIALS_FULL_URI", args.endpoint.clone()),
            ("AWS_CONTAINER_AUTHORIZATION_TOKEN", args.token.clone().unwrap_or_default()),
            // Inside a container IMDS is never reached anyway; this makes sure of it.
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ],
    };
    let mut config = ProviderConfig::new().with_env(Env::from_vars(vars)).with_shared_config(false);
    if args.source == "imds" {
        config = config.with_imds_endpoint(args.endpoint.clone());
    }
    let options = Options::new()
        .with_provider_config(config)
        .with_refresh_window(args.refresh_window)
        .with_refresh_ahead(args.refresh_ahead);
    Authenticator::new(options).map_err(|e| e.to_string())
}

/// What one thread saw.
#[derive(Default)]
struct Tally {
    logins: u64,
    failed: u64,
    from_cache: u64,
    verified: u64,
    extended: u64,
    failures: BTreeMap<String, u64>,
    histogram: BTreeMap<i32, u64>,
}

/// Latency buckets 5 % wide: bucket `i` holds latencies up to 1.05^i microseconds.
const BUCKET_BASE: f64 = 1.05;

fn bucket(latency: Duration) -> i32 {
    let us = (latency.as_secs_f64() * 1e6).max(1.0);
    (us.ln() / BUCKET_BASE.ln()).ceil() as i32
}

fn bucket_upper_us(i: i32) -> f64 {
    BUCKET_BASE.powi(i)
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.logins += other.logins;
        self.failed += other.failed;
        self.from_cache += other.from_cache;
        self.verified += other.verified;
        self.extended += other.extended;
        for (k, v) in other.failures {
            *self.failures.entry(k).or_default() += v;
        }
        for (k, v) in other.histogram {
            *self.histogram.entry(k).or_default() += v;
        }
    }

    fn percentile_us(&self, p: f64) -> f64 {
        let total: u64 = self.histogram.values().sum();
        let rank = ((total as f64) * p).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, n) in &self.histogram {
            seen += n;
            if seen >= rank {
                return bucket_upper_us(*i);
            }
        }
        0.0
    }
}

/// The server's part of the conversation, played locally: `{s: client nonce + 32 random bytes,
/// h: "sts.amazonaws.com"}`.
fn server_first(client_first: &[u8]) -> Result<Vec<u8>, String> {
    let first = Document::from_reader(client_first).map_err(|e| e.to_string())?;
    let mut nonce = first.get_binary_generic("r").map_err(|e| e.to_string())?.clone();
    let mut server_part = [0u8; 32];
    getrandom::fill(&mut server_part).map_err(|e| e.to_string())?;
    nonce.extend_from_slice(&server_part);
    let reply = doc! {
        "s": Binary { subtype: BinarySubtype::Generic, bytes: nonce },
        "h": "sts.amazonaws.com",
    };
    reply.to_vec().map_err(|e| e.to_string())
}

/// The server's part through the fake mongod, which checks the signature against its STS.
async fn through_mongod(address: &str, conversation: &mut Conversation, first: &[u8]) -> Result<(), String> {
    let mut connection =
        mongoawsauth_testkit::Client::connect(address).await.map_err(|e| format!("fake mongod: {e}"))?;
    let reply = connection
        .sasl_start(conversation::MECHANISM, first)
        .await
        .map_err(|e| format!("saslStart refused: {e}"))?;
    let last = conversation.client_final(&reply.payload).map_err(|e| e.to_string())?;
    connection
        .sasl_continue(reply.conversation_id, &last)
        .await
        .map(drop)
        .map_err(|e| format!("saslContinue refused: {e}"))
}

/// One login; the time spent getting credentials and signing (not waiting on the fake mongod).
fn login(
    auth: &Authenticator,
    args: &Args,
    verify_at: Option<&str>,
    tally: &mut Tally,
) -> Result<Duration, String> {
    let started = Instant::now();
    let resolution = runtime::block_on(auth.resolve()).map_err(|e| e.to_string())?;
    let resolution = resolution.map_err(|e| e.to_string())?;
    if resolution.from_cache {
        tally.from_cache += 1;
    }
    let now = SystemTime::now();
    if let Some(expiry) = resolution.credentials.expiration() {
        if expiry <= now {
            return Err("the credentials served had already expired".into());
        }
        // The stand-in never hands out credentials valid for longer than its lifetime, so these
        // are IMDS static stability's: old credentials whose expiry the library pushed back.
        if args.lifetime.is_some_and(|lifetime| expiry > now + lifetime + Duration::from_secs(1)) {
            tally.extended += 1;
        }
    }
    let mut conversation = Conversation::new(resolution.credentials).map_err(|e| e.to_string())?;
    let first = conversation.client_first().map_err(|e| e.to_string())?;
    let Some(address) = verify_at else {
        let reply = server_first(&first)?;
        conversation.client_final(&reply).map_err(|e| e.to_string())?;
        return Ok(started.elapsed());
    };
    let credentials_time = started.elapsed();
    let outcome = runtime::block_on(through_mongod(address, &mut conversation, &first))
        .map_err(|e| e.to_string())
        .and_then(|r| r);
    tally.verified += 1;
    if let Err(e) = outcome {
        auth.report_failed_conversation(&conversation);
        return Err(e);
    }
    Ok(credentials_time)
}

/// An error message's first line with the parts that differ between occurrences (endpoint URLs,
/// which hold a port and a random path; elapsed milliseconds) replaced, so that occurrences of
/// one failure count together.
fn failure_kind(message: &str) -> String {
    let words: Vec<&str> = message.lines().next().unwrap_or_default().split(' ').collect();
    let mut kind = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        if word.starts_with("http://") {
            kind.push("<endpoint>");
        } else if words.get(i + 1) == Some(&"ms") && word.bytes().all(|b| b.is_ascii_digit()) {
            kind.push("N");
        } else {
            kind.push(word);
        }
    }
    kind.join(" ").chars().take(240).collect()
}

fn run_thread(auth: &Authenticator, args: &Args, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut n: u64 = 0;
    while Instant::now() < until {
        n += 1;
        let verify_at = (args.verify_every > 0 && n % args.verify_every == 1 % args.verify_every)
            .then_some(args.mongod.as_deref())
            .flatten();
        tally.logins += 1;
        let started = Instant::now();
        let latency = match login(auth, args, verify_at, &mut tally) {
            Ok(latency) => latency,
            Err(message) => {
                tally.failed += 1;
                *tally.failures.entry(failure_kind(&message)).or_default() += 1;
                started.elapsed()
            }
        };
        *tally.histogram.entry(bucket(latency)).or_default() += 1;
        std::thread::sleep(args.think);
    }
    tally
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("fleet_worker: {e}");
            return ExitCode::from(2);
        }
    };
    if std::env::var("MONGOAWSAUTH_LOOPBACK_ONLY").as_deref() != Ok("1") {
        eprintln!("fleet_worker: set MONGOAWSAUTH_LOOPBACK_ONLY=1 (benchmarks/fleet.py does)");
        return ExitCode::from(2);
    }
    let auth = match authenticator(&args) {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("fleet_worker: {e}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let until = started + args.duration;
    let total = Mutex::new(Tally::default());
    std::thread::scope(|scope| {
        for _ in 0..args.threads {
            scope.spawn(|| {
                let tally = run_thread(&auth, &args, until);
                total.lock().unwrap_or_else(|p| p.into_inner()).add(tally);
            });
        }
    });
    let total = total.into_inner().unwrap_or_else(|p| p.into_inner());
    let histogram: BTreeMap<String, u64> = total.histogram.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let out = serde_json::json!({
        "id": args.id,
        "source": args.source,
        "threads": args.threads,
        "elapsed_s": started.elapsed().as_secs_f64(),
        "logins": total.logins,
        "failed": total.failed,
        "from_cache": total.from_cache,
        "verified": total.verified,
        "extended": total.extended,
        "failures": total.failures,
        "p50_us": total.percentile_us(0.50),
        "p99_us": total.percentile_us(0.99),
        "max_us": total.histogram.keys().next_back().map(|i| bucket_upper_us(*i)).unwrap_or(0.0),
        "bucket_base": BUCKET_BASE,
        "histogram": histogram,
    });
    println!("{out}");
    ExitCode::SUCCESS
}
