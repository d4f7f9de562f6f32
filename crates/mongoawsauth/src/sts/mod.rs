//! The unsigned STS calls behind the web identity and SAML sources: `AssumeRoleWithWebIdentity`
//! and `AssumeRoleWithSAML`.
//!
//! - [`endpoint`]: which URL (options, `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, regional by
//!   partition, or global);
//! - `request`: the form-encoded POST body, every parameter percent-encoded;
//! - `response`: credentials or an STS error from an XML or JSON answer;
//! - `assume_role`: the SigV4-signed `AssumeRole` of role chaining, which shares the parsing,
//!   retries and error wording of the unsigned calls;
//! - `retry`: what is retried (`IDPCommunicationError`, throttling, 5xx, transient I/O) and the
//!   jittered backoff.
//!
//! One fetch, retries and backoff included, never runs past
//! [`ProviderConfig::sts_timeout`](crate::ProviderConfig::sts_timeout). Secrets (the web identity
//! token, the SAML assertion, the issued secret key and session token) never reach an error, a
//! log event or a `Debug` string; an STS message that quotes a secret we sent is redacted.

pub(crate) mod assume_role;
pub mod caller_identity;
pub mod endpoint;
mod request;
pub(crate) mod response;
mod retry;
mod scrub;

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

pub use endpoint::{EndpointOrigin, GLOBAL_ENDPOINT, LEGACY_GLOBAL_REGIONS, StsEndpoint, dns_suffix};
pub(crate) use request::Param;
pub use request::{API_VERSION, Action};

use crate::config::ProviderConfig;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::http::{self, HttpError, STS_BODY_CAP};
use response::ServiceError;
pub(crate) use scrub::Secrets;

/// Resolves the STS endpoint the web identity and SAML sources would use with `config`.
///
/// See [`endpoint`] for the order. Errors are configuration errors naming the variable at fault.
pub fn resolve_endpoint(config: &ProviderConfig) -> Result<StsEndpoint, Error> {
    endpoint::resolve(config.env(), config.sts_endpoint())
}

/// Checks that `value` looks like an IAM ARN whose resource starts with `resource_prefix`
/// (`role/`, `saml-provider/`), so that a typo is reported before any request. `what` names where
/// the value came from (a variable or an argument).
pub(crate) fn check_arn(value: &str, what: &str, resource_prefix: &str) -> Result<(), Error> {
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    let ok = (20..=2048).contains(&value.len())
        && fields.len() == 6
        && fields[0] == "arn"
        && !fields[1].is_empty()
        && fields[2] == "iam"
        && fields[5].starts_with(resource_prefix)
        && fields[5].len() > resource_prefix.len()
        && !value.chars().any(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(Error::configuration(format!(
            "{what} is not an IAM ARN of the form arn:aws:iam::123456789012:{resource_prefix}name: \
             copy the ARN from the IAM console"
        )))
    }
}

/// One AssumeRole call, as a source describes it.
pub(crate) struct Call<'a> {
    pub(crate) action: Action,
    /// The source's name, for logs and for the credentials.
    pub(crate) source: &'static str,
    pub(crate) role_arn: &'a str,
    /// The parameters after `Action` and `Version`, in order.
    pub(crate) params: Vec<Param>,
    /// What to check when STS refuses the identity itself (a token or an assertion), in the
    /// source's own words, e.g. "check that the token in /var/run/… is current".
    pub(crate) identity_hint: &'a str,
}

/// Why one attempt gave no credentials.
enum Failure {
    Http(HttpError),
    Service { status: u16, error: ServiceError },
    Status(u16),
    Unreadable(String),
    Expired { at: SystemTime, now: SystemTime },
    Unusable(String),
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            Failure::Http(e) => e.is_transient(),
            // A refused identity stays refused: never retried, whatever the status.
            Failure::Service { error, .. } if error.code == "InvalidIdentityToken" => false,
            Failure::Service { status, error } => {
                retry::is_retryable_code(&error.code) || retry::is_retryable_status(*status)
            }
            Failure::Status(status) => retry::is_retryable_status(*status),
            Failure::Unreadable(_) | Failure::Expired { .. } | Failure::Unusable(_) => false,
        }
    }
}

/// Runs `call` against the configured endpoint, with retries, within the STS timeout.
pub(crate) async fn assume_role(config: &ProviderConfig, call: Call<'_>) -> Result<Credentials, Error> {
    let endpoint = resolve_endpoint(config)?;
    let budget = config.sts_timeout();
    // The budget starts now: building the client (the first one of a process loads the TLS
    // roots) is part of the fetch.
    let deadline = http::deadline_after(budget);
    let client = http::sts_client(config.env()).map_err(|e| {
        Error::configuration(format!(
            "{}: STS {} at {endpoint} was not called: {e}",
            call.source, call.action
        ))
    })?;
    // One wiped-on-drop buffer shared by every attempt: the HTTP stack gets a reference, not a
    // copy (`into_bytes` reuses the allocation).
    let body = {
        let mut text = request::form_body(call.action, &call.params);
        std::sync::Arc::new(zeroize::Zeroizing::new(std::mem::take(&mut *text).into_bytes()))
    };
    let secrets = call.secrets();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let remaining = deadline.saturating_duration_since(Instant::now());
        tracing::debug!(
            source = call.source,
            action = %call.action,
            endpoint = %endpoint.display_url(),
            attempt,
            "STS request"
        );
        let request = client
            .post(endpoint.url())
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded; charset=utf-8")
            .body(http::secret_body(&body));
        let mut asked = None;
        let failure = match client.send(request, remaining, STS_BODY_CAP).await {
            Err(e) => Failure::Http(e),
            Ok(response) if response.status == 200 => {
                match response::credentials(call.action, &response.body) {
                    Ok(issued) => match usable(issued, call.source, &secrets, config.clock().now()) {
                        Ok(credentials) => return Ok(credentials),
                        Err(failure) => failure,
                    },
                    Err(what) => Failure::Unreadable(what),
                }
            }
            Ok(response) => {
                asked = http::retry_after(&response.headers, SystemTime::now());
                match response::service_error(&response.body) {
                    // Scrubbed here, before the log event below or the error can see it.
                    Some(error) => {
                        Failure::Service { status: response.status, error: error.scrubbed(&secrets) }
                    }
                    None => Failure::Status(response.status),
                }
            }
        };
        let next = retry::next(failure.retryable(), attempt, asked, deadline);
        tracing::debug!(
            source = call.source,
            action = %call.action,
            attempt,
            outcome = %failure_summary(&failure),
            retry = matches!(next, retry::Next::Retry(_)),
            "STS request failed"
        );
        match next {
            retry::Next::Retry(wait) => tokio::time::sleep(wait).await,
            retry::Next::GiveUp => return Err(describe(&call, &endpoint, failure, attempt, budget)),
            retry::Next::TooLate(asked) => {
                return Err(retry::too_late(
                    describe(&call, &endpoint, failure, attempt, budget),
                    asked,
                    budget,
                ));
            }
        }
    }
}

/// Turns what STS issued into [`Credentials`], refusing credentials that have already expired,
/// and an access key id that quotes a secret of the request (it is logged and shown later).
fn usable(
    issued: response::Issued,
    source: &'static str,
    secrets: &Secrets,
    now: SystemTime,
) -> Result<Credentials, Failure> {
    if issued.expiration <= now {
        return Err(Failure::Expired { at: issued.expiration, now });
    }
    if secrets.found_in(&issued.access_key_id) {
        return Err(Failure::Unusable(
            "the access key id quotes the token or assertion the request carried".to_owned(),
        ));
    }
    if let Some(arn) = &issued.assumed_role_arn {
        let arn = secrets.scrub(arn, 2048);
        tracing::debug!(source, arn = %arn, access_key_id = %issued.access_key_id, "STS issued credentials");
    }
    Credentials::new(
        Some(&issued.access_key_id),
        Some(&issued.secret_access_key),
        Some(&issued.session_token),
        Some(issued.expiration),
        source,
    )
    .map_err(|e| Failure::Unusable(e.message().to_owned()))
}

/// A short outcome for logs: codes and statuses, never messages (they are the server's words).
fn failure_summary(failure: &Failure) -> String {
    match failure {
        Failure::Http(e) => e.to_string(),
        // The code was scrubbed of our secrets when the answer was read.
        Failure::Service { status, error } => format!("HTTP {status} {}", error.code),
        Failure::Status(status) => format!("HTTP {status}"),
        Failure::Unreadable(_) => "unreadable answer".to_owned(),
        Failure::Expired { .. } => "expired credentials".to_owned(),
        Failure::Unusable(_) => "unusable credentials".to_owned(),
    }
}

/// The error a source returns: what failed, where, and what to do next.
fn describe(
    call: &Call<'_>,
    endpoint: &StsEndpoint,
    failure: Failure,
    attempts: u32,
    budget: Duration,
) -> Error {
    // Scrubbed when read already; again here so that no path into an error can skip it.
    let secrets = call.secrets();
    let at = format!("{}: STS {} at {endpoint}", call.source, call.action);
    let tries = if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() };
    let (kind, message) = match failure {
        Failure::Http(HttpError::Timeout | HttpError::ConnectTimeout) => (
            ErrorKind::Timeout,
            format!(
                "{at} did not answer within {} ms{tries}: check that this host can reach the endpoint \
                 (firewall, proxy variables), or allow more time",
                budget.as_millis()
            ),
        ),
        Failure::Http(HttpError::BodyTimeout) => (
            ErrorKind::Timeout,
            format!(
                "{at} started answering but did not finish within {} ms{tries}: check for a proxy or \
                 network path that stalls, or allow more time",
                budget.as_millis()
            ),
        ),
        Failure::Http(HttpError::TooLarge { cap }) => (
            ErrorKind::CredentialsProvider,
            format!(
                "{at} answered with more than {cap} bytes, which no STS answer needs: check that the endpoint is STS"
            ),
        ),
        Failure::Http(e) => (
            ErrorKind::CredentialsProvider,
            format!("{at} failed: {e}{tries}: check the endpoint, DNS and network (or proxy) settings"),
        ),
        Failure::Service { status, error } => {
            let code = secrets.scrub(&error.code, 64);
            let message = secrets.scrub(&error.message, 512);
            let next = next_step(&error.code, call);
            (
                ErrorKind::CredentialsProvider,
                format!(
                    "{at} refused role {} with {code} (HTTP {status}){}{tries}: {next}",
                    call.role_arn,
                    if message.is_empty() { String::new() } else { format!(": {message}") }
                ),
            )
        }
        Failure::Status(status) => (
            ErrorKind::CredentialsProvider,
            format!(
                "{at} answered HTTP {status} without an STS error code{tries}: check that the endpoint is \
                 STS and that no proxy stands in between"
            ),
        ),
        Failure::Unreadable(what) => (
            ErrorKind::CredentialsProvider,
            format!(
                "{at} answered 200 but {what}: check that the endpoint is STS and that no proxy rewrites answers"
            ),
        ),
        Failure::Expired { at: at_time, now } => (
            ErrorKind::CredentialsProvider,
            format!(
                "{at} issued credentials that had already expired at {} (this host's clock says {}): \
                 check the system clock",
                crate::time_fmt::iso8601(at_time),
                crate::time_fmt::iso8601(now)
            ),
        ),
        Failure::Unusable(why) => (
            ErrorKind::CredentialsProvider,
            format!("{at} issued credentials that cannot be used ({why}): check that the endpoint is STS"),
        ),
    };
    Error::new(kind, message)
}

/// The next step for an STS error code.
fn next_step(code: &str, call: &Call<'_>) -> String {
    match code {
        "InvalidIdentityToken" | "ExpiredTokenException" => call.identity_hint.to_owned(),
        "IDPCommunicationError" => {
            "STS could not reach the identity provider; try again later, and check the provider's health"
                .to_owned()
        }
        "AccessDenied" | "IDPRejectedClaim" => format!(
            "check that the role ARN is right and that its trust policy allows this identity to call {}",
            call.action
        ),
        "RegionDisabledException" => "STS is not activated in this region: activate it in IAM account \
             settings, or point AWS_REGION (or AWS_ENDPOINT_URL_STS) at a region where it is"
            .to_owned(),
        "ValidationError" | "MalformedPolicyDocument" | "PackedPolicyTooLarge" => {
            "a request parameter was refused; STS's message says which".to_owned()
        }
        c if retry::is_retryable_code(c) => "STS is busy or failing; try again later".to_owned(),
        _ => "see STS's message above".to_owned(),
    }
}

impl Call<'_> {
    /// Every value this call sends as a secret, in each spelling STS may echo.
    fn secrets(&self) -> Secrets {
        let mut secrets = Secrets::default();
        for p in self.params.iter().filter(|p| p.secret) {
            secrets.add(&p.value);
        }
        secrets
    }
}

impl ServiceError {
    /// The error with our secrets taken out of its code and message, both capped.
    fn scrubbed(self, secrets: &Secrets) -> ServiceError {
        ServiceError { code: secrets.scrub(&self.code, 64), message: secrets.scrub(&self.message, 512) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zeroize::Zeroizing;

    #[test]
    fn describe_never_shows_a_secret() {
        let token = "eyJTOKEN-that-must-stay-secret";
        let call = Call {
            action: Action::AssumeRoleWithWebIdentity,
            source: "web_identity",
            role_arn: "arn:aws:iam::123456789012:role/r",
            params: vec![Param::secret("WebIdentityToken", Zeroizing::new(token.to_owned()))],
            identity_hint: "check the token file",
        };
        let endpoint =
            endpoint::resolve(&crate::Env::from_vars([("AWS_REGION", "eu-west-1")]), None).unwrap();
        let echo = ServiceError { code: format!("Bad{token}"), message: format!("token {token} is invalid") };
        let e = describe(
            &call,
            &endpoint,
            Failure::Service { status: 400, error: echo },
            1,
            Duration::from_secs(1),
        );
        let text = format!("{e} {e:?}");
        assert!(!text.contains(token), "{text}");
        assert!(text.contains("https://sts.eu-west-1.amazonaws.com"), "{text}");
        let refused = ServiceError { code: "InvalidIdentityToken".into(), message: "nope".into() };
        let e =
            describe(&call, &endpoint, Failure::Service { status: 400, error: refused }, 1, Duration::ZERO);
        assert!(e.message().contains("InvalidIdentityToken (HTTP 400): nope: check the token file"), "{e}");
        assert_eq!(e.kind(), ErrorKind::CredentialsProvider);
        let e = describe(&call, &endpoint, Failure::Http(HttpError::Timeout), 3, Duration::from_millis(250));
        assert_eq!(e.kind(), ErrorKind::Timeout);
        assert!(e.message().contains("within 250 ms (after 3 attempts)"), "{e}");
    }

    #[test]
    fn what_is_retried() {
        let service = |status, code: &str| Failure::Service {
            status,
            error: ServiceError { code: code.into(), message: String::new() },
        };
        assert!(service(400, "IDPCommunicationError").retryable());
        assert!(service(400, "Throttling").retryable());
        assert!(service(503, "Whatever").retryable());
        assert!(!service(400, "InvalidIdentityToken").retryable());
        assert!(!service(500, "InvalidIdentityToken").retryable(), "never, whatever the status");
        assert!(!service(403, "AccessDenied").retryable());
        assert!(Failure::Status(502).retryable());
        assert!(!Failure::Status(404).retryable());
        assert!(Failure::Http(HttpError::Io("reset".into())).retryable());
        assert!(!Failure::Http(HttpError::TooLarge { cap: 1 }).retryable());
        assert!(!Failure::Unreadable("x".into()).retryable());
        assert!(!Failure::Expired { at: SystemTime::UNIX_EPOCH, now: SystemTime::UNIX_EPOCH }.retryable());
    }
}
