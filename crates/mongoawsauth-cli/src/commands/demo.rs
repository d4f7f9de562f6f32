//! `mongoawsauth demo`: a self-contained MONGODB-AWS login.
//!
//! Starts the testkit's stand-ins in this process (a fake mongod, an STS whose SigV4 verifier is
//! independent of our signer, an IMDSv2 and a container credentials endpoint, all on 127.0.0.1),
//! then logs in through the real default chain and conversation once per credential source, and
//! once with a deliberately wrong secret that must be refused. The sources read only what the
//! demo hands them (an injected environment and loopback endpoints), never this process's
//! environment, and nothing leaves the loopback interface.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bson::{Bson, doc};
use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::provider::saml::{AssertionSource, SamlOptions};
use mongoawsauth::provider::static_keys::StaticProvider;
use mongoawsauth::{
    Authenticator, Conversation, CredentialPolicy, Credentials, Env, Error, ErrorKind, Options,
    ProviderConfig, conversation,
};
use mongoawsauth_testkit::metadata::{ContainerConfig, ContainerServer, CredentialsMode};
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
    outcome: Result<Login, String>,
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
        println!("fake mongod on {addr}, STS stand-in at {}", standins.local_sts_url());
        println!(
            "IMDSv2 stand-in at {}, container endpoint stand-in at {}",
            standins.imds().url(),
            standins.container().base_url()
        );
        println!();
    }
    let scratch = Scratch::new().map_err(|e| format!("could not create a scratch directory: {e}"))?;
    let user = standins.user().clone();
    let temporary = standins.temporary().clone();
    // Every row but the IMDS one disables IMDS in its environment, and every endpoint is a
    // loopback stand-in: nothing here can reach a real AWS address.
    let base = || vec![("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned())];
    let sts = standins.local_sts_url();
    let mut rows = Vec::new();

    // The environment (AWS Lambda), through the default chain.
    let mut env = base();
    env.extend(env_vars(&temporary));
    rows.push(row("environment", Expect::Success, &addr, options(env, ProviderConfig::new())).await);

    // EKS IRSA: a projected token file and a role, exchanged at STS.
    let web = standins.web_identity();
    let token_file = match &web.token_file {
        Some(path) => path.clone(),
        None => scratch.write("web-identity-token", &web.token)?,
    };
    let mut env = base();
    env.push(("AWS_WEB_IDENTITY_TOKEN_FILE".into(), token_file.display().to_string()));
    env.push(("AWS_ROLE_ARN".into(), web.role_arn.clone()));
    env.push(("AWS_ROLE_SESSION_NAME".into(), "demo".into()));
    let config = ProviderConfig::new().with_sts_endpoint(sts.clone());
    rows.push(row("web identity", Expect::Success, &addr, options(env, config)).await);

    // ECS: the relative URI, against a (loopback) ECS agent that, like the real one, wants no
    // authorization token.
    let ecs_agent = ContainerServer::start(ContainerConfig::new(CredentialsMode::Rotating {
        identities: standins.sts().identities().clone(),
        role: "ecs-task-role".into(),
        session: "demo-task".into(),
    }))
    .await
    .map_err(|e| format!("could not start the ECS agent stand-in: {e}"))?;
    let mut env = base();
    env.push(("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI".into(), ecs_agent.relative_uri().to_owned()));
    let config = ProviderConfig::new().with_ecs_base_url(ecs_agent.base_url());
    rows.push(row("container (ECS relative URI)", Expect::Success, &addr, options(env, config)).await);

    // EKS Pod Identity: a full URI with an authorization token file.
    let container = standins.container();
    let mut env = base();
    env.push(("AWS_CONTAINER_CREDENTIALS_FULL_URI".into(), container.full_uri()));
    if let Some(token) = container.auth_token() {
        let path = scratch.write("pod-identity-token", &token)?;
        env.push(("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".into(), path.display().to_string()));
    }
    rows.push(
        row("container (full URI + token file)", Expect::Success, &addr, options(env, ProviderConfig::new()))
            .await,
    );

    // EC2: IMDSv2 (token, role name, credentials), at the loopback stand-in.
    let config = ProviderConfig::new().with_imds_endpoint(standins.imds().url());
    rows.push(row("EC2 IMDSv2", Expect::Success, &addr, options(Vec::new(), config)).await);

    // The shared config files (~/.aws in a scratch home): what a laptop or a CI job has.
    for (name, config, credentials) in profile_homes(&standins, &user, &temporary, &scratch)? {
        let home_dir = name.replace(' ', "-").to_lowercase();
        let home = scratch.0.join(&home_dir);
        let mut env = base();
        env.push(("HOME".into(), home.display().to_string()));
        env.push(("AWS_PROFILE".into(), "demo".into()));
        env.push(("AWS_ENDPOINT_URL_STS".into(), sts.clone()));
        env.push(("AWS_ENDPOINT_URL_SSO".into(), standins.sso().url()));
        for (file, text) in [("config", config), ("credentials", credentials)] {
            scratch.write(&format!("{home_dir}/.aws/{file}"), &text)?;
        }
        rows.push(row(&name, Expect::Success, &addr, options(env, ProviderConfig::new())).await);
    }

    // SAML: an assertion from the identity provider, exchanged at STS.
    let saml = standins.saml().clone();
    let assertion = saml.assertion.clone();
    let saml_options = SamlOptions::new(
        saml.role_arn.clone(),
        saml.principal_arn.clone(),
        AssertionSource::from_fn(move || Ok(assertion.clone())),
    );
    let saml_config =
        Options::new().with_provider_config(ProviderConfig::new().with_sts_endpoint(sts.clone()));
    let auth = Authenticator::saml(saml_options, saml_config).map_err(|e| e.to_string());
    rows.push(login_row("SAML", Expect::Success, &addr, auth).await);

    // A custom callback (AWS_CREDENTIAL_PROVIDER): first in the chain, ahead of the environment.
    let for_callback = user.clone();
    let custom = CustomProvider::from_async_fn(move || {
        let identity = for_callback.clone();
        async move { credentials(&identity, "custom").map_err(|e| Error::new(ErrorKind::CredentialsProvider, e)) }
    });
    let mut env = base();
    env.extend(env_vars(&temporary));
    let custom_options = options(env, ProviderConfig::new()).map(|o| o.with_custom_provider(custom));
    rows.push(row("custom callback", Expect::Success, &addr, custom_options).await);

    // Explicit keys from a driver that still follows the pre-2025 spec (legacy policy only).
    let legacy = credentials(&user, "static").map(|c| {
        Options::new()
            .with_env(Env::from_vars(base()))
            .with_credential_policy(CredentialPolicy::Legacy)
            .with_explicit_credentials(c)
    });
    rows.push(row("static keys (legacy policy)", Expect::Success, &addr, legacy).await);

    // The same user with one character of the secret changed: STS must refuse it.
    let mut wrong = user.clone();
    wrong.secret_access_key = flip_last_char(&wrong.secret_access_key);
    let auth = credentials(&wrong, "static").map(|c| Authenticator::from_provider(StaticProvider::new(c)));
    rows.push(login_row("wrong secret (must be refused)", Expect::Refusal, &addr, auth).await);

    let all_passed = rows.iter().all(Row::passed);
    if args.json {
        for row in &rows {
            let value = serde_json::json!({
                "source": row.source,
                "passed": row.passed(),
                "resolved_by": row.outcome.as_ref().ok().map(|l| &l.resolved_by),
                "arn": row.outcome.as_ref().ok().map(|l| &l.arn),
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

/// One scratch home per profile row: its name, `~/.aws/config` and `~/.aws/credentials`. The
/// credential_process helper and the SSO token cache file are written here too.
fn profile_homes(
    standins: &StandIns,
    user: &Identity,
    temporary: &Identity,
    scratch: &Scratch,
) -> Result<Vec<(String, String, String)>, String> {
    let keys = |i: &Identity| {
        format!("aws_access_key_id = {}\naws_secret_access_key = {}\n", i.access_key_id, i.secret_access_key)
    };
    let process = scratch.write(
        "credential-process.sh",
        &format!(
            "#!/bin/sh\nprintf '%s' '{{\"Version\": 1, \"AccessKeyId\": \"{}\", \"SecretAccessKey\": \"{}\", \"SessionToken\": \"{}\"}}'\n",
            temporary.access_key_id,
            temporary.secret_access_key,
            temporary.session_token.as_deref().unwrap_or_default()
        ),
    )?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&process, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| e.to_string())?;
    }
    let sso = standins.to_json()["sso"].clone();
    let field = |k: &str| sso[k].as_str().unwrap_or_default().to_owned();
    let token = scratch
        .0
        .join("profile-sso/.aws/sso/cache")
        .join(mongoawsauth::provider::profile::sso::cache_file_name("demo-sso"));
    std::fs::create_dir_all(token.parent().unwrap_or(&scratch.0)).map_err(|e| e.to_string())?;
    mongoawsauth_testkit::sso::write_token_file(
        &token,
        &field("start_url"),
        &field("region"),
        &field("access_token"),
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600),
    )
    .map_err(|e| format!("could not write the SSO token cache: {e}"))?;
    let role = &standins.chained_roles()[0].role_arn;
    Ok(vec![
        ("profile static keys".into(), String::new(), format!("[demo]\n{}", keys(user))),
        (
            "profile credential_process".into(),
            format!("[profile demo]\ncredential_process = {}\n", process.display()),
            String::new(),
        ),
        (
            "profile SSO".into(),
            format!(
                "[profile demo]\nsso_session = demo-sso\nsso_account_id = {}\nsso_role_name = {}\n\n\
                 [sso-session demo-sso]\nsso_start_url = {}\nsso_region = {}\n",
                field("account_id"),
                field("role_name"),
                field("start_url"),
                field("region")
            ),
            String::new(),
        ),
        (
            "profile chained role".into(),
            format!("[profile demo]\nrole_arn = {role}\nsource_profile = base\n"),
            format!("[base]\n{}", keys(user)),
        ),
    ])
}

/// Options for the default chain over an injected environment and provider configuration.
fn options(env: Vec<(String, String)>, config: ProviderConfig) -> Result<Options, String> {
    Ok(Options::new().with_provider_config(config.with_env(Env::from_vars(env))))
}

async fn row(source: &str, expected: Expect, addr: &str, options: Result<Options, String>) -> Row {
    let auth = options.and_then(|o| Authenticator::new(o).map_err(|e| e.to_string()));
    login_row(source, expected, addr, auth).await
}

/// A private scratch directory for token files, removed when the demo ends.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new() -> std::io::Result<Self> {
        let mut name = [0u8; 8];
        let _ = getrandom::fill(&mut name);
        let dir = std::env::temp_dir().join(format!("mongoawsauth-demo-{}", hex_string(&name)));
        std::fs::create_dir(&dir)?;
        Ok(Scratch(dir))
    }

    fn write(&self, name: &str, contents: &str) -> Result<std::path::PathBuf, String> {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("could not create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, contents).map_err(|e| format!("could not write {}: {e}", path.display()))?;
        Ok(path)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

async fn login_row(source: &str, expected: Expect, addr: &str, auth: Result<Authenticator, String>) -> Row {
    let started = Instant::now();
    let outcome = match auth {
        Ok(auth) => login(addr, &auth).await,
        Err(e) => Err(e),
    };
    Row { source: source.to_owned(), expected, outcome, elapsed: started.elapsed() }
}

/// What a successful login showed.
struct Login {
    /// The source that supplied the credentials (as the chain reported it).
    resolved_by: String,
    /// The identity the server authenticated.
    arn: String,
}

/// One login the way a driver does it: credentials first, then hello, saslStart, saslContinue,
/// and connectionStatus to read back the identity the server authenticated.
async fn login(addr: &str, auth: &Authenticator) -> Result<Login, String> {
    let resolution = auth.resolve().await.map_err(|e| e.to_string())?;
    let resolved_by = resolution.credentials.source().to_owned();
    let mut conversation = Conversation::new(resolution.credentials).map_err(|e| e.to_string())?;
    let mut client = Client::connect(addr).await.map_err(|e| e.to_string())?;
    client.command("admin", doc! { "hello": 1 }).await.map_err(|e| e.to_string())?;
    let first = conversation.client_first().map_err(|e| e.to_string())?;
    let reply = client.sasl_start(conversation::MECHANISM, &first).await.map_err(|e| e.to_string())?;
    let last = conversation.client_final(&reply.payload).map_err(|e| e.to_string())?;
    let reply = match client.sasl_continue(reply.conversation_id, &last).await {
        Ok(reply) => reply,
        Err(e) => {
            // The spec: any failed login clears the cached credentials it used.
            auth.report_failed_conversation(&conversation);
            return Err(e.to_string());
        }
    };
    if !reply.done {
        auth.report_failed_conversation(&conversation);
        return Err("the server did not finish the conversation".into());
    }
    let status = client.command("admin", doc! { "connectionStatus": 1 }).await.map_err(|e| e.to_string())?;
    let arn = authenticated_user(&status).ok_or("connectionStatus named no authenticated user")?;
    Ok(Login { resolved_by, arn })
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
    println!("{:<width$}  {:<6}  {:>8}  {:<14}  server saw", "source", "result", "time", "resolved by");
    for row in rows {
        let result = if row.passed() { "ok" } else { "FAILED" };
        let (by, detail) = match &row.outcome {
            Ok(login) => (login.resolved_by.as_str(), login.arn.clone()),
            Err(e) => ("-", format!("refused: {}", first_line(e))),
        };
        let ms = row.elapsed.as_secs_f64() * 1000.0;
        println!("{:<width$}  {result:<6}  {ms:>6.1}ms  {by:<14}  {detail}", row.source);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
