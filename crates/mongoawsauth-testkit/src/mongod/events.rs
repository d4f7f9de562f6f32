//! The fake mongod's event log and counters, for assertions.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// The log keeps the most recent events only, so a long-running binary cannot grow without bound.
const MAX_EVENTS: usize = 10_000;

/// Something the fake mongod did. Reasons and ARNs never contain secrets: the session token is
/// redacted from anything STS echoes back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A client connected.
    Connected {
        /// The connection number (also reported as `connectionId` in `hello`).
        id: u64,
    },
    /// A command arrived.
    Command {
        /// The connection number.
        connection: u64,
        /// The database (`$db`, or the `<db>.$cmd` of OP_QUERY).
        db: String,
        /// The command name (its first key).
        name: String,
    },
    /// The GetCallerIdentity request was forwarded to STS.
    StsRequest {
        /// The HTTP status STS answered, or `None` if it could not be reached.
        status: Option<u16>,
    },
    /// A conversation ended in success.
    AuthSucceeded {
        /// The ARN STS reported, now the connection's user.
        arn: String,
    },
    /// A conversation failed; the same reason is the `errmsg` of the code-18 reply.
    AuthFailed {
        /// Why.
        reason: String,
    },
    /// A message could not be decoded; the connection was closed.
    ProtocolError {
        /// Why.
        reason: String,
    },
}

/// A snapshot of what the fake mongod has served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MongodCounters {
    /// Connections accepted.
    pub connections: u64,
    /// Commands answered (OP_MSG and OP_QUERY).
    pub commands: u64,
    /// Conversations that ended authenticated.
    pub auth_succeeded: u64,
    /// Conversations (or `saslStart`s) that failed with code 18.
    pub auth_failed: u64,
    /// GetCallerIdentity requests forwarded to STS.
    pub sts_requests: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    events: Mutex<VecDeque<Event>>,
    connections: AtomicU64,
    commands: AtomicU64,
    auth_succeeded: AtomicU64,
    auth_failed: AtomicU64,
    sts_requests: AtomicU64,
}

impl Recorder {
    pub(crate) fn record(&self, event: Event) {
        let counter = match &event {
            Event::Connected { .. } => Some(&self.connections),
            Event::Command { .. } => Some(&self.commands),
            Event::StsRequest { .. } => Some(&self.sts_requests),
            Event::AuthSucceeded { .. } => Some(&self.auth_succeeded),
            Event::AuthFailed { .. } => Some(&self.auth_failed),
            Event::ProtocolError { .. } => None,
        };
        if let Some(c) = counter {
            c.fetch_add(1, Ordering::Relaxed);
        }
        tracing::debug!(?event, "fake mongod");
        let mut events = self.events.lock().unwrap_or_else(|e| e.into_inner());
        if events.len() == MAX_EVENTS {
            events.pop_front();
        }
        events.push_back(event);
    }

    pub(crate) fn events(&self) -> Vec<Event> {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).iter().cloned().collect()
    }

    pub(crate) fn counters(&self) -> MongodCounters {
        MongodCounters {
            connections: self.connections.load(Ordering::Relaxed),
            commands: self.commands.load(Ordering::Relaxed),
            auth_succeeded: self.auth_succeeded.load(Ordering::Relaxed),
            auth_failed: self.auth_failed.load(Ordering::Relaxed),
            sts_requests: self.sts_requests.load(Ordering::Relaxed),
        }
    }
}
