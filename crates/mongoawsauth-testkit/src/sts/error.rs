//! STS error answers: an HTTP status, an AWS error code and a message without secrets.

use crate::http::HttpResponse;
use crate::random;

use super::xml;

/// One error STS reports as `<ErrorResponse>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StsError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
}

impl StsError {
    /// A 403 with `code`.
    pub(crate) fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self { status: 403, code, message: message.into() }
    }

    /// A 400 with `code`.
    pub(crate) fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self { status: 400, code, message: message.into() }
    }

    /// The XML response.
    pub(crate) fn response(&self) -> HttpResponse {
        HttpResponse::xml(self.status, xml::error(self.code, &self.message, &random::request_id()))
    }
}

impl StsError {
    /// The response in `format` (the AssumeRole actions answer JSON when asked).
    pub(crate) fn response_in(&self, format: super::answer::ResponseFormat) -> HttpResponse {
        let body = super::answer::error(format, self.status, self.code, &self.message, &random::request_id());
        format.response(self.status, body)
    }
}
