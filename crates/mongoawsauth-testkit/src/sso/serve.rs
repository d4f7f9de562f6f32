//! The portal's accept loop and its one route.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use super::{BEARER_HEADER, OVERSIZED_BODY, SsoFault, SsoRequest, State, lock};
use crate::http::{After, Delivery, HttpRequest, deliver, parse_form, read_request};

/// An answer: status, error type header, `Retry-After` header, body.
struct Answer {
    status: u16,
    error_type: Option<&'static str>,
    retry_after: Option<u64>,
    body: Vec<u8>,
}

impl Answer {
    fn error(status: u16, kind: &'static str, message: &str) -> Self {
        Self {
            status,
            error_type: Some(kind),
            retry_after: None,
            body: serde_json::json!({ "message": message }).to_string().into_bytes(),
        }
    }

    fn ok(body: Vec<u8>) -> Self {
        Self { status: 200, error_type: None, retry_after: None, body }
    }
}

pub(super) async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    // Connection tasks live in this set so that aborting the loop (on drop) ends them, hung
    // ones included.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, state.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn serve(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    loop {
        let req = match read_request(&mut stream, &mut buf).await {
            Ok(Some(req)) => req,
            Ok(None) => return,
            Err(e) => {
                if let Some(status) = e.status() {
                    let answer = Answer::error(status, "InvalidRequestException", "malformed HTTP request");
                    let _ = stream.write_all(&to_bytes(&answer, true)).await;
                }
                return;
            }
        };
        state.requests.fetch_add(1, Ordering::Relaxed);
        let Some((answer, how)) = route(&state, &req) else {
            return std::future::pending().await;
        };
        let bytes = to_bytes(&answer, req.close);
        if deliver(&mut stream, &bytes, answer.body.len(), how).await == After::Closed || req.close {
            return;
        }
    }
}

/// Answers one request and logs it; `None` means hang.
fn route(state: &State, req: &HttpRequest) -> Option<(Answer, Delivery)> {
    let params = parse_form(&req.query);
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let (account_id, role_name) = (param("account_id"), param("role_name"));
    let token_valid =
        req.header(BEARER_HEADER).is_some_and(|given| lock(&state.tokens).iter().any(|t| t == given));
    let answer = answer(state, req, token_valid, account_id.as_deref(), role_name.as_deref());
    if let Some((a, _)) = &answer
        && matches!(a.status, 401 | 403)
    {
        state.refused.fetch_add(1, Ordering::Relaxed);
    }
    lock(&state.log).push(SsoRequest {
        path: req.path.clone(),
        account_id,
        role_name,
        token_valid,
        status: answer.as_ref().filter(|(_, how)| *how != Delivery::Reset).map(|(a, _)| a.status),
    });
    answer
}

/// The answer and how to send it; `None` means hang.
fn answer(
    state: &State,
    req: &HttpRequest,
    token_valid: bool,
    account_id: Option<&str>,
    role_name: Option<&str>,
) -> Option<(Answer, Delivery)> {
    let mut how = Delivery::AtOnce;
    let mut expired = false;
    {
        let mut fault = lock(&state.fault);
        let immediate = |answer: Answer| Some((answer, Delivery::AtOnce));
        match &mut *fault {
            Some(SsoFault::Hang) => return None,
            Some(SsoFault::Reset) => return Some((Answer::ok(Vec::new()), Delivery::Reset)),
            Some(SsoFault::HangMidBody) => how = Delivery::HangMidBody,
            Some(SsoFault::SlowBody(total)) => how = Delivery::Drip(*total),
            Some(SsoFault::ExpiredCredentials) => expired = true,
            Some(SsoFault::NotFound) => {
                return immediate(Answer::error(404, "ResourceNotFoundException", "No such account or role"));
            }
            Some(SsoFault::Oversized) => {
                let mut body = br#"{"roleCredentials":{"padding":""#.to_vec();
                body.resize(OVERSIZED_BODY - 3, b'x');
                body.extend_from_slice(br#""}}"#);
                return immediate(Answer::ok(body));
            }
            Some(SsoFault::Throttled { retry_after, times }) => {
                let mut answer = Answer::error(429, "TooManyRequestsException", "Rate exceeded");
                answer.retry_after = Some(*retry_after);
                if *times != u32::MAX {
                    *times = times.saturating_sub(1);
                    if *times == 0 {
                        *fault = None;
                    }
                }
                return immediate(answer);
            }
            Some(SsoFault::Unauthorized) => {
                return immediate(Answer::error(
                    401,
                    "UnauthorizedException",
                    "Session token not found or invalid",
                ));
            }
            Some(SsoFault::Forbidden) => {
                return immediate(Answer::error(403, "ForbiddenException", "No access"));
            }
            Some(SsoFault::ServerError { times }) => {
                *times = times.saturating_sub(1);
                if *times == 0 {
                    *fault = None;
                }
                return immediate(Answer::error(500, "InternalServerException", "internal error"));
            }
            Some(SsoFault::Garbage) => return immediate(Answer::ok(b"<html>not json".to_vec())),
            None => {}
        }
    }
    let refused = |answer: Answer| Some((answer, how));
    if req.method != "GET" || req.path != "/federation/credentials" {
        return refused(Answer::error(404, "ResourceNotFoundException", "no such operation"));
    }
    let (Some(account_id), Some(role_name)) = (account_id, role_name) else {
        return refused(Answer::error(
            400,
            "InvalidRequestException",
            "account_id and role_name are required",
        ));
    };
    if !token_valid {
        return refused(Answer::error(401, "UnauthorizedException", "Session token not found or invalid"));
    }
    let config = lock(&state.config).clone();
    if account_id != config.account_id || !config.roles.iter().any(|r| r == role_name) {
        return refused(Answer::error(403, "ForbiddenException", "No access"));
    }
    let identity = config.identities.add_temporary(role_name, &config.user);
    lock(&state.issued).push(identity.clone());
    state.credentials_issued.fetch_add(1, Ordering::Relaxed);
    let now = SystemTime::now();
    let expiration = if expired { now - Duration::from_secs(3600) } else { now + config.lifetime };
    let millis = expiration.duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let body = serde_json::json!({ "roleCredentials": {
        "accessKeyId": identity.access_key_id,
        "secretAccessKey": identity.secret_access_key,
        "sessionToken": identity.session_token.unwrap_or_default(),
        "expiration": millis as u64,
    }});
    Some((Answer::ok(body.to_string().into_bytes()), how))
}

fn to_bytes(answer: &Answer, close: bool) -> Vec<u8> {
    let reason = match answer.status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        _ => "Unknown",
    };
    let mut head = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        answer.status,
        answer.body.len()
    );
    if let Some(seconds) = answer.retry_after {
        head.push_str(&format!("Retry-After: {seconds}\r\n"));
    }
    if let Some(kind) = answer.error_type {
        head.push_str(&format!(
            "x-amzn-ErrorType: {kind}:http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/\r\n"
        ));
    }
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&answer.body);
    out
}
