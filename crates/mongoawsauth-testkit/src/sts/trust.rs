//! Who may assume which role without signing: the web identity tokens and SAML assertions the
//! STS stand-in accepts, per role.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

const REDACTED: &str = "** redacted **";

/// A role that accepts a web identity token (`AssumeRoleWithWebIdentity`).
///
/// `Debug` redacts the token. May be shared across threads.
#[derive(Clone, PartialEq, Eq)]
pub struct WebIdentityRole {
    /// The role to assume, e.g. `arn:aws:iam::123456789012:role/mongo-web-identity`.
    pub role_arn: String,
    /// The token STS accepts for it (a JWT-shaped throwaway).
    pub token: String,
    /// A file holding the token, when the stand-ins wrote one (for `AWS_WEB_IDENTITY_TOKEN_FILE`).
    pub token_file: Option<PathBuf>,
}

impl fmt::Debug for WebIdentityRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebIdentityRole")
            .field("role_arn", &self.role_arn)
            .field("token", &REDACTED)
            .field("token_file", &self.token_file)
            .finish()
    }
}

/// A role that accepts a SAML assertion from one IAM SAML provider (`AssumeRoleWithSAML`).
///
/// `Debug` redacts the assertion. May be shared across threads.
#[derive(Clone, PartialEq, Eq)]
pub struct SamlRole {
    /// The role to assume.
    pub role_arn: String,
    /// The IAM SAML provider, e.g. `arn:aws:iam::123456789012:saml-provider/mongo-idp`.
    pub principal_arn: String,
    /// The base64 SAML response STS accepts.
    pub assertion: String,
    /// The session name STS derives from the assertion (it appears in the assumed-role ARN).
    pub session_name: String,
}

impl fmt::Debug for SamlRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamlRole")
            .field("role_arn", &self.role_arn)
            .field("principal_arn", &self.principal_arn)
            .field("assertion", &REDACTED)
            .field("session_name", &self.session_name)
            .finish()
    }
}

/// What a presented token or assertion is worth.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict<T> {
    /// Accepted for this role.
    Accepted(T),
    /// Known, but not for this role (STS says AccessDenied).
    OtherRole,
    /// Not known at all (STS says InvalidIdentityToken).
    Unknown,
}

/// The shared set of trusted tokens and assertions. Cloning shares the same set.
#[derive(Clone, Debug, Default)]
pub(crate) struct Trust {
    inner: Arc<RwLock<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    web_identity: Vec<(String, String)>,
    saml: Vec<SamlRole>,
}

impl Trust {
    pub(crate) fn add_web_identity(&self, role_arn: &str, token: &str) {
        self.write().web_identity.push((role_arn.to_owned(), token.to_owned()));
    }

    pub(crate) fn add_saml(&self, role: SamlRole) {
        self.write().saml.push(role);
    }

    pub(crate) fn web_identity(&self, role_arn: &str, token: &str) -> Verdict<()> {
        let inner = self.read();
        let known: Vec<&(String, String)> = inner.web_identity.iter().filter(|(_, t)| t == token).collect();
        if known.is_empty() {
            Verdict::Unknown
        } else if known.iter().any(|(r, _)| r == role_arn) {
            Verdict::Accepted(())
        } else {
            Verdict::OtherRole
        }
    }

    pub(crate) fn saml(&self, role_arn: &str, principal_arn: &str, assertion: &str) -> Verdict<SamlRole> {
        let inner = self.read();
        let known: Vec<&SamlRole> = inner.saml.iter().filter(|r| r.assertion == assertion).collect();
        if known.is_empty() {
            return Verdict::Unknown;
        }
        match known.into_iter().find(|r| r.role_arn == role_arn && r.principal_arn == principal_arn) {
            Some(role) => Verdict::Accepted(role.clone()),
            None => Verdict::OtherRole,
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // Every write is one push, so a poisoned lock still guards a consistent list.
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_and_redaction() {
        let trust = Trust::default();
        trust.add_web_identity("arn:r1", "tok-1");
        trust.add_web_identity("arn:r1", "tok-2");
        assert_eq!(trust.web_identity("arn:r1", "tok-2"), Verdict::Accepted(()));
        assert_eq!(trust.web_identity("arn:r2", "tok-1"), Verdict::OtherRole);
        assert_eq!(trust.web_identity("arn:r1", "tok-3"), Verdict::Unknown);
        let role = SamlRole {
            role_arn: "arn:r".into(),
            principal_arn: "arn:p".into(),
            assertion: "QUFBQQ==".into(),
            session_name: "alice".into(),
        };
        trust.add_saml(role.clone());
        assert_eq!(trust.saml("arn:r", "arn:p", "QUFBQQ=="), Verdict::Accepted(role.clone()));
        assert_eq!(trust.saml("arn:r", "arn:other", "QUFBQQ=="), Verdict::OtherRole);
        assert_eq!(trust.saml("arn:r", "arn:p", "QkJCQg=="), Verdict::Unknown);
        assert!(!format!("{role:?}").contains("QUFBQQ"));
        let web = WebIdentityRole { role_arn: "arn:r".into(), token: "tok-secret".into(), token_file: None };
        assert!(!format!("{web:?}").contains("tok-secret"));
    }
}
