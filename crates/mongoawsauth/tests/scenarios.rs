//! The hermetic scenarios under `tests/data/scenarios/`: each folder's environment and home
//! directory, resolved through the default chain against fresh loopback stand-ins, then a login
//! through the fake mongod with whatever credentials came out, so a scenario proves the identity
//! the server saw, not only the access key id. The same folders serve the Python and Node suites
//! (see the testkit's `scenario` module for the format).
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::path::PathBuf;

use bson::{Bson, doc};
use mongoawsauth::{Authenticator, Env, Error, Options, ProviderConfig};
use mongoawsauth_testkit::scenario::{self, Expect, Scenario, substitute};
use mongoawsauth_testkit::{Client, StandIns, StandInsConfig};

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/scenarios")
}

/// Logs in with the authenticator's credentials; the source's name and the ARN the server saw.
async fn login(
    standins: &StandIns,
    auth: &Authenticator,
) -> Result<(mongoawsauth::Credentials, String), Error> {
    let mut conversation = auth.conversation().await?;
    let credentials = conversation.credentials().clone();
    let mut client = Client::connect(standins.mongod_addr()).await.expect("connect to the fake mongod");
    let first = client.sasl_start("MONGODB-AWS", &conversation.client_first()?).await.expect("saslStart");
    let last = conversation.client_final(&first.payload)?;
    let done = client.sasl_continue(first.conversation_id, &last).await.expect("the login was refused");
    assert!(done.done);
    let status = client.command("admin", doc! { "connectionStatus": 1 }).await.unwrap();
    let users = status.get_document("authInfo").unwrap().get_array("authenticatedUsers").unwrap();
    let arn = match users.first() {
        Some(Bson::Document(d)) => d.get_str("user").unwrap().to_owned(),
        other => panic!("no authenticated user: {other:?}"),
    };
    Ok((credentials, arn))
}

async fn run(scenario: &Scenario) -> Result<(), String> {
    let standins = StandIns::start(StandInsConfig::default()).await.map_err(|e| e.to_string())?;
    let values = standins.to_json();
    let prepared = scenario.prepare(&values)?;
    // Expectations may name the private home (`${home}`) and the folder, as the files do.
    let mut values = values;
    if let serde_json::Value::Object(map) = &mut values {
        map.insert("home".to_owned(), prepared.home.path().display().to_string().into());
        map.insert("scenario".to_owned(), scenario.dir.display().to_string().into());
    }
    let env = Env::from_vars(prepared.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    // The ECS relative URI is joined to the container stand-in, never to the ECS agent's address.
    let config = ProviderConfig::new().with_env(env).with_ecs_base_url(standins.container().base_url());
    let mut options = Options::new().with_provider_config(config);
    // Set after the provider config, which would otherwise replace them.
    if let Some(profile) = &scenario.options.profile {
        options = options.with_profile(profile.clone());
    }
    if let Some(enabled) = scenario.options.shared_config {
        options = options.with_shared_config(enabled);
    }
    mongoawsauth::cache::clear();
    let auth = Authenticator::new(options).map_err(|e| format!("options: {e}"))?;
    let outcome = login(&standins, &auth).await;
    let fill = |s: &str| substitute(s, &values).map_err(|e| format!("{}: {e}", scenario.name));
    match (&scenario.expect, outcome) {
        (Expect::Login(want), Ok((credentials, arn))) => {
            let mut problems = Vec::new();
            if let Some(source) = &want.source
                && credentials.source() != source
            {
                problems.push(format!("source {:?}, expected {source:?}", credentials.source()));
            }
            if let Some(want_arn) = &want.arn
                && arn != fill(want_arn)?
            {
                problems.push(format!("logged in as {arn}, expected {}", fill(want_arn)?));
            }
            if let Some(prefix) = &want.arn_prefix
                && !arn.starts_with(&fill(prefix)?)
            {
                problems.push(format!("logged in as {arn}, expected a prefix {}", fill(prefix)?));
            }
            if let Some(akid) = &want.access_key_id
                && credentials.access_key_id() != fill(akid)?
            {
                problems.push(format!(
                    "access key id {}, expected {}",
                    credentials.access_key_id(),
                    fill(akid)?
                ));
            }
            if let Some(temporary) = want.temporary
                && credentials.is_temporary() != temporary
            {
                problems.push(format!("temporary: {}, expected {temporary}", credentials.is_temporary()));
            }
            if !problems.is_empty() {
                return Err(format!("{}: {}", scenario.name, problems.join("; ")));
            }
        }
        (Expect::Login(_), Err(e)) => return Err(format!("{}: expected a login, got: {e}", scenario.name)),
        (Expect::Error { contains, kind }, Err(e)) => {
            let text = e.to_string();
            for part in contains {
                let part = fill(part)?;
                if !text.contains(&part) {
                    return Err(format!("{}: the error does not contain {part:?}: {text}", scenario.name));
                }
            }
            if let Some(kind) = kind {
                let got = e.kind().as_str().replace(' ', "_");
                if &got != kind {
                    return Err(format!("{}: error kind {got}, expected {kind}: {text}", scenario.name));
                }
            }
            // Whatever the scenario's files and stand-ins held as secrets must not be echoed.
            for secret in secrets(&values) {
                if text.contains(&secret) || format!("{e:?}").contains(&secret) {
                    return Err(format!("{}: the error leaks a secret", scenario.name));
                }
            }
        }
        (Expect::Error { .. }, Ok((credentials, arn))) => {
            return Err(format!(
                "{}: expected an error, but logged in as {arn} through {}",
                scenario.name,
                credentials.source()
            ));
        }
    }
    scenario::check_requests(scenario, &scenario::counters(&standins))
}

/// Every secret the stand-ins generated: secret keys, session tokens, tokens and assertions.
fn secrets(values: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![values];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    let secret_key = ["secret", "token", "assertion"].iter().any(|s| k.contains(s))
                        && !k.ends_with("_file");
                    match v {
                        serde_json::Value::String(s) if secret_key && s.len() >= 8 => out.push(s.clone()),
                        _ => stack.push(v),
                    }
                }
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

// One test walks every folder in order: the process-wide cache is shared, so scenarios must not
// run concurrently. Every failure is collected and reported at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario() {
    let scenarios = Scenario::load_all(&scenarios_dir()).expect("the scenarios load");
    // A floor, so that a folder that stops loading (or a bad checkout) cannot pass unnoticed.
    assert!(scenarios.len() >= 60, "only {} scenarios found", scenarios.len());
    let mut failures = Vec::new();
    for scenario in &scenarios {
        if let Err(e) = run(scenario).await {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios failed:\n{}",
        failures.len(),
        scenarios.len(),
        failures.join("\n")
    );
}
