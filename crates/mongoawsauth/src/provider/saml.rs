//! Credentials from STS `AssumeRoleWithSAML`: a role, the IAM SAML provider (the IdP's principal
//! ARN) and a base64 SAML response from the identity provider.
//!
//! Not part of the default chain and not in the MongoDB spec (which says nothing about SAML): an
//! application builds it explicitly with [`SamlProvider::builder`]. The assertion comes from a
//! callback called on every fetch, because assertions are valid for minutes only.
//!
//! Reads, on every fetch:
//! - nothing of its own from the environment; the role, principal, duration and policy are
//!   arguments;
//! - the assertion, from the callback (or the file given to [`AssertionSource::from_file`],
//!   read through the [`ProviderConfig`]'s file reader, which must be a regular file of at most
//!   256 KiB: a FIFO or a device is refused at once instead of blocking the fetch);
//! - for the STS endpoint (see [`crate::sts::endpoint`]): `AWS_ENDPOINT_URL_STS`,
//!   `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, `AWS_REGION`,
//!   `AWS_DEFAULT_REGION`, `AWS_STS_REGIONAL_ENDPOINTS` from the [`ProviderConfig`]'s environment;
//!   and, through the STS HTTP client, the usual proxy variables.
//!
//! Sends one unsigned `POST` to `https://sts.{region}.{dnsSuffix}/`, `https://sts.amazonaws.com/`
//! or the configured endpoint (up to three attempts, within the STS timeout).

use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use zeroize::Zeroizing;

use crate::config::{Fs, ProviderConfig};
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::secret_file::SecretFile;
use crate::sts::{self, Action, Param};

use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "saml";

/// The shortest session STS grants (`DurationSeconds`); [`crate::defaults::SAML_MIN_DURATION`].
pub const MIN_DURATION: Duration = crate::defaults::SAML_MIN_DURATION;
/// The longest session STS grants; the role's own maximum may be lower.
/// [`crate::defaults::SAML_MAX_DURATION`].
pub const MAX_DURATION: Duration = crate::defaults::SAML_MAX_DURATION;

/// STS's limits on `SAMLAssertion` and on an inline session policy.
const MAX_ASSERTION_CHARS: usize = 100_000;
const MIN_ASSERTION_CHARS: usize = 4;
const MAX_POLICY_CHARS: usize = 2048;
/// The largest assertion file read: STS's limit, with room for line breaks in wrapped base64.
const MAX_ASSERTION_FILE_BYTES: usize = 256 * 1024;

type SyncFn = dyn Fn() -> Result<String, Error> + Send + Sync;
type AsyncFn = dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, Error>> + Send>> + Send + Sync;

#[derive(Clone)]
enum Source {
    Sync(Arc<SyncFn>),
    Async(Arc<AsyncFn>),
    File(PathBuf),
}

/// Where each fetch gets a fresh base64 SAML response (the `SAMLResponse` an IdP posts).
#[derive(Clone)]
pub struct AssertionSource(Source);

impl AssertionSource {
    /// A blocking callback (run on tokio's blocking pool, so it may do I/O).
    pub fn from_fn<F>(f: F) -> Self
    where
        F: Fn() -> Result<String, Error> + Send + Sync + 'static,
    {
        AssertionSource(Source::Sync(Arc::new(f)))
    }

    /// An async callback.
    pub fn from_async_fn<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, Error>> + Send + 'static,
    {
        AssertionSource(Source::Async(Arc::new(move || Box::pin(f()))))
    }

    /// A file holding the base64 assertion, re-read on every fetch. It must be a regular file
    /// (a symbolic link to one is fine) of at most 256 KiB.
    pub fn from_file(path: impl Into<PathBuf>) -> Self {
        AssertionSource(Source::File(path.into()))
    }

    /// A fresh assertion; a file is read through `fs`, the provider's file reader.
    async fn fetch(&self, fs: &Fs) -> Result<Zeroizing<String>, Error> {
        let joined = match &self.0 {
            Source::Sync(f) => {
                let f = Arc::clone(f);
                tokio::task::spawn_blocking(move || f()).await
            }
            Source::Async(f) => tokio::spawn(f()).await,
            Source::File(path) => return read_file(fs, path).await,
        };
        match joined {
            Ok(Ok(assertion)) => Ok(Zeroizing::new(assertion)),
            // The callback's error (and through it a host's exception) stays reachable as the
            // cause, as a custom provider's does, so a binding can hand its caller the original.
            Ok(Err(e)) => Err(Error::new(
                ErrorKind::CredentialsProvider,
                format!("{NAME}: the SAML assertion source returned an error: {}", e.message()),
            )
            .with_cause(e)),
            Err(join) if join.is_panic() => Err(Error::new(
                ErrorKind::CredentialsProvider,
                format!("{NAME}: the SAML assertion callback panicked; make it return an error instead"),
            )),
            Err(_) => Err(Error::new(
                ErrorKind::Runtime,
                format!(
                    "{NAME}: the SAML assertion callback was cancelled because the runtime is shutting down"
                ),
            )),
        }
    }
}

/// Reads the assertion file through `fs`: a regular file only, with a size cap, under the
/// fetch's deadline.
async fn read_file(fs: &Fs, path: &std::path::Path) -> Result<Zeroizing<String>, Error> {
    let file = SecretFile {
        path: path.to_owned(),
        label: format!("{NAME}: the SAML assertion file"),
        origin: String::new(),
        max_bytes: MAX_ASSERTION_FILE_BYTES,
        missing_hint: "check the path, and that whatever fetches assertions from the IdP has written it"
            .to_owned(),
    };
    file.read_text_in(fs, "it should hold the base64 SAMLResponse")
        .await
        .map_err(|e| Error::new(ErrorKind::CredentialsProvider, e.to_string()))
}

impl fmt::Debug for AssertionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Sync(_) => f.write_str("AssertionSource::Sync"),
            Source::Async(_) => f.write_str("AssertionSource::Async"),
            Source::File(p) => f.debug_tuple("AssertionSource::File").field(p).finish(),
        }
    }
}

/// What a SAML source is given, as plain fields: what every binding reads from its host
/// (a C handle, Python keyword arguments, a JavaScript object) before handing it to
/// [`Authenticator::saml`](crate::Authenticator::saml), which checks it and builds the
/// authenticator.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SamlOptions {
    /// The role to assume, `arn:aws:iam::<account>:role/<name>`.
    pub role_arn: String,
    /// The IAM SAML provider, `arn:aws:iam::<account>:saml-provider/<name>`.
    pub principal_arn: String,
    /// Where each fetch gets a fresh assertion.
    pub assertion: AssertionSource,
    /// How long the credentials last, whole seconds from
    /// [`SAML_MIN_DURATION`](crate::defaults::SAML_MIN_DURATION) to
    /// [`SAML_MAX_DURATION`](crate::defaults::SAML_MAX_DURATION); `None` for STS's default
    /// (1 hour, capped by the role's maximum).
    pub duration: Option<Duration>,
    /// An inline session policy (JSON, at most 2048 characters) that narrows the role's
    /// permissions.
    pub policy: Option<String>,
}

impl SamlOptions {
    /// The role, the IAM SAML provider and the assertion source, with STS's default duration
    /// and no session policy.
    pub fn new(
        role_arn: impl Into<String>,
        principal_arn: impl Into<String>,
        assertion: AssertionSource,
    ) -> Self {
        SamlOptions {
            role_arn: role_arn.into(),
            principal_arn: principal_arn.into(),
            assertion,
            duration: None,
            policy: None,
        }
    }

    /// Checks the ARNs, the duration and the policy without building anything: what a binding
    /// calls when its SAML object is constructed, so mistakes surface before the first login.
    /// The same checks as [`SamlProviderBuilder::build`], with the same errors.
    pub fn validate(&self) -> Result<(), Error> {
        SamlProviderBuilder::from(self.clone()).build().map(drop)
    }
}

impl From<SamlOptions> for SamlProviderBuilder {
    fn from(options: SamlOptions) -> Self {
        let mut builder = SamlProvider::builder(options.role_arn, options.principal_arn, options.assertion);
        builder.inner.duration = options.duration;
        builder.inner.policy = options.policy;
        builder
    }
}

/// Assumes a role with a SAML assertion.
#[derive(Clone, Debug)]
pub struct SamlProvider {
    role_arn: String,
    principal_arn: String,
    assertion: AssertionSource,
    duration: Option<Duration>,
    policy: Option<String>,
    config: ProviderConfig,
}

/// Builds a [`SamlProvider`]; [`SamlProviderBuilder::build`] validates. Also the SAML half of
/// [`Authenticator::saml`](crate::Authenticator::saml). Cloning is cheap (the assertion source
/// is shared), so a binding can keep one and build an authenticator from it per call.
#[derive(Clone, Debug)]
pub struct SamlProviderBuilder {
    inner: SamlProvider,
}

impl SamlProvider {
    /// Starts a builder for `role_arn` (the role to assume), `principal_arn` (the IAM SAML
    /// provider, `arn:aws:iam::…:saml-provider/Name`) and the source of assertions.
    pub fn builder(
        role_arn: impl Into<String>,
        principal_arn: impl Into<String>,
        assertion: AssertionSource,
    ) -> SamlProviderBuilder {
        SamlProviderBuilder {
            inner: SamlProvider {
                role_arn: role_arn.into().trim().to_owned(),
                principal_arn: principal_arn.into().trim().to_owned(),
                assertion,
                duration: None,
                policy: None,
                config: ProviderConfig::new(),
            },
        }
    }

    /// The role this provider assumes.
    pub fn role_arn(&self) -> &str {
        &self.role_arn
    }

    /// Assumes the role now, with a fresh assertion.
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let assertion = self.assertion.fetch(self.config.fs()).await.map_err(ProviderError::Failed)?;
        let assertion = check_assertion(assertion).map_err(ProviderError::Failed)?;
        let mut params = vec![
            Param::plain("RoleArn", self.role_arn.clone()),
            Param::plain("PrincipalArn", self.principal_arn.clone()),
            Param::secret("SAMLAssertion", assertion),
        ];
        if let Some(d) = self.duration {
            params.push(Param::plain("DurationSeconds", d.as_secs().to_string()));
        }
        if let Some(policy) = &self.policy {
            params.push(Param::plain("Policy", policy.clone()));
        }
        let hint = format!(
            "get a fresh assertion from the identity provider, and check that the IAM SAML provider \
             {} trusts it and that the assertion maps to this role",
            self.principal_arn
        );
        let call = sts::Call {
            action: Action::AssumeRoleWithSaml,
            source: NAME,
            role_arn: &self.role_arn,
            params,
            identity_hint: &hint,
        };
        sts::assume_role(&self.config, call).await.map_err(ProviderError::Failed)
    }
}

impl SamlProviderBuilder {
    /// How long the credentials last, 15 minutes to 12 hours (STS's default is 1 hour, capped by
    /// the role's maximum and the assertion's `SessionNotOnOrAfter`).
    #[must_use]
    pub fn duration(mut self, duration: Duration) -> Self {
        self.inner.duration = Some(duration);
        self
    }

    /// An inline session policy (JSON) that narrows the role's permissions.
    #[must_use]
    pub fn policy(mut self, policy: impl Into<String>) -> Self {
        self.inner.policy = Some(policy.into());
        self
    }

    /// The environment, STS endpoint and timeout (default: the real world).
    #[must_use]
    pub fn provider_config(mut self, config: ProviderConfig) -> Self {
        self.inner.config = config;
        self
    }

    /// Validates the ARNs, the duration and the policy.
    pub fn build(self) -> Result<SamlProvider, Error> {
        let p = self.inner;
        let invalid = |e: Error| Error::invalid_argument(e.message().to_owned());
        sts::check_arn(&p.role_arn, "the role ARN", "role/").map_err(invalid)?;
        sts::check_arn(&p.principal_arn, "the principal ARN (the IAM SAML provider)", "saml-provider/")
            .map_err(invalid)?;
        if let Some(d) = p.duration
            && (d.subsec_nanos() != 0 || d < MIN_DURATION || d > MAX_DURATION)
        {
            return Err(Error::invalid_argument(format!(
                "the SAML session duration must be whole seconds from {} to {} (15 minutes to 12 hours)",
                MIN_DURATION.as_secs(),
                MAX_DURATION.as_secs()
            )));
        }
        if let Some(policy) = &p.policy
            && (policy.trim().is_empty() || policy.chars().count() > MAX_POLICY_CHARS)
        {
            return Err(Error::invalid_argument(format!(
                "the session policy must be a non-empty JSON policy of at most {MAX_POLICY_CHARS} characters"
            )));
        }
        Ok(p)
    }
}

/// Removes the line breaks of wrapped base64 and checks what STS would refuse, without ever
/// quoting the assertion.
fn check_assertion(assertion: Zeroizing<String>) -> Result<Zeroizing<String>, Error> {
    let compact = Zeroizing::new(assertion.chars().filter(|c| !c.is_ascii_whitespace()).collect::<String>());
    let refuse = |why: &str| {
        Error::new(
            ErrorKind::CredentialsProvider,
            format!(
                "{NAME}: the SAML assertion {why}: pass the base64 SAMLResponse exactly as the IdP posts it"
            ),
        )
    };
    if compact.is_empty() {
        return Err(refuse("is empty"));
    }
    if !(MIN_ASSERTION_CHARS..=MAX_ASSERTION_CHARS).contains(&compact.len()) {
        return Err(refuse(&format!(
            "is {} characters long, outside the {MIN_ASSERTION_CHARS} to {MAX_ASSERTION_CHARS} STS accepts",
            compact.len()
        )));
    }
    let decoded = Zeroizing::new(
        base64::engine::general_purpose::STANDARD
            .decode(compact.as_bytes())
            .map_err(|_| refuse("is not base64"))?,
    );
    drop(decoded);
    Ok(compact)
}

impl ProvideCredentials for SamlProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }

    /// Role, IdP, duration, policy and endpoint: the assertion changes on every call, the
    /// identity it grants does not.
    fn cache_key(&self) -> Option<String> {
        let endpoint = crate::sts::resolve_endpoint(&self.config).ok()?;
        Some(format!(
            "{NAME}\n{}\n{}\n{:?}\n{}\n{}",
            self.role_arn,
            self.principal_arn,
            self.duration.map(|d| d.as_secs()),
            self.policy.as_deref().unwrap_or(""),
            crate::redact::url_for_key(endpoint.url())
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/saml-role";
    const IDP: &str = "arn:aws:iam::123456789012:saml-provider/corp-idp";

    fn source() -> AssertionSource {
        AssertionSource::from_fn(|| Ok("PHNhbWxwOlJlc3BvbnNlLz4=".to_owned()))
    }

    #[test]
    fn build_validates() {
        assert!(SamlProvider::builder(ROLE, IDP, source()).build().is_ok());
        let ok = SamlProvider::builder(ROLE, IDP, source())
            .duration(Duration::from_secs(900))
            .policy("{\"Version\":\"2012-10-17\"}")
            .build();
        assert!(ok.is_ok());
        let cases = [
            (SamlProvider::builder("role", IDP, source()), "the role ARN"),
            (SamlProvider::builder(ROLE, ROLE, source()), "the principal ARN"),
            (SamlProvider::builder(ROLE, IDP, source()).duration(Duration::from_secs(899)), "900 to 43200"),
            (
                SamlProvider::builder(ROLE, IDP, source()).duration(Duration::from_secs(43_201)),
                "900 to 43200",
            ),
            (
                SamlProvider::builder(ROLE, IDP, source()).duration(Duration::from_millis(900_500)),
                "whole seconds",
            ),
            (SamlProvider::builder(ROLE, IDP, source()).policy(" "), "session policy"),
        ];
        for (builder, want) in cases {
            let e = builder.build().unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().contains(want), "{e}");
        }
    }

    #[test]
    fn assertions_are_checked_without_being_quoted() {
        let ok = check_assertion(Zeroizing::new("PHNhbWxw\r\nOlJlc3Bv bnNlLz4=\n".into())).unwrap();
        assert_eq!(ok.as_str(), "PHNhbWxwOlJlc3BvbnNlLz4=");
        for (bad, want) in [("", "is empty"), ("QQ=", "characters long"), ("not*base64!", "is not base64")] {
            let e = check_assertion(Zeroizing::new(bad.into())).unwrap_err();
            assert!(e.message().contains(want), "{e}");
            if !bad.is_empty() {
                assert!(!e.message().contains(bad));
            }
        }
    }

    #[tokio::test]
    async fn callback_errors_and_panics_become_failures() {
        let failing =
            AssertionSource::from_fn(|| Err(Error::new(ErrorKind::CredentialsProvider, "IdP down")));
        let p = SamlProvider::builder(ROLE, IDP, failing).build().unwrap();
        let e = p.load().await.unwrap_err();
        assert!(e.to_string().contains("IdP down"), "{e}");
        let panicking = AssertionSource::from_async_fn(|| async { panic!("boom") });
        let p = SamlProvider::builder(ROLE, IDP, panicking).build().unwrap();
        assert!(p.load().await.unwrap_err().to_string().contains("panicked"));
        let p = SamlProvider::builder(ROLE, IDP, AssertionSource::from_file("/nonexistent/assertion"))
            .build()
            .unwrap();
        assert!(p.load().await.unwrap_err().to_string().contains("/nonexistent/assertion"));
        assert!(format!("{p:?}").contains("AssertionSource::File"));
    }
}
