//! Credentials from environment variables (AWS Lambda, and anything that exports keys).
//!
//! Reads, on every call (never cached, per the spec):
//! - `AWS_ACCESS_KEY_ID`
//! - `AWS_SECRET_ACCESS_KEY`
//! - `AWS_SESSION_TOKEN` (optional; used whenever set)
//! - `AWS_CREDENTIAL_EXPIRATION` (optional, RFC 3339; informational)
//!
//! Blank values (empty or only whitespace) count as unset, as in the SDKs. The access key id
//! decides, as in botocore (the credential chain pymongo used through `pymongo-auth-aws`):
//! without it the source is "not configured" and the chain moves on, even when a stray secret or
//! session token is set (the reason names the stray variable, so it shows in the attempt list and
//! in `diagnose`); with it, a missing secret is a configuration error rather than a fall-through,
//! because moving on to another identity would hide the mistake.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::config::Env;
use crate::credentials::Credentials;
use crate::error::Error;

use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "environment";

const ACCESS_KEY_ID: &str = "AWS_ACCESS_KEY_ID";
const SECRET_ACCESS_KEY: &str = "AWS_SECRET_ACCESS_KEY";
const SESSION_TOKEN: &str = "AWS_SESSION_TOKEN";
const CREDENTIAL_EXPIRATION: &str = "AWS_CREDENTIAL_EXPIRATION";

/// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and `AWS_SESSION_TOKEN`.
#[derive(Clone, Debug, Default)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// Reads the process environment.
    pub fn new() -> Self {
        EnvironmentProvider { env: Env::real() }
    }

    /// Reads the given variables instead of the process environment.
    pub fn with_env(env: Env) -> Self {
        EnvironmentProvider { env }
    }

    /// Resolves credentials now, synchronously.
    pub fn load(&self) -> Result<Credentials, ProviderError> {
        let id = self.env.get_non_blank(ACCESS_KEY_ID);
        let secret = self.env.get_non_blank(SECRET_ACCESS_KEY);
        let token = self.env.get_non_blank(SESSION_TOKEN);
        let Some(_) = &id else {
            let stray: Vec<&str> = [(SECRET_ACCESS_KEY, &secret), (SESSION_TOKEN, &token)]
                .into_iter()
                .filter_map(|(name, value)| value.as_ref().map(|_| name))
                .collect();
            return Err(ProviderError::not_configured(if stray.is_empty() {
                format!("{ACCESS_KEY_ID} and {SECRET_ACCESS_KEY} are not set")
            } else {
                format!(
                    "{ACCESS_KEY_ID} is not set, so {} {} ignored (as botocore does): set \
                     {ACCESS_KEY_ID} to use {}, or unset {}",
                    stray.join(" and "),
                    if stray.len() == 1 { "is" } else { "are" },
                    if stray.len() == 1 { "it" } else { "them" },
                    if stray.len() == 1 { "it" } else { "them" },
                )
            }));
        };
        let missing = secret.is_none().then(|| {
            format!(
                "{ACCESS_KEY_ID} is set but {SECRET_ACCESS_KEY} is not: set both (and \
                 {SESSION_TOKEN} for temporary credentials), or unset {ACCESS_KEY_ID}"
            )
        });
        if let Some(message) = missing {
            return Err(ProviderError::Failed(Error::configuration(message)));
        }
        let expiry = match self.env.get_non_blank(CREDENTIAL_EXPIRATION) {
            None => None,
            Some(text) => Some(parse_expiration(text.trim()).ok_or_else(|| {
                ProviderError::Failed(Error::configuration(format!(
                    "{CREDENTIAL_EXPIRATION} is not an RFC 3339 time (like 2026-11-29T10:00:00Z): \
                     fix or unset it"
                )))
            })?),
        };
        Credentials::new(id.as_deref(), secret.as_deref(), token.as_deref(), expiry, NAME)
            .map_err(ProviderError::Failed)
    }
}

fn parse_expiration(text: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(SystemTime::from)
}

impl ProvideCredentials for EnvironmentProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let result = self.load();
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn provider(vars: &[(&str, &str)]) -> EnvironmentProvider {
        EnvironmentProvider::with_env(Env::from_vars(vars.iter().copied()))
    }

    #[test]
    fn nothing_set_is_not_configured() {
        let err = provider(&[]).load().unwrap_err();
        assert!(err.is_not_configured());
        let err = provider(&[(ACCESS_KEY_ID, " "), (SECRET_ACCESS_KEY, "")]).load().unwrap_err();
        assert!(err.is_not_configured(), "blank values count as unset");
    }

    #[test]
    fn long_term_and_temporary() {
        let c = provider(&[(ACCESS_KEY_ID, "AKIA1"), (SECRET_ACCESS_KEY, "s3cr3t")]).load().unwrap();
        assert_eq!(c.access_key_id(), "AKIA1");
        assert_eq!(c.session_token(), None);
        assert_eq!(c.source(), NAME);
        let c = provider(&[(ACCESS_KEY_ID, "ASIA1"), (SECRET_ACCESS_KEY, "s"), (SESSION_TOKEN, "tok")])
            .load()
            .unwrap();
        assert_eq!(c.session_token(), Some("tok"));
    }

    #[test]
    fn a_key_without_a_secret_is_an_error_not_a_fall_through() {
        for vars in [
            &[(ACCESS_KEY_ID, "AKIA1")][..],
            &[(ACCESS_KEY_ID, "AKIA1"), (SECRET_ACCESS_KEY, " \t")][..],
            &[(ACCESS_KEY_ID, "AKIA1"), (SESSION_TOKEN, "tok-value")][..],
        ] {
            let err = provider(vars).load().unwrap_err();
            assert!(!err.is_not_configured(), "{vars:?}");
            assert_eq!(err.error().kind(), ErrorKind::Configuration);
            let text = err.to_string();
            assert!(text.contains(SECRET_ACCESS_KEY), "{text}");
            assert!(!text.contains("tok-value"), "{text}");
        }
    }

    #[test]
    fn a_stray_secret_or_token_without_a_key_falls_through_and_says_so() {
        for (vars, named) in [
            (&[(SECRET_ACCESS_KEY, "s3cr3t-value")][..], &[SECRET_ACCESS_KEY][..]),
            (&[(SESSION_TOKEN, "tok-value")][..], &[SESSION_TOKEN][..]),
            (
                &[(ACCESS_KEY_ID, "  "), (SECRET_ACCESS_KEY, "s3cr3t-value"), (SESSION_TOKEN, "tok-value")][..],
                &[SECRET_ACCESS_KEY, SESSION_TOKEN][..],
            ),
        ] {
            let err = provider(vars).load().unwrap_err();
            assert!(err.is_not_configured(), "{vars:?}");
            let text = err.to_string();
            for name in named {
                assert!(text.contains(name), "{text}");
            }
            assert!(!text.contains("s3cr3t-value") && !text.contains("tok-value"), "{text}");
        }
    }

    #[test]
    fn expiration_is_read_and_validated() {
        let c = provider(&[
            (ACCESS_KEY_ID, "AKIA1"),
            (SECRET_ACCESS_KEY, "s"),
            (CREDENTIAL_EXPIRATION, "2030-01-01T00:00:00Z"),
        ])
        .load()
        .unwrap();
        assert!(c.expiration().is_some());
        let err =
            provider(&[(ACCESS_KEY_ID, "AKIA1"), (SECRET_ACCESS_KEY, "s"), (CREDENTIAL_EXPIRATION, "soon")])
                .load()
                .unwrap_err();
        assert!(err.to_string().contains("RFC 3339"));
    }
}
