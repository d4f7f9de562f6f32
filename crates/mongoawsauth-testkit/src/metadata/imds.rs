//! The IMDSv2 stand-in: `PUT /latest/api/token`, then the role listing and the role's
//! credentials under `/latest/meta-data/iam/security-credentials/`, each GET only with a valid
//! session token (IMDSv1 is refused with 401, as on an instance that requires IMDSv2).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use super::server::{self, Reply, Response, Route};
use super::state::{Shared, garbage_body, lock, oversized_body, rfc3339};
use super::{CredentialsMode, DEFAULT_LIFETIME, MetadataCounters, MetadataFault, RequestRecord};
use crate::identity::Identity;
use crate::random;

const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";
/// IMDS's largest token TTL.
const MAX_TTL: u64 = 21_600;
/// How long "never expires" lasts for a token whose TTL the clock cannot add.
const NEVER: Duration = Duration::from_secs(100 * 365 * 24 * 3600);

/// Settings for [`ImdsServer::start`].
#[derive(Clone, Debug)]
pub struct ImdsConfig {
    /// What the credentials request hands out.
    pub credentials: CredentialsMode,
    /// The instance's role name, listed under `security-credentials/`.
    pub role_name: String,
    /// Grant tokens for this many seconds instead of the TTL asked for (to test expiry, or,
    /// past IMDS's six hours up to `u64::MAX`, a client's handling of a hostile TTL header).
    pub token_ttl: Option<u64>,
    /// Whether token answers carry the `x-aws-ec2-metadata-token-ttl-seconds` header (real IMDS
    /// always sends it).
    pub send_ttl_header: bool,
    /// How long handed-out credentials stay valid.
    pub lifetime: Duration,
    /// A fault to start with.
    pub fault: Option<MetadataFault>,
}

impl ImdsConfig {
    /// Hands out credentials per `credentials` for role `role_name`, six-hour tokens and
    /// credentials, no fault.
    pub fn new(credentials: CredentialsMode, role_name: impl Into<String>) -> Self {
        Self {
            credentials,
            role_name: role_name.into(),
            token_ttl: None,
            send_ttl_header: true,
            lifetime: DEFAULT_LIFETIME,
            fault: None,
        }
    }
}

#[derive(Debug)]
struct ImdsRoute {
    shared: Shared,
    role_name: Mutex<String>,
    token_ttl: Option<u64>,
    send_ttl_header: bool,
    /// Issued tokens and when each stops working.
    tokens: Mutex<HashMap<String, Instant>>,
}

/// A running IMDSv2 stand-in. Stops when dropped. May be shared across threads.
#[derive(Debug)]
pub struct ImdsServer {
    addr: SocketAddr,
    route: Arc<ImdsRoute>,
    task: JoinHandle<()>,
}

impl ImdsServer {
    /// Binds 127.0.0.1 on a free port and starts serving on the current tokio runtime.
    pub async fn start(config: ImdsConfig) -> std::io::Result<Self> {
        let route = Arc::new(ImdsRoute {
            shared: Shared::new(config.credentials, config.lifetime, config.fault),
            role_name: Mutex::new(config.role_name),
            token_ttl: config.token_ttl,
            send_ttl_header: config.send_ttl_header,
            tokens: Mutex::default(),
        });
        let (addr, task) = server::start(route.clone()).await?;
        tracing::debug!(%addr, "IMDS stand-in listening");
        Ok(Self { addr, route, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its base URL, `http://127.0.0.1:PORT` (the value for `AWS_EC2_METADATA_SERVICE_ENDPOINT`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the role name listed (an empty name lists no role).
    pub fn set_role_name(&self, role: impl Into<String>) {
        *lock(&self.route.role_name) = role.into();
    }

    /// Invalidates every session token issued so far, as if they had expired.
    pub fn revoke_tokens(&self) {
        lock(&self.route.tokens).clear();
    }

    shared_controls!();
}

impl Drop for ImdsServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Route for ImdsRoute {
    fn shared(&self) -> &Shared {
        &self.shared
    }

    fn authenticated(&self, req: &crate::http::HttpRequest) -> bool {
        req.header(TOKEN_HEADER).is_some()
    }

    fn route(&self, req: &crate::http::HttpRequest) -> Reply {
        if self.shared.fault() == Some(MetadataFault::Forbidden) {
            self.shared.count_fault();
            return Response::text(403, "Forbidden");
        }
        if req.path == TOKEN_PATH {
            return if req.method == "PUT" { self.token(req) } else { Response::text(405, "use PUT") };
        }
        if req.method != "GET" {
            return Response::text(405, "method not allowed");
        }
        let Some(token) = req.header(TOKEN_HEADER) else {
            // IMDSv1 (no token) is refused, as on an instance with http-tokens=required.
            return Response::text(401, "Unauthorized");
        };
        if self.shared.fault() == Some(MetadataFault::Unauthorized) {
            self.shared.count_fault();
            return Response::text(401, "Unauthorized");
        }
        if self.shared.take_token_expired() {
            lock(&self.tokens).remove(token);
            return Response::text(401, "Unauthorized");
        }
        let valid = lock(&self.tokens).get(token).is_some_and(|until| Instant::now() < *until);
        if !valid {
            return Response::text(401, "Unauthorized");
        }
        let role = lock(&self.role_name).clone();
        let fault = self.shared.fault();
        if req.path == ROLE_PATH {
            if fault == Some(MetadataFault::NotFound) || role.is_empty() {
                return Response::text(404, "Not Found");
            }
            return Response::text(200, &role);
        }
        match req.path.strip_prefix(ROLE_PATH) {
            Some(asked) if asked == role && !role.is_empty() => self.credentials(fault),
            _ => Response::text(404, "Not Found"),
        }
    }
}

impl ImdsRoute {
    fn token(&self, req: &crate::http::HttpRequest) -> Reply {
        let requested = req.header(TTL_HEADER).and_then(|v| v.trim().parse::<u64>().ok());
        let Some(requested) = requested.filter(|t| (1..=MAX_TTL).contains(t)) else {
            return Response::text(400, "missing or invalid x-aws-ec2-metadata-token-ttl-seconds");
        };
        let ttl = self.token_ttl.unwrap_or(requested);
        let token = format!("AQAEA{}==", random::string_from(random::SECRET_ALPHABET, 51));
        // `token_ttl` may be set far past the protocol's maximum (to test clients against a
        // hostile IMDS): such a token simply never expires here.
        let now = Instant::now();
        let until =
            now.checked_add(Duration::from_secs(ttl)).or_else(|| now.checked_add(NEVER)).unwrap_or(now);
        lock(&self.tokens).insert(token.clone(), until);
        self.shared.tokens_issued.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let headers = if self.send_ttl_header { vec![(TTL_HEADER, ttl.to_string())] } else { Vec::new() };
        Reply::Respond(Response {
            status: 200,
            content_type: "text/plain",
            headers,
            body: token.into_bytes(),
        })
    }

    fn credentials(&self, fault: Option<MetadataFault>) -> Reply {
        let content_fault = |body: Vec<u8>| {
            self.shared.count_fault();
            Response::json(200, body)
        };
        match fault {
            Some(MetadataFault::NotFound) => {
                self.shared.count_fault();
                Response::text(404, "Not Found")
            }
            Some(MetadataFault::Garbage) => content_fault(garbage_body()),
            Some(MetadataFault::Oversized) => content_fault(oversized_body()),
            Some(MetadataFault::CodeNotSuccess) => content_fault(
                serde_json::json!({
                    "Code": "AssumeRoleUnauthorizedAccess",
                    "Message": "EC2 cannot assume the role. Please see documentation.",
                    "LastUpdated": rfc3339(std::time::SystemTime::now()),
                })
                .to_string()
                .into_bytes(),
            ),
            Some(MetadataFault::ExpiredCredentials) => {
                self.shared.count_fault();
                Response::json(200, self.shared.credentials_body(true, true))
            }
            _ => Response::json(200, self.shared.credentials_body(false, true)),
        }
    }
}
