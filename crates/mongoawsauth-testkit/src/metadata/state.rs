//! What both metadata stand-ins keep: the fault in force, the credentials they hand out, the
//! request log and the counters.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{CredentialsMode, MetadataCounters, MetadataFault, OVERSIZED_BODY, RequestRecord};
use crate::identity::Identity;

/// Locks a mutex whose data stays consistent even if a holder panicked (every update is a
/// single assignment or push).
pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub(super) struct Shared {
    fault: Mutex<Option<MetadataFault>>,
    credentials: Mutex<CredentialsMode>,
    lifetime: Duration,
    log: Mutex<Vec<RequestRecord>>,
    issued: Mutex<Vec<Identity>>,
    pub(super) connections: AtomicU64,
    pub(super) requests: AtomicU64,
    pub(super) tokens_issued: AtomicU64,
    pub(super) unauthorized: AtomicU64,
    pub(super) faults: AtomicU64,
    pub(super) throttle: super::throttle::Throttle,
    pub(super) rotation: super::rotation::Rotation,
}

impl Shared {
    pub(super) fn new(
        credentials: CredentialsMode,
        lifetime: Duration,
        fault: Option<MetadataFault>,
    ) -> Self {
        Self {
            fault: Mutex::new(fault),
            credentials: Mutex::new(credentials),
            lifetime,
            log: Mutex::default(),
            issued: Mutex::default(),
            connections: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            tokens_issued: AtomicU64::new(0),
            unauthorized: AtomicU64::new(0),
            faults: AtomicU64::new(0),
            throttle: Default::default(),
            rotation: Default::default(),
        }
    }

    pub(super) fn set_fault(&self, fault: Option<MetadataFault>) {
        *lock(&self.fault) = fault;
    }

    pub(super) fn fault(&self) -> Option<MetadataFault> {
        lock(&self.fault).clone()
    }

    pub(super) fn set_credentials(&self, mode: CredentialsMode) {
        *lock(&self.credentials) = mode;
    }

    /// Whether this request should get a 500 (consuming one of the remaining ones).
    pub(super) fn take_server_error(&self) -> bool {
        let mut fault = lock(&self.fault);
        match &mut *fault {
            Some(MetadataFault::ServerError { times }) if *times > 0 => {
                *times -= 1;
                if *times == 0 {
                    *fault = None;
                }
                self.faults.fetch_add(1, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// The `Retry-After` seconds if this request should get a 429 (consuming one of the
    /// remaining ones; `u32::MAX` never runs out).
    pub(super) fn take_throttle(&self) -> Option<u64> {
        let mut fault = lock(&self.fault);
        match &mut *fault {
            Some(MetadataFault::Throttled { retry_after, times }) if *times > 0 => {
                let retry_after = *retry_after;
                if *times != u32::MAX {
                    *times -= 1;
                    if *times == 0 {
                        *fault = None;
                    }
                }
                self.faults.fetch_add(1, Ordering::Relaxed);
                Some(retry_after)
            }
            _ => None,
        }
    }

    /// Whether the one-shot 401 fires now (and clears it).
    pub(super) fn take_token_expired(&self) -> bool {
        let mut fault = lock(&self.fault);
        if *fault == Some(MetadataFault::TokenExpiredOnce) {
            *fault = None;
            self.faults.fetch_add(1, Ordering::Relaxed);
            true
        } else {
            false
        }
    }

    pub(super) fn count_fault(&self) {
        self.faults.fetch_add(1, Ordering::Relaxed);
    }

    pub(super) fn log(&self, record: RequestRecord) {
        lock(&self.log).push(record);
    }

    pub(super) fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.log).clone()
    }

    pub(super) fn issued(&self) -> Vec<Identity> {
        lock(&self.issued).clone()
    }

    pub(super) fn counters(&self) -> MetadataCounters {
        MetadataCounters {
            connections: self.connections.load(Ordering::Relaxed),
            requests: self.requests.load(Ordering::Relaxed),
            tokens_issued: self.tokens_issued.load(Ordering::Relaxed),
            credentials_issued: lock(&self.issued).len() as u64,
            unauthorized: self.unauthorized.load(Ordering::Relaxed),
            faults: self.faults.load(Ordering::Relaxed),
            throttled: self.throttle.throttled(),
        }
    }

    /// Hands out credentials (a new identity when rotating) and records them.
    fn issue(&self) -> Identity {
        let identity = match &*lock(&self.credentials) {
            CredentialsMode::Rotating { identities, role, session } => {
                identities.add_temporary(role, session)
            }
            CredentialsMode::Fixed(identity) => identity.clone(),
        };
        lock(&self.issued).push(identity.clone());
        identity
    }

    /// The credentials document for the next fetch: the fields both endpoints send, plus `Code`,
    /// `LastUpdated` and `Type` for IMDS and `RoleArn` for containers.
    pub(super) fn credentials_body(&self, expired: bool, imds: bool) -> Vec<u8> {
        let now = SystemTime::now();
        let (identity, expiration) = match self.rotation.reuse(now) {
            Some((identity, expiry)) if !expired => {
                lock(&self.issued).push(identity.clone());
                (identity, expiry)
            }
            _ if expired => (self.issue(), now - Duration::from_secs(3600)),
            _ => {
                let identity = self.issue();
                let expiry = self.rotation.issued(&identity, now, self.lifetime);
                (identity, expiry)
            }
        };
        let mut doc = serde_json::json!({
            "AccessKeyId": identity.access_key_id,
            "SecretAccessKey": identity.secret_access_key,
            "Token": identity.session_token.clone().unwrap_or_default(),
            "Expiration": rfc3339(expiration),
        });
        if imds {
            doc["Code"] = "Success".into();
            doc["LastUpdated"] = rfc3339(now).into();
            doc["Type"] = "AWS-HMAC".into();
        } else if let Some(arn) = role_arn(&identity.arn) {
            doc["RoleArn"] = arn.into();
        }
        doc.to_string().into_bytes()
    }
}

/// `arn:aws:iam::<account>:role/<role>` for an assumed-role session ARN.
fn role_arn(session_arn: &str) -> Option<String> {
    let (prefix, resource) = session_arn.split_once(":assumed-role/")?;
    let role = resource.split('/').next()?;
    Some(format!("{}:role/{role}", prefix.replacen(":sts:", ":iam:", 1)))
}

/// A body that is not JSON at all (an HTML error page with a stray binary byte).
pub(super) fn garbage_body() -> Vec<u8> {
    b"<html><body><h1>502 Bad Gateway</h1>\x00\xff</body></html>".to_vec()
}

/// A JSON-looking body twice the core library's cap.
pub(super) fn oversized_body() -> Vec<u8> {
    let mut body = br#"{"Code":"Success","Padding":""#.to_vec();
    body.resize(OVERSIZED_BODY - 2, b'x');
    body.extend_from_slice(br#""}"#);
    body
}

/// Formats `t` as RFC 3339 in UTC, whole seconds (`2026-11-29T10:00:00Z`).
pub(super) fn rfc3339(t: SystemTime) -> String {
    let t = OffsetDateTime::from(t).replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&Rfc3339).unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}
