//! Fault modes of the STS stand-in's AssumeRole actions, settable while it runs.
//!
//! Faults apply to `AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML` and `AssumeRole` only; `GetCallerIdentity`
//! keeps answering normally, so an end-to-end login still works after a source has recovered.

use std::sync::Mutex;
use std::time::Duration;

/// An STS error code the stand-in can answer with, and the HTTP status STS sends it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StsErrorCode {
    /// `IDPCommunicationError` (400): STS could not reach the identity provider. Clients retry it.
    IdpCommunicationError,
    /// `InvalidIdentityToken` (400): the token or assertion is refused. Clients must not retry it.
    InvalidIdentityToken,
    /// `Throttling` (400): rate exceeded. Clients retry it.
    Throttling,
    /// `ExpiredTokenException` (400): the token or assertion has expired.
    ExpiredToken,
    /// `AccessDenied` (403): the role's trust policy refuses the caller.
    AccessDenied,
    /// `IDPRejectedClaim` (403): the identity provider rejected the claim.
    IdpRejectedClaim,
    /// `RegionDisabledException` (403): STS is not activated in this region.
    RegionDisabled,
    /// `MalformedPolicyDocument` (400): the session policy is invalid.
    MalformedPolicyDocument,
}

impl StsErrorCode {
    /// Every code, for tests that go through them all.
    pub const ALL: [StsErrorCode; 8] = [
        StsErrorCode::IdpCommunicationError,
        StsErrorCode::InvalidIdentityToken,
        StsErrorCode::Throttling,
        StsErrorCode::ExpiredToken,
        StsErrorCode::AccessDenied,
        StsErrorCode::IdpRejectedClaim,
        StsErrorCode::RegionDisabled,
        StsErrorCode::MalformedPolicyDocument,
    ];

    /// The code as STS spells it.
    pub fn code(self) -> &'static str {
        match self {
            StsErrorCode::IdpCommunicationError => "IDPCommunicationError",
            StsErrorCode::InvalidIdentityToken => "InvalidIdentityToken",
            StsErrorCode::Throttling => "Throttling",
            StsErrorCode::ExpiredToken => "ExpiredTokenException",
            StsErrorCode::AccessDenied => "AccessDenied",
            StsErrorCode::IdpRejectedClaim => "IDPRejectedClaim",
            StsErrorCode::RegionDisabled => "RegionDisabledException",
            StsErrorCode::MalformedPolicyDocument => "MalformedPolicyDocument",
        }
    }

    /// The HTTP status STS sends with it.
    pub fn status(self) -> u16 {
        match self {
            StsErrorCode::AccessDenied | StsErrorCode::IdpRejectedClaim | StsErrorCode::RegionDisabled => 403,
            _ => 400,
        }
    }

    /// Whether the AWS SDKs retry it.
    pub fn is_retryable(self) -> bool {
        matches!(self, StsErrorCode::IdpCommunicationError | StsErrorCode::Throttling)
    }

    fn message(self) -> &'static str {
        match self {
            StsErrorCode::IdpCommunicationError => {
                "Couldn't retrieve verification key from your identity provider."
            }
            StsErrorCode::InvalidIdentityToken => "Incorrect token audience or signature (fault injected).",
            StsErrorCode::Throttling => "Rate exceeded",
            StsErrorCode::ExpiredToken => "Token expired (fault injected).",
            StsErrorCode::AccessDenied => "Not authorized to perform this action (fault injected).",
            StsErrorCode::IdpRejectedClaim => "The identity provider rejected the claim (fault injected).",
            StsErrorCode::RegionDisabled => "STS is not activated in this region (fault injected).",
            StsErrorCode::MalformedPolicyDocument => "The policy is malformed (fault injected).",
        }
    }

    pub(crate) fn error(self) -> super::error::StsError {
        super::error::StsError {
            status: self.status(),
            code: self.code(),
            message: self.message().to_owned(),
        }
    }
}

/// A deliberate misbehaviour of the AssumeRole actions.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StsFault {
    /// Read the request, never answer (the connection stays open until the client gives up).
    Hang,
    /// Send the head and half the body of a good answer, wait this long, then send the rest.
    SlowBody(Duration),
    /// Answer with this status (500, 502, 503...) and an `InternalFailure` or
    /// `ServiceUnavailable` error body.
    ServerError(u16),
    /// Answer with this STS error.
    Error(StsErrorCode),
    /// Answer 200 with a body that is neither XML nor JSON.
    Garbage,
    /// Answer 200 with a 2 MiB body.
    Oversized,
    /// Issue credentials whose `Expiration` has already passed.
    ExpiredCredentials,
    /// Answer 400 with an error whose code and message quote the request's secret (the web
    /// identity token or the SAML assertion) as received and as sent (percent-encoded in the
    /// form body), as a hostile or careless server might. For tests that a client never lets
    /// an echoed secret reach an error or a log.
    EchoSecret,
    /// Send the head and half the body of a good answer, then nothing more (the connection
    /// stays open with the rest promised by `Content-Length`).
    HangMidBody,
    /// Send the head of a good answer at once and its body in ten pieces spread over this long.
    Drip(Duration),
    /// Answer 429 with `Retry-After: <seconds>` and a `Throttling` error body.
    Throttled {
        /// The `Retry-After` value, in seconds.
        retry_after: u64,
    },
    /// Answer with this 4xx status and a plain-text body that is not an STS error (as a proxy
    /// or a gateway in front of STS would: 401, 404...).
    Status(u16),
    /// Read the request, then close the connection with a TCP reset, no answer.
    Reset,
}

impl StsFault {
    /// Parses the names the stand-ins binary's `--sts-fault` accepts: `hang`, `slow-body=<ms>`,
    /// `server-error=<status>`, `garbage`, `oversized`, `expired-credentials`, `echo-secret`,
    /// `hang-mid-body`, `slow-drip=<ms>`, `throttled=<retry-after s>`, `status=<4xx>`, `reset`,
    /// or an error code as STS spells it (`IDPCommunicationError`, `InvalidIdentityToken`,
    /// `Throttling`...). [`StsFault`]'s `Display` writes these names.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "hang" => StsFault::Hang,
            "garbage" => StsFault::Garbage,
            "oversized" => StsFault::Oversized,
            "expired-credentials" => StsFault::ExpiredCredentials,
            "echo-secret" => StsFault::EchoSecret,
            "hang-mid-body" => StsFault::HangMidBody,
            "reset" => StsFault::Reset,
            other => {
                if let Some(ms) = other.strip_prefix("slow-body=") {
                    StsFault::SlowBody(Duration::from_millis(ms.parse().ok()?))
                } else if let Some(ms) = other.strip_prefix("slow-drip=") {
                    StsFault::Drip(Duration::from_millis(ms.parse().ok()?))
                } else if let Some(seconds) = other.strip_prefix("throttled=") {
                    StsFault::Throttled { retry_after: seconds.parse().ok()? }
                } else if let Some(status) = other.strip_prefix("status=") {
                    StsFault::Status(status.parse().ok().filter(|s| (400..=499).contains(s))?)
                } else if let Some(status) = other.strip_prefix("server-error=") {
                    StsFault::ServerError(status.parse().ok().filter(|s| (500..=599).contains(s))?)
                } else {
                    StsFault::Error(*StsErrorCode::ALL.iter().find(|c| c.code() == other)?)
                }
            }
        })
    }
}

impl std::fmt::Display for StsFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StsFault::Hang => f.write_str("hang"),
            StsFault::SlowBody(d) => write!(f, "slow-body={}", d.as_millis()),
            StsFault::ServerError(status) => write!(f, "server-error={status}"),
            StsFault::Error(code) => f.write_str(code.code()),
            StsFault::Garbage => f.write_str("garbage"),
            StsFault::Oversized => f.write_str("oversized"),
            StsFault::ExpiredCredentials => f.write_str("expired-credentials"),
            StsFault::EchoSecret => f.write_str("echo-secret"),
            StsFault::HangMidBody => f.write_str("hang-mid-body"),
            StsFault::Drip(d) => write!(f, "slow-drip={}", d.as_millis()),
            StsFault::Throttled { retry_after } => write!(f, "throttled={retry_after}"),
            StsFault::Status(status) => write!(f, "status={status}"),
            StsFault::Reset => f.write_str("reset"),
        }
    }
}

/// The current fault and how many more requests it applies to (`None`: until cleared).
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    inner: Mutex<Option<(StsFault, Option<u64>)>>,
}

impl FaultPlan {
    pub(crate) fn set(&self, fault: Option<StsFault>, times: Option<u64>) {
        *self.lock() = fault.map(|f| (f, times));
    }

    pub(crate) fn current(&self) -> Option<StsFault> {
        self.lock().as_ref().map(|(f, _)| f.clone())
    }

    /// The fault for the request being served, counting it down.
    pub(crate) fn take(&self) -> Option<StsFault> {
        let mut plan = self.lock();
        let (fault, remaining) = plan.as_mut()?;
        match remaining {
            None => Some(fault.clone()),
            Some(0) => {
                *plan = None;
                None
            }
            Some(n) => {
                *n -= 1;
                let fault = fault.clone();
                if *n == 0 {
                    *plan = None;
                }
                Some(fault)
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(StsFault, Option<u64>)>> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_count_down() {
        let plan = FaultPlan::default();
        assert_eq!(plan.take(), None);
        plan.set(Some(StsFault::Garbage), Some(2));
        assert_eq!(plan.take(), Some(StsFault::Garbage));
        assert_eq!(plan.current(), Some(StsFault::Garbage));
        assert_eq!(plan.take(), Some(StsFault::Garbage));
        assert_eq!(plan.take(), None);
        plan.set(Some(StsFault::Hang), None);
        assert_eq!((plan.take(), plan.take()), (Some(StsFault::Hang), Some(StsFault::Hang)));
        plan.set(None, None);
        assert_eq!(plan.take(), None);
    }

    #[test]
    fn parses_names() {
        assert_eq!(StsFault::parse("hang"), Some(StsFault::Hang));
        assert_eq!(StsFault::parse("echo-secret"), Some(StsFault::EchoSecret));
        assert_eq!(StsFault::parse("slow-body=250"), Some(StsFault::SlowBody(Duration::from_millis(250))));
        assert_eq!(StsFault::parse("server-error=503"), Some(StsFault::ServerError(503)));
        assert_eq!(StsFault::parse("server-error=404"), None);
        assert_eq!(StsFault::parse("Throttling"), Some(StsFault::Error(StsErrorCode::Throttling)));
        for code in StsErrorCode::ALL {
            assert_eq!(StsFault::parse(code.code()), Some(StsFault::Error(code)));
        }
        assert_eq!(StsFault::parse("nope"), None);
        assert_eq!(StsFault::parse("status=500"), None, "5xx is server-error=");
        assert_eq!(StsFault::parse("throttled=soon"), None);
    }

    #[test]
    fn names_round_trip() {
        let mut faults = vec![
            StsFault::Hang,
            StsFault::SlowBody(Duration::from_millis(250)),
            StsFault::ServerError(503),
            StsFault::Garbage,
            StsFault::Oversized,
            StsFault::ExpiredCredentials,
            StsFault::EchoSecret,
            StsFault::HangMidBody,
            StsFault::Drip(Duration::from_millis(900)),
            StsFault::Throttled { retry_after: 2 },
            StsFault::Status(401),
            StsFault::Reset,
        ];
        faults.extend(StsErrorCode::ALL.map(StsFault::Error));
        for fault in faults {
            assert_eq!(StsFault::parse(&fault.to_string()), Some(fault.clone()), "{fault}");
        }
    }
}
