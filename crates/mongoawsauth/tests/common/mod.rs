//! Helpers shared by the integration tests: stand-ins, an injected world pointing at them,
//! private token files, secret checks, a login through the fake mongod, and a silent listener.
//! Each test binary uses its own part of them.

#![allow(dead_code)]

pub mod logs;

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
/// One token file in a private temporary directory, rewritable (kubelet and EKS rotate tokens);
/// removed on drop.
pub struct TokenFile {
    _dir: TempDir,
    path: String,
}

impl TokenFile {
    pub fn new(tag: &str, contents: &str) -> Self {
        let dir = TempDir::new(tag);
        let path = dir.write("token", contents);
        TokenFile { _dir: dir, path }
    }

    pub fn write(&self, contents: &str) {
        std::fs::write(&self.path, contents).unwrap();
    }

    pub fn path(&self) -> &str {
        &self.path
    }
}

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

/// A loopback listener whose accept queue is full, so a new connection to it times out the way a
/// connection to an absent link-local address (IMDS off EC2) does. Keep the returned values alive
/// for as long as the address must stay silent.
pub async fn silent_listener() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>, std::net::SocketAddr)
{
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    // A backlog of one that is never accepted: once it is full the kernel drops new SYNs.
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        if let Ok(Ok(s)) =
            tokio::time::timeout(Duration::from_millis(100), tokio::net::TcpStream::connect(addr)).await
        {
            fillers.push(s);
        }
    }
    (listener, fillers, addr)
}
