//! The accept loop both metadata stand-ins run, with the faults that apply to every request
//! (hang, hang mid-body, slow body, reset, 5xx, 429) and a response writer that can add headers
//! and trickle the body.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use super::state::Shared;
use super::{MetadataFault, RequestRecord};
use crate::http::{After, Delivery, HttpRequest, deliver, read_request};

/// What to do with one request.
#[derive(Debug)]
pub(super) enum Reply {
    /// Answer it.
    Respond(Response),
    /// Never answer (the connection stays open until the stand-in stops).
    Hang,
}

/// An answer.
#[derive(Debug)]
pub(super) struct Response {
    pub(super) status: u16,
    pub(super) content_type: &'static str,
    pub(super) headers: Vec<(&'static str, String)>,
    pub(super) body: Vec<u8>,
}

impl Response {
    pub(super) fn text(status: u16, body: &str) -> Reply {
        Reply::Respond(Response {
            status,
            content_type: "text/plain",
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
        })
    }

    pub(super) fn json(status: u16, body: Vec<u8>) -> Reply {
        Reply::Respond(Response { status, content_type: "application/json", headers: Vec::new(), body })
    }
}

/// One stand-in's request handling, after the faults every request gets.
pub(super) trait Route: Send + Sync + 'static {
    fn shared(&self) -> &Shared;
    /// Whether the request carries the stand-in's credential (token or authorization header).
    fn authenticated(&self, req: &HttpRequest) -> bool;
    fn route(&self, req: &HttpRequest) -> Reply;
}

/// Binds 127.0.0.1 on a free port and serves `route` on the current tokio runtime.
pub(super) async fn start<R: Route>(route: Arc<R>) -> std::io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let addr = listener.local_addr()?;
    Ok((addr, tokio::spawn(accept_loop(listener, route))))
}

async fn accept_loop<R: Route>(listener: TcpListener, route: Arc<R>) {
    // Connection tasks live in this set so that aborting the loop (on drop) ends them, hung
    // ones included.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    route.shared().connections.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(serve(stream, route.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve<R: Route>(mut stream: TcpStream, route: Arc<R>) {
    let mut buf = Vec::new();
    loop {
        let req = match read_request(&mut stream, &mut buf).await {
            Ok(Some(req)) => req,
            Ok(None) => return,
            Err(e) => {
                if let Some(status) = e.status() {
                    let Reply::Respond(r) = Response::text(status, "malformed HTTP request") else { return };
                    let _ = stream.write_all(&head(&r, r.body.len(), true)).await;
                    let _ = stream.write_all(&r.body).await;
                }
                return;
            }
        };
        let shared = route.shared();
        shared.requests.fetch_add(1, Ordering::Relaxed);
        if shared.throttle.refuses() {
            // Answered before routing and faults, and not logged (see `throttle`).
            let Reply::Respond(r) = super::throttle::too_many_requests() else { return };
            let mut bytes = head(&r, r.body.len(), req.close);
            bytes.extend_from_slice(&r.body);
            if stream.write_all(&bytes).await.is_err() || req.close {
                return;
            }
            continue;
        }
        let fault = shared.fault();
        let reply = if fault == Some(MetadataFault::Hang) {
            shared.count_fault();
            Reply::Hang
        } else if shared.take_server_error() {
            Response::text(500, "Internal Server Error")
        } else if let Some(retry_after) = shared.take_throttle() {
            Reply::Respond(Response {
                status: 429,
                content_type: "text/plain",
                headers: vec![("Retry-After", retry_after.to_string())],
                body: b"Too Many Requests".to_vec(),
            })
        } else {
            route.route(&req)
        };
        let status = match &reply {
            Reply::Respond(_) if fault == Some(MetadataFault::Reset) => None,
            Reply::Respond(r) => Some(r.status),
            Reply::Hang => None,
        };
        if matches!(status, Some(401 | 403)) {
            shared.unauthorized.fetch_add(1, Ordering::Relaxed);
        }
        shared.log(RequestRecord {
            method: req.method.clone(),
            path: req.path.clone(),
            authenticated: route.authenticated(&req),
            headers: req.headers.clone(),
            status,
        });
        let response = match reply {
            Reply::Hang => return std::future::pending().await,
            Reply::Respond(r) => r,
        };
        let delivery = match fault {
            Some(MetadataFault::SlowBody(total)) => Delivery::Drip(total),
            Some(MetadataFault::HangMidBody) => Delivery::HangMidBody,
            Some(MetadataFault::Reset) => Delivery::Reset,
            _ => Delivery::AtOnce,
        };
        if delivery != Delivery::AtOnce {
            shared.count_fault();
        }
        let mut bytes = head(&response, response.body.len(), req.close);
        bytes.extend_from_slice(&response.body);
        if deliver(&mut stream, &bytes, response.body.len(), delivery).await == After::Closed || req.close {
            return;
        }
    }
}

fn head(response: &Response, len: usize, close: bool) -> Vec<u8> {
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "Unknown",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {len}\r\n",
        response.status, response.content_type
    );
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}
