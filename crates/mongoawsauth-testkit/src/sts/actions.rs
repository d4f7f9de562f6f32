//! Routing an STS request to its action by the `Action` parameter.
//!
//! Parameters come from the query string and, for form-encoded bodies, from the body, as in the
//! AWS query protocol. Each action lives in its own module and gets the shared [`StsState`].

use crate::http::{HttpRequest, parse_form};

use super::assume_role::{self, Kind};
use super::error::StsError;
use super::{Reply, StsState, get_caller_identity};

/// The decoded request parameters (query string first, then the form body).
pub(crate) fn params(req: &HttpRequest) -> Vec<(String, String)> {
    let mut params = parse_form(&req.query);
    let form = req
        .header("content-type")
        .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if form {
        params.extend(parse_form(&String::from_utf8_lossy(&req.body)));
    }
    params
}

/// Answers one request.
pub(crate) fn dispatch(req: &HttpRequest, state: &StsState) -> Reply {
    let result = if !matches!(req.method.as_str(), "POST" | "GET") {
        Err(StsError {
            status: 405,
            code: "InvalidAction",
            message: format!("STS accepts GET and POST, not {}.", req.method),
        })
    } else if req.path != "/" {
        Err(StsError {
            status: 404,
            code: "UnknownOperation",
            message: "STS serves only the path '/'.".to_owned(),
        })
    } else {
        let params = params(req);
        let action = params.iter().find(|(k, _)| k == "Action").map(|(_, v)| v.as_str());
        match action {
            Some("GetCallerIdentity") => get_caller_identity::handle(req, state),
            Some("AssumeRoleWithWebIdentity") => {
                return assume_role::handle(req, &params, state, Kind::WebIdentity);
            }
            Some("AssumeRoleWithSAML") => return assume_role::handle(req, &params, state, Kind::Saml),
            Some("AssumeRole") => return assume_role::handle(req, &params, state, Kind::AssumeRole),
            Some(other) => Err(StsError::bad_request(
                "InvalidAction",
                format!("Could not find operation {other} for version 2011-06-15"),
            )),
            None => Err(StsError::bad_request("MissingAction", "Missing Action")),
        }
    };
    Reply::Respond(result.unwrap_or_else(|e| {
        tracing::debug!(code = e.code, message = %e.message, "STS request rejected");
        e.response()
    }))
}
