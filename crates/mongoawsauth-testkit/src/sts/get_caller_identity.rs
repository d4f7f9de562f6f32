//! The `GetCallerIdentity` action: a signed request answered with the signer's ARN.

use crate::http::{HttpRequest, HttpResponse};
use crate::random;

use super::StsState;
use super::auth::authenticate;
use super::error::StsError;
use super::xml;

/// Answers a GetCallerIdentity request: the signer's ARN, UserId and Account, or why not.
pub(crate) fn handle(req: &HttpRequest, state: &StsState) -> Result<HttpResponse, StsError> {
    let p = authenticate(req, &state.identities, state.max_clock_skew)?;
    tracing::debug!(arn = %p.identity.arn, "GetCallerIdentity succeeded");
    Ok(HttpResponse::xml(
        200,
        xml::success(
            "GetCallerIdentity",
            &[("Arn", &p.identity.arn), ("UserId", &p.user_id), ("Account", &p.account)],
            &random::request_id(),
        ),
    ))
}
