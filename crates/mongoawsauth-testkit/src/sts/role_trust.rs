//! Who may assume which role with signed `AssumeRole`: a small model of IAM trust policies
//! (principals, the `sts:ExternalId` condition, the role's maximum session duration), and the
//! access keys the stand-in treats as expired.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// A role that callers can assume with signed `AssumeRole`, and its trust policy.
///
/// `Debug` hides the external id (AWS does not treat it as a secret, but tests check that
/// clients keep it out of their output, so the stand-in does too). May be shared across threads.
#[derive(Clone, PartialEq, Eq)]
pub struct AssumableRole {
    /// The role, e.g. `arn:aws:iam::123456789012:role/chain-a`.
    pub role_arn: String,
    /// The principals the trust policy names, each one of:
    /// - an IAM user ARN (`arn:aws:iam::ACCOUNT:user/NAME`): that user;
    /// - an IAM role ARN (`arn:aws:iam::ACCOUNT:role/NAME`): every session of that role
    ///   (`arn:aws:sts::ACCOUNT:assumed-role/NAME/*`), which is how role chaining is allowed;
    /// - an account root (`arn:aws:iam::ACCOUNT:root`): every principal of that account;
    /// - `*`: anyone.
    pub trusted: Vec<String>,
    /// The `sts:ExternalId` the trust policy requires, if any.
    pub external_id: Option<String>,
    /// The role's `MaxSessionDuration` (IAM's default is one hour).
    pub max_session_duration: Duration,
}

impl AssumableRole {
    /// A role trusting `trusted`, without an external id, with IAM's default one-hour maximum.
    pub fn new<I, S>(role_arn: impl Into<String>, trusted: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        AssumableRole {
            role_arn: role_arn.into(),
            trusted: trusted.into_iter().map(Into::into).collect(),
            external_id: None,
            max_session_duration: Duration::from_secs(3600),
        }
    }

    /// Requires `external_id` (the `sts:ExternalId` condition).
    #[must_use]
    pub fn with_external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(external_id.into());
        self
    }

    /// Sets `MaxSessionDuration`.
    #[must_use]
    pub fn with_max_session_duration(mut self, max: Duration) -> Self {
        self.max_session_duration = max;
        self
    }

    /// Whether the trust policy admits the principal whose ARN is `caller_arn`.
    pub fn trusts(&self, caller_arn: &str) -> bool {
        self.trusted.iter().any(|t| principal_matches(t, caller_arn))
    }
}

impl fmt::Debug for AssumableRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumableRole")
            .field("role_arn", &self.role_arn)
            .field("trusted", &self.trusted)
            .field("external_id", &self.external_id.as_ref().map(|_| "** redacted **"))
            .field("max_session_duration", &self.max_session_duration)
            .finish()
    }
}

/// IAM's principal matching, for the forms [`AssumableRole::trusted`] lists.
pub(crate) fn principal_matches(trusted: &str, caller: &str) -> bool {
    if trusted == "*" || trusted == caller {
        return true;
    }
    let account = |arn: &str| arn.split(':').nth(4).map(str::to_owned);
    if let Some(prefix) = trusted.strip_suffix(":root") {
        // arn:aws:iam::ACCOUNT:root
        return prefix.starts_with("arn:")
            && account(trusted).is_some()
            && account(trusted) == account(caller);
    }
    // arn:aws:iam::ACCOUNT:role/[path/]NAME admits arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION.
    let fields: Vec<&str> = trusted.splitn(6, ':').collect();
    if fields.len() == 6 && fields[2] == "iam" && fields[5].starts_with("role/") {
        let name = fields[5].rsplit('/').next().unwrap_or_default();
        let session_prefix = format!("arn:{}:sts::{}:assumed-role/{name}/", fields[1], fields[4]);
        return !name.is_empty() && caller.starts_with(&session_prefix);
    }
    false
}

/// The roles and the expired keys. Cloning shares the same sets.
#[derive(Clone, Debug, Default)]
pub(crate) struct RoleTrust {
    inner: Arc<RwLock<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    roles: Vec<AssumableRole>,
    expired: HashSet<String>,
}

impl RoleTrust {
    /// Adds a role, replacing one with the same ARN.
    pub(crate) fn add(&self, role: AssumableRole) {
        let mut inner = self.write();
        inner.roles.retain(|r| r.role_arn != role.role_arn);
        inner.roles.push(role);
    }

    pub(crate) fn role(&self, role_arn: &str) -> Option<AssumableRole> {
        self.read().roles.iter().find(|r| r.role_arn == role_arn).cloned()
    }

    pub(crate) fn expire(&self, access_key_id: &str) {
        self.write().expired.insert(access_key_id.to_owned());
    }

    pub(crate) fn is_expired(&self, access_key_id: &str) -> bool {
        self.read().expired.contains(access_key_id)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        // Every write is a single insert or replace, so a poisoned lock still guards whole data.
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
    fn principals_match_as_in_iam() {
        let user = "arn:aws:iam::111111111111:user/alice";
        let session = "arn:aws:sts::111111111111:assumed-role/chain-a/s1";
        assert!(principal_matches(user, user));
        assert!(principal_matches("*", session));
        assert!(principal_matches("arn:aws:iam::111111111111:root", user));
        assert!(principal_matches("arn:aws:iam::111111111111:root", session));
        assert!(!principal_matches("arn:aws:iam::222222222222:root", user));
        assert!(principal_matches("arn:aws:iam::111111111111:role/chain-a", session));
        assert!(principal_matches("arn:aws:iam::111111111111:role/path/chain-a", session));
        assert!(!principal_matches("arn:aws:iam::111111111111:role/chain-b", session));
        assert!(!principal_matches("arn:aws:iam::222222222222:role/chain-a", session));
        assert!(!principal_matches("arn:aws:iam::111111111111:role/chain", session), "no prefix match");
        assert!(!principal_matches("arn:aws:iam::111111111111:user/bob", user));
    }

    #[test]
    fn roles_are_replaced_and_keys_expired() {
        let trust = RoleTrust::default();
        trust.add(AssumableRole::new("arn:r", ["a"]));
        trust.add(AssumableRole::new("arn:r", ["b"]).with_external_id("ext-123"));
        let role = trust.role("arn:r").unwrap();
        assert!(role.trusts("b") && !role.trusts("a"));
        assert!(!format!("{role:?}").contains("ext-123"));
        assert!(trust.role("arn:other").is_none());
        trust.expire("ASIA1");
        assert!(trust.is_expired("ASIA1") && !trust.is_expired("ASIA2"));
    }
}
