//! STS `AssumeRole`, SigV4-signed with the source credentials: the call behind role chaining
//! (`role_arn` with `source_profile` or `credential_source` in the AWS config files).
//!
//! Three parts, like every network step:
//! - [`build_request`] (pure): the form body
//!   `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…[&ExternalId=…]&DurationSeconds=…`
//!   and its SigV4 headers, signed by the same code as the conversation's `GetCallerIdentity`
//!   ([`crate::signing`]) for service `sts` in the target's signing region;
//! - [`parse_answer`] (pure): the XML or JSON answer, read by the parser the unsigned calls use;
//! - [`call`]: sends, retries what the unsigned calls retry (throttling, 5xx, transient I/O) with
//!   the same backoff, within the STS timeout, and describes failures.
//!
//! Each attempt is signed afresh, so a retry after a backoff never carries a stale `X-Amz-Date`.
//! The source's session token travels in `X-Amz-Security-Token` (signed, as STS requires); it and
//! the issued secrets never reach an error, a log event or a `Debug` string, and an STS message
//! that echoes the token is redacted.

use std::fmt;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use zeroize::Zeroizing;

use super::request::{self, Action, Param};
use super::response::{self, Issued, ServiceError};
use super::{Call, Failure, StsEndpoint, retry};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::http::{self, STS_BODY_CAP};
use crate::signing;

/// The name the issued credentials report as their source.
pub(crate) const SOURCE: &str = "assume_role";

/// The content type of the form body (botocore's, with the charset).
const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=utf-8";

/// What to ask STS for.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RoleRequest<'a> {
    pub(crate) role_arn: &'a str,
    pub(crate) session_name: &'a str,
    /// Not a secret to AWS (it travels in the clear and shows in CloudTrail), but callers keep it
    /// out of messages and cache keys all the same.
    pub(crate) external_id: Option<&'a str>,
    pub(crate) duration_seconds: u32,
}

/// Where the call goes: the endpoint, and the region its signature is scoped to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) endpoint: StsEndpoint,
    pub(crate) region: String,
}

/// Who is calling: the source credentials and how messages name them.
#[derive(Clone, Copy)]
pub(crate) struct Caller<'a> {
    pub(crate) credentials: &'a Credentials,
    /// E.g. "credentials from source 'environment'"; never a secret.
    pub(crate) label: &'a str,
}

impl Caller<'_> {
    /// The label and the access key id (not a secret), for messages.
    fn describe(&self) -> String {
        format!("{} (access key id {})", self.label, self.credentials.access_key_id())
    }
}

/// One signed request, ready to send. `Debug` shows the URL and header names only.
pub(crate) struct SignedRequest {
    pub(crate) url: String,
    /// `content-type`, `x-amz-date`, `authorization` and, for temporary source credentials,
    /// `x-amz-security-token`. The `host` header that was signed is the one the HTTP client
    /// derives from the URL.
    pub(crate) headers: Vec<(&'static str, Zeroizing<String>)>,
    pub(crate) body: Zeroizing<String>,
}

impl fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| *n).collect();
        f.debug_struct("SignedRequest")
            .field("url", &self.url)
            .field("headers", &names)
            .finish_non_exhaustive()
    }
}

/// The parameters after `Action` and `Version`, in botocore's order.
pub(crate) fn params(req: &RoleRequest<'_>) -> Vec<Param> {
    let mut params =
        vec![Param::plain("RoleArn", req.role_arn), Param::plain("RoleSessionName", req.session_name)];
    if let Some(external_id) = req.external_id {
        params.push(Param::secret("ExternalId", Zeroizing::new(external_id.to_owned())));
    }
    params.push(Param::plain("DurationSeconds", req.duration_seconds.to_string()));
    params
}

/// The `Host` header an HTTP client sends for `url`: the host, and the port unless it is the
/// scheme's default (which `url` already leaves out).
fn host_header(url: &reqwest::Url) -> Option<String> {
    let host = url.host_str().filter(|h| !h.is_empty())?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// Builds and signs the request for `params` to `url` at `time`, with `source`'s keys, for the
/// signing region `region`. Pure: no clock, no network.
pub(crate) fn build_request(
    source: &Credentials,
    url: &str,
    region: &str,
    params: &[Param],
    time: SystemTime,
) -> Result<SignedRequest, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|_| Error::configuration(format!("{SOURCE}: the STS endpoint {url} is not a URL")))?;
    let host = host_header(&parsed)
        .ok_or_else(|| Error::configuration(format!("{SOURCE}: the STS endpoint {url} has no host")))?;
    let uri = match parsed.query() {
        Some(query) => format!("{}?{query}", parsed.path()),
        None => parsed.path().to_owned(),
    };
    let body = request::form_body(Action::AssumeRole, params);
    let signed = [("content-type", CONTENT_TYPE), ("host", host.as_str())];
    let signature = signing::sign_request(
        source,
        "POST",
        &uri,
        &signed,
        body.as_bytes(),
        region,
        signing::SERVICE,
        time,
    )?;
    let mut headers = vec![
        ("content-type", Zeroizing::new(CONTENT_TYPE.to_owned())),
        ("x-amz-date", Zeroizing::new(signature.amz_date)),
        ("authorization", Zeroizing::new(signature.authorization)),
    ];
    if let Some(token) = source.session_token() {
        headers.push(("x-amz-security-token", Zeroizing::new(token.to_owned())));
    }
    Ok(SignedRequest { url: url.to_owned(), headers, body })
}

/// Reads a 200 answer (XML or JSON) into the issued credentials. Pure; errors describe what is
/// missing and never quote a value.
pub(crate) fn parse_answer(body: &[u8]) -> Result<Issued, String> {
    response::credentials(Action::AssumeRole, body)
}

/// Assumes `role` with `caller`'s credentials at `target`, with retries, within the STS timeout
/// of `config` (whose clock decides whether credentials have expired).
pub(crate) async fn call(
    config: &crate::config::ProviderConfig,
    target: &Target,
    caller: Caller<'_>,
    role: &RoleRequest<'_>,
) -> Result<Credentials, Error> {
    let (env, budget) = (config.env(), config.sts_timeout());
    let now = config.clock().now();
    if let Some(expiry) = caller.credentials.expiration()
        && expiry <= now
    {
        return Err(Error::new(
            ErrorKind::CredentialsProvider,
            format!(
                "{SOURCE}: cannot assume role {}: the {} expired at {} (this host's clock says {}): \
                 refresh the source credentials, or check the system clock",
                role.role_arn,
                caller.describe(),
                crate::time_fmt::iso8601(expiry),
                crate::time_fmt::iso8601(now)
            ),
        ));
    }
    // The budget starts now: building the client (the first one of a process loads the TLS
    // roots) is part of the call.
    let deadline = http::deadline_after(budget);
    let client = http::sts_client(env).map_err(|e| {
        Error::new(ErrorKind::Internal, format!("{SOURCE}: the STS HTTP client could not be built: {e}"))
    })?;
    let params = params(role);
    // What a server could echo back: the external id and the source's own secrets.
    let mut sent = super::Secrets::default();
    sent.add(caller.credentials.secret_access_key());
    if let Some(token) = caller.credentials.session_token() {
        sent.add(token);
    }
    if let Some(external_id) = role.external_id {
        sent.add(external_id);
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        tracing::debug!(
            source = SOURCE,
            role_arn = role.role_arn,
            caller = %caller.describe(),
            endpoint = %target.endpoint.display_url(),
            region = %target.region,
            attempt,
            "STS AssumeRole request"
        );
        let signed = build_request(
            caller.credentials,
            target.endpoint.url(),
            &target.region,
            &params,
            SystemTime::now(),
        )?;
        let mut asked = None;
        let failure = match client.send(to_reqwest(&client, &signed)?, remaining, STS_BODY_CAP).await {
            Err(e) => Failure::Http(e),
            Ok(response) if response.status == 200 => match parse_answer(&response.body) {
                Ok(issued) => match super::usable(issued, SOURCE, &sent, config.clock().now()) {
                    Ok(credentials) => return Ok(credentials),
                    Err(failure) => failure,
                },
                Err(what) => Failure::Unreadable(what),
            },
            Ok(response) => {
                asked = http::retry_after(&response.headers, SystemTime::now());
                match response::service_error(&response.body) {
                    Some(error) => Failure::Service { status: response.status, error },
                    None => Failure::Status(response.status),
                }
            }
        };
        let next = retry::next(failure.retryable(), attempt, asked, deadline);
        tracing::debug!(
            source = SOURCE,
            role_arn = role.role_arn,
            attempt,
            outcome = %super::failure_summary(&failure),
            retry = matches!(next, retry::Next::Retry(_)),
            "STS AssumeRole request failed"
        );
        match next {
            retry::Next::Retry(wait) => tokio::time::sleep(wait).await,
            retry::Next::GiveUp => return Err(describe(target, caller, role, failure, attempt, budget)),
            retry::Next::TooLate(asked) => {
                let error = describe(target, caller, role, failure, attempt, budget);
                return Err(retry::too_late(error, asked, budget));
            }
        }
    }
}

/// The reqwest request for `signed`; the signature and the token are marked sensitive so that
/// reqwest's own `Debug` hides them too.
fn to_reqwest(client: &http::StsClient, signed: &SignedRequest) -> Result<reqwest::RequestBuilder, Error> {
    let mut builder = client.post(&signed.url).body(signed.body.as_str().to_owned());
    for (name, value) in &signed.headers {
        let mut value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
            Error::new(
                ErrorKind::CredentialsProvider,
                format!(
                    "{SOURCE}: the {name} header cannot be sent (it holds characters HTTP forbids): \
                     check the source credentials"
                ),
            )
        })?;
        value.set_sensitive(matches!(*name, "authorization" | "x-amz-security-token"));
        builder = builder.header(*name, value);
    }
    Ok(builder)
}

/// The error for a failed call: STS refusals get advice about the source identity and the role's
/// trust policy; everything else is worded as for the unsigned calls.
fn describe(
    target: &Target,
    caller: Caller<'_>,
    role: &RoleRequest<'_>,
    failure: Failure,
    attempts: u32,
    budget: Duration,
) -> Error {
    // Everything the server might echo that must not be shown.
    let mut secrets: Vec<Param> = Vec::new();
    if let Some(token) = caller.credentials.session_token() {
        secrets.push(Param::secret("SessionToken", Zeroizing::new(token.to_owned())));
    }
    secrets.push(Param::secret(
        "SecretAccessKey",
        Zeroizing::new(caller.credentials.secret_access_key().to_owned()),
    ));
    if let Some(external_id) = role.external_id {
        secrets.push(Param::secret("ExternalId", Zeroizing::new(external_id.to_owned())));
    }
    let Failure::Service { status, error } = failure else {
        let hint = format!("check the {}", caller.describe());
        let call = Call {
            action: Action::AssumeRole,
            source: SOURCE,
            role_arn: role.role_arn,
            params: secrets,
            identity_hint: &hint,
        };
        return super::describe(&call, &target.endpoint, failure, attempts, budget);
    };
    let mut shown = super::Secrets::default();
    for p in &secrets {
        shown.add(p.value.as_str());
    }
    let code = shown.scrub(&error.code, 64);
    let message = shown.scrub(&error.message, 512);
    let message = if message.is_empty() { String::new() } else { format!(": {message}") };
    let tries = if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() };
    let who = caller.describe();
    let next = match next_step(&error, role, &who, caller.credentials.access_key_id()) {
        Some(next) => next,
        None => {
            let call = Call {
                action: Action::AssumeRole,
                source: SOURCE,
                role_arn: role.role_arn,
                params: Vec::new(),
                identity_hint: "",
            };
            super::next_step(&error.code, &call)
        }
    };
    Error::new(
        ErrorKind::CredentialsProvider,
        format!(
            "{SOURCE}: STS AssumeRole at {} refused to let the {who} assume role {} with {code} \
             (HTTP {status}){message}{tries}: {next}",
            target.endpoint, role.role_arn
        ),
    )
}

/// Advice for the refusals that are about the caller or the role's trust, which the unsigned
/// calls never see; `None` for the rest.
fn next_step(error: &ServiceError, role: &RoleRequest<'_>, who: &str, access_key_id: &str) -> Option<String> {
    Some(match error.code.as_str() {
        "AccessDenied" => {
            let external = if role.external_id.is_some() {
                "with an sts:ExternalId condition equal to the configured external_id (or no such condition)"
            } else {
                "without an sts:ExternalId condition (if it has one, configure external_id)"
            };
            format!(
                "check that the trust policy of {} allows this identity (or its account) as a Principal \
                 to call sts:AssumeRole {external}, and that the identity's own IAM policies allow \
                 sts:AssumeRole on that role",
                role.role_arn
            )
        }
        "InvalidClientTokenId" | "UnrecognizedClientException" => format!(
            "STS does not know these source credentials: check that the {who} are current and complete \
             (a session token goes with temporary keys) and belong to this endpoint's partition"
        ),
        "SignatureDoesNotMatch" | "IncompleteSignature" => format!(
            "check the secret access key that goes with access key id {access_key_id}, and this host's clock"
        ),
        "ExpiredToken" | "ExpiredTokenException" | "RequestExpired" => {
            format!("the {who} have expired: refresh them, and check this host's clock")
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
