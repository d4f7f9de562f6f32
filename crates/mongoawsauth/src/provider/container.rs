//! Credentials from a container credentials endpoint: the ECS agent, EKS Pod Identity, or any
//! endpoint that speaks the same protocol.
//!
//! Reads, on every call:
//! - `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`: a path on the ECS agent, requested at
//!   `http://169.254.170.2<path>` (the base is [`ProviderConfig::ecs_base_url`]). Wins over
//!   `AWS_CONTAINER_CREDENTIALS_FULL_URI`, as in the Rust SDK, botocore and aws-c-auth.
//! - `AWS_CONTAINER_CREDENTIALS_FULL_URI`: the whole URL. `https://` may name any host; plain
//!   `http://` only loopback (127.0.0.0/8, `[::1]`, `localhost`), the ECS agent
//!   (`169.254.170.2`) and EKS Pod Identity (`169.254.170.23`, `[fd00:ec2::23]`). Anything else is
//!   a configuration error: whoever can set the variable could otherwise make this process send
//!   its credentials request, and its authorization token, to a host of their choosing (SSRF).
//! - `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`: a file whose content is sent as the
//!   `Authorization` header. Read on every request, because EKS rotates it; a trailing newline is
//!   dropped, any other CR or LF is an error. It must be a regular file (a symbolic link to one
//!   is fine) of at most 16 KiB: a FIFO or a device is refused at once instead of blocking the
//!   fetch. Wins over `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//! - `AWS_CONTAINER_AUTHORIZATION_TOKEN`: the `Authorization` value itself.
//!
//! The request is `GET <url>` with `Accept: application/json`, through the metadata client (no
//! proxy, no redirects). The answer is the JSON credentials document IMDS also serves
//! (`AccessKeyId`, `SecretAccessKey`, `Token`, `Expiration`). 5xx and 429 answers, refused or
//! broken connections and unparseable 200 answers are tried again, three attempts in all with
//! jittered backoff ([`crate::retry::CONTAINER`]); other 4xx answers and timeouts are not (one attempt may already take the
//! whole connect plus read timeout). A `Retry-After` header lengthens the wait before the next
//! attempt; one asking for more than a request's timeout (connect plus read) ends the fetch at
//! once with an error that says so. Neither URI set means "not configured".
//!
//! Errors never quote an answer: an agent may echo the authorization token, and a failing
//! answer may still hold credentials. They give the status, the answer's length and type, and
//! the code and message of an error document with the token taken out.

use std::path::PathBuf;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::config::{Env, Fs, ProviderConfig};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::http::{self, HttpError, METADATA_BODY_CAP};
use crate::secret_file::SecretFile;

use super::metadata::{self, Document, body_summary, human, quoted, shown_url};
use super::{ProvideCredentials, ProvideFuture, ProviderError};
use crate::retry::{CONTAINER as RETRY, Next, OsRandom, Room};

/// The name this source reports.
pub const NAME: &str = "container";

const RELATIVE_URI: &str = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
const FULL_URI: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
const TOKEN_FILE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";
const TOKEN: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// The largest token file read (EKS tokens are about 1 KB).
const TOKEN_FILE_CAP: usize = 16 * 1024;

/// The plain-http hosts `AWS_CONTAINER_CREDENTIALS_FULL_URI` may name besides loopback: the
/// ECS agent and the two EKS Pod Identity agent addresses.
const ALLOWED_HTTP_IPS: [std::net::IpAddr; 3] = [
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 170, 2)),
    std::net::IpAddr::V4(std::net::Ipv4Addr::new(169, 254, 170, 23)),
    std::net::IpAddr::V6(std::net::Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x23)),
];

/// Reads a container credentials endpoint (ECS, EKS Pod Identity).
#[derive(Clone, Debug, Default)]
pub struct ContainerProvider {
    config: ProviderConfig,
}

/// Where to ask and what to send, resolved from the environment for one fetch.
struct Target {
    url: Url,
    auth: Auth,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry credentials in its user information or query.
        f.debug_struct("Target")
            .field("url", &crate::redact::parsed_url(&self.url))
            .field("auth", &self.auth)
            .finish()
    }
}

#[derive(Debug)]
enum Auth {
    None,
    File(PathBuf),
    Value(SecretString),
}

impl ContainerProvider {
    /// Reads the process environment and calls the real ECS address.
    pub fn new() -> Self {
        ContainerProvider::with_config(ProviderConfig::new())
    }

    /// Reads the environment, ECS base URL and timeouts of `config`.
    pub fn with_config(config: ProviderConfig) -> Self {
        ContainerProvider { config }
    }

    /// Whether `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `AWS_CONTAINER_CREDENTIALS_FULL_URI`
    /// is set. Inside a container the default chain does not try IMDS.
    pub fn is_configured(env: &Env) -> bool {
        env.get_non_blank(RELATIVE_URI).is_some() || env.get_non_blank(FULL_URI).is_some()
    }

    /// The URL a fetch would request, or why there is none: "not configured" when neither
    /// variable is set, a configuration error for a URL that may not be used.
    pub fn endpoint(&self) -> Result<String, ProviderError> {
        self.target().map(|t| shown_url(&t.url))
    }

    fn target(&self) -> Result<Target, ProviderError> {
        let env = self.config.env();
        let url = if let Some(relative) = env.get_non_blank(RELATIVE_URI) {
            relative_url(self.config.ecs_base_url(), relative.trim()).map_err(ProviderError::Failed)?
        } else if let Some(full) = env.get_non_blank(FULL_URI) {
            full_url(full.trim()).map_err(ProviderError::Failed)?
        } else {
            return Err(ProviderError::not_configured(format!("{RELATIVE_URI} and {FULL_URI} are not set")));
        };
        let auth = if let Some(path) = env.get_non_blank(TOKEN_FILE) {
            Auth::File(PathBuf::from(path))
        } else if let Some(token) = env.get_non_blank(TOKEN) {
            Auth::Value(SecretString::from(token))
        } else {
            Auth::None
        };
        Ok(Target { url, auth })
    }

    async fn fetch(&self) -> Result<Credentials, ProviderError> {
        let target = self.target()?;
        let shown = shown_url(&target.url);
        let client = http::metadata_client(self.config.metadata_connect_timeout())
            .map_err(|e| failed(format!("the HTTP client for {shown} could not be built: {e}")))?;
        let per_request =
            self.config.metadata_connect_timeout().saturating_add(self.config.metadata_read_timeout());
        let mut attempt = 1;
        loop {
            match self.attempt(&client, &target, &shown, per_request).await {
                Ok(credentials) => return Ok(credentials),
                Err(Outcome::Final(e)) => return Err(e),
                Err(Outcome::Retry(e, asked)) => {
                    // A request's own timeout bounds the wait: the provider has no deadline of its
                    // own, and a longer sleep would end in the caller's bare timeout instead.
                    let wait = match RETRY.next(
                        attempt,
                        true,
                        asked,
                        Room::per_request(per_request),
                        &OsRandom,
                    ) {
                        Next::Retry(wait) => wait,
                        Next::GiveUp => {
                            let message = format!(
                                "{} (after {attempt} attempts): try again later; if it persists, check the agent",
                                e.error().message()
                            );
                            return Err(failed(message));
                        }
                        Next::TooLate(asked) => {
                            return Err(failed(format!(
                                "{} (it asked to wait {} before another try, more than one request \
                                 may take: {}): try again later",
                                e.error().message(),
                                human(asked),
                                human(per_request)
                            )));
                        }
                    };
                    tracing::debug!(url = %shown, attempt, error = %e, wait_ms = wait.as_millis() as u64,
                        "container credentials request failed; trying again");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
            }
        }
    }

    async fn attempt(
        &self,
        client: &reqwest::Client,
        target: &Target,
        shown: &str,
        timeout: Duration,
    ) -> Result<Credentials, Outcome> {
        // Read the token file at every attempt: EKS replaces it while the pod runs.
        let authorization = authorization(self.config.fs(), &target.auth)
            .await
            .map_err(|e| Outcome::Final(ProviderError::Failed(e)))?;
        let mut request = client.get(target.url.clone()).header(ACCEPT, "application/json");
        // The token, to take out of anything the endpoint sends back.
        let mut sent: Vec<&str> = Vec::new();
        if let Some((value, token)) = &authorization {
            request = request.header(AUTHORIZATION, value.clone());
            sent.push(token.as_str());
        }
        let mut response = match http::send(request, timeout, METADATA_BODY_CAP).await {
            Ok(r) => r,
            Err(e) => {
                let message = match &e {
                    HttpError::ConnectTimeout => format!(
                        "the container credentials endpoint {shown} did not accept a connection within {}",
                        human(self.config.metadata_connect_timeout())
                    ),
                    HttpError::Timeout => format!(
                        "the container credentials endpoint {shown} did not answer within {}",
                        human(timeout)
                    ),
                    HttpError::BodyTimeout => format!(
                        "the container credentials endpoint {shown} started answering but did not \
                         finish within {}",
                        human(timeout)
                    ),
                    HttpError::TooLarge { cap } => format!(
                        "the container credentials endpoint {shown} answered with more than {cap} bytes, \
                         which is not a credentials document: check what serves this endpoint"
                    ),
                    other => {
                        format!("the request to the container credentials endpoint {shown} failed: {other}")
                    }
                };
                let error = failed(message);
                // A refused or broken connection is an agent restarting: worth another try. A
                // timeout is not: each attempt may take the whole read timeout, so retrying one
                // only runs the caller's deadline out before this error can be reported.
                let retry = matches!(e, HttpError::Connect(_) | HttpError::Io(_));
                return Err(if retry { Outcome::Retry(error, None) } else { Outcome::Final(error) });
            }
        };
        let status = response.status;
        let asked = http::retry_after(&response.headers, std::time::SystemTime::now());
        let summary = body_summary(&response);
        let parsed = metadata::parse(&mut response.body, NAME, &sent);
        match (status, parsed) {
            (200, Ok(Document::Credentials(c))) => match c.expiration() {
                // Signing with them would only earn an ExpiredToken from the server; say so here.
                Some(expiry) if expiry <= self.config.clock().now() => Err(Outcome::Final(failed(format!(
                    "the container credentials endpoint {shown} returned credentials that expired \
                         at {}: check the agent, and this host's clock",
                    crate::time_fmt::iso8601(expiry)
                )))),
                _ => Ok(c),
            },
            (429, _) => Err(Outcome::Retry(
                failed(format!(
                    "the container credentials endpoint {shown} answered HTTP 429 (too many \
                     requests): the agent is throttling this host"
                )),
                asked,
            )),
            (_, Ok(Document::Error { code, message })) if status < 500 => {
                Err(Outcome::Final(failed(rejection(shown, status, &code, &message, &target.auth))))
            }
            (200, Err(e)) => Err(Outcome::Retry(
                failed(format!(
                    "the container credentials endpoint {shown} answered with something that is not \
                     credentials: {e} ({summary})"
                )),
                None,
            )),
            (500..=599, parsed) => {
                let detail = match parsed {
                    Ok(Document::Error { code, message }) => format!(": {code}: {message}"),
                    _ => String::new(),
                };
                Err(Outcome::Retry(
                    failed(format!(
                        "the container credentials endpoint {shown} answered HTTP {status}{detail}"
                    )),
                    asked,
                ))
            }
            _ => Err(Outcome::Final(failed(rejection(shown, status, "", "", &target.auth)))),
        }
    }
}

impl ProvideCredentials for ContainerProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.fetch())
    }

    /// The URL and where the token comes from (never the token itself, nor the URL's user
    /// information or query: keys may be shown; a keyed hash keeps such URLs apart).
    fn cache_key(&self) -> Option<String> {
        let target = self.target().ok()?;
        let auth = match &target.auth {
            Auth::None => "no token".to_owned(),
            Auth::File(path) => format!("token file {}", path.display()),
            Auth::Value(_) => format!("token from {TOKEN}"),
        };
        Some(format!("{NAME}\n{}\n{auth}", crate::redact::url_for_key(target.url.as_str())))
    }
}

/// Whether one attempt's failure is worth another.
enum Outcome {
    /// Worth another attempt, after at least the `Retry-After` wait the answer asked for.
    Retry(ProviderError, Option<Duration>),
    Final(ProviderError),
}

fn failed(message: String) -> ProviderError {
    ProviderError::Failed(Error::new(ErrorKind::CredentialsProvider, message))
}

/// The message for a non-5xx answer that is not credentials; `code` and `message` come from
/// [`metadata::parse`], already scrubbed of every secret.
fn rejection(shown: &str, status: u16, code: &str, message: &str, auth: &Auth) -> String {
    let detail = if code.is_empty() { String::new() } else { format!(": {code}: {message}") };
    let hint = match (status, auth) {
        (401 | 403, Auth::None) => {
            format!("; the endpoint may want an authorization token: set {TOKEN_FILE} or {TOKEN}")
        }
        (401 | 403, Auth::File(path)) => {
            format!("; check the authorization token in {} ({TOKEN_FILE})", path.display())
        }
        (401 | 403, Auth::Value(_)) => format!("; check the authorization token in {TOKEN}"),
        (404, _) => format!("; check {RELATIVE_URI} or {FULL_URI}"),
        _ => String::new(),
    };
    format!("the container credentials endpoint {shown} answered HTTP {status}{detail}{hint}")
}

/// Joins `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` to the ECS base URL with exactly one slash
/// between them. The value is a path: the host always stays the base URL's.
fn relative_url(base: &str, relative: &str) -> Result<Url, Error> {
    let joined = format!("{}/{}", base.trim_end_matches('/'), relative.trim_start_matches('/'));
    let bad = || {
        Error::configuration(format!(
            "{RELATIVE_URI} does not make a valid URL with the ECS address {base}: it should be a \
             path such as /v2/credentials/<id>, as the ECS agent sets it"
        ))
    };
    let url = Url::parse(&joined).map_err(|_| bad())?;
    let base_url = Url::parse(base).map_err(|_| bad())?;
    if url.host() != base_url.host() || url.port_or_known_default() != base_url.port_or_known_default() {
        return Err(bad());
    }
    Ok(url)
}

/// Validates `AWS_CONTAINER_CREDENTIALS_FULL_URI` against the SSRF rule.
fn full_url(text: &str) -> Result<Url, Error> {
    let url = Url::parse(text).map_err(|_| {
        Error::configuration(format!(
            "{FULL_URI} is not a valid URL: set it to the http(s) address of the credentials \
             endpoint, e.g. http://169.254.170.23/v1/credentials"
        ))
    })?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if http_host_allowed(&url) => Ok(url),
        "http" => Err(Error::configuration(format!(
            "{FULL_URI} is {}, but plain http is only allowed to loopback (127.0.0.0/8, [::1], \
             localhost), the ECS agent (169.254.170.2) and EKS Pod Identity (169.254.170.23, \
             [fd00:ec2::23]): anything else would let whoever sets the variable have this process \
             send its credentials request and authorization token to a host of their choosing \
             (SSRF); use https:// or one of those addresses",
            shown_url(&url)
        ))),
        other => Err(Error::configuration(format!(
            "{FULL_URI} uses the scheme '{}': only http and https are allowed",
            quoted(other)
        ))),
    }
}

/// The botocore rule: a literal loopback or agent address, or the name `localhost` (no DNS
/// lookup, which could be made to answer anything).
fn http_host_allowed(url: &Url) -> bool {
    let ip = match url.host_str() {
        None => return false,
        Some(host) if host.eq_ignore_ascii_case("localhost") => return true,
        Some(host) => host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>(),
    };
    match ip {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback()) => true,
        Ok(ip) => ip.is_loopback() || ALLOWED_HTTP_IPS.contains(&ip),
        Err(_) => false,
    }
}

/// The `Authorization` header value and the token it carries, read now (the file on every
/// request).
async fn authorization(fs: &Fs, auth: &Auth) -> Result<Option<(HeaderValue, Zeroizing<String>)>, Error> {
    let (token, origin) = match auth {
        Auth::None => return Ok(None),
        Auth::Value(token) => (Zeroizing::new(token.expose_secret().to_owned()), TOKEN.to_owned()),
        Auth::File(path) => (read_token_file(fs, path).await?, format!("{} ({TOKEN_FILE})", path.display())),
    };
    // A single trailing newline is how editors and `echo` write files; the SDKs send it as is
    // and fail, we drop it. Any other line break would split the header.
    let token = token.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&token);
    let value = header_value(token, &origin)?;
    Ok(Some((value, Zeroizing::new(token.to_owned()))))
}

/// Checks a token and makes it a sensitive header value (never printed by HTTP tracing).
fn header_value(token: &str, origin: &str) -> Result<HeaderValue, Error> {
    if token.contains(['\r', '\n']) {
        return Err(Error::configuration(format!(
            "the container authorization token in {origin} contains a line break: it must be a \
             single line"
        )));
    }
    if token.trim().is_empty() {
        return Err(Error::configuration(format!("the container authorization token in {origin} is empty")));
    }
    let mut value = HeaderValue::from_str(token).map_err(|_| {
        Error::configuration(format!(
            "the container authorization token in {origin} contains characters an HTTP header \
             cannot carry"
        ))
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Reads the token file: a regular file only, at most 16 KiB, under the fetch's deadline.
async fn read_token_file(fs: &Fs, path: &std::path::Path) -> Result<Zeroizing<String>, Error> {
    let file = SecretFile {
        path: path.to_owned(),
        label: "the container authorization token file".to_owned(),
        origin: TOKEN_FILE.to_owned(),
        max_bytes: TOKEN_FILE_CAP,
        missing_hint: "check the path, and on EKS that the Pod Identity token is mounted".to_owned(),
    };
    file.read_text_in(fs, "it should hold the token on one line")
        .await
        .map_err(|e| Error::configuration(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(vars: &[(&str, &str)]) -> ContainerProvider {
        ContainerProvider::with_config(
            ProviderConfig::new()
                .with_env(Env::from_vars(vars.iter().copied()))
                .with_ecs_base_url("http://127.0.0.1:9"),
        )
    }

    #[test]
    fn relative_uri_joins_with_one_slash() {
        for (base, relative, expected) in [
            ("http://169.254.170.2", "/v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
            ("http://169.254.170.2/", "/v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
            ("http://169.254.170.2", "v2/credentials/abc", "http://169.254.170.2/v2/credentials/abc"),
            ("http://127.0.0.1:8080//", "//creds?x=1", "http://127.0.0.1:8080/creds?x=1"),
            // A value that looks like an authority stays a path on the agent.
            ("http://169.254.170.2", "@evil.example/x", "http://169.254.170.2/@evil.example/x"),
            ("http://169.254.170.2", "//evil.example/x", "http://169.254.170.2/evil.example/x"),
        ] {
            assert_eq!(relative_url(base, relative).unwrap().as_str(), expected, "{base} + {relative}");
        }
        assert_eq!(relative_url("not a url", "/x").unwrap_err().kind(), ErrorKind::Configuration);
        assert_eq!(
            crate::config::DEFAULT_ECS_BASE_URL,
            "http://169.254.170.2",
            "the relative URI's default base is the ECS agent"
        );
    }

    #[test]
    fn full_uri_allow_list() {
        let allowed = [
            "http://127.0.0.1/creds",
            "http://127.0.0.2:8080/x",
            "http://127.255.255.254/",
            "http://localhost:1234/x",
            "http://LOCALHOST/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.170.23/v1/credentials",
            "http://[fd00:ec2::23]/v1/credentials",
            "https://anything.example/creds",
            "https://169.254.169.254/",
            // The URL parser normalises these to 127.0.0.1, which is where the request goes.
            "http://2130706433/",
            "http://0x7f.1/",
        ];
        for url in allowed {
            assert!(full_url(url).is_ok(), "{url} should be allowed");
        }
        let refused = [
            "http://169.254.169.254/",
            "http://169.254.170.3/",
            "http://example.com",
            "http://localhost.example.com/",
            "http://127.0.0.1.nip.io/",
            "http://10.0.0.1/",
            "http://[fd00:ec2::254]/",
            "http://[::2]/",
            "http://0.0.0.0/",
            "ftp://127.0.0.1/",
            "file:///etc/passwd",
            "127.0.0.1/creds",
            "",
        ];
        for url in refused {
            let err = full_url(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration, "{url}");
        }
        let err = full_url("http://user:pw@example.com/x?secret=1").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("SSRF") && text.contains("http://example.com/x"), "{text}");
        assert!(!text.contains("pw") && !text.contains("secret=1"), "{text}");
    }

    #[test]
    fn precedence_relative_over_full_file_over_token() {
        assert!(!ContainerProvider::is_configured(&Env::from_vars([(RELATIVE_URI, " ")])));
        assert!(ContainerProvider::is_configured(&Env::from_vars([(FULL_URI, "https://x/")])));
        assert!(ContainerProvider::is_configured(&Env::from_vars([(RELATIVE_URI, "/x")])));
        let err = provider(&[]).target().unwrap_err();
        assert!(err.is_not_configured());
        assert!(err.to_string().contains(RELATIVE_URI), "{err}");

        let t = provider(&[(RELATIVE_URI, "/rel"), (FULL_URI, "http://example.com/full")]).target().unwrap();
        assert_eq!(t.url.as_str(), "http://127.0.0.1:9/rel", "RELATIVE wins, even over a refused FULL");
        let t = provider(&[(FULL_URI, "http://127.0.0.1:7/full")]).target().unwrap();
        assert_eq!(t.url.as_str(), "http://127.0.0.1:7/full");
        assert!(matches!(t.auth, Auth::None));

        let t =
            provider(&[(FULL_URI, "https://x/"), (TOKEN_FILE, "/tmp/tok"), (TOKEN, "t")]).target().unwrap();
        assert!(matches!(&t.auth, Auth::File(p) if p == std::path::Path::new("/tmp/tok")));
        let t = provider(&[(FULL_URI, "https://x/"), (TOKEN_FILE, ""), (TOKEN, "t")]).target().unwrap();
        assert!(matches!(&t.auth, Auth::Value(v) if v.expose_secret() == "t"));

        let err = provider(&[(FULL_URI, "http://example.com")]).target().unwrap_err();
        assert!(!err.is_not_configured(), "a refused FULL_URI stops the chain");
        assert_eq!(err.error().kind(), ErrorKind::Configuration);
        assert_eq!(provider(&[(RELATIVE_URI, "/v2/x")]).endpoint().unwrap(), "http://127.0.0.1:9/v2/x");

        let key = provider(&[(FULL_URI, "https://x/c"), (TOKEN, "t0k3n-value")]).cache_key().unwrap();
        assert_eq!(key, format!("container\nhttps://x/c\ntoken from {TOKEN}"), "never the token");
        assert!(provider(&[]).cache_key().is_none());
    }

    #[tokio::test]
    async fn authorization_tokens() {
        async fn header(auth: &Auth) -> Result<HeaderValue, Error> {
            authorization(&Fs::real(), auth).await.map(|a| a.unwrap().0)
        }
        let value = |t: &str| Auth::Value(SecretString::from(t));
        assert_eq!(header(&value("abc")).await.unwrap(), "abc");
        assert!(header(&value("abc")).await.unwrap().is_sensitive());
        assert_eq!(authorization(&Fs::real(), &value("abc\n")).await.unwrap().unwrap().1.as_str(), "abc");
        assert_eq!(header(&value("abc\n")).await.unwrap(), "abc");
        assert_eq!(header(&value("abc\r\n")).await.unwrap(), "abc");
        for bad in ["a\nb", "a\rb", "abc\n\n", "\n", "a\u{7}b"] {
            let err = header(&value(bad)).await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Configuration, "{bad:?}");
            assert!(!err.to_string().contains(bad.trim()) || bad.trim().is_empty(), "{err}");
        }
    }

    #[tokio::test]
    async fn authorization_token_files() {
        let fs = Fs::from_files([("/var/run/token", "secret-token-1\n")]);
        let header = |auth: Auth| {
            let fs = fs.clone();
            async move { authorization(&fs, &auth).await.map(|a| a.unwrap().0) }
        };
        let file = || Auth::File("/var/run/token".into());
        assert_eq!(header(file()).await.unwrap(), "secret-token-1");
        fs.write("/var/run/token", "secret-token-2").unwrap();
        assert_eq!(header(file()).await.unwrap(), "secret-token-2", "re-read every time");
        fs.write("/var/run/token", "secret\ninjected: x").unwrap();
        let err = header(file()).await.unwrap_err();
        assert!(err.to_string().contains("line break") && !err.to_string().contains("secret"), "{err}");
        fs.write("/var/run/token", vec![b'a'; TOKEN_FILE_CAP + 1]).unwrap();
        let err = header(file()).await.unwrap_err();
        assert!(err.to_string().contains("larger than"), "{err}");
        assert_eq!(err.kind(), ErrorKind::Configuration);
        fs.remove("/var/run/token".as_ref()).unwrap();
        let err = header(file()).await.unwrap_err();
        assert!(err.to_string().contains("does not exist") && err.to_string().contains(TOKEN_FILE), "{err}");
    }

    #[test]
    fn rejection_messages_hint_at_the_fix() {
        let m = rejection("http://x", 401, "", "", &Auth::None);
        assert!(m.contains(TOKEN_FILE), "{m}");
        let m = rejection("http://x", 403, "AccessDenied", "nope", &Auth::Value(SecretString::from("t0k3n")));
        assert!(m.contains("AccessDenied: nope") && m.contains(TOKEN) && !m.contains("t0k3n"), "{m}");
        assert!(rejection("http://x", 404, "", "", &Auth::None).contains(RELATIVE_URI));
    }
}
