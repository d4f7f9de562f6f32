//! Rebuilding the GetCallerIdentity request from the conversation and forwarding it to STS, as a
//! real mongod does. Only loopback `http://` URLs are ever contacted.

use std::time::Duration;

use base64::Engine as _;

use super::client_final::ClientFinal;
use crate::http::{LoopbackUrl, post};
use crate::sts::xml;

/// The body every MONGODB-AWS client signs (MongoDB Authentication specification, MONGODB-AWS).
pub(crate) const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// What STS said.
#[derive(Debug)]
pub(crate) enum StsOutcome {
    /// 200: the caller's ARN.
    Authenticated(String),
    /// Any other answer, or none: the reason (token redacted), and the status if there was one.
    Refused { status: Option<u16>, reason: String },
}

/// Sends the rebuilt request: `Host` is the `h` the server sent (that is what was signed), not
/// the loopback address it is delivered to.
pub(crate) async fn forward(
    url: &LoopbackUrl,
    host: &str,
    nonce: &[u8],
    fin: &ClientFinal,
    timeout: Duration,
) -> StsOutcome {
    let mut headers = vec![
        ("Host".to_owned(), host.to_owned()),
        ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
        ("Content-Length".into(), BODY.len().to_string()),
        ("X-Amz-Date".into(), fin.date.clone()),
        ("X-MongoDB-Server-Nonce".into(), base64::engine::general_purpose::STANDARD.encode(nonce)),
        ("X-MongoDB-GS2-CB-Flag".into(), "n".into()),
    ];
    if let Some(t) = &fin.token {
        headers.push(("X-Amz-Security-Token".into(), t.clone()));
    }
    headers.push(("Authorization".into(), fin.authorization.clone()));
    let redact = |s: &str| match &fin.token {
        Some(t) if !t.is_empty() => s.replace(t.as_str(), "** redacted **"),
        _ => s.to_owned(),
    };
    match post(url, &headers, BODY.as_bytes(), timeout).await {
        Err(e) => {
            StsOutcome::Refused { status: None, reason: format!("STS at {url} could not be reached: {e}") }
        }
        Ok(reply) => {
            let body = String::from_utf8_lossy(&reply.body);
            if reply.status == 200 {
                match xml::element(&body, "Arn") {
                    Some(arn) if !arn.is_empty() => StsOutcome::Authenticated(arn),
                    _ => StsOutcome::Refused {
                        status: Some(200),
                        reason: format!("STS at {url} answered 200 without an <Arn>"),
                    },
                }
            } else {
                let code = xml::element(&body, "Code").unwrap_or_else(|| "(no code)".into());
                let message = xml::element(&body, "Message").unwrap_or_default();
                StsOutcome::Refused {
                    status: Some(reply.status),
                    reason: redact(&format!(
                        "STS answered {} {code}: {}",
                        reply.status,
                        message.chars().take(500).collect::<String>()
                    )),
                }
            }
        }
    }
}
