//! An IAM Identity Center (SSO) portal stand-in: `GetRoleCredentials`
//! (`GET /federation/credentials?account_id=…&role_name=…` with the `x-amz-sso_bearer_token`
//! header), as the core's SSO source and the AWS SDKs call it.
//!
//! It accepts only the access tokens it issued ([`SsoPortal::issue_token`], the token
//! `aws sso login` would have cached), answers 401 `UnauthorizedException` for any other, 403
//! `ForbiddenException` for an account or role it does not grant, and hands out a new temporary
//! identity from an [`IdentityStore`] on every success, so a login through the fake mongod with
//! those credentials works. It binds 127.0.0.1 on port 0, logs every request, and can be told to
//! misbehave ([`SsoFault`]). [`write_token_file`] writes a token file in the AWS CLI's format.

mod serve;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::identity::{Identity, IdentityStore};
use crate::random;

/// The header that carries the access token.
pub const BEARER_HEADER: &str = "x-amz-sso_bearer_token";
/// How long handed-out role credentials stay valid unless configured otherwise (the portal's
/// usual hour).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// Settings for [`SsoPortal::start`].
#[derive(Clone, Debug)]
pub struct SsoConfig {
    /// The store the STS stand-in verifies against; every success adds a session to it.
    pub identities: IdentityStore,
    /// The account whose roles it grants.
    pub account_id: String,
    /// The role names it grants in that account.
    pub roles: Vec<String>,
    /// The session name of issued credentials (the user who logged in).
    pub user: String,
    /// How long issued role credentials stay valid.
    pub lifetime: Duration,
    /// A fault to start with.
    pub fault: Option<SsoFault>,
}

impl SsoConfig {
    /// Grants `role` in the store's account to user `sso-user`.
    pub fn new(identities: IdentityStore, role: impl Into<String>) -> Self {
        Self {
            account_id: identities.account_id().to_owned(),
            identities,
            roles: vec![role.into()],
            user: "sso-user".to_owned(),
            lifetime: DEFAULT_LIFETIME,
            fault: None,
        }
    }
}

/// A deliberate misbehaviour, applied to every credentials request while set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SsoFault {
    /// 401 `UnauthorizedException`, whatever the token (as for a revoked session).
    Unauthorized,
    /// 403 `ForbiddenException`, whatever the token.
    Forbidden,
    /// 500 this many times, then behave again.
    ServerError {
        /// How many 500 answers are left.
        times: u32,
    },
    /// Read the request, never answer.
    Hang,
    /// 200 with a body that is not JSON.
    Garbage,
    /// The head and half the body of the answer it would have given, then nothing more (the
    /// connection stays open).
    HangMidBody,
    /// The head of the answer it would have given at once, and its body in ten pieces spread
    /// over this long.
    SlowBody(Duration),
    /// 429 `TooManyRequestsException` with `Retry-After: <retry_after>` (seconds), this many
    /// times, then behave again (`u32::MAX`: until cleared).
    Throttled {
        /// The `Retry-After` value, in seconds.
        retry_after: u64,
        /// How many 429 answers are left.
        times: u32,
    },
    /// 404 `ResourceNotFoundException`, whatever the account and role.
    NotFound,
    /// 200 with a JSON-looking body of [`OVERSIZED_BODY`] bytes.
    Oversized,
    /// Role credentials (a real session) whose expiration is an hour ago.
    ExpiredCredentials,
    /// Read the request, then close the connection with a TCP reset, no answer.
    Reset,
}

/// The size of the [`SsoFault::Oversized`] body: twice the core library's 64 KiB cap.
pub const OVERSIZED_BODY: usize = 128 * 1024;

impl SsoFault {
    /// Parses `unauthorized`, `forbidden`, `server-error[=N]`, `hang`, `garbage`,
    /// `hang-mid-body`, `slow-body=<ms>`, `429=<retry-after s>,<n>`, `404`, `oversized`,
    /// `expired`, `reset`: the names its `Display` writes.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "unauthorized" => Self::Unauthorized,
            "forbidden" => Self::Forbidden,
            "server-error" => Self::ServerError { times: u32::MAX },
            "hang" => Self::Hang,
            "garbage" => Self::Garbage,
            "hang-mid-body" => Self::HangMidBody,
            "404" => Self::NotFound,
            "oversized" => Self::Oversized,
            "expired" => Self::ExpiredCredentials,
            "reset" => Self::Reset,
            _ => {
                if let Some(ms) = s.strip_prefix("slow-body=") {
                    Self::SlowBody(Duration::from_millis(ms.parse().ok()?))
                } else if let Some(throttle) = s.strip_prefix("429=") {
                    let (retry_after, times) = throttle.split_once(',')?;
                    Self::Throttled { retry_after: retry_after.parse().ok()?, times: times.parse().ok()? }
                } else {
                    Self::ServerError { times: s.strip_prefix("server-error=")?.parse().ok()? }
                }
            }
        })
    }
}

impl std::fmt::Display for SsoFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unauthorized => f.write_str("unauthorized"),
            Self::Forbidden => f.write_str("forbidden"),
            Self::ServerError { times: u32::MAX } => f.write_str("server-error"),
            Self::ServerError { times } => write!(f, "server-error={times}"),
            Self::Hang => f.write_str("hang"),
            Self::Garbage => f.write_str("garbage"),
            Self::HangMidBody => f.write_str("hang-mid-body"),
            Self::SlowBody(d) => write!(f, "slow-body={}", d.as_millis()),
            Self::Throttled { retry_after, times } => write!(f, "429={retry_after},{times}"),
            Self::NotFound => f.write_str("404"),
            Self::Oversized => f.write_str("oversized"),
            Self::ExpiredCredentials => f.write_str("expired"),
            Self::Reset => f.write_str("reset"),
        }
    }
}

/// One request the portal received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoRequest {
    /// The request path.
    pub path: String,
    /// The `account_id` query parameter.
    pub account_id: Option<String>,
    /// The `role_name` query parameter.
    pub role_name: Option<String>,
    /// Whether the bearer token was one the portal issued and has not revoked.
    pub token_valid: bool,
    /// The status answered (`None` for a hang).
    pub status: Option<u16>,
}

/// What the portal has served.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SsoCounters {
    /// Requests received.
    pub requests: u64,
    /// Role credentials handed out.
    pub credentials_issued: u64,
    /// 401 and 403 answers.
    pub refused: u64,
}

#[derive(Debug)]
struct State {
    config: Mutex<SsoConfig>,
    tokens: Mutex<Vec<String>>,
    fault: Mutex<Option<SsoFault>>,
    log: Mutex<Vec<SsoRequest>>,
    issued: Mutex<Vec<Identity>>,
    requests: AtomicU64,
    credentials_issued: AtomicU64,
    refused: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running portal stand-in. Stops when dropped. May be shared across threads.
#[derive(Debug)]
pub struct SsoPortal {
    addr: SocketAddr,
    state: Arc<State>,
    task: JoinHandle<()>,
}

impl SsoPortal {
    /// Binds 127.0.0.1 on a free port and starts serving on the current tokio runtime.
    pub async fn start(config: SsoConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            fault: Mutex::new(config.fault.clone()),
            config: Mutex::new(config),
            tokens: Mutex::default(),
            log: Mutex::default(),
            issued: Mutex::default(),
            requests: AtomicU64::new(0),
            credentials_issued: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        });
        let task = tokio::spawn(serve::accept_loop(listener, state.clone()));
        tracing::debug!(%addr, "SSO portal stand-in listening");
        Ok(Self { addr, state, task })
    }

    /// The base URL, `http://127.0.0.1:PORT`, to use as the portal endpoint.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The account it grants roles in.
    pub fn account_id(&self) -> String {
        lock(&self.state.config).account_id.clone()
    }

    /// The first role it grants.
    pub fn role_name(&self) -> String {
        lock(&self.state.config).roles.first().cloned().unwrap_or_default()
    }

    /// The ARN of credentials issued for `role`:
    /// `arn:aws:sts::<account>:assumed-role/<role>/<user>`.
    pub fn role_arn_of_session(&self, role: &str) -> String {
        let config = lock(&self.state.config);
        format!("arn:aws:sts::{}:assumed-role/{role}/{}", config.account_id, config.user)
    }

    /// Issues a new access token the portal will accept (what `aws sso login` caches).
    pub fn issue_token(&self) -> String {
        let token = format!("aoa{}", random::string_from(random::SECRET_ALPHABET, 96));
        lock(&self.state.tokens).push(token.clone());
        token
    }

    /// Stops accepting `token` (as after a sign-out); returns whether it was valid.
    pub fn revoke_token(&self, token: &str) -> bool {
        let mut tokens = lock(&self.state.tokens);
        let before = tokens.len();
        tokens.retain(|t| t != token);
        tokens.len() != before
    }

    /// Sets (or clears) the fault in force.
    pub fn set_fault(&self, fault: Option<SsoFault>) {
        *lock(&self.state.fault) = fault;
    }

    /// The fault in force (a counted server error or throttle clears itself).
    pub fn fault(&self) -> Option<SsoFault> {
        lock(&self.state.fault).clone()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<SsoRequest> {
        lock(&self.state.log).clone()
    }

    /// Every identity handed out, in order.
    pub fn issued(&self) -> Vec<Identity> {
        lock(&self.state.issued).clone()
    }

    /// What it has served so far.
    pub fn counters(&self) -> SsoCounters {
        SsoCounters {
            requests: self.state.requests.load(Ordering::Relaxed),
            credentials_issued: self.state.credentials_issued.load(Ordering::Relaxed),
            refused: self.state.refused.load(Ordering::Relaxed),
        }
    }
}

impl Drop for SsoPortal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Writes a token file at `path` as the AWS CLI does after `aws sso login` (creating its
/// directory): `startUrl`, `region`, `accessToken` and `expiresAt` (RFC 3339). The file name is
/// the caller's to choose: the CLI names it after the lower-case hex SHA-1 of the `sso_session`
/// name, or of the start URL for a legacy profile, plus `.json`.
pub fn write_token_file(
    path: &Path,
    start_url: &str,
    region: &str,
    access_token: &str,
    expires_at: SystemTime,
) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let doc = serde_json::json!({
        "startUrl": start_url,
        "region": region,
        "accessToken": access_token,
        "expiresAt": rfc3339(expires_at),
    });
    std::fs::write(path, doc.to_string())
}

fn rfc3339(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t).replace_nanosecond(0).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}
