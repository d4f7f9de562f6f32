//! The three IMDSv2 requests (session token, role name, credentials), their retries and what
//! each failure means.
//!
//! - 5xx and 429 answers and broken connections: the same request again, three attempts in all,
//!   with jittered backoff ([`crate::retry::IMDS`]), waiting at least what a `Retry-After` header
//!   asks; a `Retry-After` longer than one request's timeout (connect plus read) ends the fetch
//!   at once instead.
//! - 401 (the session token expired or was revoked): a new token and one more try.
//! - A connect timeout or a refused connection: no retry, "not configured" (this process is
//!   almost certainly not on EC2), so that the chain moves on at once. Retrying it is what makes
//!   other drivers stall for many seconds off EC2.
//! - A read timeout: no retry either (the SDKs' rule), a failure.

use std::time::Duration;

use reqwest::RequestBuilder;

use crate::config::ProviderConfig;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::http::{self, HttpError, HttpResponse, METADATA_BODY_CAP};
use crate::provider::metadata::{self, Document, body_summary, human};
use crate::provider::{ProviderError, imds::DISABLED};
use crate::retry::{IMDS as RETRY, Next, OsRandom, Room};

use super::NAME;
use super::token::{self, REQUESTED_TTL, TOKEN_HEADER, TOKEN_PATH, TTL_HEADER, Token};

/// Where the role name is listed; the credentials are at this path plus the role name.
pub(super) const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";
/// IAM names are at most 128 characters (instance profile names; role names 64).
const MAX_ROLE_LEN: usize = 128;

/// One fetch's view of IMDS at one endpoint.
pub(super) struct ImdsClient {
    /// The base URL, no trailing slash; also the key of the token cache.
    endpoint: String,
    http: reqwest::Client,
    connect_timeout: Duration,
    request_timeout: Duration,
}

/// The token a fetch uses, and whether it has already been renewed after a 401.
struct Session {
    token: Token,
    renewed: bool,
}

fn failed(message: String) -> ProviderError {
    ProviderError::Failed(Error::new(ErrorKind::CredentialsProvider, message))
}

impl ImdsClient {
    pub(super) fn new(endpoint: String, config: &ProviderConfig) -> Result<Self, ProviderError> {
        let http = http::metadata_client(config.metadata_connect_timeout())
            .map_err(|e| failed(format!("the HTTP client for IMDS at {endpoint} could not be built: {e}")))?;
        Ok(ImdsClient {
            endpoint,
            http,
            connect_timeout: config.metadata_connect_timeout(),
            request_timeout: config.metadata_connect_timeout().saturating_add(config.metadata_read_timeout()),
        })
    }

    /// Token, role name, credentials.
    pub(super) async fn credentials(&self) -> Result<Credentials, ProviderError> {
        let token = match token::cached(&self.endpoint) {
            Some(t) => t,
            None => self.new_token().await?,
        };
        let mut session = Session { token, renewed: false };
        let listing = self.get(ROLE_PATH, &mut session, "the role name request").await?;
        let role = match listing.status {
            200 => self.role_name(&listing)?,
            404 => return Err(self.no_role()),
            status => return Err(self.unexpected(status, "the role name request")),
        };
        let path = format!("{ROLE_PATH}{role}");
        let mut answer = self.get(&path, &mut session, "the credentials request").await?;
        match answer.status {
            200 => {}
            404 => {
                return Err(failed(format!(
                    "IMDS at {} has no credentials for role '{role}' (HTTP 404): the instance \
                     profile may have just changed; try again, or check the instance's IAM role",
                    self.endpoint
                )));
            }
            status => return Err(self.unexpected(status, "the credentials request")),
        }
        let summary = body_summary(&answer);
        match metadata::parse(&mut answer.body, NAME, &[session.token.expose_secret()]) {
            Ok(Document::Credentials(c)) => Ok(c),
            Ok(Document::Error { code, message }) => {
                let hint = if code == "AssumeRoleUnauthorizedAccess" {
                    "; does the role's trust policy let ec2.amazonaws.com assume it?"
                } else {
                    ""
                };
                Err(failed(format!(
                    "IMDS at {} could not supply credentials for role '{role}': {code}: {message}{hint}",
                    self.endpoint
                )))
            }
            Err(e) => Err(failed(format!(
                "IMDS at {} answered the credentials request for role '{role}' with something that \
                 is not credentials: {e} ({summary})",
                self.endpoint
            ))),
        }
    }

    /// Asks for a new session token and caches it.
    async fn new_token(&self) -> Result<Token, ProviderError> {
        let url = format!("{}{TOKEN_PATH}", self.endpoint);
        let what = "the session token request";
        let ttl = REQUESTED_TTL.as_secs().to_string();
        let answer = self.send(|| self.http.put(&url).header(TTL_HEADER, ttl.as_str()), what).await?;
        match answer.status {
            200 => {
                let (token, ttl) =
                    token::parse(&answer.body, answer.headers.get(TTL_HEADER)).map_err(|why| {
                        failed(format!("IMDS at {} answered {what} with a bad token: {why}", self.endpoint))
                    })?;
                token::store(&self.endpoint, &token, ttl);
                Ok(token)
            }
            403 => Err(failed(format!(
                "IMDS at {} refused a session token (HTTP 403): the instance metadata service is \
                 turned off for this instance; turn it on, or set {DISABLED}=true to skip it",
                self.endpoint
            ))),
            404 | 405 => Err(failed(format!(
                "IMDS at {} does not offer session tokens (HTTP {}): this library speaks IMDSv2 \
                 only, never the unauthenticated IMDSv1",
                self.endpoint, answer.status
            ))),
            status => Err(self.unexpected(status, what)),
        }
    }

    /// A GET with the session token; a 401 gets one new token and one more try.
    async fn get(
        &self,
        path: &str,
        session: &mut Session,
        what: &str,
    ) -> Result<HttpResponse, ProviderError> {
        let url = format!("{}{path}", self.endpoint);
        loop {
            let value = session.token.header_value();
            let answer = self.send(|| self.http.get(&url).header(TOKEN_HEADER, value.clone()), what).await?;
            if answer.status != 401 {
                return Ok(answer);
            }
            if session.renewed {
                return Err(failed(format!(
                    "IMDS at {} refused a fresh session token for {what} (HTTP 401); try again later",
                    self.endpoint
                )));
            }
            tracing::debug!(endpoint = %self.endpoint, "IMDS refused the session token; getting a new one");
            token::forget(&self.endpoint, &session.token);
            session.token = self.new_token().await?;
            session.renewed = true;
        }
    }

    /// Sends a request, again after a 5xx, a 429 or a broken connection.
    async fn send(
        &self,
        build: impl Fn() -> RequestBuilder,
        what: &str,
    ) -> Result<HttpResponse, ProviderError> {
        let mut attempt = 1;
        loop {
            let result = http::send(build(), self.request_timeout, METADATA_BODY_CAP).await;
            let (retry, asked) = match &result {
                // 429: IMDS throttles an instance that asks too often.
                Ok(answer) if answer.status == 429 || (500..=599).contains(&answer.status) => {
                    (true, http::retry_after(&answer.headers, std::time::SystemTime::now()))
                }
                Ok(_) => (false, None),
                Err(e) => (matches!(e, HttpError::Io(_)), None),
            };
            let next = RETRY.next(attempt, retry, asked, Room::per_request(self.request_timeout), &OsRandom);
            let wait = match next {
                Next::Retry(wait) => wait,
                Next::GiveUp | Next::TooLate(_) => {
                    return match result {
                        Ok(answer) if retry => Err(self.gave_up(answer.status, what, attempt, next)),
                        Ok(answer) => Ok(answer),
                        Err(e) => Err(self.http_error(e, what)),
                    };
                }
            };
            tracing::debug!(endpoint = %self.endpoint, attempt, wait_ms = wait.as_millis() as u64,
                "IMDS request failed; trying again");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// The error for a retried status (5xx, 429) that did not clear up.
    fn gave_up(&self, status: u16, what: &str, attempts: u32, next: Next) -> ProviderError {
        let throttled = if status == 429 { " (too many requests: IMDS throttles this instance)" } else { "" };
        match next {
            Next::TooLate(asked) => failed(format!(
                "IMDS at {} answered {what} with HTTP {status}{throttled} and asked to wait {} before \
                 another try, more than one request may take ({}); try again later",
                self.endpoint,
                human(asked),
                human(self.request_timeout)
            )),
            Next::GiveUp | Next::Retry(_) => failed(format!(
                "IMDS at {} answered {what} with HTTP {status}{throttled} {attempts} times; try again later",
                self.endpoint
            )),
        }
    }

    fn http_error(&self, e: HttpError, what: &str) -> ProviderError {
        let off_ec2 = format!("this process is probably not on EC2; set {DISABLED}=true to skip it");
        match e {
            HttpError::ConnectTimeout => ProviderError::not_configured(format!(
                "IMDS at {} did not answer within {}: {off_ec2}",
                self.endpoint,
                human(self.connect_timeout)
            )),
            HttpError::Connect(why) => ProviderError::not_configured(format!(
                "IMDS at {} could not be reached ({why}): {off_ec2}",
                self.endpoint
            )),
            HttpError::Timeout => failed(format!(
                "IMDS at {} accepted the connection but did not answer {what} within {}",
                self.endpoint,
                human(self.request_timeout)
            )),
            HttpError::BodyTimeout => failed(format!(
                "IMDS at {} started answering {what} but did not finish within {}",
                self.endpoint,
                human(self.request_timeout)
            )),
            HttpError::Io(why) => {
                failed(format!("the connection to IMDS at {} broke during {what} ({why})", self.endpoint))
            }
            HttpError::TooLarge { cap } => failed(format!(
                "IMDS at {} answered {what} with more than {cap} bytes, which is not an IMDS answer",
                self.endpoint
            )),
            HttpError::Request(why) => ProviderError::Failed(Error::configuration(format!(
                "no request to IMDS at {} could be built ({why}): check the IMDS endpoint setting",
                self.endpoint
            ))),
        }
    }

    fn no_role(&self) -> ProviderError {
        failed(format!(
            "IMDS at {} lists no IAM role: no IAM role attached to this instance; attach an \
             instance profile, or use another credential source",
            self.endpoint
        ))
    }

    fn unexpected(&self, status: u16, what: &str) -> ProviderError {
        failed(format!("IMDS at {} answered {what} with HTTP {status}", self.endpoint))
    }

    /// The role name: the first line of the listing, which must be a valid IAM name (it becomes
    /// part of the next URL). Anything else is reported by its length and type only: a broken
    /// IMDS (or a proxy in front of it) could serve a credentials document here.
    fn role_name(&self, listing: &HttpResponse) -> Result<String, ProviderError> {
        let text = listing.text();
        let role = text.trim().lines().next().unwrap_or("").trim();
        if role.is_empty() {
            return Err(self.no_role());
        }
        let valid = role.len() <= MAX_ROLE_LEN
            && role.bytes().all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        if !valid {
            return Err(failed(format!(
                "IMDS at {} answered the role name request with {} whose first line ({} characters) \
                 is not an IAM role name (at most {MAX_ROLE_LEN} letters, digits and +=,.@_-): \
                 check what serves this endpoint",
                self.endpoint,
                body_summary(listing),
                role.chars().count()
            )));
        }
        Ok(role.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> ImdsClient {
        ImdsClient::new("http://127.0.0.1:1".to_owned(), &ProviderConfig::new()).unwrap()
    }

    fn listing(text: &str) -> HttpResponse {
        HttpResponse { status: 200, headers: Default::default(), body: text.as_bytes().to_vec().into() }
    }

    #[test]
    fn role_names() {
        let c = client();
        let c = |text: &str| c.role_name(&listing(text));
        assert_eq!(c("my-role").unwrap(), "my-role");
        assert_eq!(c("  my-role\n").unwrap(), "my-role");
        assert_eq!(c("first\nsecond\n").unwrap(), "first");
        assert_eq!(c("a+b=c,d.e@f_g-h").unwrap(), "a+b=c,d.e@f_g-h");
        for empty in ["", "\n", "   "] {
            let e = c(empty).unwrap_err();
            assert!(e.to_string().contains("no IAM role attached to this instance"), "{e}");
        }
        for bad in
            ["../../latest/api/token", "a/b", "role?x", "r\u{fffd}ole", "a b", "{\"Token\":\"secret-value\"}"]
        {
            let e = c(bad).unwrap_err().to_string();
            assert!(e.contains("not an IAM role name"), "{e}");
            assert!(!e.contains(bad) && !e.contains("secret-value"), "the listing is never quoted: {e}");
        }
        assert!(c(&"r".repeat(MAX_ROLE_LEN + 1)).is_err());
    }

    #[test]
    fn connect_failures_mean_not_on_ec2() {
        let c = client();
        let e = c.http_error(HttpError::ConnectTimeout, "x");
        assert!(e.is_not_configured());
        assert_eq!(
            e.error().message(),
            "IMDS at http://127.0.0.1:1 did not answer within 1 s: this process is probably not on \
             EC2; set AWS_EC2_METADATA_DISABLED=true to skip it"
        );
        assert!(c.http_error(HttpError::Connect("refused".into()), "x").is_not_configured());
        assert!(!c.http_error(HttpError::Timeout, "x").is_not_configured());
        assert!(!c.http_error(HttpError::TooLarge { cap: 10 }, "x").is_not_configured());
    }
}
