//! Errors: one [`Error`] type with a stable [`ErrorKind`], and the attempt list a credential
//! chain produces when no source could supply credentials.
//!
//! Every message is written for the person who has to act on it: what failed, where, and what to
//! do next. No message ever contains a secret access key, session token or other bearer secret;
//! the error tests format every error built from a known secret and check that.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The category of an [`Error`].
///
/// The numeric values are stable: the C ABI's result codes use the same numbers, and a value is
/// never reused for something else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u32)]
pub enum ErrorKind {
    /// An argument was invalid: an empty value, a malformed option, a call made in the wrong
    /// order.
    InvalidArgument = 1,
    /// The configuration cannot work: credentials where the spec forbids them, a half-set
    /// environment (a key without a secret), a URL the library refuses to call.
    Configuration = 2,
    /// No configured source could supply credentials. [`Error::attempts`] lists each source.
    CredentialsNotFound = 3,
    /// A credential source was configured but failed (an endpoint answered with an error,
    /// garbage, or credentials that are not usable).
    CredentialsProvider = 4,
    /// The server's part of the SASL conversation was malformed or failed validation.
    Authentication = 5,
    /// SigV4 signing of the GetCallerIdentity request failed.
    Signing = 6,
    /// The caller's deadline passed before the operation finished.
    Timeout = 7,
    /// The operation cannot run in this context (for example a blocking call from inside an
    /// async runtime).
    Runtime = 8,
    /// A bug in this library. Please report it with the message.
    Internal = 99,
}

impl ErrorKind {
    /// Every kind, in result-code order.
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::InvalidArgument,
        ErrorKind::Configuration,
        ErrorKind::CredentialsNotFound,
        ErrorKind::CredentialsProvider,
        ErrorKind::Authentication,
        ErrorKind::Signing,
        ErrorKind::Timeout,
        ErrorKind::Runtime,
        ErrorKind::Internal,
    ];

    /// The error's code, the same string in every face: `"INVALID_ARGUMENT"`,
    /// `"CONFIGURATION"`, ... (Python's and Node's `err.code`, C's `mongoawsauth_result_name`).
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "INVALID_ARGUMENT",
            ErrorKind::Configuration => "CONFIGURATION",
            ErrorKind::CredentialsNotFound => "CREDENTIALS_NOT_FOUND",
            ErrorKind::CredentialsProvider => "CREDENTIALS_PROVIDER",
            ErrorKind::Authentication => "AUTHENTICATION",
            ErrorKind::Signing => "SIGNING",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Runtime => "RUNTIME",
            ErrorKind::Internal => "INTERNAL",
        }
    }

    /// The stable number of this kind: C's `mongoawsauth_result_t` value, Python's
    /// `err.result_code`, Node's `err.resultCode`. A number is never reused for another kind.
    pub fn result_code(self) -> u32 {
        self as u32
    }

    /// The kind with this result code, or `None` for a number no kind has (0 is C's success,
    /// 100 its caught panic; a newer library may add kinds).
    pub fn from_result_code(code: u32) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|kind| kind.result_code() == code)
    }

    /// Renamed [`ErrorKind::result_code`]: "code" is now the name ([`ErrorKind::name`]) in
    /// every face.
    #[deprecated(since = "0.2.0", note = "use `result_code()`; the code is now `name()`")]
    pub fn code(self) -> u32 {
        self.result_code()
    }

    /// A few human words for this kind, e.g. `"authentication"`, `"credentials not found"`
    /// (what `Display` prints). The same as [`ErrorKind::description`].
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Configuration => "configuration",
            ErrorKind::CredentialsNotFound => "credentials not found",
            ErrorKind::CredentialsProvider => "credentials provider",
            ErrorKind::Authentication => "authentication",
            ErrorKind::Signing => "signing",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Runtime => "runtime",
            ErrorKind::Internal => "internal",
        }
    }

    /// A few human words for this kind (the same as [`ErrorKind::as_str`]); branch on
    /// [`ErrorKind::name`] or the kind itself, never on these words.
    pub fn description(self) -> &'static str {
        self.as_str()
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What happened when a chain asked one source for credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptOutcome {
    /// The source supplied credentials.
    Succeeded,
    /// The source is not configured in this environment; the chain moved on. The text says why
    /// (for example which environment variable was unset).
    NotConfigured(String),
    /// The source was configured and failed; the chain stopped here.
    Failed {
        /// The kind of the source's error.
        kind: ErrorKind,
        /// The source's error message.
        message: String,
    },
}

impl AttemptOutcome {
    /// The outcome's name, the same string in the Python and Node faces: `"succeeded"`,
    /// `"not_configured"` or `"failed"`.
    pub fn name(&self) -> &'static str {
        match self {
            AttemptOutcome::Succeeded => "succeeded",
            AttemptOutcome::NotConfigured(_) => "not_configured",
            AttemptOutcome::Failed { .. } => "failed",
        }
    }
}

/// One source a chain tried, with its outcome and how long it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The source's name, e.g. `"environment"`.
    pub source: String,
    /// What happened.
    pub outcome: AttemptOutcome,
    /// How long the source took to answer.
    pub elapsed: Duration,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.elapsed.as_secs_f64() * 1000.0;
        match &self.outcome {
            AttemptOutcome::Succeeded => write!(f, "{}: succeeded ({ms:.1} ms)", self.source),
            AttemptOutcome::NotConfigured(why) => {
                write!(f, "{}: not configured, {why} ({ms:.1} ms)", self.source)
            }
            AttemptOutcome::Failed { message, .. } => {
                write!(f, "{}: failed, {message} ({ms:.1} ms)", self.source)
            }
        }
    }
}

/// The error type of every fallible operation in this crate.
///
/// `Display` gives one actionable sentence; for a chain failure it is followed by one line per
/// source tried. Use [`Error::kind`] to branch, not the message text.
#[derive(Clone)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    attempts: Vec<Attempt>,
    cause: Option<Cause>,
    option: Option<&'static str>,
}

/// What a host's callback failed with, kept so that a binding can hand the original error (a
/// JavaScript exception, a Python exception) back to its caller as the cause. The core never
/// formats it: its text is already part of the message where it matters.
pub type Cause = Arc<dyn std::error::Error + Send + Sync>;

// Equality is about what the library reports (kind, message, attempts, option); a host's cause
// object has no meaningful equality.
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.message == other.message
            && self.attempts == other.attempts
            && self.option == other.option
    }
}

impl Eq for Error {}

impl Error {
    /// Creates an error of `kind` with a message. The message must never contain a secret.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), attempts: Vec::new(), cause: None, option: None }
    }

    /// The same error, naming the option it is about (see [`Error::option`]).
    #[must_use]
    pub fn with_option(mut self, option: &'static str) -> Self {
        self.option = Some(option);
        self
    }

    /// The option this error is about, for an error refusing a value when options are built:
    /// its concept name, the same in every face's contract (`"credentials_timeout"`,
    /// `"refresh_window"`, `"refresh_ahead"`, `"metadata_connect_timeout"`,
    /// `"metadata_read_timeout"`, `"sts_timeout"`, `"sts_endpoint"`, `"imds_endpoint"`,
    /// `"ecs_base_url"`, `"profile"`). A binding maps it to its own spelling (`timeoutMs`,
    /// `mongoawsauth_options_set_sts_endpoint`, ...) without parsing the message, whose first
    /// word is that same concept name. `None` for every other error.
    pub fn option(&self) -> Option<&'static str> {
        self.option
    }

    /// The same error, remembering what caused it (see [`Error::cause`]).
    #[must_use]
    pub fn with_cause(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.cause = Some(Arc::new(cause));
        self
    }

    /// The error this one wraps, if any: the error a custom provider's callback returned (which
    /// may carry the host's own cause in turn). Also reachable through
    /// [`std::error::Error::source`].
    pub fn cause(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.cause.as_deref()
    }

    pub(crate) fn with_attempts(mut self, attempts: Vec<Attempt>) -> Self {
        self.attempts = attempts;
        self
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidArgument, message)
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Configuration, message)
    }

    pub(crate) fn authentication(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Authentication, message)
    }

    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The one-sentence message, without the attempt list.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For a chain failure, every source tried in order, with its outcome and time. Empty for
    /// other errors.
    pub fn attempts(&self) -> &[Attempt] {
        &self.attempts
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for attempt in &self.attempts {
            write!(f, "\n  - {attempt}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("attempts", &self.attempts)
            .field("option", &self.option)
            .field("has_cause", &self.cause.is_some())
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// Shorthand for `Result<T, mongoawsauth::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(ErrorKind::InvalidArgument.result_code(), 1);
        assert_eq!(ErrorKind::Configuration.result_code(), 2);
        assert_eq!(ErrorKind::CredentialsNotFound.result_code(), 3);
        assert_eq!(ErrorKind::CredentialsProvider.result_code(), 4);
        assert_eq!(ErrorKind::Authentication.result_code(), 5);
        assert_eq!(ErrorKind::Signing.result_code(), 6);
        assert_eq!(ErrorKind::Timeout.result_code(), 7);
        assert_eq!(ErrorKind::Runtime.result_code(), 8);
        assert_eq!(ErrorKind::Internal.result_code(), 99);
    }

    #[test]
    fn result_codes_round_trip_and_unknown_numbers_have_no_kind() {
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_result_code(kind.result_code()), Some(kind), "{kind}");
        }
        for unknown in [0, 9, 42, 98, 100, u32::MAX] {
            assert_eq!(ErrorKind::from_result_code(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn cause_is_kept_but_not_compared_or_shown() {
        let inner = Error::new(ErrorKind::CredentialsProvider, "vault down");
        let outer =
            Error::new(ErrorKind::CredentialsProvider, "the provider failed").with_cause(inner.clone());
        let cause = outer.cause().and_then(|c| c.downcast_ref::<Error>()).unwrap();
        assert_eq!(cause, &inner);
        assert!(std::error::Error::source(&outer).is_some());
        assert_eq!(outer, Error::new(ErrorKind::CredentialsProvider, "the provider failed"));
        assert_eq!(outer.to_string(), "the provider failed");
    }

    #[test]
    fn display_lists_attempts() {
        let err = Error::new(ErrorKind::CredentialsNotFound, "no credentials").with_attempts(vec![Attempt {
            source: "environment".into(),
            outcome: AttemptOutcome::NotConfigured("AWS_ACCESS_KEY_ID is not set".into()),
            elapsed: Duration::from_micros(1500),
        }]);
        let text = err.to_string();
        assert!(text.starts_with("no credentials\n  - environment: not configured"));
        assert!(text.contains("AWS_ACCESS_KEY_ID is not set (1.5 ms)"));
    }
}
