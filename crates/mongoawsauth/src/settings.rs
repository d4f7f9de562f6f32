//! Validation of a driver's MONGODB-AWS authentication settings (the connection string's
//! userinfo, `authSource` and `authMechanismProperties`, or the equivalent client options).
//!
//! The current MongoDB auth spec (2025-09-30, DRIVERS-3131) makes credentials in the URI or in
//! client options an error: they must come from the environment or a credential provider. That is
//! [`CredentialPolicy::Strict`], the default. [`CredentialPolicy::Legacy`] keeps the older rule
//! (username = access key id, password = secret, `AWS_SESSION_TOKEN` property = token) for
//! drivers that have not moved yet.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::conversation::{AUTH_SOURCE, MECHANISM};
use crate::credentials::Credentials;
use crate::error::{Error, Result};

/// Whether explicit credentials are allowed in the driver's settings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CredentialPolicy {
    /// The current spec: a username, password or `AWS_SESSION_TOKEN` property is an error.
    #[default]
    Strict,
    /// The pre-2025-10 spec: explicit credentials are accepted when complete.
    Legacy,
}

/// The authentication settings a driver collected for one client.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthSettings {
    /// The auth mechanism, if the user named one.
    pub mechanism: Option<String>,
    /// The username (the access key id under the legacy rule).
    pub username: Option<String>,
    /// The password (the secret access key under the legacy rule).
    pub password: Option<String>,
    /// `authSource`, if given.
    pub source: Option<String>,
    /// `authMechanismProperties` as (name, value) pairs, in the order given.
    pub mechanism_properties: Vec<(String, String)>,
}

impl std::fmt::Debug for AuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let props: Vec<(&str, &str)> = self
            .mechanism_properties
            .iter()
            .map(|(k, v)| {
                let shown = if k.eq_ignore_ascii_case("AWS_SESSION_TOKEN") {
                    crate::credentials::REDACTED
                } else {
                    v.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("AuthSettings")
            .field("mechanism", &self.mechanism)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| crate::credentials::REDACTED))
            .field("source", &self.source)
            .field("mechanism_properties", &props)
            .finish()
    }
}

/// Settings that passed validation.
#[derive(Clone, Debug)]
pub struct ValidatedSettings {
    /// Always `"$external"`.
    pub source: &'static str,
    /// Explicit credentials, only ever under [`CredentialPolicy::Legacy`].
    pub credentials: Option<Credentials>,
}

impl AuthSettings {
    /// Extracts the authentication settings from a `mongodb://` or `mongodb+srv://` connection
    /// string: the percent-decoded userinfo and the `authMechanism`, `authSource` and
    /// `authMechanismProperties` options (names case-insensitive). Everything else is ignored.
    ///
    /// ```
    /// use mongoawsauth::CredentialPolicy;
    /// use mongoawsauth::settings::AuthSettings;
    ///
    /// let settings = AuthSettings::from_connection_string(
    ///     "mongodb://cluster0.example.net/?authMechanism=MONGODB-AWS&authSource=$external",
    /// )?;
    /// settings.validate(CredentialPolicy::Strict)?;
    ///
    /// // Keys in the connection string are refused under the current specification.
    /// let with_keys = AuthSettings::from_connection_string(
    ///     "mongodb://AKID:secret@cluster0.example.net/?authMechanism=MONGODB-AWS",
    /// )?;
    /// assert!(with_keys.validate(CredentialPolicy::Strict).is_err());
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn from_connection_string(uri: &str) -> Result<AuthSettings> {
        let rest = uri.strip_prefix("mongodb://").or_else(|| uri.strip_prefix("mongodb+srv://")).ok_or_else(
            || Error::invalid_argument("a connection string must start with mongodb:// or mongodb+srv://"),
        )?;
        let (authority, query) = match rest.find(['/', '?']) {
            Some(i) => {
                let tail = &rest[i..];
                (&rest[..i], tail.split_once('?').map(|(_, q)| q))
            }
            None => (rest, None),
        };
        let mut settings = AuthSettings::default();
        if let Some((userinfo, _hosts)) = authority.rsplit_once('@') {
            let (user, password) = match userinfo.split_once(':') {
                Some((u, p)) => (u, Some(p)),
                None => (userinfo, None),
            };
            settings.username = Some(decode(user, "username")?.into_owned());
            settings.password = password.map(|p| decode(p, "password")).transpose()?.map(Cow::into_owned);
        }
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key.eq_ignore_ascii_case("authMechanism") {
                settings.mechanism = Some(decode(value, "authMechanism")?.into_owned());
            } else if key.eq_ignore_ascii_case("authSource") {
                settings.source = Some(decode(value, "authSource")?.into_owned());
            } else if key.eq_ignore_ascii_case("authMechanismProperties") {
                // Split the raw text first and decode each part afterwards: a `%2C` or `%3A`
                // inside a value is data, not a separator.
                for prop in value.split(',').filter(|p| !p.is_empty()) {
                    let (k, v) = prop.split_once(':').ok_or_else(|| {
                        // Never repeat the entry: a typo like NAME=VALUE would put a token here.
                        Error::invalid_argument(
                            "an authMechanismProperties entry is not NAME:VALUE (names and values are \
                             separated by a colon, entries by a comma)",
                        )
                    })?;
                    settings.mechanism_properties.push((
                        decode(k, "authMechanismProperties name")?.into_owned(),
                        decode(v, "authMechanismProperties value")?.into_owned(),
                    ));
                }
            }
        }
        Ok(settings)
    }

    /// Checks the settings for MONGODB-AWS under `policy`.
    pub fn validate(&self, policy: CredentialPolicy) -> Result<ValidatedSettings> {
        if let Some(mechanism) = &self.mechanism
            && mechanism != MECHANISM
        {
            return Err(Error::configuration(format!(
                "these settings name the mechanism {mechanism:?}; this validator is for {MECHANISM}"
            )));
        }
        match self.source.as_deref() {
            None | Some(AUTH_SOURCE) => {}
            Some(other) => {
                return Err(Error::configuration(format!(
                    "authSource must be {AUTH_SOURCE} for {MECHANISM}, not {other:?}: remove authSource \
                     or set it to {AUTH_SOURCE}"
                )));
            }
        }
        let mut token = None;
        for (name, value) in &self.mechanism_properties {
            if name.eq_ignore_ascii_case("AWS_SESSION_TOKEN") {
                token = Some(value.as_str());
            } else if name.eq_ignore_ascii_case("AWS_CREDENTIAL_PROVIDER") {
                // Set in code by the driver, never from a URI string; nothing to check here.
            } else {
                return Err(Error::configuration(format!(
                    "{name:?} is not a {MECHANISM} mechanism property; the only one is \
                     AWS_CREDENTIAL_PROVIDER"
                )));
            }
        }
        let username = self.username.as_deref();
        let password = self.password.as_deref();
        if username.is_some() && password.is_none() {
            return Err(Error::configuration(format!(
                "a username without a password is not valid for {MECHANISM}: remove the username \
                 and provide credentials through the environment or a credential provider"
            )));
        }
        match policy {
            CredentialPolicy::Strict => {
                if username.is_some() || password.is_some() {
                    return Err(Error::configuration(format!(
                        "{MECHANISM} does not accept a username or password in the connection string \
                         or client options: remove them and set AWS_ACCESS_KEY_ID and \
                         AWS_SECRET_ACCESS_KEY, or use a credential provider"
                    )));
                }
                if token.is_some() {
                    return Err(Error::configuration(format!(
                        "{MECHANISM} does not accept the AWS_SESSION_TOKEN mechanism property: \
                         remove it and set AWS_SESSION_TOKEN in the environment, or use a \
                         credential provider"
                    )));
                }
                Ok(ValidatedSettings { source: AUTH_SOURCE, credentials: None })
            }
            CredentialPolicy::Legacy => {
                if username.is_none() && password.is_none() {
                    if token.is_some() {
                        return Err(Error::configuration(
                            "the AWS_SESSION_TOKEN mechanism property needs a username (access key \
                             id) and password (secret access key) too",
                        ));
                    }
                    return Ok(ValidatedSettings { source: AUTH_SOURCE, credentials: None });
                }
                let credentials = Credentials::new(username, password, token, None, "connection string")
                    .map_err(|e| Error::configuration(e.message().to_owned()))?;
                Ok(ValidatedSettings { source: AUTH_SOURCE, credentials: Some(credentials) })
            }
        }
    }
}

fn decode<'a>(text: &'a str, what: &str) -> Result<Cow<'a, str>> {
    percent_decode_str(text).decode_utf8().map_err(|_| {
        Error::invalid_argument(format!(
            "the {what} in the connection string is not valid UTF-8 once decoded"
        ))
    })
}
