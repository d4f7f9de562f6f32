//! The two HTTP clients every network source uses, and their limits.
//!
//! - The **metadata** client (IMDS, container endpoints) never uses a proxy (a proxy would see
//!   link-local credential traffic, and IMDS through a proxy is an SSRF classic), never follows a
//!   redirect, and connects within 1 s by default so a process off EC2 learns it fast.
//! - The **STS** client speaks TLS through rustls with the ring provider (no OpenSSL, no C TLS
//!   build), follows the proxy variables of the injected environment (see [`proxy`]; they are
//!   read at every call, so a changed `HTTPS_PROXY` or `NO_PROXY` applies to the next request),
//!   and never follows a redirect. The AWS SSO portal source is to use this client too.
//!
//! Both keep no idle connections: credential fetches are rare, and an idle pool would tie
//! connections to whichever tokio runtime made them (the CLI's, the C library's, a test's). Both
//! are rebuilt in a child process after `fork()`. Every body is read with a size cap.
//!
//! Under `MONGOAWSAUTH_LOOPBACK_ONLY=1` a request is refused unless both its host and the proxy
//! it would go through (if any) are loopback addresses.

mod proxy;
mod retry_after;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::redirect::Policy;
use zeroize::{Zeroize as _, Zeroizing};

use crate::config::Env;
pub(crate) use proxy::ProxySettings;
pub(crate) use retry_after::retry_after;

/// The largest metadata response accepted (IMDS and container answers are a few hundred bytes).
pub(crate) const METADATA_BODY_CAP: usize = 64 * 1024;
/// The largest STS response accepted.
pub(crate) const STS_BODY_CAP: usize = 1024 * 1024;

/// A response read whole, within its cap. The body may hold credentials: it is wiped when
/// dropped, and `Debug` shows its length only.
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.len())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A request body that holds a secret (a web identity token, a SAML assertion): shared by every
/// attempt without a copy, and wiped when the HTTP stack drops the last reference to it.
pub(crate) fn secret_body(body: &Arc<Zeroizing<Vec<u8>>>) -> reqwest::Body {
    struct Shared(Arc<Zeroizing<Vec<u8>>>);
    impl AsRef<[u8]> for Shared {
        fn as_ref(&self) -> &[u8] {
            &self.0
        }
    }
    reqwest::Body::from(bytes::Bytes::from_owner(Shared(Arc::clone(body))))
}

/// Appends `chunk` to a body being read, never past `cap`. A growing `Vec` would leave its old
/// buffer behind unwiped at each reallocation, so growth is done here instead: into a new buffer,
/// after which the old one is wiped before it is freed.
fn append_body(body: &mut Zeroizing<Vec<u8>>, chunk: &[u8], cap: usize) -> Result<(), HttpError> {
    let needed = body.len() + chunk.len();
    if needed > cap {
        return Err(HttpError::TooLarge { cap });
    }
    if needed > body.capacity() {
        let capacity = needed.max(body.capacity().saturating_mul(2)).min(cap);
        let grown = regrow(body, capacity);
        // The old buffer, already wiped by `regrow`, is wiped again and freed here.
        *body = Zeroizing::new(grown);
    }
    // Within capacity: `extend_from_slice` does not reallocate.
    body.extend_from_slice(chunk);
    Ok(())
}

/// A copy of `old` in a buffer of `capacity` bytes; `old`'s bytes are zeroed (its length kept,
/// so that a test can see it).
fn regrow(old: &mut Vec<u8>, capacity: usize) -> Vec<u8> {
    let mut grown = Vec::with_capacity(capacity.max(old.len()));
    grown.extend_from_slice(old);
    old.as_mut_slice().zeroize();
    grown
}

impl HttpResponse {
    /// The body as text, lossily (for parsing; never log a body that may carry credentials).
    pub(crate) fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
}

/// Why a request got no complete response. Messages never include a URL's query or a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HttpError {
    /// The TCP or TLS connection could not be made in time.
    ConnectTimeout,
    /// The connection was refused or failed.
    Connect(String),
    /// The request was sent but no answer (not even its head) came in time.
    Timeout,
    /// The answer's head came, but its body did not finish in time (a stall or a slow drip
    /// mid-body).
    BodyTimeout,
    /// The connection broke mid-request.
    Io(String),
    /// The body was larger than the cap.
    TooLarge { cap: usize },
    /// The request could not be built (a malformed URL or header).
    Request(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::ConnectTimeout => f.write_str("the connection timed out"),
            HttpError::Connect(e) => write!(f, "the connection failed ({e})"),
            HttpError::Timeout => f.write_str("the request timed out"),
            HttpError::BodyTimeout => f.write_str("the answer started but did not finish in time"),
            HttpError::Io(e) => write!(f, "the connection broke ({e})"),
            HttpError::TooLarge { cap } => write!(f, "the response was larger than {cap} bytes"),
            HttpError::Request(e) => write!(f, "the request could not be built ({e})"),
        }
    }
}

impl HttpError {
    /// Whether an SDK-style retry makes sense (never for a connect timeout: that means "not on
    /// this platform", and retrying it is what makes other drivers stall off EC2).
    pub(crate) fn is_transient(&self) -> bool {
        matches!(self, HttpError::Connect(_) | HttpError::Timeout | HttpError::BodyTimeout | HttpError::Io(_))
    }

    fn classify(e: reqwest::Error) -> HttpError {
        // reqwest's Display for a connect error can include the URL; strip it so a query string
        // never reaches an error message.
        let e = e.without_url();
        if e.is_builder() {
            HttpError::Request(e.to_string())
        } else if e.is_connect() {
            if e.is_timeout() { HttpError::ConnectTimeout } else { HttpError::Connect(root_cause(&e)) }
        } else if e.is_timeout() {
            HttpError::Timeout
        } else {
            HttpError::Io(root_cause(&e))
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Clients are cached per (kind, connect timeout, proxy rules): reqwest sets the connect timeout
/// and the proxy per client, sources choose their own timeouts (1 s for IMDS by default), and
/// the proxy rules come from each caller's environment.
struct Clients {
    pid: u32,
    built: Vec<(Kind, Duration, Option<Arc<ProxySettings>>, reqwest::Client)>,
}

/// The STS client's connect timeout: a backstop only, every send has a shorter total timeout.
const STS_CONNECT_TIMEOUT: Duration = Duration::from_secs(60);

/// The most STS clients kept at once: enough for every configuration a process really uses,
/// bounded for an environment whose proxy variables keep changing.
const MAX_STS_CLIENTS: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Metadata,
    Sts,
}

static CLIENTS: Mutex<Clients> = Mutex::new(Clients { pid: 0, built: Vec::new() });

fn build_client(
    kind: Kind,
    connect_timeout: Duration,
    proxies: Option<&Arc<ProxySettings>>,
) -> Result<reqwest::Client, HttpError> {
    // reqwest's rustls-no-provider build needs a process default; if the host application
    // installed its own provider first, that one is used and this is a no-op.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = reqwest::Client::builder()
        .redirect(Policy::none())
        .pool_max_idle_per_host(0)
        .connect_timeout(connect_timeout)
        .user_agent(concat!("mongoawsauth/", env!("CARGO_PKG_VERSION")))
        // reqwest would otherwise read the proxy variables of the process environment once, when
        // the client is built: the injected environment could not override them, changes would
        // be missed, and the loopback guard could not see where a request really goes.
        .no_proxy();
    if kind == Kind::Sts
        && let Some(proxies) = proxies.filter(|p| !p.is_empty())
    {
        let proxies = Arc::clone(proxies);
        builder =
            builder.proxy(reqwest::Proxy::custom(move |url| proxies.proxy_for(url).map(|p| p.url.clone())));
    }
    builder.build().map_err(|e| HttpError::Request(e.to_string()))
}

fn client(
    kind: Kind,
    connect_timeout: Duration,
    proxies: Option<&Arc<ProxySettings>>,
) -> Result<reqwest::Client, HttpError> {
    let mut clients = CLIENTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if clients.pid != pid {
        // A forked child must not reuse the parent's client state.
        clients.pid = pid;
        clients.built.clear();
    }
    if let Some((.., c)) =
        clients.built.iter().find(|(k, t, p, _)| *k == kind && *t == connect_timeout && p.as_ref() == proxies)
    {
        return Ok(c.clone());
    }
    let built = build_client(kind, connect_timeout, proxies)?;
    if kind == Kind::Sts
        && clients.built.iter().filter(|(k, ..)| *k == Kind::Sts).count() >= MAX_STS_CLIENTS
        && let Some(oldest) = clients.built.iter().position(|(k, ..)| *k == Kind::Sts)
    {
        clients.built.remove(oldest);
    }
    clients.built.push((kind, connect_timeout, proxies.cloned(), built.clone()));
    Ok(built)
}

/// The metadata client: no proxy, no redirects.
pub(crate) fn metadata_client(connect_timeout: Duration) -> Result<reqwest::Client, HttpError> {
    client(Kind::Metadata, connect_timeout, None)
}

/// The STS client for one call: rustls/ring, no redirects, and the proxy rules `env` holds now.
/// Fails (naming the variable) when a proxy variable is not a usable proxy URL.
///
/// One client per set of proxy rules, whatever the caller's timeout: every STS and SSO send is
/// bounded by the fetch's remaining budget (connect included), so a connect timeout of the
/// client's own would only split the cache, and every new client loads the TLS roots again.
pub(crate) fn sts_client(env: &Env) -> Result<StsClient, HttpError> {
    let proxies = Arc::new(ProxySettings::from_env(env).map_err(HttpError::Request)?);
    let client = client(Kind::Sts, STS_CONNECT_TIMEOUT, Some(&proxies))?;
    Ok(StsClient { client, proxies })
}

/// An STS client and the proxy rules it was built with, so that [`StsClient::send`] can apply
/// the loopback guard to the proxy too.
#[derive(Clone, Debug)]
pub(crate) struct StsClient {
    client: reqwest::Client,
    proxies: Arc<ProxySettings>,
}

impl StsClient {
    /// Starts a POST to `url`.
    pub(crate) fn post(&self, url: impl reqwest::IntoUrl) -> reqwest::RequestBuilder {
        self.client.post(url)
    }

    /// Starts a GET to `url` (the SSO portal's GetRoleCredentials).
    pub(crate) fn get(&self, url: impl reqwest::IntoUrl) -> reqwest::RequestBuilder {
        self.client.get(url)
    }

    /// [`send`], with the loopback guard applied to the proxy the request would go through.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        total_timeout: Duration,
        body_cap: usize,
    ) -> Result<HttpResponse, HttpError> {
        send_checked(request, total_timeout, body_cap, Some(&self.proxies)).await
    }
}

/// The switch that confines every request to loopback: when `MONGOAWSAUTH_LOOPBACK_ONLY=1` is set
/// in the process environment, a request to any other host is refused before a packet (or a DNS
/// query) leaves the process. The project's test command sets it, so no test can reach AWS or a
/// metadata address even when its own configuration is wrong; sandboxes can use it too.
pub const LOOPBACK_ONLY_VARIABLE: &str = "MONGOAWSAUTH_LOOPBACK_ONLY";

fn check_loopback_only(url: &reqwest::Url, proxies: Option<&ProxySettings>) -> Result<(), HttpError> {
    // Read from the process, not from an injected environment: the guard protects the process
    // from its own configuration, so configuration must not be able to switch it off.
    let enabled = std::env::var(LOOPBACK_ONLY_VARIABLE).is_ok_and(|v| v.trim() == "1");
    check_loopback(enabled, url, proxies)
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn check_loopback(
    enabled: bool,
    url: &reqwest::Url,
    proxies: Option<&ProxySettings>,
) -> Result<(), HttpError> {
    if !enabled {
        return Ok(());
    }
    if !is_loopback(url) {
        return Err(HttpError::Request(format!(
            "{LOOPBACK_ONLY_VARIABLE}=1 is set and {} is not a loopback address, so the request was \
             not sent",
            url.host_str().unwrap_or("(no host)")
        )));
    }
    // A loopback target behind a remote proxy would still send the request off the machine.
    if let Some(proxy) = proxies.and_then(|p| p.proxy_for(url))
        && !is_loopback(&proxy.url)
    {
        return Err(HttpError::Request(format!(
            "{LOOPBACK_ONLY_VARIABLE}=1 is set and the proxy {} from {} is not a loopback address, so \
             the request was not sent: unset {}, or add {} to NO_PROXY",
            proxy.url.host_str().unwrap_or("(no host)"),
            proxy.variable,
            proxy.variable,
            url.host_str().unwrap_or("the endpoint's host"),
        )));
    }
    Ok(())
}

/// Sends a request and reads the whole body, within `total_timeout` (connect included) and
/// `body_cap` bytes. For a client without a proxy (the metadata client); the STS client sends
/// through [`StsClient::send`].
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    total_timeout: Duration,
    body_cap: usize,
) -> Result<HttpResponse, HttpError> {
    send_checked(request, total_timeout, body_cap, None).await
}

/// `timeout` from now. A timeout the clock cannot add (`Duration::MAX` from an option meaning
/// "no limit") is a century, which is the same thing, instead of a panic.
pub(crate) fn deadline_after(timeout: Duration) -> tokio::time::Instant {
    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
    let now = tokio::time::Instant::now();
    now.checked_add(timeout).or_else(|| now.checked_add(CENTURY)).unwrap_or(now)
}

async fn send_checked(
    request: reqwest::RequestBuilder,
    total_timeout: Duration,
    body_cap: usize,
    proxies: Option<&ProxySettings>,
) -> Result<HttpResponse, HttpError> {
    let deadline = deadline_after(total_timeout);
    let (client, request) = request.build_split();
    let request = request.map_err(|e| HttpError::Request(e.without_url().to_string()))?;
    check_loopback_only(request.url(), proxies)?;
    let mut response = match tokio::time::timeout_at(deadline, client.execute(request)).await {
        Err(_) => return Err(HttpError::Timeout),
        Ok(Err(e)) => return Err(HttpError::classify(e)),
        Ok(Ok(r)) => r,
    };
    if let Some(len) = response.content_length()
        && len > body_cap as u64
    {
        return Err(HttpError::TooLarge { cap: body_cap });
    }
    let status = response.status().as_u16();
    let headers = std::mem::take(response.headers_mut());
    // Sized from Content-Length (checked against the cap above), so a well-behaved answer is
    // read into one buffer that never moves.
    let expected = response.content_length().map_or(0, |len| usize::try_from(len).unwrap_or(body_cap));
    let mut body = Zeroizing::new(Vec::with_capacity(expected.min(body_cap)));
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => return Err(HttpError::BodyTimeout),
            Ok(Err(e)) => return Err(HttpError::classify(e)),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => append_body(&mut body, &chunk, body_cap)?,
        }
    }
    Ok(HttpResponse { status, headers, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_refuses_every_other_host() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        for allowed in
            ["http://127.0.0.1:8080/x", "http://127.9.9.9/", "http://[::1]:1/", "http://localhost/"]
        {
            assert!(check_loopback(true, &url(allowed), None).is_ok(), "{allowed}");
        }
        for refused in [
            "http://169.254.169.254/latest/api/token",
            "http://169.254.170.2/v2/credentials",
            "http://[fd00:ec2::254]/",
            "https://sts.amazonaws.com/",
            "http://10.0.0.1/",
        ] {
            let err = check_loopback(true, &url(refused), None).unwrap_err();
            assert!(err.to_string().contains(LOOPBACK_ONLY_VARIABLE), "{refused}: {err}");
        }
        assert!(check_loopback(false, &url("https://sts.amazonaws.com/"), None).is_ok());
    }

    #[test]
    fn growing_a_body_wipes_the_old_buffer() {
        let mut old = b"SECRET-token-bytes".to_vec();
        let grown = regrow(&mut old, 64);
        assert_eq!(&grown[..], b"SECRET-token-bytes");
        assert!(grown.capacity() >= 64);
        assert_eq!(old.len(), 18, "the length is kept so that the wipe can be seen");
        assert!(old.iter().all(|b| *b == 0), "{old:?}");
    }

    #[test]
    fn appending_respects_the_cap_and_grows_in_few_steps() {
        let mut body = Zeroizing::new(Vec::with_capacity(4));
        append_body(&mut body, b"abcd", 100).unwrap();
        assert_eq!(body.capacity(), 4, "a pre-sized buffer is filled in place");
        append_body(&mut body, b"e", 100).unwrap();
        assert!(body.capacity() >= 8, "capacity doubles: {}", body.capacity());
        append_body(&mut body, &[b'x'; 90], 100).unwrap();
        assert!(body.capacity() <= 100, "never past the cap: {}", body.capacity());
        assert_eq!(append_body(&mut body, b"123456", 100), Err(HttpError::TooLarge { cap: 100 }));
        assert_eq!(&body[..5], b"abcde");
        let _: &Zeroizing<Vec<u8>> = &HttpResponse { status: 200, headers: Default::default(), body }.body;
    }

    #[test]
    fn debug_of_a_response_never_shows_the_body() {
        let r = HttpResponse {
            status: 200,
            headers: Default::default(),
            body: Zeroizing::new(b"SecretAccessKey=abc123".to_vec()),
        };
        let shown = format!("{r:?}");
        assert!(!shown.contains("abc123") && !shown.contains("97, 98"), "{shown}");
    }

    #[test]
    fn loopback_only_refuses_a_remote_proxy() {
        let url = |u: &str| reqwest::Url::parse(u).unwrap();
        let proxies =
            |vars: &[(&str, &str)]| ProxySettings::from_env(&Env::from_vars(vars.iter().copied())).unwrap();
        let target = url("http://127.0.0.1:9/");
        for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
            let remote = proxies(&[(var, "http://user:pa55@10.0.0.1:3128")]);
            let err = check_loopback(true, &target, Some(&remote)).unwrap_err().to_string();
            assert!(
                err.contains(LOOPBACK_ONLY_VARIABLE) && err.contains(var) && err.contains("10.0.0.1"),
                "{err}"
            );
            assert!(!err.contains("pa55"), "{err}");
            assert!(check_loopback(false, &target, Some(&remote)).is_ok(), "only under the guard");
        }
        let https = proxies(&[("HTTPS_PROXY", "proxy.example:3128")]);
        assert!(check_loopback(true, &url("https://localhost:9/"), Some(&https)).is_err());
        assert!(check_loopback(true, &target, Some(&https)).is_ok(), "HTTPS_PROXY does not apply to http://");
        let bypassed = proxies(&[("HTTP_PROXY", "http://10.0.0.1:3128"), ("NO_PROXY", "127.0.0.1")]);
        assert!(check_loopback(true, &target, Some(&bypassed)).is_ok(), "NO_PROXY sends it directly");
        let local = proxies(&[("HTTP_PROXY", "http://127.0.0.1:3128")]);
        assert!(check_loopback(true, &target, Some(&local)).is_ok(), "a loopback proxy is allowed");
    }
}
