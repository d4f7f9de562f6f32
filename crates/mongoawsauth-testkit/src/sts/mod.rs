//! The STS stand-in: an HTTP/1.1 server on 127.0.0.1 that verifies SigV4 with the crate's own
//! verifier and answers like STS.
//!
//! Serves `POST /` (or `GET /?…`), parameters in the query string or a form body:
//! - `GetCallerIdentity`, signed, answered in XML;
//! - `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`, unsigned, checked against the tokens
//!   and assertions it was told to trust ([`StsServer::trust_web_identity`],
//!   [`StsServer::trust_saml`]);
//! - `AssumeRole`, signed with the caller's credentials and checked against the roles' trust
//!   policies ([`StsServer::allow_assume_role`]), for role chaining;
//!
//! the AssumeRole actions answer in JSON when the request accepts `application/json` and in XML
//! otherwise, with [fault modes](StsFault) settable at run time.
//!
//! Actions are dispatched by their `Action` parameter and all share one [`IdentityStore`]:
//! credentials an AssumeRole action issues are accepted by `GetCallerIdentity` at once, with the
//! assumed-role ARN. Reads no environment variables or files; sends nothing anywhere.

mod actions;
mod answer;
mod assume_role;
mod auth;
mod error;
mod fault;
mod get_caller_identity;
mod role_chaining;
mod role_trust;
mod standin_roles;
mod trust;
pub(crate) mod xml;

pub use answer::ResponseFormat;
pub use fault::{StsErrorCode, StsFault};
pub use role_trust::AssumableRole;
pub use standin_roles::{generate_saml_assertion, generate_web_identity_token};
pub(crate) use standin_roles::{remove_token_file, trust_standin_roles, web_identity_json};
pub use trust::{SamlRole, WebIdentityRole};

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::http::{After, Delivery, HttpResponse, deliver, hold, read_request};
use crate::identity::IdentityStore;

/// Settings for [`StsServer::start`].
#[derive(Clone, Debug)]
pub struct StsConfig {
    /// The identities the server accepts; share the store to add identities later.
    pub identities: IdentityStore,
    /// The largest accepted difference between `X-Amz-Date` and now (STS uses 15 minutes);
    /// `None` disables the check, e.g. to replay recorded requests.
    pub max_clock_skew: Option<Duration>,
}

impl Default for StsConfig {
    fn default() -> Self {
        Self { identities: IdentityStore::default(), max_clock_skew: Some(Duration::from_secs(15 * 60)) }
    }
}

/// A snapshot of what the STS stand-in has served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StsCounters {
    /// TCP connections accepted.
    pub connections: u64,
    /// HTTP requests answered (including rejected ones).
    pub requests: u64,
    /// Requests answered 200.
    pub succeeded: u64,
    /// Requests answered with an error status.
    pub rejected: u64,
    /// `AssumeRoleWithWebIdentity` requests received (faulted ones included).
    pub web_identity: u64,
    /// `AssumeRoleWithSAML` requests received (faulted ones included).
    pub saml: u64,
    /// Signed `AssumeRole` requests received (faulted and refused ones included).
    pub assume_role: u64,
}

/// One AssumeRole request as the stand-in received it, for tests to inspect (parameter order,
/// encoding, headers). `Debug` redacts the token and assertion. May be shared across threads.
#[derive(Clone)]
pub struct AssumeRoleRequest {
    /// `AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML` or `AssumeRole`.
    pub action: String,
    /// The decoded parameters in the order received (query string first, then the form body).
    pub params: Vec<(String, String)>,
    /// The raw body.
    pub body: String,
    /// The raw query string.
    pub query: String,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `Accept` header.
    pub accept: Option<String>,
    /// Whether it carried an `Authorization` header (`AssumeRole` must be signed; the other two
    /// are meant to be unsigned).
    pub signed: bool,
}

impl AssumeRoleRequest {
    /// The first value of parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Debug for AssumeRoleRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| match k.as_str() {
                "WebIdentityToken" | "SAMLAssertion" => (k.as_str(), "** redacted **"),
                _ => (k.as_str(), v.as_str()),
            })
            .collect();
        f.debug_struct("AssumeRoleRequest")
            .field("action", &self.action)
            .field("params", &params)
            .field("content_type", &self.content_type)
            .field("accept", &self.accept)
            .field("signed", &self.signed)
            .finish()
    }
}

/// What the server does with one request.
#[derive(Debug)]
pub(crate) enum Reply {
    /// Answer at once.
    Respond(HttpResponse),
    /// Never answer; wait for the client to go away.
    Hang,
    /// Answer with the second half of the body delayed.
    Slow(HttpResponse, Duration),
    /// Answer through one of the transport faults (hang mid-body, drip, reset).
    Deliver(HttpResponse, Delivery),
}

/// State shared by every connection and action.
#[derive(Debug)]
pub(crate) struct StsState {
    pub(crate) identities: IdentityStore,
    pub(crate) max_clock_skew: Option<Duration>,
    pub(crate) trust: trust::Trust,
    pub(crate) role_trust: role_trust::RoleTrust,
    pub(crate) faults: fault::FaultPlan,
    format: Mutex<Option<ResponseFormat>>,
    assume_role_requests: Mutex<Vec<AssumeRoleRequest>>,
    connections: AtomicU64,
    requests: AtomicU64,
    succeeded: AtomicU64,
    rejected: AtomicU64,
    web_identity: AtomicU64,
    saml: AtomicU64,
    assume_role: AtomicU64,
}

impl StsState {
    pub(crate) fn forced_format(&self) -> Option<ResponseFormat> {
        *self.format.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn record(
        &self,
        kind: assume_role::Kind,
        req: &crate::http::HttpRequest,
        params: &[(String, String)],
    ) {
        let counter = match kind {
            assume_role::Kind::WebIdentity => &self.web_identity,
            assume_role::Kind::Saml => &self.saml,
            assume_role::Kind::AssumeRole => &self.assume_role,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let record = assume_role::record(kind, req, params);
        self.assume_role_requests.lock().unwrap_or_else(|e| e.into_inner()).push(record);
    }
}

/// A running STS stand-in. Stops accepting connections when dropped.
/// May be shared across threads.
#[derive(Debug)]
pub struct StsServer {
    addr: SocketAddr,
    state: Arc<StsState>,
    task: JoinHandle<()>,
}

impl StsServer {
    /// Binds 127.0.0.1 on a free port and starts serving on the current tokio runtime.
    pub async fn start(config: StsConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(StsState {
            identities: config.identities,
            max_clock_skew: config.max_clock_skew,
            trust: trust::Trust::default(),
            role_trust: role_trust::RoleTrust::default(),
            faults: fault::FaultPlan::default(),
            format: Mutex::new(None),
            assume_role_requests: Mutex::new(Vec::new()),
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            web_identity: AtomicU64::new(0),
            saml: AtomicU64::new(0),
            assume_role: AtomicU64::new(0),
        });
        let task = tokio::spawn(accept_loop(listener, state.clone()));
        tracing::debug!(%addr, "STS stand-in listening");
        Ok(Self { addr, state, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The shared identity store; identities added to it are accepted at once.
    pub fn identities(&self) -> &IdentityStore {
        &self.state.identities
    }

    /// What it has served so far.
    pub fn counters(&self) -> StsCounters {
        let s = &self.state;
        StsCounters {
            connections: s.connections.load(Ordering::Relaxed),
            requests: s.requests.load(Ordering::Relaxed),
            succeeded: s.succeeded.load(Ordering::Relaxed),
            rejected: s.rejected.load(Ordering::Relaxed),
            web_identity: s.web_identity.load(Ordering::Relaxed),
            saml: s.saml.load(Ordering::Relaxed),
            assume_role: s.assume_role.load(Ordering::Relaxed),
        }
    }

    /// Accepts `token` for `AssumeRoleWithWebIdentity` on `role_arn` (several tokens per role
    /// may be trusted, e.g. to test rotation). A token trusted only for another role gets
    /// `AccessDenied`; an unknown token gets `InvalidIdentityToken`.
    pub fn trust_web_identity(&self, role_arn: &str, token: &str) {
        self.state.trust.add_web_identity(role_arn, token);
    }

    /// Accepts `role.assertion` for `AssumeRoleWithSAML` on `role.role_arn` from
    /// `role.principal_arn`, issuing sessions named `role.session_name`.
    pub fn trust_saml(&self, role: SamlRole) {
        self.state.trust.add_saml(role);
    }

    /// Lets the principals `role.trusted` names assume `role.role_arn` with signed `AssumeRole`
    /// (replacing an earlier role with that ARN). Any other caller, a missing or wrong external
    /// id when the role requires one, or an unknown role gets `AccessDenied` naming the caller's
    /// ARN and the role, as STS words it.
    pub fn allow_assume_role(&self, role: AssumableRole) {
        self.state.role_trust.add(role);
    }

    /// Treats the credentials with this access key id as expired for signed `AssumeRole`
    /// (`ExpiredToken`, as STS answers a session whose token has run out).
    pub fn expire_credentials(&self, access_key_id: &str) {
        self.state.role_trust.expire(access_key_id);
    }

    /// Makes the AssumeRole actions misbehave until cleared with `None`. `GetCallerIdentity` is
    /// never affected.
    pub fn set_fault(&self, fault: Option<StsFault>) {
        self.state.faults.set(fault, None);
    }

    /// Makes the next `times` AssumeRole requests misbehave, then answers normally again (for
    /// "retry, then succeed" tests).
    pub fn set_fault_times(&self, fault: StsFault, times: u64) {
        self.state.faults.set(Some(fault), Some(times));
    }

    /// The fault in force, if any.
    pub fn fault(&self) -> Option<StsFault> {
        self.state.faults.current()
    }

    /// Answers the AssumeRole actions in `format` whatever the request accepts (`None`: follow
    /// the `Accept` header, as STS does).
    pub fn set_response_format(&self, format: Option<ResponseFormat>) {
        *self.state.format.lock().unwrap_or_else(|e| e.into_inner()) = format;
    }

    /// Every AssumeRole request received so far, oldest first.
    pub fn assume_role_requests(&self) -> Vec<AssumeRoleRequest> {
        self.state.assume_role_requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for StsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<StsState>) {
    // Connection tasks are tracked so that aborting this task (on drop) ends them too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    state.connections.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(serve(stream, state.clone()));
                }
                Err(e) => {
                    tracing::debug!(error = %e, "STS stand-in accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(mut stream: TcpStream, state: Arc<StsState>) {
    let mut buf = Vec::new();
    loop {
        let (reply, close) = match read_request(&mut stream, &mut buf).await {
            Ok(None) => return,
            Ok(Some(req)) => (actions::dispatch(&req, &state), req.close),
            Err(e) => match e.status() {
                None => return,
                Some(status) => (Reply::Respond(HttpResponse::text(status, "malformed HTTP request")), true),
            },
        };
        state.requests.fetch_add(1, Ordering::Relaxed);
        let (response, delay) = match reply {
            Reply::Hang => {
                // Hold the connection without answering until the client gives up.
                hold(&mut stream).await;
                return;
            }
            Reply::Deliver(response, how) => {
                if how != Delivery::Reset {
                    let counter = if response.status == 200 { &state.succeeded } else { &state.rejected };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                let bytes = response.to_bytes(close);
                if deliver(&mut stream, &bytes, response.body.len(), how).await == After::Closed || close {
                    return;
                }
                continue;
            }
            Reply::Respond(response) => (response, None),
            Reply::Slow(response, delay) => (response, Some(delay)),
        };
        let counter = if response.status == 200 { &state.succeeded } else { &state.rejected };
        counter.fetch_add(1, Ordering::Relaxed);
        let bytes = response.to_bytes(close);
        let written = match delay {
            None => stream.write_all(&bytes).await,
            Some(delay) => {
                // The head and half the body now, the rest after the delay.
                let split = bytes.len() - response.body.len() / 2;
                let first = stream.write_all(&bytes[..split]).await.and(stream.flush().await);
                tokio::time::sleep(delay).await;
                match first {
                    Ok(()) => stream.write_all(&bytes[split..]).await,
                    Err(e) => Err(e),
                }
            }
        };
        if written.is_err() || close {
            return;
        }
    }
}

#[cfg(test)]
mod assume_role_tests;
#[cfg(test)]
mod role_chaining_tests;
#[cfg(test)]
mod tests;
