//! The MongoDB spec's caching test plan (auth/tests/mongodb-aws.md, "Cached Credentials" parts
//! A and B), run end to end against the fake mongod and the STS stand-in.
//!
//! The chain has the default chain's shape: a cache lookup first, then the environment, then a
//! cached network source (here a stand-in for IMDS/ECS/web identity that hands out the STS
//! stand-in's temporary credentials with a one-hour expiry). One test function, because the plan
//! clears the whole process-wide cache and this binary must not share it with other tests.
//!
//! The source and the cache read one manual clock, which stands still: "within one minute of
//! expiry" (part A, step 4) is judged at the time the test set it, however slow the machine.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bson::doc;
use mongoawsauth::cache::{self, CacheLookup, CachedProvider};
use mongoawsauth::config::{Clock, ManualClock};
use mongoawsauth::provider::chain::Chain;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::provider::{ProvideCredentials, ProvideFuture};
use mongoawsauth::{Authenticator, Credentials, Env, conversation};
use mongoawsauth_testkit::{Client, Identity, StandIns, StandInsConfig};

#[derive(Debug)]
struct NetworkSource {
    identity: Identity,
    fetches: Arc<Mutex<usize>>,
    clock: ManualClock,
}

impl ProvideCredentials for NetworkSource {
    fn name(&self) -> &str {
        "network"
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        *self.fetches.lock().unwrap() += 1;
        let id = &self.identity;
        let result = Credentials::new(
            Some(&id.access_key_id),
            Some(&id.secret_access_key),
            id.session_token.as_deref(),
            Some(self.clock.now() + Duration::from_secs(3600)),
            "network",
        )
        .map_err(Into::into);
        Box::pin(async move { result })
    }

    fn cache_key(&self) -> Option<String> {
        Some("spec-plan:network".into())
    }
}

type Vars = Arc<Mutex<Vec<(String, String)>>>;

/// A new client: a fresh authenticator over the default chain's shape.
fn new_client(network: &Arc<dyn ProvideCredentials>, vars: &Vars, clock: &ManualClock) -> Authenticator {
    let view = Arc::clone(vars);
    let env = Env::from_fn(move |name| {
        view.lock().unwrap().iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    });
    let cached = CachedProvider::from_shared(Arc::clone(network)).with_clock(Arc::new(clock.clone()));
    let chain = Chain::new()
        .then(CacheLookup::new(vec![cached.clone()]))
        .then(EnvironmentProvider::with_env(env))
        .then(cached);
    Authenticator::from_provider(chain)
}

/// `find`: one connection's login, reporting the failure to the cache as a driver must.
async fn find(standins: &StandIns, auth: &Authenticator) -> bool {
    let mut conv = auth.conversation().await.unwrap();
    let mut client = Client::connect(standins.mongod_addr()).await.unwrap();
    let first = conv.client_first().unwrap();
    let reply = client.sasl_start(conversation::MECHANISM, &first).await.unwrap();
    let last = conv.client_final(&reply.payload).unwrap();
    let ok = client.sasl_continue(reply.conversation_id, &last).await.is_ok();
    if ok {
        let found = client.command("test", doc! { "find": "coll" }).await.unwrap();
        assert_eq!(found.get_f64("ok").unwrap_or_default(), 1.0, "{found}");
    } else {
        auth.report_failed_conversation(&conv);
    }
    ok
}

fn set_env(vars: &Vars, id: &str, secret: &str, token: Option<&str>) {
    let mut v = vars.lock().unwrap();
    v.clear();
    v.push(("AWS_ACCESS_KEY_ID".into(), id.into()));
    v.push(("AWS_SECRET_ACCESS_KEY".into(), secret.into()));
    if let Some(token) = token {
        v.push(("AWS_SESSION_TOKEN".into(), token.into()));
    }
}

#[tokio::test]
async fn spec_caching_test_plan() {
    let standins = StandIns::start(StandInsConfig::default()).await.unwrap();
    let fetches = Arc::new(Mutex::new(0));
    let clock = ManualClock::starting_now();
    let network: Arc<dyn ProvideCredentials> = Arc::new(NetworkSource {
        identity: standins.temporary().clone(),
        fetches: Arc::clone(&fetches),
        clock: clock.clone(),
    });
    let vars: Vars = Arc::new(Mutex::new(Vec::new()));

    // Part A.
    cache::clear(); // 1
    let client = new_client(&network, &vars, &clock); // 2
    assert!(find(&standins, &client).await); // 3
    assert_eq!(cache::entries().len(), 1, "find fills the cache");
    let filled = cache::get(None).unwrap();
    cache::expire(None, clock.now() + Duration::from_secs(50)); // 4
    let client = new_client(&network, &vars, &clock); // 5
    assert!(find(&standins, &client).await); // 6
    let refreshed = cache::get(None).unwrap();
    assert_ne!(refreshed.generation(), filled.generation(), "find refreshes the cache");
    assert!(refreshed.expiration().unwrap() > clock.now() + Duration::from_secs(3000));
    assert_eq!(*fetches.lock().unwrap(), 2);
    cache::poison(None); // 7
    let client = new_client(&network, &vars, &clock); // 8
    assert!(!find(&standins, &client).await, "find fails with a poisoned cache"); // 9
    assert!(cache::entries().is_empty(), "the failure cleared the cache"); // 10
    assert!(find(&standins, &client).await); // 11
    assert_eq!(cache::entries().len(), 1, "the cache is set again"); // 12

    // Part B.
    cache::clear(); // 1
    let client = new_client(&network, &vars, &clock); // 2
    assert!(find(&standins, &client).await); // 3
    let cached = cache::get(None).unwrap();
    set_env(&vars, cached.access_key_id(), cached.secret_access_key(), cached.session_token()); // 4
    cache::clear(); // 5
    let client = new_client(&network, &vars, &clock); // 6
    let before = *fetches.lock().unwrap();
    assert!(find(&standins, &client).await); // 7
    assert!(cache::entries().is_empty(), "environment credentials are not cached");
    assert_eq!(*fetches.lock().unwrap(), before, "the environment answered, not the network source");
    set_env(&vars, "AKIAINVALIDINVALID00", "invalid", None); // 8
    let client = new_client(&network, &vars, &clock); // 9
    assert!(!find(&standins, &client).await, "invalid environment credentials fail"); // 10
    vars.lock().unwrap().clear(); // 11
    cache::clear(); // 12
    let client = new_client(&network, &vars, &clock); // 13
    assert!(find(&standins, &client).await); // 14
    assert_eq!(cache::entries().len(), 1);
    set_env(&vars, "AKIAINVALIDINVALID00", "invalid", None); // 15
    let client = new_client(&network, &vars, &clock); // 16
    assert!(find(&standins, &client).await, "the cache wins over the environment"); // 17
    vars.lock().unwrap().clear(); // 18
}
