//! [`Credentials`]: an AWS access key id, its secret, an optional session token, an optional
//! expiry and the name of the source that produced them.
//!
//! The secret and the token live in [`secrecy::SecretString`]s: they are zeroized when the last
//! clone is dropped and never appear in `Debug` or `Display`. Only the two shapes AWS issues are
//! accepted: long-term keys {id, secret} and temporary credentials {id, secret, token}.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_smithy_runtime_api::client::identity::Identity;

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// The source name of credentials an application builds itself (a binding's constructor, the
/// C library's `mongoawsauth_credentials_new`): the same word in every face. The static
/// provider keeps its own name, `"static"`.
pub const APPLICATION_SOURCE: &str = "application";

/// What `Debug` and `Display` print instead of a secret.
pub(crate) const REDACTED: &str = "** redacted **";

/// AWS credentials, cheap to clone.
///
/// Build them with [`Credentials::new`] (which validates) or [`Credentials::builder`]. The
/// secret access key and session token are only reachable through the explicitly named
/// [`Credentials::secret_access_key`] and [`Credentials::session_token`].
#[derive(Clone)]
pub struct Credentials {
    inner: Arc<Inner>,
}

struct Inner {
    access_key_id: String,
    secret_access_key: SecretString,
    session_token: Option<SecretString>,
    expiry: Option<SystemTime>,
    source: String,
    /// The same keys as aws-sigv4 wants them, built on first signature so that repeated
    /// signatures with one set of credentials copy the secret once, not per signature.
    identity: OnceLock<Identity>,
    /// Set when these credentials sit in the process-wide cache: the entry's generation.
    generation: Option<u64>,
}

/// Returns `None` for a value that is absent, empty or whitespace only: the SDKs and the drivers
/// treat a blank variable as unset.
pub(crate) fn non_blank(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.trim().is_empty())
}

impl Credentials {
    /// The latest expiry credentials may carry, in seconds since the Unix epoch:
    /// 9999-12-31T23:59:59Z, the last second RFC 3339 (the format AWS gives expiries in) can
    /// write. The earliest is the epoch itself.
    pub const LATEST_EXPIRY_UNIX_SECS: u64 = 253_402_300_799;

    /// Validates and builds credentials.
    ///
    /// Blank values count as unset. Errors (kind [`crate::ErrorKind::InvalidArgument`]) name what
    /// is missing: an access key id without a secret, a secret without an id, or a session token
    /// without both; or what is impossible: an expiry after 9999-12-31T23:59:59Z
    /// ([`Credentials::LATEST_EXPIRY_UNIX_SECS`]) or before 1970.
    pub fn new(
        access_key_id: Option<&str>,
        secret_access_key: Option<&str>,
        session_token: Option<&str>,
        expiry: Option<SystemTime>,
        source: impl Into<String>,
    ) -> Result<Self> {
        let source = source.into();
        let id = non_blank(access_key_id);
        let secret = non_blank(secret_access_key);
        let token = non_blank(session_token);
        match (id, secret) {
            (Some(id), Some(secret)) => {
                if id.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(Error::invalid_argument(format!(
                        "the access key id from {source} contains whitespace or control characters; \
                         check how it was copied"
                    )));
                }
                if let Some(expiry) = expiry {
                    check_expiry(expiry, &source)?;
                }
                Ok(Credentials {
                    inner: Arc::new(Inner {
                        access_key_id: id.to_owned(),
                        secret_access_key: SecretString::from(secret),
                        session_token: token.map(SecretString::from),
                        expiry,
                        source,
                        identity: OnceLock::new(),
                        generation: None,
                    }),
                })
            }
            (Some(_), None) => Err(Error::invalid_argument(format!(
                "{source} has an access key id but no secret access key: set both, \
                 plus a session token for temporary credentials"
            ))),
            (None, Some(_)) => Err(Error::invalid_argument(format!(
                "{source} has a secret access key but no access key id: set both, \
                 plus a session token for temporary credentials"
            ))),
            (None, None) if token.is_some() => Err(Error::invalid_argument(format!(
                "{source} has a session token but no access key id or secret access key: \
                 temporary credentials need all three"
            ))),
            (None, None) => Err(Error::invalid_argument(format!(
                "{source} has no access key id and no secret access key"
            ))),
        }
    }

    /// A builder, for code that sets fields one at a time.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use mongoawsauth::Credentials;
    ///
    /// let credentials = Credentials::builder("vault")
    ///     .access_key_id("ASIAEXAMPLEKEY")
    ///     .secret_access_key("example-secret")
    ///     .session_token("example-token")
    ///     .expiration(SystemTime::now() + Duration::from_secs(3600))
    ///     .build()?;
    /// assert!(credentials.is_temporary());
    /// // Debug and Display never show the secret or the token.
    /// assert!(!format!("{credentials:?}").contains("example-secret"));
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn builder(source: impl Into<String>) -> CredentialsBuilder {
        CredentialsBuilder { source: source.into(), ..CredentialsBuilder::default() }
    }

    /// The access key id (`AKIA…` for long-term keys, `ASIA…` for temporary ones). Not a secret.
    pub fn access_key_id(&self) -> &str {
        &self.inner.access_key_id
    }

    /// The secret access key. Handle with care: never log it.
    pub fn secret_access_key(&self) -> &str {
        self.inner.secret_access_key.expose_secret()
    }

    /// The session token of temporary credentials. Handle with care: never log it.
    pub fn session_token(&self) -> Option<&str> {
        self.inner.session_token.as_ref().map(|t| t.expose_secret())
    }

    /// Whether these are temporary credentials (they carry a session token).
    pub fn is_temporary(&self) -> bool {
        self.inner.session_token.is_some()
    }

    /// When the credentials stop working, if the source said.
    pub fn expiration(&self) -> Option<SystemTime> {
        self.inner.expiry
    }

    /// Renamed [`Credentials::expiration`], the name every face uses.
    #[deprecated(since = "0.2.0", note = "use `expiration()`")]
    pub fn expiry(&self) -> Option<SystemTime> {
        self.expiration()
    }

    /// The name of the source that produced them, e.g. `"environment"`.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The same credentials attributed to another source name (used by chains and wrappers).
    pub fn with_source(&self, source: impl Into<String>) -> Credentials {
        self.copy_with(source.into(), self.inner.expiry, self.inner.generation)
    }

    /// The generation of the cache entry these credentials came from, if they came from the
    /// process-wide cache. Pass it to [`crate::Authenticator::report_failure`] when a login with
    /// them fails, so that exactly that entry is dropped.
    pub fn generation(&self) -> Option<u64> {
        self.inner.generation
    }

    /// Whether `other` holds exactly these keys (access key id, secret and session token),
    /// whatever their expiry, source or generation. Compares in memory; shows nothing.
    pub(crate) fn same_keys(&self, other: &Credentials) -> bool {
        self.access_key_id() == other.access_key_id()
            && self.secret_access_key() == other.secret_access_key()
            && self.session_token() == other.session_token()
    }

    pub(crate) fn with_generation(&self, generation: u64) -> Credentials {
        self.copy_with(self.inner.source.clone(), self.inner.expiry, Some(generation))
    }

    pub(crate) fn with_expiry(&self, expiry: Option<SystemTime>) -> Credentials {
        self.copy_with(self.inner.source.clone(), expiry, self.inner.generation)
    }

    fn copy_with(&self, source: String, expiry: Option<SystemTime>, generation: Option<u64>) -> Credentials {
        Credentials {
            inner: Arc::new(Inner {
                access_key_id: self.inner.access_key_id.clone(),
                secret_access_key: SecretString::from(self.secret_access_key()),
                session_token: self.session_token().map(SecretString::from),
                expiry,
                source,
                identity: OnceLock::new(),
                generation,
            }),
        }
    }
}

/// Refuses an expiry no credentials can have. Such a value is a unit mistake (nanoseconds for
/// milliseconds) or garbage from a source, and letting it through would only move the failure
/// to whatever prints or compares it later.
fn check_expiry(expiry: SystemTime, source: &str) -> Result<()> {
    match expiry.duration_since(UNIX_EPOCH) {
        Err(_) => Err(Error::invalid_argument(format!(
            "the expiry from {source} is before 1970, which no credentials have: pass the \
             real expiry, or none"
        ))),
        // Anything inside the last second of year 9999 still formats (as 23:59:59Z); the
        // Node face accepts a JavaScript Date up to its last millisecond.
        Ok(after) if after >= Duration::from_secs(Credentials::LATEST_EXPIRY_UNIX_SECS + 1) => {
            Err(Error::invalid_argument(format!(
                "the expiry from {source} is after 9999-12-31T23:59:59Z ({} s since 1970), which \
                 no credentials have: check its unit, or pass none",
                after.as_secs()
            )))
        }
        Ok(_) => Ok(()),
    }
}

impl Credentials {
    /// The aws-sigv4 identity for these keys. aws-credential-types keeps the secret in
    /// `Zeroizing` storage and redacts it in `Debug`, so this copy is held to the same rules.
    pub(crate) fn signing_identity(&self) -> &Identity {
        self.inner.identity.get_or_init(|| {
            aws_credential_types::Credentials::new(
                self.inner.access_key_id.clone(),
                self.secret_access_key().to_owned(),
                self.session_token().map(str::to_owned),
                None,
                "mongoawsauth",
            )
            .into()
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.inner.access_key_id)
            .field("secret_access_key", &REDACTED)
            .field("session_token", &self.inner.session_token.as_ref().map(|_| REDACTED))
            .field("expiry", &self.inner.expiry.map(crate::time_fmt::iso8601))
            .field("source", &self.inner.source)
            .field("generation", &self.inner.generation)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} credentials {} from {}",
            if self.is_temporary() { "temporary" } else { "long-term" },
            self.inner.access_key_id,
            self.inner.source
        )?;
        if let Some(expiry) = self.inner.expiry {
            write!(f, ", expiring {}", crate::time_fmt::iso8601(expiry))?;
        }
        Ok(())
    }
}

/// Builds [`Credentials`] field by field; [`CredentialsBuilder::build`] validates.
#[derive(Default)]
pub struct CredentialsBuilder {
    access_key_id: Option<String>,
    secret_access_key: Option<SecretString>,
    session_token: Option<SecretString>,
    expiry: Option<SystemTime>,
    source: String,
}

impl CredentialsBuilder {
    /// Sets the access key id.
    pub fn access_key_id(mut self, value: impl Into<String>) -> Self {
        self.access_key_id = Some(value.into());
        self
    }

    /// Sets the secret access key.
    pub fn secret_access_key(mut self, value: impl Into<String>) -> Self {
        self.secret_access_key = Some(SecretString::from(value.into()));
        self
    }

    /// Sets the session token of temporary credentials.
    pub fn session_token(mut self, value: impl Into<String>) -> Self {
        self.session_token = Some(SecretString::from(value.into()));
        self
    }

    /// Sets when the credentials expire (checked by [`CredentialsBuilder::build`]: between 1970
    /// and 9999-12-31T23:59:59Z).
    pub fn expiration(mut self, value: SystemTime) -> Self {
        self.expiry = Some(value);
        self
    }

    /// Renamed [`CredentialsBuilder::expiration`], the name every face uses.
    #[deprecated(since = "0.2.0", note = "use `expiration()`")]
    pub fn expiry(self, value: SystemTime) -> Self {
        self.expiration(value)
    }

    /// Validates and builds, with the rules of [`Credentials::new`].
    pub fn build(self) -> Result<Credentials> {
        Credentials::new(
            self.access_key_id.as_deref(),
            self.secret_access_key.as_ref().map(|s| s.expose_secret()),
            self.session_token.as_ref().map(|s| s.expose_secret()),
            self.expiry,
            self.source,
        )
    }
}

impl fmt::Debug for CredentialsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialsBuilder")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key.as_ref().map(|_| REDACTED))
            .field("session_token", &self.session_token.as_ref().map(|_| REDACTED))
            .field("source", &self.source)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

    #[test]
    fn long_term_and_temporary_shapes_are_valid() {
        let c = Credentials::new(Some("AKIDEXAMPLE"), Some(SECRET), None, None, "test").unwrap();
        assert!(!c.is_temporary());
        assert_eq!(c.secret_access_key(), SECRET);
        let t = Credentials::new(Some("ASIAX"), Some(SECRET), Some("tok"), None, "test").unwrap();
        assert_eq!(t.session_token(), Some("tok"));
    }

    #[test]
    fn blank_values_count_as_unset() {
        let c = Credentials::new(Some("AKID"), Some(SECRET), Some("  "), None, "test").unwrap();
        assert_eq!(c.session_token(), None);
        let e = Credentials::new(Some("AKID"), Some(" \t"), None, None, "env").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("no secret access key"), "{e}");
    }

    #[test]
    fn every_invalid_shape_names_what_is_missing() {
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, &'a str);
        let cases: [Case<'_>; 4] = [
            (Some("AKID"), None, None, "no secret access key"),
            (None, Some(SECRET), None, "no access key id"),
            (None, None, Some("tok"), "session token but no access key id"),
            (None, None, None, "no access key id and no secret"),
        ];
        for (id, secret, token, expected) in cases {
            let e = Credentials::new(id, secret, token, None, "src").unwrap_err();
            assert!(e.message().contains(expected), "{e}");
            assert!(!e.to_string().contains(SECRET));
        }
    }

    #[test]
    fn builder_validates_too() {
        let e = Credentials::builder("b").session_token("t").build().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        let c = Credentials::builder("b").access_key_id("AKID").secret_access_key(SECRET).build().unwrap();
        assert_eq!(c.source(), "b");
    }

    fn at(secs: u64) -> SystemTime {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)
    }

    /// An expiry no real credentials can have (after 9999, before 1970) is refused where
    /// credentials are built, so no later `Debug`, `Display` or log line has to print it.
    #[test]
    fn impossible_expiries_are_invalid_arguments() {
        let last = Credentials::LATEST_EXPIRY_UNIX_SECS;
        let far = std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(u64::MAX / 4)).unwrap();
        // The last millisecond of year 9999 is still a time; the next second is not.
        let almost = at(last) + std::time::Duration::from_millis(999);
        assert!(Credentials::new(Some("ASIAX"), Some(SECRET), Some("tok"), Some(almost), "src").is_ok());
        for expiry in [at(last + 1), at(last + 1) + std::time::Duration::from_millis(1), far] {
            let e =
                Credentials::new(Some("ASIAX"), Some(SECRET), Some("tok"), Some(expiry), "src").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
            assert!(e.message().contains("after 9999-12-31T23:59:59Z") && e.message().contains("src"), "{e}");
            assert!(!e.to_string().contains(SECRET));
            let e = Credentials::builder("b")
                .access_key_id("AKID")
                .secret_access_key(SECRET)
                .expiration(expiry)
                .build()
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        }
        let before_1970 = std::time::UNIX_EPOCH - std::time::Duration::from_secs(1);
        let e = Credentials::new(Some("AKID"), Some(SECRET), None, Some(before_1970), "src").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.message().contains("before 1970"), "{e}");

        // The bounds themselves are real expiries.
        for expiry in [at(last), std::time::UNIX_EPOCH] {
            let c = Credentials::new(Some("AKID"), Some(SECRET), None, Some(expiry), "src").unwrap();
            assert_eq!(c.expiration(), Some(expiry));
        }
        let c = Credentials::new(Some("AKID"), Some(SECRET), None, Some(at(last)), "src").unwrap();
        assert!(c.to_string().ends_with("expiring 9999-12-31T23:59:59Z"), "{c}");
    }

    /// Debug and Display never panic, whatever expiry got in (the cache's test hook can still
    /// set any time, and formatting must not depend on every entry point being right).
    #[test]
    fn debug_and_display_are_total() {
        let c = Credentials::new(Some("AKID"), Some(SECRET), None, None, "src").unwrap();
        let far = std::time::UNIX_EPOCH.checked_add(std::time::Duration::from_secs(u64::MAX / 4)).unwrap();
        let c = c.with_expiry(Some(far));
        assert!(c.to_string().ends_with("expiring <after 9999-12-31T23:59:59Z>"), "{c}");
        assert!(format!("{c:?}").contains("<after 9999-12-31T23:59:59Z>"));
    }

    /// The metadata endpoints' `Expiration` reaches the same check: an offset that pushes
    /// 9999-12-31 into year 10000 in UTC, or a date before 1970, is not credentials.
    #[test]
    fn metadata_expirations_out_of_range_are_refused() {
        use crate::provider::metadata::{ParseError, parse};
        for (expiration, expected) in [
            ("9999-12-31T23:59:59-01:00", "after 9999-12-31T23:59:59Z"),
            ("1969-07-20T20:17:40Z", "before 1970"),
        ] {
            let mut body = format!(
                r#"{{"AccessKeyId":"ASIAX","SecretAccessKey":"{SECRET}","Token":"t","Expiration":"{expiration}"}}"#
            )
            .into_bytes();
            match parse(&mut body, "imds", &[]) {
                Err(ParseError::Invalid(why)) => {
                    assert!(why.contains(expected) && !why.contains(SECRET), "{why}")
                }
                other => panic!("{expiration}: {:?}", other.map(|_| "a document")),
            }
        }
    }

    /// The environment's AWS_CREDENTIAL_EXPIRATION goes through the same check.
    #[test]
    fn the_environment_expiration_is_checked_too() {
        use crate::provider::environment::EnvironmentProvider;
        let env = crate::Env::from_vars([
            ("AWS_ACCESS_KEY_ID", "ASIAX"),
            ("AWS_SECRET_ACCESS_KEY", SECRET),
            ("AWS_SESSION_TOKEN", "t"),
            ("AWS_CREDENTIAL_EXPIRATION", "1960-01-01T00:00:00Z"),
        ]);
        let e = EnvironmentProvider::with_env(env).load().unwrap_err();
        assert!(e.error().message().contains("before 1970"), "{}", e.error());
    }
}
