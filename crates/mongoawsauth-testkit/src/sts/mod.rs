//! The STS stand-in: an HTTP/1.1 server on 127.0.0.1 that verifies SigV4 with the crate's own
//! verifier and answers like STS, in XML.
//!
//! Serves `POST /` (or `GET /?…`) with `Action=GetCallerIdentity`. Actions are dispatched by
//! their `Action` parameter and all share one [`IdentityStore`], so identities added at run time
//! are seen at once. Reads no environment variables or files; sends nothing anywhere.

mod actions;
mod auth;
mod error;
mod get_caller_identity;
pub(crate) mod xml;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::http::read_request;
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
}

/// State shared by every connection and action.
#[derive(Debug)]
pub(crate) struct StsState {
    pub(crate) identities: IdentityStore,
    pub(crate) max_clock_skew: Option<Duration>,
    connections: AtomicU64,
    requests: AtomicU64,
    succeeded: AtomicU64,
    rejected: AtomicU64,
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
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            succeeded: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
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
        }
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
        let (response, close) = match read_request(&mut stream, &mut buf).await {
            Ok(None) => return,
            Ok(Some(req)) => (actions::dispatch(&req, &state), req.close),
            Err(e) => match e.status() {
                None => return,
                Some(status) => (crate::http::HttpResponse::text(status, "malformed HTTP request"), true),
            },
        };
        state.requests.fetch_add(1, Ordering::Relaxed);
        let counter = if response.status == 200 { &state.succeeded } else { &state.rejected };
        counter.fetch_add(1, Ordering::Relaxed);
        if stream.write_all(&response.to_bytes(close)).await.is_err() || close {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
