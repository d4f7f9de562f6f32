//! Credentials from IAM Identity Center (formerly AWS SSO), for a profile that names an account
//! and a role: either through `sso_session = NAME` and an `[sso-session NAME]` section, or in the
//! legacy form with `sso_start_url` and `sso_region` in the profile itself.
//!
//! Reads, on every fetch (the settings come from the profile, see [`SsoSettings`]):
//! - `HOME` (then `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`) to find `~/.aws/sso/cache`,
//!   unless [`SsoSettings::token_cache_dir`] says where;
//! - the token file `aws sso login` wrote there (see [`cache_file_name`] for its name), through
//!   [`ProviderConfig::fs`](crate::ProviderConfig::fs), whose expiry is compared with
//!   [`ProviderConfig::clock`](crate::ProviderConfig::clock);
//! - through the STS HTTP client, the usual proxy variables (`HTTPS_PROXY`, `NO_PROXY`…).
//!
//! Sends one `GET {endpoint}/federation/credentials?account_id=…&role_name=…` with the token in
//! the `x-amz-sso_bearer_token` header (up to three attempts on throttling, 5xx and broken
//! connections, waiting at least what a `Retry-After` header asks; one asking for more than the
//! time left ends the fetch at once: [`crate::retry::SSO_PORTAL`]), within
//! [`ProviderConfig::sts_timeout`](crate::ProviderConfig::sts_timeout) and the caller's
//! deadline. The endpoint is [`SsoSettings::endpoint`] (the shared-config layer
//! resolves `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL` and the profile's `endpoint_url`s into it)
//! or [`default_endpoint`] for `sso_region`.
//!
//! A missing or expired token, and a token the portal refuses (401, 403), end in an error that
//! names the exact command to run: `aws sso login --sso-session NAME` for the session form,
//! `aws sso login --profile NAME` for the legacy form. Tokens are not refreshed with the OIDC
//! `CreateToken` call (the SDKs refresh session-form tokens near their expiry): once the token
//! expires, `aws sso login` has to run again.
//!
//! The access token is a secret: zeroized after use, never in an error, a log event or a
//! `Debug` string, and redacted if the portal echoes it.

mod portal;
mod token;

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

pub use portal::{
    BEARER_HEADER, CREDENTIALS_PATH, PortalError, credentials_url, default_endpoint, parse_response,
};
pub use token::{CachedToken, TokenError, cache_file_name, parse_token};

use crate::config::ProviderConfig;
use crate::credentials::{Credentials, REDACTED};
use crate::error::{Error, ErrorKind};
use crate::http::{self, HttpError};
use crate::provider::{ProvideCredentials, ProvideFuture, ProviderError};
use crate::retry::{Next, OsRandom, Room, SSO_PORTAL as RETRY};

/// The name this source reports.
pub const NAME: &str = "sso";

/// The largest portal answer accepted (a credentials document is under 2 KiB).
const BODY_CAP: usize = 64 * 1024;

/// What a profile says about its IAM Identity Center role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSettings {
    /// The profile, for messages and for the legacy form's login command.
    pub profile: String,
    /// The `sso_session` name (the session form), or `None` for the legacy form.
    pub session_name: Option<String>,
    /// `sso_start_url`: the portal's start URL (the legacy form's token cache key).
    pub start_url: String,
    /// `sso_region`: where the portal is.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
    /// The portal's base URL, already resolved from the endpoint settings; `None` means
    /// [`default_endpoint`] for [`SsoSettings::region`].
    pub endpoint: Option<String>,
    /// Where the token files are; `None` means `~/.aws/sso/cache`.
    pub token_cache_dir: Option<PathBuf>,
}

impl SsoSettings {
    /// The key the token file is named after: the session name, else the start URL.
    pub fn token_key(&self) -> &str {
        self.session_name.as_deref().unwrap_or(&self.start_url)
    }

    /// The command that writes a fresh token for these settings.
    pub fn login_command(&self) -> String {
        match &self.session_name {
            Some(session) => format!("aws sso login --sso-session {session}"),
            None => format!("aws sso login --profile {}", self.profile),
        }
    }

    /// The portal endpoint used.
    pub fn resolved_endpoint(&self) -> String {
        self.endpoint.clone().unwrap_or_else(|| default_endpoint(&self.region))
    }
}

/// Fetches role credentials from the IAM Identity Center portal with a cached token.
#[derive(Clone, Debug)]
pub struct SsoProvider {
    settings: SsoSettings,
    config: ProviderConfig,
}

impl SsoProvider {
    /// The real world: the process environment for `HOME`, AWS's portal unless the settings
    /// name another endpoint.
    pub fn new(settings: SsoSettings) -> Self {
        SsoProvider { settings, config: ProviderConfig::new() }
    }

    /// Reads `HOME` and the timeout from `config` (tests give a temporary home).
    pub fn with_config(settings: SsoSettings, config: ProviderConfig) -> Self {
        SsoProvider { settings, config }
    }

    /// Reads the token and asks the portal for credentials now.
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let s = &self.settings;
        let at = self.at();
        self.check_settings(&at)?;
        let login = s.login_command();
        let dir = match &s.token_cache_dir {
            Some(dir) => dir.clone(),
            None => token::default_cache_dir(self.config.env()).ok_or_else(|| {
                configuration(format!(
                    "{at}: HOME is not set, so the SSO token cache (~/.aws/sso/cache) cannot be found: \
                     set HOME"
                ))
            })?,
        };
        let path = dir.join(cache_file_name(s.token_key()));
        let shown = path.display();
        let bytes = match token::read_file(self.config.fs(), &path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Err(failed(format!(
                    "{at}: no SSO token is cached for {} (looked for {shown}): run `{login}`, then try again",
                    self.token_owner()
                )));
            }
            Err(e) => {
                return Err(failed(format!(
                    "{at}: the SSO token file {shown} could not be read ({e}): check its owner and mode, \
                     or run `{login}` to write it again"
                )));
            }
        };
        let token = parse_token(&bytes).map_err(|e| {
            failed(format!(
                "{at}: the SSO token file {shown} is unusable ({e}): run `{login}` to write it again"
            ))
        })?;
        drop(bytes);
        if token.expires_at() <= self.config.clock().now() {
            return Err(failed(format!(
                "{at}: the SSO token for {} expired at {}: run `{login}`, then try again",
                self.token_owner(),
                crate::time_fmt::iso8601(token.expires_at())
            )));
        }
        self.fetch(&token, &at).await
    }

    async fn fetch(&self, token: &CachedToken, at: &str) -> Result<Credentials, ProviderError> {
        let s = &self.settings;
        let endpoint = s.resolved_endpoint();
        let url = credentials_url(&endpoint, &s.account_id, &s.role_name).ok_or_else(|| {
            configuration(format!(
                "{at}: the SSO portal endpoint is not an http(s) URL: check AWS_ENDPOINT_URL_SSO and \
                 the profile's endpoint_url"
            ))
        })?;
        let shown = url.origin().ascii_serialization();
        let budget = self.config.sts_timeout();
        // The budget starts now: building the client (the first one of a process loads the TLS
        // roots) is part of the fetch.
        let deadline = http::deadline_after(budget);
        let client = http::sts_client(self.config.env()).map_err(|e| {
            ProviderError::Failed(Error::new(
                ErrorKind::Internal,
                format!("{at}: the HTTP client could not be built: {e}"),
            ))
        })?;
        // Marked sensitive so that no Debug of the request can show it.
        let mut bearer = reqwest::header::HeaderValue::from_str(token.access_token()).map_err(|_| {
            failed(format!(
                "{at}: the cached SSO token holds characters no HTTP header can carry: run `{}` to \
                 write it again",
                s.login_command()
            ))
        })?;
        bearer.set_sensitive(true);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = deadline.saturating_duration_since(Instant::now());
            tracing::debug!(source = NAME, profile = %s.profile, endpoint = %shown, attempt, "SSO GetRoleCredentials");
            let request = client
                .get(url.clone())
                .header(BEARER_HEADER, bearer.clone())
                .header(reqwest::header::ACCEPT, "application/json");
            let (failure, retryable, asked) = match client.send(request, remaining, BODY_CAP).await {
                Ok(response) => {
                    let error_type = response.headers.get("x-amzn-errortype").and_then(|v| v.to_str().ok());
                    match parse_response(
                        response.status,
                        error_type,
                        &response.body,
                        self.config.clock().now(),
                        NAME,
                    ) {
                        Ok(credentials) => return Ok(credentials),
                        Err(e) => {
                            let retryable = e.is_retryable();
                            // The server's date is compared with the real time: the wait is real too.
                            let asked = http::retry_after(&response.headers, SystemTime::now());
                            (Failure::Portal(e), retryable, asked)
                        }
                    }
                }
                Err(e) => {
                    let retryable = e.is_transient();
                    (Failure::Http(e), retryable, None)
                }
            };
            let room = Room::budget(deadline.saturating_duration_since(Instant::now()));
            match RETRY.next(attempt, retryable, asked, room, &OsRandom) {
                Next::Retry(wait) => tokio::time::sleep(wait).await,
                Next::TooLate(asked) => {
                    let e = self.describe(failure, at, &shown, attempt, budget, token.access_token());
                    let note = crate::retry::too_late_note("the portal", asked, budget);
                    return Err(ProviderError::Failed(Error::new(
                        e.error().kind(),
                        format!("{}{note}", e.error().message()),
                    )));
                }
                Next::GiveUp => {
                    return Err(self.describe(failure, at, &shown, attempt, budget, token.access_token()));
                }
            }
        }
    }

    fn describe(
        &self,
        failure: Failure,
        at: &str,
        endpoint: &str,
        attempts: u32,
        budget: Duration,
        secret: &str,
    ) -> ProviderError {
        let s = &self.settings;
        let login = s.login_command();
        let call = format!("{at}: the SSO portal at {endpoint}");
        let tries = if attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() };
        let (kind, message) = match failure {
            Failure::Http(HttpError::Timeout | HttpError::ConnectTimeout) => (
                ErrorKind::Timeout,
                format!(
                    "{call} did not answer within {} ms{tries}: check that this host can reach it \
                     (firewall, proxy variables), or allow more time",
                    budget.as_millis()
                ),
            ),
            Failure::Http(HttpError::BodyTimeout) => (
                ErrorKind::Timeout,
                format!(
                    "{call} started answering but did not finish within {} ms{tries}: check for a \
                     proxy or network path that stalls, or allow more time",
                    budget.as_millis()
                ),
            ),
            Failure::Http(HttpError::TooLarge { cap }) => (
                ErrorKind::CredentialsProvider,
                format!(
                    "{call} answered with more than {cap} bytes, which no portal answer needs: check \
                     that the endpoint is the IAM Identity Center portal"
                ),
            ),
            Failure::Http(e @ HttpError::Connect(_)) => (
                ErrorKind::CredentialsProvider,
                format!("{call} could not be reached: {e}{tries}: check sso_region, DNS and proxy settings"),
            ),
            Failure::Http(e) => (
                ErrorKind::CredentialsProvider,
                format!("{call} failed: {e}{tries}: check sso_region, DNS and proxy settings"),
            ),
            Failure::Portal(PortalError::Unauthorized) => (
                ErrorKind::CredentialsProvider,
                format!(
                    "{call} refused the cached SSO token (HTTP 401): it is no longer valid; run `{login}`"
                ),
            ),
            Failure::Portal(PortalError::Forbidden) => (
                ErrorKind::CredentialsProvider,
                format!(
                    "{call} refused the cached SSO token for role {} in account {} (HTTP 403): run \
                     `{login}`, and check sso_account_id and sso_role_name",
                    s.role_name, s.account_id
                ),
            ),
            Failure::Portal(PortalError::NotFound) => (
                ErrorKind::CredentialsProvider,
                format!(
                    "{call} knows no role {} in account {} for this user (HTTP 404): check sso_account_id \
                     and sso_role_name",
                    s.role_name, s.account_id
                ),
            ),
            Failure::Portal(e @ (PortalError::Unreadable(_) | PortalError::Status(..))) => (
                ErrorKind::CredentialsProvider,
                format!(
                    "{call} answered {}{tries}: check that the endpoint is the IAM Identity Center portal",
                    e.to_string().replace(secret, REDACTED)
                ),
            ),
            Failure::Portal(e @ PortalError::Expired(_)) => {
                (ErrorKind::CredentialsProvider, format!("{call} issued {e}: check the system clock"))
            }
            Failure::Portal(e) => (
                ErrorKind::CredentialsProvider,
                format!("{call} answered {e}{tries}: the portal is busy or failing; try again later"),
            ),
        };
        ProviderError::Failed(Error::new(kind, message))
    }

    fn check_settings(&self, at: &str) -> Result<(), ProviderError> {
        let s = &self.settings;
        let blank = |v: &str| v.trim().is_empty();
        let missing = [
            ("sso_start_url", blank(&s.start_url)),
            ("sso_region", blank(&s.region)),
            ("sso_account_id", blank(&s.account_id)),
            ("sso_role_name", blank(&s.role_name)),
        ];
        if let Some((key, _)) = missing.iter().find(|(_, m)| *m) {
            return Err(configuration(format!(
                "{at}: {key} is missing: an SSO profile needs sso_start_url and sso_region (in the \
                 profile or its sso-session), sso_account_id and sso_role_name"
            )));
        }
        if s.endpoint.is_none() && !crate::region::is_region_name(&s.region) {
            return Err(configuration(format!(
                "{at}: sso_region is not a region name such as us-east-1: fix it in the profile{}",
                if s.session_name.is_some() { " or its sso-session" } else { "" }
            )));
        }
        Ok(())
    }

    fn at(&self) -> String {
        format!("{NAME} (profile '{}')", self.settings.profile)
    }

    fn token_owner(&self) -> String {
        match &self.settings.session_name {
            Some(session) => format!("sso-session '{session}'"),
            None => format!("start URL {}", self.settings.start_url),
        }
    }
}

enum Failure {
    Http(HttpError),
    Portal(PortalError),
}

fn failed(message: String) -> ProviderError {
    ProviderError::Failed(Error::new(ErrorKind::CredentialsProvider, message))
}

fn configuration(message: String) -> ProviderError {
    ProviderError::Failed(Error::configuration(message))
}

impl ProvideCredentials for SsoProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }

    /// Start URL, session, account, role and endpoint: profiles naming the same role share one
    /// entry. The token is not part of the key (a new login does not invalidate credentials
    /// already issued).
    fn cache_key(&self) -> Option<String> {
        let s = &self.settings;
        Some(format!(
            "{NAME}\n{}\n{}\n{}\n{}\n{}",
            s.start_url,
            s.session_name.as_deref().unwrap_or(""),
            s.account_id,
            s.role_name,
            s.resolved_endpoint()
        ))
    }
}
