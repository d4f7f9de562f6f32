//! When the metadata stand-ins hand out new credentials, and how long they last, changeable at
//! run time (a load test wants credentials that expire within its run).
//!
//! By default every credentials request gets a new identity valid for the configured lifetime.
//! With a *rotate-before* period the stand-in behaves like the real endpoints instead: it hands
//! out the same credentials again and again, and only once less than that period remains before
//! they expire does it issue new ones. The EC2 User Guide says of instance credentials that new
//! ones are made available at least five minutes before the old ones expire, and the container
//! endpoints behave alike; a client that refreshes earlier than that gets the same credentials
//! back, which is what a refresh-ahead back-off has to cope with.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::state::lock;
use crate::identity::Identity;

#[derive(Debug, Default)]
struct Policy {
    lifetime: Option<Duration>,
    rotate_before: Option<Duration>,
    current: Option<(Identity, SystemTime)>,
}

/// The lifetime override, the rotate-before period and the credentials currently handed out.
#[derive(Debug, Default)]
pub(super) struct Rotation {
    policy: Mutex<Policy>,
}

impl Rotation {
    /// Credentials handed out from now on last `lifetime` (`None`: the configured lifetime).
    pub(super) fn set_lifetime(&self, lifetime: Option<Duration>) {
        lock(&self.policy).lifetime = lifetime;
    }

    /// Hand out the same credentials until less than `period` remains (`None`: new ones on every
    /// request). Changing it forgets the credentials kept so far.
    pub(super) fn set_rotate_before(&self, period: Option<Duration>) {
        let mut policy = lock(&self.policy);
        policy.rotate_before = period;
        policy.current = None;
    }

    /// The credentials kept from an earlier request, when there are some and more than the
    /// rotate-before period remains.
    pub(super) fn reuse(&self, now: SystemTime) -> Option<(Identity, SystemTime)> {
        let policy = lock(&self.policy);
        let period = policy.rotate_before?;
        let (identity, expiry) = policy.current.as_ref()?;
        let left = expiry.duration_since(now).unwrap_or(Duration::ZERO);
        (left > period).then(|| (identity.clone(), *expiry))
    }

    /// The expiry of credentials issued `now` (whole seconds, as the documents carry it, so the
    /// stand-in and its client agree on the time left), keeping them for [`Rotation::reuse`]
    /// when a rotate-before period is set.
    pub(super) fn issued(&self, identity: &Identity, now: SystemTime, configured: Duration) -> SystemTime {
        let mut policy = lock(&self.policy);
        let expiry = whole_seconds(now.checked_add(policy.lifetime.unwrap_or(configured)).unwrap_or(now));
        if policy.rotate_before.is_some() {
            policy.current = Some((identity.clone(), expiry));
        }
        expiry
    }
}

fn whole_seconds(t: SystemTime) -> SystemTime {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => UNIX_EPOCH + Duration::from_secs(d.as_secs()),
        Err(_) => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(key: &str) -> Identity {
        Identity {
            arn: "arn:aws:sts::123456789012:assumed-role/r/s".into(),
            access_key_id: key.into(),
            secret_access_key: "secret".into(),
            session_token: Some("token".into()),
        }
    }

    #[test]
    fn reuses_until_the_rotate_before_period() {
        let r = Rotation::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(r.issued(&identity("A"), t0, Duration::from_secs(60)), t0 + Duration::from_secs(60));
        assert!(r.reuse(t0).is_none(), "no rotate-before period: a new identity every time");

        r.set_rotate_before(Some(Duration::from_secs(10)));
        r.set_lifetime(Some(Duration::from_secs(30)));
        let expiry = r.issued(&identity("B"), t0, Duration::from_secs(3600));
        assert_eq!(expiry, t0 + Duration::from_secs(30), "the override wins over the configured lifetime");
        let again = r.reuse(t0 + Duration::from_secs(19)).unwrap();
        assert_eq!((again.0.access_key_id.as_str(), again.1), ("B", expiry));
        assert!(r.reuse(t0 + Duration::from_secs(20)).is_none(), "10 s left: time to rotate");
    }

    #[test]
    fn expiries_are_whole_seconds() {
        let r = Rotation::default();
        let t = UNIX_EPOCH + Duration::from_millis(1_000_999);
        assert_eq!(
            r.issued(&identity("A"), t, Duration::from_secs(1)),
            UNIX_EPOCH + Duration::from_secs(1001)
        );
    }
}
