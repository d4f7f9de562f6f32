//! The container credentials stand-in: `GET <path>` answers the credentials document, checking
//! the `Authorization` header when a token is configured (401 without one, 403 with a wrong
//! one), as the EKS Pod Identity agent does.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use super::server::{self, Reply, Response, Route};
use super::state::{Shared, garbage_body, lock, oversized_body};
use super::{CredentialsMode, DEFAULT_LIFETIME, MetadataCounters, MetadataFault, RequestRecord};
use crate::http::HttpRequest;
use crate::identity::Identity;
use crate::random;

/// Settings for [`ContainerServer::start`].
#[derive(Clone, Debug)]
pub struct ContainerConfig {
    /// What the credentials request hands out.
    pub credentials: CredentialsMode,
    /// The credentials path (the value for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
    pub path: String,
    /// The `Authorization` value required; `None` requires none (as the ECS agent).
    pub auth_token: Option<String>,
    /// How long handed-out credentials stay valid.
    pub lifetime: Duration,
    /// A fault to start with.
    pub fault: Option<MetadataFault>,
}

impl ContainerConfig {
    /// Hands out credentials per `credentials` at a generated `/v2/credentials/<id>` path,
    /// requiring no token.
    pub fn new(credentials: CredentialsMode) -> Self {
        Self {
            credentials,
            path: format!("/v2/credentials/{}", random::string_from(b"0123456789abcdef", 32)),
            auth_token: None,
            lifetime: DEFAULT_LIFETIME,
            fault: None,
        }
    }
}

#[derive(Debug)]
struct ContainerRoute {
    shared: Shared,
    path: String,
    auth_token: Mutex<Option<String>>,
}

/// A running container credentials stand-in. Stops when dropped. May be shared across threads.
#[derive(Debug)]
pub struct ContainerServer {
    addr: SocketAddr,
    route: Arc<ContainerRoute>,
    task: JoinHandle<()>,
}

impl ContainerServer {
    /// Binds 127.0.0.1 on a free port and starts serving on the current tokio runtime.
    pub async fn start(config: ContainerConfig) -> std::io::Result<Self> {
        let path = if config.path.starts_with('/') { config.path } else { format!("/{}", config.path) };
        let route = Arc::new(ContainerRoute {
            shared: Shared::new(config.credentials, config.lifetime, config.fault),
            path,
            auth_token: Mutex::new(config.auth_token),
        });
        let (addr, task) = server::start(route.clone()).await?;
        tracing::debug!(%addr, "container credentials stand-in listening");
        Ok(Self { addr, route, task })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL, `http://127.0.0.1:PORT`, to use in place of the ECS agent's address.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The credentials path (the value for `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`).
    pub fn relative_uri(&self) -> &str {
        &self.route.path
    }

    /// The whole credentials URL (the value for `AWS_CONTAINER_CREDENTIALS_FULL_URI`).
    pub fn full_uri(&self) -> String {
        format!("{}{}", self.base_url(), self.route.path)
    }

    /// The `Authorization` value required now.
    pub fn auth_token(&self) -> Option<String> {
        lock(&self.route.auth_token).clone()
    }

    /// Changes the required `Authorization` value (to test rotation of the token file).
    pub fn set_auth_token(&self, token: Option<String>) {
        *lock(&self.route.auth_token) = token;
    }

    shared_controls!();
}

impl Drop for ContainerServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error_body(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({ "code": code, "message": message }).to_string().into_bytes()
}

impl Route for ContainerRoute {
    fn shared(&self) -> &Shared {
        &self.shared
    }

    fn authenticated(&self, req: &HttpRequest) -> bool {
        req.header("authorization").is_some()
    }

    fn route(&self, req: &HttpRequest) -> Reply {
        if req.method != "GET" {
            return Response::json(405, error_body("MethodNotAllowed", "use GET"));
        }
        if req.path != self.path {
            return Response::json(404, error_body("NotFound", "no such credentials path"));
        }
        match self.shared.fault() {
            Some(MetadataFault::Unauthorized) => {
                self.shared.count_fault();
                return Response::json(401, error_body("Unauthorized", "authorization token expired"));
            }
            Some(MetadataFault::Forbidden) => {
                self.shared.count_fault();
                return Response::json(403, error_body("AccessDenied", "this pod may not use the role"));
            }
            _ => {}
        }
        if let Some(expected) = lock(&self.auth_token).clone() {
            match req.header("authorization") {
                None => {
                    return Response::json(401, error_body("Unauthorized", "authorization token required"));
                }
                Some(given) if given != expected => {
                    return Response::json(
                        403,
                        error_body("AccessDenied", "authorization token is not valid"),
                    );
                }
                Some(_) => {}
            }
        }
        if self.authenticated(req) && self.shared.take_token_expired() {
            return Response::json(401, error_body("Unauthorized", "authorization token expired"));
        }
        let fault = self.shared.fault();
        let faulty = |status: u16, body: Vec<u8>| {
            self.shared.count_fault();
            Response::json(status, body)
        };
        match fault {
            Some(MetadataFault::NotFound) => faulty(404, error_body("NotFound", "no credentials here")),
            Some(MetadataFault::Garbage) => faulty(200, garbage_body()),
            Some(MetadataFault::Oversized) => faulty(200, oversized_body()),
            Some(MetadataFault::CodeNotSuccess) => faulty(
                400,
                error_body("InvalidIdentityToken", "the pod's service account token was rejected"),
            ),
            Some(MetadataFault::ExpiredCredentials) => faulty(200, self.shared.credentials_body(true, false)),
            _ => Response::json(200, self.shared.credentials_body(false, false)),
        }
    }
}
