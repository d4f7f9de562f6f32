//! Identities the STS stand-in knows: IAM users with long-term keys and temporary sessions.
//!
//! The store is shared (cheaply cloneable) so that every STS action, and any test, sees the same
//! set of principals, and new ones can be added while the servers run.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use crate::random;

/// The account id used for generated identities unless another is configured.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// One set of AWS credentials and the ARN STS reports for it.
///
/// `Debug` redacts the secret access key and the session token. These are throwaway test
/// credentials, valid only against the stand-in, so they are deliberately not zeroized on drop:
/// that keeps struct-update syntax (`Identity { session_token: None, ..id.clone() }`) available
/// for building wrong credentials in tests. May be shared across threads.
#[derive(Clone, PartialEq, Eq)]
pub struct Identity {
    /// The ARN `GetCallerIdentity` returns, e.g. `arn:aws:iam::123456789012:user/mongo-user`.
    pub arn: String,
    /// The access key id: `AKIA…` for long-term keys, `ASIA…` for temporary ones.
    pub access_key_id: String,
    /// The secret access key (40 characters for generated keys).
    pub secret_access_key: String,
    /// The session token; present exactly for temporary credentials.
    pub session_token: Option<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("arn", &self.arn)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// An identity as the STS stand-in stores it, with the extra fields `GetCallerIdentity` reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The credentials and ARN.
    pub identity: Identity,
    /// The `UserId` STS reports (`AIDA…` for users, `AROA…:<session>` for assumed roles).
    pub user_id: String,
    /// The 12-digit account id.
    pub account: String,
}

/// The shared set of principals, keyed by access key id. Cloning shares the same set.
/// May be shared across threads.
#[derive(Clone, Debug)]
pub struct IdentityStore {
    account: String,
    principals: Arc<RwLock<HashMap<String, Principal>>>,
}

impl Default for IdentityStore {
    fn default() -> Self {
        Self::new(DEFAULT_ACCOUNT_ID)
    }
}

impl IdentityStore {
    /// Creates an empty store whose generated identities belong to `account`.
    pub fn new(account: impl Into<String>) -> Self {
        Self { account: account.into(), principals: Arc::default() }
    }

    /// The account id generated identities belong to.
    pub fn account_id(&self) -> &str {
        &self.account
    }

    /// Creates an IAM user `user_name` with a fresh random long-term key (`AKIA…`, 40-character
    /// secret) and returns its credentials.
    pub fn add_user(&self, user_name: &str) -> Identity {
        let identity = Identity {
            arn: format!("arn:aws:iam::{}:user/{user_name}", self.account),
            access_key_id: format!("AKIA{}", random::string_from(random::UPPER_ALNUM, 16)),
            secret_access_key: random::string_from(random::SECRET_ALPHABET, 40),
            session_token: None,
        };
        let user_id = format!("AIDA{}", random::string_from(random::UPPER_ALNUM, 17));
        self.insert(identity.clone(), user_id);
        identity
    }

    /// Creates temporary credentials (`ASIA…` key, secret and session token) for a session named
    /// `session_name` of role `role_name`, reported as
    /// `arn:aws:sts::<account>:assumed-role/<role_name>/<session_name>`.
    pub fn add_temporary(&self, role_name: &str, session_name: &str) -> Identity {
        use base64::Engine as _;
        // Real tokens are long base64 strings; `+`, `/` and `=` in them exercise header handling.
        let token = base64::engine::general_purpose::STANDARD.encode(random::bytes(132));
        let identity = Identity {
            arn: format!("arn:aws:sts::{}:assumed-role/{role_name}/{session_name}", self.account),
            access_key_id: format!("ASIA{}", random::string_from(random::UPPER_ALNUM, 16)),
            secret_access_key: random::string_from(random::SECRET_ALPHABET, 40),
            session_token: Some(format!("IQoJb3JpZ2luX2Vj{token}")),
        };
        let user_id = format!("AROA{}:{session_name}", random::string_from(random::UPPER_ALNUM, 17));
        self.insert(identity.clone(), user_id);
        identity
    }

    /// Adds (or replaces) an identity with fixed credentials, e.g. the AWS documentation keys. The
    /// account reported is the fifth field of its ARN, or the store's account if the ARN has none.
    pub fn insert(&self, identity: Identity, user_id: impl Into<String>) {
        let account =
            identity.arn.split(':').nth(4).filter(|a| !a.is_empty()).unwrap_or(&self.account).to_owned();
        let principal = Principal { user_id: user_id.into(), account, identity };
        self.write().insert(principal.identity.access_key_id.clone(), principal);
    }

    /// Removes the identity with this access key id; returns whether there was one.
    pub fn remove(&self, access_key_id: &str) -> bool {
        self.write().remove(access_key_id).is_some()
    }

    /// Looks up the principal owning `access_key_id`.
    pub fn lookup(&self, access_key_id: &str) -> Option<Principal> {
        self.read().get(access_key_id).cloned()
    }

    /// Every identity the store holds, in no particular order: for tests that check that none
    /// of the secrets handed out (even in an answer cut short) shows up where it must not.
    pub fn identities(&self) -> Vec<Identity> {
        self.read().values().map(|p| p.identity.clone()).collect()
    }

    /// How many identities the store holds.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// Whether the store holds no identity.
    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, Principal>> {
        // A panic while holding the lock cannot leave the map half-updated (every write is a
        // single insert or remove), so a poisoned lock is still safe to use.
        self.principals.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, Principal>> {
        self.principals.write().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_users_have_aws_shaped_keys() {
        let store = IdentityStore::default();
        let user = store.add_user("mongo-user");
        assert_eq!(user.arn, "arn:aws:iam::123456789012:user/mongo-user");
        assert_eq!(user.access_key_id.len(), 20);
        assert!(user.access_key_id.starts_with("AKIA"));
        assert!(user.access_key_id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(user.secret_access_key.len(), 40);
        assert!(user.session_token.is_none());
        let p = store.lookup(&user.access_key_id).unwrap();
        assert!(p.user_id.starts_with("AIDA"));
        assert_eq!(p.account, "123456789012");
    }

    #[test]
    fn generated_sessions_have_tokens_and_role_arns() {
        let store = IdentityStore::default();
        let tmp = store.add_temporary("mongo-role", "session");
        assert_eq!(tmp.arn, "arn:aws:sts::123456789012:assumed-role/mongo-role/session");
        assert!(tmp.access_key_id.starts_with("ASIA"));
        assert!(tmp.session_token.as_deref().unwrap().len() > 100);
        assert!(store.lookup(&tmp.access_key_id).unwrap().user_id.ends_with(":session"));
        assert_eq!(store.identities(), vec![tmp.clone()]);
        assert!(store.remove(&tmp.access_key_id));
        assert!(store.identities().is_empty());
        assert!(store.lookup(&tmp.access_key_id).is_none());
    }

    #[test]
    fn debug_redacts_secret_and_token() {
        let store = IdentityStore::default();
        let tmp = store.add_temporary("r", "s");
        let shown = format!("{tmp:?} {:?}", store.lookup(&tmp.access_key_id));
        assert!(!shown.contains(&tmp.secret_access_key));
        assert!(!shown.contains(tmp.session_token.as_deref().unwrap()));
        assert!(shown.contains("** redacted **"));
        assert!(shown.contains(&tmp.access_key_id));
    }
}
