//! A fake mongod for MONGODB-AWS: a standalone server on 127.0.0.1 that runs the SASL
//! conversation, checks what STS does not (header set, scope region and date, clock skew), and
//! forwards the rebuilt GetCallerIdentity request to an STS URL, as a real mongod does.
//!
//! The only URL it contacts is the configured STS URL, which must be `http://` on 127.0.0.0/8,
//! `[::1]` or `localhost`; anything else is refused before a packet is sent. It reads no
//! environment variables or files.

mod client_final;
mod commands;
mod connection;
mod events;
mod fault;
mod forward;
mod region;
mod reply;
mod sasl;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use events::{Event, MongodCounters};
pub use fault::Fault;
pub use region::{InvalidHost, region_from_host};

use crate::http::LoopbackUrl;
use events::Recorder;

/// The STS host sent as `h` unless configured otherwise.
pub const DEFAULT_STS_HOST: &str = "sts.amazonaws.com";

/// Settings for [`FakeMongod::start`].
#[derive(Clone, Debug)]
pub struct MongodConfig {
    /// Where to forward GetCallerIdentity; must be a loopback `http://` URL.
    pub sts_url: String,
    /// The `h` sent in the server-first payload, and the `Host` of the forwarded request.
    pub sts_host: String,
    /// A defect to put in every server-first payload, if any.
    pub fault: Option<Fault>,
    /// The largest accepted distance between `d` and now (mongod uses 15 minutes).
    pub max_clock_skew: Duration,
    /// How long to wait for STS.
    pub sts_timeout: Duration,
}

impl MongodConfig {
    /// Defaults (host `sts.amazonaws.com`, no fault, 900 s skew, 5 s STS timeout) for `sts_url`.
    pub fn new(sts_url: impl Into<String>) -> Self {
        Self {
            sts_url: sts_url.into(),
            sts_host: DEFAULT_STS_HOST.to_owned(),
            fault: None,
            max_clock_skew: Duration::from_secs(900),
            sts_timeout: Duration::from_secs(5),
        }
    }
}

/// State shared by all connections.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) config: MongodConfig,
    pub(crate) sts_url: LoopbackUrl,
    fault: RwLock<Option<Fault>>,
    pub(crate) recorder: Recorder,
    next_connection: AtomicU64,
}

impl Shared {
    pub(crate) fn fault(&self) -> Option<Fault> {
        self.fault.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// A running fake mongod. Stops accepting connections when dropped.
/// May be shared across threads.
#[derive(Debug)]
pub struct FakeMongod {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FakeMongod {
    /// Checks the STS URL, binds 127.0.0.1 on a free port and starts serving on the current tokio
    /// runtime. A non-loopback STS URL is an `InvalidInput` error.
    pub async fn start(config: MongodConfig) -> std::io::Result<Self> {
        let sts_url = LoopbackUrl::parse(&config.sts_url)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            fault: RwLock::new(config.fault.clone()),
            config,
            sts_url,
            recorder: Recorder::default(),
            next_connection: AtomicU64::new(1),
        });
        let task = tokio::spawn(accept_loop(listener, shared.clone()));
        tracing::debug!(%addr, sts = %shared.sts_url, "fake mongod listening");
        Ok(Self { addr, shared, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A connection string for drivers:
    /// `mongodb://127.0.0.1:PORT/?directConnection=true&authMechanism=MONGODB-AWS&authSource=$external`.
    pub fn uri(&self) -> String {
        format!(
            "mongodb://{}/?directConnection=true&authMechanism=MONGODB-AWS&authSource=$external",
            self.addr
        )
    }

    /// The STS URL it forwards to.
    pub fn sts_url(&self) -> &str {
        self.shared.sts_url.as_str()
    }

    /// The `h` it sends when no [`Fault::StsHost`] is set.
    pub fn sts_host(&self) -> &str {
        &self.shared.config.sts_host
    }

    /// Sets (or clears) the fault applied to the next `saslStart` replies.
    pub fn set_fault(&self, fault: Option<Fault>) {
        *self.shared.fault.write().unwrap_or_else(|e| e.into_inner()) = fault;
    }

    /// The fault currently applied.
    pub fn fault(&self) -> Option<Fault> {
        self.shared.fault()
    }

    /// The most recent events (up to 10,000), oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.shared.recorder.events()
    }

    /// The reasons of every failed authentication still in the log, oldest first.
    pub fn auth_failures(&self) -> Vec<String> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                Event::AuthFailed { reason } => Some(reason),
                _ => None,
            })
            .collect()
    }

    /// What it has served so far.
    pub fn counters(&self) -> MongodCounters {
        self.shared.recorder.counters()
    }
}

impl Drop for FakeMongod {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    // Connection tasks live in the set so that aborting this task (on drop) ends them too.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let id = shared.next_connection.fetch_add(1, Ordering::Relaxed);
                    shared.recorder.record(Event::Connected { id });
                    connections.spawn(connection::serve(stream, shared.clone(), id));
                }
                Err(e) => {
                    tracing::debug!(error = %e, "fake mongod accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}
