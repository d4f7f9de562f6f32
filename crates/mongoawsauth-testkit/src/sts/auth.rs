//! Authenticating a signed STS request: who signed it, and is the signature good.
//!
//! Checks, in the order real STS reports them: an `Authorization` header exists and parses, the
//! access key is known, the scope names `sts`, the session token matches the key (required for
//! temporary keys, refused for long-term ones), the SigV4 signature verifies, and `X-Amz-Date` is
//! within the configured skew of now.

use crate::http::HttpRequest;
use crate::identity::Principal;
use crate::sigv4::{self, Authorization, VerifyError};
use crate::{amz_date, identity::IdentityStore};

use super::error::StsError;

/// Returns the principal that validly signed `req`, or the STS error to answer.
pub(crate) fn authenticate(
    req: &HttpRequest,
    identities: &IdentityStore,
    max_skew: Option<std::time::Duration>,
) -> Result<Principal, StsError> {
    let value = req.header("authorization").ok_or_else(|| {
        StsError::forbidden("MissingAuthenticationToken", "Request is missing Authentication Token")
    })?;
    let authz =
        Authorization::parse(value).map_err(|e| StsError::forbidden("IncompleteSignature", e.to_string()))?;
    let principal = identities.lookup(&authz.credential.access_key_id).ok_or_else(|| {
        StsError::forbidden("InvalidClientTokenId", "The security token included in the request is invalid.")
    })?;
    if authz.credential.service != "sts" {
        return Err(StsError::forbidden(
            "SignatureDoesNotMatch",
            format!(
                "Credential should be scoped to correct service: 'sts', not '{}'.",
                authz.credential.service
            ),
        ));
    }
    let sent_token = req.header("x-amz-security-token");
    let token_ok = match (&principal.identity.session_token, sent_token) {
        (Some(want), Some(got)) => want == got,
        (None, None) => true,
        _ => false,
    };
    if !token_ok {
        return Err(StsError::forbidden(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ));
    }
    let request = sigv4::Request {
        method: &req.method,
        path: &req.path,
        query: &req.query,
        headers: &req.headers,
        body: &req.body,
    };
    sigv4::verify(&request, &authz, &principal.identity.secret_access_key).map_err(|e| match e {
        VerifyError::MissingDate | VerifyError::MalformedDate => {
            StsError::forbidden("IncompleteSignature", e.to_string())
        }
        VerifyError::ScopeDateMismatch
        | VerifyError::SignedHeaderMissing(_)
        | VerifyError::SignatureMismatch => StsError::forbidden("SignatureDoesNotMatch", e.to_string()),
    })?;
    if let Some(max) = max_skew {
        // `verify` has already checked the format.
        let date = req.header("x-amz-date").unwrap_or_default().trim();
        let fresh = amz_date::parse(date).is_some_and(|t| amz_date::is_fresh(t, max));
        if !fresh {
            return Err(StsError::forbidden(
                "SignatureDoesNotMatch",
                format!(
                    "Signature expired or not yet current: {date} is more than {} s from now ({}).",
                    max.as_secs(),
                    amz_date::format(time::OffsetDateTime::now_utc())
                ),
            ));
        }
    }
    Ok(principal)
}
