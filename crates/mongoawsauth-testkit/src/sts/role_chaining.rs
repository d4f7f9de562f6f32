//! The signed `AssumeRole` action: who signed (verified with the testkit's own SigV4 verifier),
//! whether the role's trust policy admits them, the `sts:ExternalId` condition, and the duration
//! limits STS enforces (the role's maximum, and one hour for a role assumed by another role's
//! session). What it lets through is issued by the shared AssumeRole code, so the new session's
//! `GetCallerIdentity` answers `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` and can itself
//! assume the next role of a chain.

use std::time::Duration;

use crate::http::HttpRequest;

use super::StsState;
use super::assume_role::{Grant, common, is_session_name, param, required, validation};
use super::auth::authenticate;
use super::error::StsError;

/// STS's `ExternalId` rule: `[\w+=,.@:/-]{2,1224}`.
fn is_external_id(value: &str) -> bool {
    (2..=1224).contains(&value.len())
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@:/-".contains(&b))
}

/// The checks of one request, in the order STS reports failures.
pub(super) fn check(
    req: &HttpRequest,
    params: &[(String, String)],
    state: &StsState,
) -> Result<Grant, StsError> {
    let caller = authenticate(req, &state.identities, state.max_clock_skew)?;
    if state.role_trust.is_expired(&caller.identity.access_key_id) {
        return Err(StsError::bad_request(
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    let (role_arn, duration) = common(params)?;
    let session_name = required(params, "RoleSessionName")?;
    if !is_session_name(session_name) {
        return Err(validation(
            "roleSessionName",
            "Member must satisfy regular expression pattern: [\\w+=,.@-]{2,64}",
        ));
    }
    let external_id = param(params, "ExternalId");
    if external_id.is_some_and(|e| !is_external_id(e)) {
        return Err(validation(
            "externalId",
            "Member must satisfy regular expression pattern: [\\w+=,.@:/-]{2,1224}",
        ));
    }
    let caller_arn = &caller.identity.arn;
    let denied = || {
        StsError::forbidden(
            "AccessDenied",
            format!(
                "User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
            ),
        )
    };
    let role = state.role_trust.role(&role_arn).ok_or_else(denied)?;
    if !role.trusts(caller_arn) {
        tracing::debug!(caller = %caller_arn, role = %role_arn, "AssumeRole: the trust policy does not name the caller");
        return Err(denied());
    }
    if role.external_id.is_some() && role.external_id.as_deref() != external_id {
        tracing::debug!(caller = %caller_arn, role = %role_arn, "AssumeRole: the sts:ExternalId condition failed");
        return Err(denied());
    }
    let chained = caller_arn.contains(":assumed-role/");
    if chained && duration > Duration::from_secs(3600) {
        return Err(StsError::bad_request(
            "ValidationError",
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if duration > role.max_session_duration {
        return Err(StsError::bad_request(
            "ValidationError",
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    Ok(Grant { role_arn, session_name: session_name.to_owned(), duration, extra: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn external_ids() {
        assert!(is_external_id("ab") && is_external_id("Ext-1:tenant/42@x.y+z=w,v"));
        assert!(!is_external_id("a") && !is_external_id("has space") && !is_external_id(&"a".repeat(1225)));
    }
}
