//! `mongoawsauth demo`: a self-contained MONGODB-AWS login.
//!
//! Starts the testkit's stand-ins in this process (a fake mongod and an STS whose SigV4 verifier
//! is independent of our signer, both on 127.0.0.1), then logs in through the real conversation
//! once per credential source, and once with a deliberately wrong secret that must be refused.
//! The sources read only what the demo hands them (an injected environment), never this
//! process's environment, and nothing leaves the loopback interface.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bson::{Bson, doc};
use mongoawsauth::provider::chain::Chain;
use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::{Authenticator, Credentials, Env, conversation};
use mongoawsauth_testkit::{Client, Identity, StandIns, StandInsConfig};

use super::CommandResult;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Everything runs on 127.0.0.1: the fake mongod forwards each signed \
    GetCallerIdentity request to the STS stand-in, which verifies the signature and names the \
    caller. The demo exits 0 only if every login succeeded and the wrong secret was refused.")]
pub struct Args {
    /// Print the result as JSON lines instead of a table.
    #[arg(long)]
    json: bool,
}

/// One row of the demo's table.
struct Row {
    source: String,
    expected: Expect,
    outcome: Result<String, String>,
    elapsed: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    Success,
    Refusal,
}

impl Row {
    fn passed(&self) -> bool {
        match self.expected {
            Expect::Success => self.outcome.is_ok(),
            Expect::Refusal => self.outcome.is_err(),
        }
    }
}

/// Runs the demo.
pub async fn run(args: Args) -> CommandResult {
    let standins = StandIns::start(StandInsConfig::default())
        .await
        .map_err(|e| format!("could not start the loopback stand-ins: {e}"))?;
    let addr = standins.mongod_addr().to_string();
    if !args.json {
        println!("fake mongod on {addr}, STS stand-in at {}", standins.sts_url());
        println!();
    }

    let user = standins.user().clone();
    let temporary = standins.temporary().clone();
    let mut rows = Vec::new();

    // 1. The environment source, reading an injected environment (as on AWS Lambda).
    let env = Env::from_vars(env_vars(&temporary));
    let auth = Authenticator::from_provider(EnvironmentProvider::with_env(env));
    rows.push(login_row("environment (temporary keys)", Expect::Success, &addr, &auth).await);

    // 2. Static keys handed in by the host (the legacy explicit-credentials path).
    let auth = Authenticator::from_provider(StaticProvider::new(credentials(&user, "static")?));
    rows.push(login_row("static keys (long-term)", Expect::Success, &addr, &auth).await);

    // 3. A custom callback (AWS_CREDENTIAL_PROVIDER), ahead of an empty environment in a chain.
    let for_callback = user.clone();
    let custom = CustomProvider::from_async_fn(move || {
        let identity = for_callback.clone();
        async move {
            credentials(&identity, "custom")
                .map_err(|e| mongoawsauth::Error::new(mongoawsauth::ErrorKind::CredentialsProvider, e))
        }
    });
    let chain = Chain::new()
        .then(custom)
        .then(EnvironmentProvider::with_env(Env::from_vars(Vec::<(String, String)>::new())));
    let auth = Authenticator::from_provider(chain);
    rows.push(login_row("custom callback (long-term)", Expect::Success, &addr, &auth).await);

    // 4. The same user with one character of the secret changed: STS must refuse it.
    let mut wrong = user.clone();
    wrong.secret_access_key = flip_last_char(&wrong.secret_access_key);
    let auth = Authenticator::from_provider(StaticProvider::new(credentials(&wrong, "static")?));
    rows.push(login_row("wrong secret (must be refused)", Expect::Refusal, &addr, &auth).await);

    let all_passed = rows.iter().all(Row::passed);
    if args.json {
        for row in &rows {
            let value = serde_json::json!({
                "source": row.source,
                "passed": row.passed(),
                "arn": row.outcome.as_ref().ok(),
                "error": row.outcome.as_ref().err(),
                "elapsed_ms": row.elapsed.as_secs_f64() * 1000.0,
            });
            println!("{value}");
        }
    } else {
        print_table(&rows);
        println!();
        if all_passed {
            println!("all {} logins behaved as expected", rows.len());
        } else {
            println!("some logins did not behave as expected");
        }
    }
    Ok(if all_passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn env_vars(identity: &Identity) -> Vec<(String, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID".to_owned(), identity.access_key_id.clone()),
        ("AWS_SECRET_ACCESS_KEY".to_owned(), identity.secret_access_key.clone()),
    ];
    if let Some(token) = &identity.session_token {
        vars.push(("AWS_SESSION_TOKEN".to_owned(), token.clone()));
    }
    vars
}

fn credentials(identity: &Identity, source: &str) -> Result<Credentials, String> {
    Credentials::new(
        Some(&identity.access_key_id),
        Some(&identity.secret_access_key),
        identity.session_token.as_deref(),
        None,
        source,
    )
    .map_err(|e| e.to_string())
}

fn flip_last_char(secret: &str) -> String {
    let mut chars: Vec<char> = secret.chars().collect();
    if let Some(last) = chars.last_mut() {
        *last = if *last == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

async fn login_row(source: &str, expected: Expect, addr: &str, auth: &Authenticator) -> Row {
    let started = Instant::now();
    let outcome = login(addr, auth).await;
    Row { source: source.to_owned(), expected, outcome, elapsed: started.elapsed() }
}

/// One login the way a driver does it: credentials first, then hello, saslStart, saslContinue,
/// and connectionStatus to read back the identity the server authenticated.
async fn login(addr: &str, auth: &Authenticator) -> Result<String, String> {
    let mut conversation = auth.conversation().await.map_err(|e| e.to_string())?;
    let mut client = Client::connect(addr).await.map_err(|e| e.to_string())?;
    client.command("admin", doc! { "hello": 1 }).await.map_err(|e| e.to_string())?;
    let first = conversation.client_first().map_err(|e| e.to_string())?;
    let reply = client.sasl_start(conversation::MECHANISM, &first).await.map_err(|e| e.to_string())?;
    let last = conversation.client_final(&reply.payload).map_err(|e| e.to_string())?;
    let reply = client.sasl_continue(reply.conversation_id, &last).await.map_err(|e| e.to_string())?;
    if !reply.done {
        return Err("the server did not finish the conversation".into());
    }
    let status = client.command("admin", doc! { "connectionStatus": 1 }).await.map_err(|e| e.to_string())?;
    authenticated_user(&status).ok_or_else(|| "connectionStatus named no authenticated user".into())
}

fn authenticated_user(status: &bson::Document) -> Option<String> {
    let users = status.get_document("authInfo").ok()?.get_array("authenticatedUsers").ok()?;
    match users.first()? {
        Bson::Document(user) => user.get_str("user").ok().map(str::to_owned),
        _ => None,
    }
}

fn print_table(rows: &[Row]) {
    let width = rows.iter().map(|r| r.source.len()).max().unwrap_or(6).max(6);
    println!("{:<width$}  {:<6}  {:>8}  server saw", "source", "result", "time");
    for row in rows {
        let result = if row.passed() { "ok" } else { "FAILED" };
        let detail = match &row.outcome {
            Ok(arn) => arn.clone(),
            Err(e) => format!("refused: {}", first_line(e)),
        };
        let ms = row.elapsed.as_secs_f64() * 1000.0;
        println!("{:<width$}  {result:<6}  {ms:>6.1}ms  {detail}", row.source);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
