//! Shared by the web identity and SAML integration tests: stand-ins, an injected world pointing
//! at them, private token files, secret checks and a login through the fake mongod.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use bson::{Bson, doc};
use mongoawsauth::{Authenticator, Credentials, Env, ProvideCredentials, ProviderConfig};
use mongoawsauth_testkit::{Client, StandIns, StandInsConfig};

pub async fn standins() -> StandIns {
    StandIns::start(StandInsConfig::default()).await.unwrap()
}

/// A world with exactly `vars` and the STS endpoint at the stand-in. Nothing else is ever
/// requested: the endpoint override wins over every variable.
pub fn config(s: &StandIns, vars: &[(&str, &str)], sts_timeout: Duration) -> ProviderConfig {
    ProviderConfig::new()
        .with_env(Env::from_vars(vars.iter().copied()))
        .with_sts_endpoint(s.local_sts_url())
        .with_sts_timeout(sts_timeout)
}

/// A fresh private directory for token files, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("mongoawsauth-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Asserts that no secret appears in the error's `Display` or `Debug`.
pub fn assert_no_secret(error: &dyn std::fmt::Debug, display: &str, secrets: &[&str]) {
    let debug = format!("{error:?}");
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        assert!(!display.contains(secret) && !debug.contains(secret), "a secret leaked into: {display}");
    }
}

/// Logs in to the fake mongod through an [`Authenticator`] over `provider` and the public
/// conversation API; returns the credentials used and the users `connectionStatus` reports.
pub async fn login(s: &StandIns, provider: impl ProvideCredentials + 'static) -> (Credentials, Vec<String>) {
    let auth = Authenticator::from_provider(provider);
    let mut conversation = auth.conversation().await.unwrap();
    let credentials = conversation.credentials().clone();
    let mut client = Client::connect(s.mongod_addr()).await.unwrap();
    let first = client.sasl_start("MONGODB-AWS", &conversation.client_first().unwrap()).await.unwrap();
    let client_final = conversation.client_final(&first.payload).unwrap();
    let done = client.sasl_continue(first.conversation_id, &client_final).await.unwrap();
    assert!(done.done);
    let status = client.command("admin", doc! { "connectionStatus": 1 }).await.unwrap();
    let users = status.get_document("authInfo").unwrap().get_array("authenticatedUsers").unwrap();
    let users = users
        .iter()
        .filter_map(|u| match u {
            Bson::Document(d) => d.get_str("user").ok().map(str::to_owned),
            _ => None,
        })
        .collect();
    (credentials, users)
}
