//! The AssumeRole actions: the unsigned `AssumeRoleWithWebIdentity` and `AssumeRoleWithSAML`
//! (checked here against the configured tokens and assertions) and the signed `AssumeRole`
//! (checked in `role_chaining`). All three check the parameters as STS does and issue temporary
//! credentials that `GetCallerIdentity` then accepts as the assumed role.
//!
//! Answers in JSON when the request accepts `application/json` (or when a format is forced),
//! otherwise in XML. A configured [`StsFault`] replaces the answer.

use std::time::Duration;

use base64::Engine as _;
use time::OffsetDateTime;

use crate::http::{Delivery, HttpRequest, HttpResponse};
use crate::identity::Identity;
use crate::random;

use super::answer::{self, Node, ResponseFormat};
use super::error::StsError;
use super::fault::StsFault;
use super::trust::Verdict;
use super::{AssumeRoleRequest, Reply, StsState};

/// Which of the two actions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    WebIdentity,
    Saml,
    /// The signed `AssumeRole` of role chaining.
    AssumeRole,
}

impl Kind {
    fn action(self) -> &'static str {
        match self {
            Kind::WebIdentity => "AssumeRoleWithWebIdentity",
            Kind::Saml => "AssumeRoleWithSAML",
            Kind::AssumeRole => "AssumeRole",
        }
    }
}

/// What the checks let through: who to issue credentials to, and the extra result fields.
pub(super) struct Grant {
    pub(super) role_arn: String,
    pub(super) session_name: String,
    pub(super) duration: Duration,
    pub(super) extra: Vec<(&'static str, Node)>,
}

/// Answers one AssumeRole request.
pub(crate) fn handle(req: &HttpRequest, params: &[(String, String)], state: &StsState, kind: Kind) -> Reply {
    state.record(kind, req, params);
    let format = state.forced_format().unwrap_or_else(|| ResponseFormat::for_request(req));
    let fault = state.faults.take();
    let immediate = match &fault {
        Some(StsFault::Hang) => return Reply::Hang,
        Some(StsFault::Error(code)) => Some(code.error().response_in(format)),
        Some(StsFault::ServerError(status)) => {
            let code = if *status == 500 { "InternalFailure" } else { "ServiceUnavailable" };
            Some(
                StsError { status: *status, code, message: "Injected server failure.".to_owned() }
                    .response_in(format),
            )
        }
        Some(StsFault::Reset) => return Reply::Deliver(HttpResponse::text(500, ""), Delivery::Reset),
        Some(StsFault::Garbage) => {
            Some(HttpResponse::new(200, format.content_type(), b"\x01not an STS answer }{ <".to_vec()))
        }
        Some(StsFault::Oversized) => {
            let mut body = format!("<{}Response>", kind.action()).into_bytes();
            body.resize(2 * 1024 * 1024, b' ');
            Some(HttpResponse::new(200, format.content_type(), body))
        }
        Some(StsFault::EchoSecret) => Some(echo_secret(req, params, format)),
        Some(StsFault::Throttled { retry_after }) => {
            let error = StsError { status: 429, code: "Throttling", message: "Rate exceeded".to_owned() };
            let mut response = error.response_in(format);
            response.headers.push(("Retry-After", retry_after.to_string()));
            Some(response)
        }
        Some(StsFault::Status(status)) => {
            Some(HttpResponse::text(*status, "<html><body>Refused by the gateway</body></html>"))
        }
        Some(
            StsFault::SlowBody(_) | StsFault::ExpiredCredentials | StsFault::HangMidBody | StsFault::Drip(_),
        )
        | None => None,
    };
    if let Some(response) = immediate {
        return Reply::Respond(response);
    }
    let checked = match kind {
        Kind::WebIdentity => web_identity(params, state),
        Kind::Saml => saml(params, state),
        Kind::AssumeRole => super::role_chaining::check(req, params, state),
    };
    let grant = match checked {
        Ok(grant) => grant,
        Err(e) => {
            tracing::debug!(code = e.code, message = %e.message, "{} refused", kind.action());
            return Reply::Respond(e.response_in(format));
        }
    };
    let expired = matches!(fault, Some(StsFault::ExpiredCredentials));
    let response = issue(state, kind, grant, format, expired);
    match fault {
        Some(StsFault::SlowBody(delay)) => Reply::Slow(response, delay),
        Some(StsFault::HangMidBody) => Reply::Deliver(response, Delivery::HangMidBody),
        Some(StsFault::Drip(total)) => Reply::Deliver(response, Delivery::Drip(total)),
        _ => Reply::Respond(response),
    }
}

/// The [`StsFault::EchoSecret`] answer: the secret in the code, and in the message both as
/// received and inside the raw form body (where it is percent-encoded).
fn echo_secret(req: &HttpRequest, params: &[(String, String)], format: ResponseFormat) -> HttpResponse {
    let secret = param(params, "WebIdentityToken").or_else(|| param(params, "SAMLAssertion")).unwrap_or("");
    let code = format!("InvalidIdentityToken.{secret}");
    let message = format!(
        "The token {secret} could not be validated; the request was: {}",
        String::from_utf8_lossy(&req.body)
    );
    format.response(400, answer::error(format, 400, &code, &message, &random::request_id()))
}

pub(super) fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

pub(super) fn required<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, StsError> {
    param(params, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        StsError::bad_request("MissingParameter", format!("The request must contain the parameter {name}"))
    })
}

pub(super) fn validation(field: &str, constraint: &str) -> StsError {
    // STS's wording, without echoing the value (it may be a token).
    StsError::bad_request(
        "ValidationError",
        format!("1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"),
    )
}

/// The checks both actions share: `Version`, `RoleArn`, `DurationSeconds`, `Policy`.
pub(super) fn common(params: &[(String, String)]) -> Result<(String, Duration), StsError> {
    match param(params, "Version") {
        Some("2011-06-15") => {}
        Some(_) => return Err(StsError::bad_request("InvalidAction", "Version must be 2011-06-15")),
        None => {
            return Err(StsError::bad_request(
                "MissingParameter",
                "The request must contain the parameter Version",
            ));
        }
    }
    let role_arn = required(params, "RoleArn")?;
    if !(20..=2048).contains(&role_arn.len()) || role_name(role_arn).is_none() {
        return Err(validation("roleArn", "Member must be a role ARN"));
    }
    let duration = match param(params, "DurationSeconds") {
        None => 3600,
        Some(text) => match text.parse::<u64>() {
            Ok(secs) if (900..=43_200).contains(&secs) => secs,
            _ => return Err(validation("durationSeconds", "Member must have value between 900 and 43200")),
        },
    };
    if let Some(policy) = param(params, "Policy")
        && (policy.is_empty()
            || policy.len() > 2048
            || serde_json::from_str::<serde_json::Value>(policy).is_err())
    {
        return Err(StsError::bad_request(
            "MalformedPolicyDocument",
            "The session policy is not valid JSON.",
        ));
    }
    Ok((role_arn.to_owned(), Duration::from_secs(duration)))
}

/// `arn:aws:iam::<account>:role/<path/>name` → (account, name).
fn role_name(arn: &str) -> Option<(&str, &str)> {
    let fields: Vec<&str> = arn.splitn(6, ':').collect();
    if fields.len() != 6 || fields[0] != "arn" || fields[2] != "iam" {
        return None;
    }
    let resource = fields[5].strip_prefix("role/")?;
    let name = resource.rsplit('/').next().filter(|n| !n.is_empty())?;
    Some((fields[4], name))
}

pub(super) fn is_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

fn web_identity(params: &[(String, String)], state: &StsState) -> Result<Grant, StsError> {
    let (role_arn, duration) = common(params)?;
    let session_name = required(params, "RoleSessionName")?;
    if !is_session_name(session_name) {
        return Err(validation(
            "roleSessionName",
            "Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}",
        ));
    }
    let token = required(params, "WebIdentityToken")?;
    if !(4..=20_000).contains(&token.len()) {
        return Err(validation("webIdentityToken", "Member must have length between 4 and 20000"));
    }
    match state.trust.web_identity(&role_arn, token) {
        Verdict::Accepted(()) => {}
        Verdict::Unknown => {
            return Err(StsError::bad_request(
                "InvalidIdentityToken",
                "The web identity token is not one this stand-in was configured to accept.",
            ));
        }
        Verdict::OtherRole => {
            return Err(StsError::forbidden(
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithWebIdentity",
            ));
        }
    }
    Ok(Grant {
        role_arn,
        session_name: session_name.to_owned(),
        duration,
        extra: vec![
            ("SubjectFromWebIdentityToken", Node::Text("system:serviceaccount:default:mongo-app".into())),
            ("Audience", Node::Text("sts.amazonaws.com".into())),
            ("Provider", Node::Text("arn:aws:iam::123456789012:oidc-provider/oidc.standin.invalid".into())),
        ],
    })
}

fn saml(params: &[(String, String)], state: &StsState) -> Result<Grant, StsError> {
    let (role_arn, duration) = common(params)?;
    let principal_arn = required(params, "PrincipalArn")?;
    if !principal_arn.starts_with("arn:") || !principal_arn.contains(":saml-provider/") {
        return Err(validation("principalArn", "Member must be a SAML provider ARN"));
    }
    let assertion = required(params, "SAMLAssertion")?;
    if !(4..=100_000).contains(&assertion.len()) {
        return Err(validation("SAMLAssertion", "Member must have length between 4 and 100000"));
    }
    if base64::engine::general_purpose::STANDARD.decode(assertion).is_err() {
        return Err(StsError::bad_request("InvalidIdentityToken", "Invalid base64 SAMLResponse."));
    }
    let role = match state.trust.saml(&role_arn, principal_arn, assertion) {
        Verdict::Accepted(role) => role,
        Verdict::Unknown => {
            return Err(StsError::bad_request(
                "InvalidIdentityToken",
                "The SAML assertion is not one this stand-in was configured to accept.",
            ));
        }
        Verdict::OtherRole => {
            return Err(StsError::forbidden(
                "AccessDenied",
                "Not authorized to perform sts:AssumeRoleWithSAML",
            ));
        }
    };
    Ok(Grant {
        role_arn,
        session_name: role.session_name.clone(),
        duration,
        extra: vec![
            ("Subject", Node::Text(role.session_name)),
            ("SubjectType", Node::Text("persistent".into())),
            ("Issuer", Node::Text("https://idp.standin.invalid/saml".into())),
            ("Audience", Node::Text("https://signin.aws.amazon.com/saml".into())),
            ("NameQualifier", Node::Text("standin-name-qualifier".into())),
        ],
    })
}

/// Creates the session in the shared identity store and renders the success answer.
fn issue(state: &StsState, kind: Kind, grant: Grant, format: ResponseFormat, expired: bool) -> HttpResponse {
    let (account, role_name) = role_name(&grant.role_arn).unwrap_or(("", "role"));
    let generated = state.identities.add_temporary(role_name, &grant.session_name);
    // The store names sessions in its own account; STS names them in the role's.
    let arn = format!("arn:aws:sts::{account}:assumed-role/{role_name}/{}", grant.session_name);
    let user_id = state
        .identities
        .lookup(&generated.access_key_id)
        .map(|p| p.user_id)
        .unwrap_or_else(|| format!("AROA:{}", grant.session_name));
    let identity = Identity { arn: arn.clone(), ..generated };
    state.identities.insert(identity.clone(), user_id.clone());
    let now = OffsetDateTime::now_utc();
    let expiration = if expired { now - Duration::from_secs(300) } else { now + grant.duration };
    tracing::debug!(arn = %arn, expired, "{} issued credentials", kind.action());
    let mut result = grant.extra;
    result.push((
        "AssumedRoleUser",
        Node::Group(vec![("Arn", Node::Text(arn)), ("AssumedRoleId", Node::Text(user_id))]),
    ));
    result.push((
        "Credentials",
        Node::Group(vec![
            ("AccessKeyId", Node::Text(identity.access_key_id)),
            ("SecretAccessKey", Node::Text(identity.secret_access_key)),
            ("SessionToken", Node::Text(identity.session_token.unwrap_or_default())),
            ("Expiration", Node::Time(expiration)),
        ]),
    ));
    let body = answer::success(format, kind.action(), result, &random::request_id());
    format.response(200, body)
}

/// A record of one request, for [`super::StsServer::assume_role_requests`].
pub(crate) fn record(kind: Kind, req: &HttpRequest, params: &[(String, String)]) -> AssumeRoleRequest {
    AssumeRoleRequest {
        action: kind.action().to_owned(),
        params: params.to_vec(),
        body: String::from_utf8_lossy(&req.body).into_owned(),
        query: req.query.clone(),
        content_type: req.header("content-type").map(str::to_owned),
        accept: req.header("accept").map(str::to_owned),
        signed: req.header("authorization").is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names() {
        assert_eq!(role_name("arn:aws:iam::123456789012:role/app"), Some(("123456789012", "app")));
        assert_eq!(role_name("arn:aws:iam::123456789012:role/path/to/app"), Some(("123456789012", "app")));
        assert_eq!(role_name("arn:aws:iam::123456789012:user/app"), None);
        assert_eq!(role_name("arn:aws:iam::123456789012:role/"), None);
        assert_eq!(role_name("role/app"), None);
        assert!(is_session_name("a@b.c") && !is_session_name("a b") && !is_session_name("a"));
    }
}
