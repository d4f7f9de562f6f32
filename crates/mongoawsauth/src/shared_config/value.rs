//! Values read from the files, each remembering where it came from (file, line, section) so that
//! `diagnose` and every error can point at the line to fix.
//!
//! The values of secret keys (`aws_secret_access_key`, `aws_session_token` and botocore's older
//! `aws_security_token`) are held in [`SecretString`]s: zeroized when dropped, and printed as
//! `** redacted **` by `Debug`. No other type in this module prints a value it does not know to
//! be harmless.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::location::FileKind;
use crate::credentials::REDACTED;

/// The keys whose values are secrets.
pub const SECRET_KEYS: [&str; 3] = ["aws_secret_access_key", "aws_session_token", "aws_security_token"];

/// Whether `key` (lower-case) holds a secret.
pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEYS.contains(&key)
}

/// Where a value (or a section header) was read: file, 1-based line, and the section as written
/// in the file (`profile dev`, `default`, `sso-session corp`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Which file.
    pub kind: FileKind,
    /// Its path.
    pub path: Arc<Path>,
    /// The 1-based line number.
    pub line: usize,
    /// The section header's text, between the brackets, trimmed.
    pub section: Arc<str>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] in {} line {}", self.section, self.path.display(), self.line)
    }
}

/// A value with the place it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it was read.
    pub origin: Origin,
}

impl<T> Sourced<T> {
    /// Pairs a value with its origin.
    pub fn new(value: T, origin: Origin) -> Self {
        Sourced { value, origin }
    }

    /// The same origin with another value.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced { value: f(self.value), origin: self.origin }
    }
}

/// A secret value with the place it was read from. `Debug` never shows the value.
#[derive(Clone)]
pub struct SourcedSecret {
    value: SecretString,
    /// Where it was read.
    pub origin: Origin,
}

impl SourcedSecret {
    pub(crate) fn new(value: SecretString, origin: Origin) -> Self {
        SourcedSecret { value, origin }
    }

    /// The secret itself; the name says what it does.
    pub fn expose(&self) -> &str {
        self.value.expose_secret()
    }
}

impl fmt::Debug for SourcedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SourcedSecret").field("value", &REDACTED).field("origin", &self.origin).finish()
    }
}

#[derive(Clone)]
pub(crate) enum Text {
    Plain(String),
    Secret(SecretString),
}

impl Text {
    pub(crate) fn new(key: &str, value: String) -> Self {
        if is_secret_key(key) { Text::Secret(SecretString::from(value)) } else { Text::Plain(value) }
    }

    fn as_str(&self) -> &str {
        match self {
            Text::Plain(s) => s,
            Text::Secret(s) => s.expose_secret(),
        }
    }
}

/// One `key = value` line of a section (with its continuation lines), after normalisation: the
/// key is lower-case and the value trimmed.
#[derive(Clone)]
pub struct Property {
    pub(crate) key: String,
    pub(crate) value: Text,
    pub(crate) origin: Origin,
    pub(crate) sub_properties: Vec<SubProperty>,
}

impl Property {
    /// The key, lower-case.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The value, trimmed; continuation lines are joined with `\n`. For a secret key this is the
    /// secret: prefer [`Property::secret`] there.
    pub fn value(&self) -> &str {
        self.value.as_str()
    }

    /// The value, or `None` when it is empty (a blank value counts as unset when a profile is
    /// resolved, as an empty environment variable does).
    pub fn non_blank(&self) -> Option<&str> {
        Some(self.value()).filter(|v| !v.trim().is_empty())
    }

    /// Whether the value is a secret.
    pub fn is_secret(&self) -> bool {
        matches!(self.value, Text::Secret(_))
    }

    /// The value as a secret with its origin.
    pub fn secret(&self) -> SourcedSecret {
        SourcedSecret::new(SecretString::from(self.value()), self.origin.clone())
    }

    /// The value, trimmed, with its origin (for non-secret values).
    pub fn sourced(&self) -> Sourced<String> {
        Sourced::new(self.value().trim().to_owned(), self.origin.clone())
    }

    /// Where the property was read.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The nested `key = value` lines of a property whose own value is empty, as in
    /// `s3 =\n  max_concurrent_requests = 10` or `sts =\n  endpoint_url = …` in a `[services]`
    /// section. Empty for every other property.
    pub fn sub_properties(&self) -> &[SubProperty] {
        &self.sub_properties
    }

    /// The nested value under `key` (lower-case), if any.
    pub fn sub_property(&self, key: &str) -> Option<&SubProperty> {
        self.sub_properties.iter().rev().find(|s| s.key == key)
    }
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Property");
        d.field("key", &self.key);
        match &self.value {
            Text::Secret(_) => d.field("value", &REDACTED),
            Text::Plain(v) => d.field("value", v),
        };
        d.field("origin", &self.origin);
        if !self.sub_properties.is_empty() {
            d.field("sub_properties", &self.sub_properties);
        }
        d.finish()
    }
}

/// One nested `key = value` line under a property with an empty value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubProperty {
    /// The key, lower-case.
    pub key: String,
    /// The value, trimmed.
    pub value: String,
    /// The line it is on.
    pub line: usize,
}
