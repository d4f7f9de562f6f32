//! Every default value and limit of the options, in one place.
//!
//! The C, Python and Node bindings read these instead of restating a number, so a default
//! changed here changes in every face at once. The older paths
//! ([`crate::DEFAULT_CREDENTIALS_TIMEOUT`], `config::DEFAULT_*`, `cache::DEFAULT_REFRESH_*`,
//! `provider::saml::MIN_DURATION`/`MAX_DURATION`,
//! `provider::profile::assume_role::MIN_DURATION_SECONDS`/`MAX_DURATION_SECONDS`) name the same
//! values.

use std::time::Duration;

/// How long one credential resolution may take when the caller gives no deadline: 10 s, the
/// MongoDB specification's read timeout for credential endpoints.
pub const CREDENTIALS_TIMEOUT: Duration = Duration::from_secs(10);

/// Cached credentials are served while more than this remains before they expire: 5 minutes,
/// the MongoDB specification's window (AWS rotates instance credentials at least 5 minutes
/// before they expire).
pub const REFRESH_WINDOW: Duration = crate::cache::DEFAULT_REFRESH_WINDOW;

/// Inside this much time before expiry (10 minutes), one background refresh starts while
/// callers keep the still-valid entry.
pub const REFRESH_AHEAD: Duration = crate::cache::DEFAULT_REFRESH_AHEAD;

/// The time allowed to connect to IMDS or a container endpoint: 1 s, so that a process that is
/// not on EC2 learns it quickly and the chain moves on.
pub const METADATA_CONNECT_TIMEOUT: Duration = crate::config::DEFAULT_METADATA_CONNECT_TIMEOUT;

/// The read timeout for the ECS and EC2 metadata endpoints: 10 s, the MongoDB specification's.
pub const METADATA_READ_TIMEOUT: Duration = crate::config::DEFAULT_METADATA_READ_TIMEOUT;

/// The time allowed for one STS fetch (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), retries
/// and backoff included: 10 s.
pub const STS_TIMEOUT: Duration = crate::config::DEFAULT_STS_TIMEOUT;

/// The ECS agent's credentials address, which `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is
/// relative to.
pub const ECS_BASE_URL: &str = crate::config::DEFAULT_ECS_BASE_URL;

/// The shortest session STS grants for `AssumeRoleWithSAML` (`DurationSeconds`): 15 minutes.
pub const SAML_MIN_DURATION: Duration = Duration::from_secs(900);

/// The longest session STS grants for `AssumeRoleWithSAML`: 12 hours (the role's own maximum
/// may be lower).
pub const SAML_MAX_DURATION: Duration = Duration::from_secs(43_200);

/// The shortest session STS grants for `AssumeRole` (`DurationSeconds`, the profile's
/// `duration_seconds`): 15 minutes. AWS documents it apart from `AssumeRoleWithSAML`'s bound,
/// which has the same value today.
pub const ASSUME_ROLE_MIN_DURATION: Duration = Duration::from_secs(900);

/// The longest session STS grants for `AssumeRole`: 12 hours, the largest maximum session
/// duration a role can be given (the role's own maximum may be lower, and a role assumed with
/// credentials from another role is limited to 1 hour; STS refuses more).
pub const ASSUME_ROLE_MAX_DURATION: Duration = Duration::from_secs(43_200);

/// The longest timeout or refresh window any option accepts: 2^31-1 milliseconds (about 24.8
/// days), the largest delay a JavaScript timer can hold. The same limit applies in every face,
/// so that options valid in one are valid in all.
pub const MAX_TIMEOUT: Duration = Duration::from_millis(MAX_TIMEOUT_MS);

/// [`MAX_TIMEOUT`] in milliseconds, for faces that count in them.
pub const MAX_TIMEOUT_MS: u64 = (1 << 31) - 1;
