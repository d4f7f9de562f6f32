//! The fault matrix itself: for every endpoint and fault, the documented outcome and the
//! deadline it must be reached within. `docs/reliability.md` ("Fault matrix") is this table in
//! prose; a change to one is a change to the other.
//!
//! Deadlines are in the matrix's own timeouts (see [`Timeouts`]): short where the fault is a
//! hang, so that the cell ends in about a second (a metadata request, connect plus read, may
//! take 1 s; an STS or SSO fetch, retries and backoff included, 1 s); longer elsewhere, so that
//! three attempts and their backoff fit with room to spare on a busy machine (3 s per metadata
//! request, 5 s per STS or SSO fetch).

use std::time::Duration;

use mongoawsauth::ErrorKind;

/// The endpoints, one column each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// EC2 IMDSv2 (token, role name, credentials).
    Imds,
    /// A container credentials endpoint (ECS agent, EKS Pod Identity).
    Container,
    /// STS `AssumeRoleWithWebIdentity`, unsigned, from a token file.
    WebIdentity,
    /// STS `AssumeRoleWithSAML`, unsigned, from an assertion source.
    Saml,
    /// STS `AssumeRole`, SigV4-signed with an IAM user's keys (role chaining).
    AssumeRole,
    /// The IAM Identity Center portal's `GetRoleCredentials`, with a cached SSO token.
    Sso,
}

/// The faults, one row each. Each is set on the endpoint's loopback stand-in before the fetch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The request is read, nothing is ever answered.
    HangBeforeHeaders,
    /// The head and half the body of a good answer, then nothing more.
    HangMidBody,
    /// The head of a good answer, then its body in ten pieces over 5 s.
    SlowDrip,
    /// Two 5xx answers, then a good one.
    ServerErrorThenSuccess,
    /// 5xx on every request.
    ServerErrorPersistent,
    /// One 429 with `Retry-After: 1`, then a good answer.
    ThrottledWithinDeadline,
    /// 429 with `Retry-After: 3600` on every request.
    ThrottledPastDeadline,
    /// 401 on every request (STS: a bare 401 from a gateway, no STS error).
    Unauthorized,
    /// 403 on every request (STS: `AccessDenied`).
    Forbidden,
    /// 404 (IMDS: no role attached; STS: a bare 404 from a gateway).
    NotFound,
    /// 200 with a body that is neither JSON nor XML.
    Garbage,
    /// 200 with a body twice the client's cap.
    Oversized,
    /// 200 with credentials that expired an hour (STS: five minutes) ago.
    ExpiredCredentials,
    /// The request is read, then the connection is reset (RST, no answer).
    ConnectionReset,
}

/// The `Retry-After` of [`Fault::ThrottledWithinDeadline`], in seconds.
pub const RETRY_AFTER_S: u64 = 1;
/// The jittered backoff before the second and third metadata attempts, at most (200 ms, then
/// 400 ms).
pub const METADATA_BACKOFF: Duration = Duration::from_millis(600);

/// The timeouts a cell runs with.
#[derive(Clone, Copy, Debug)]
pub struct Timeouts {
    pub connect: Duration,
    pub read: Duration,
    /// The STS and SSO budget.
    pub budget: Duration,
}

impl Timeouts {
    /// Short timeouts for the faults that only a timeout ends (1 s per metadata request, a 1 s
    /// STS or SSO budget); longer ones for the rest, whose outcome must not depend on how busy
    /// the machine is (and whose `Retry-After` must fit).
    pub fn for_fault(fault: Fault) -> Timeouts {
        let ms = Duration::from_millis;
        match fault {
            Fault::HangBeforeHeaders | Fault::HangMidBody | Fault::SlowDrip => {
                Timeouts { connect: ms(500), read: ms(500), budget: ms(1000) }
            }
            _ => Timeouts { connect: ms(1000), read: ms(2000), budget: ms(5000) },
        }
    }

    /// A metadata request's timeout with these settings.
    pub fn request(&self) -> Duration {
        self.connect + self.read
    }
}

/// What the fetch must end with.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Credentials from the endpoint's source, not expired, after at least `at_least` (the
    /// `Retry-After` honoured).
    Credentials { at_least: Duration },
    /// An error of `kind` that names the endpoint and says every one of `says` (what failed and
    /// what to do next).
    Error { kind: ErrorKind, says: Vec<&'static str> },
}

/// One cell: the outcome, the bound on the fetch's wall time, and (where the count is part of
/// the documented behaviour: retried or not) how many requests the faulty endpoint must see.
#[derive(Clone, Debug)]
pub struct Cell {
    pub outcome: Outcome,
    pub within: Duration,
    pub requests: Option<u64>,
}

fn ok(at_least: Duration, within: Duration, requests: Option<u64>) -> Cell {
    Cell { outcome: Outcome::Credentials { at_least }, within, requests }
}

fn fails(kind: ErrorKind, says: &[&'static str], within: Duration, requests: Option<u64>) -> Cell {
    Cell { outcome: Outcome::Error { kind, says: says.to_vec() }, within, requests }
}

use ErrorKind::{CredentialsProvider as Provider, Timeout};

/// The cell for `endpoint` × `fault`.
pub fn cell(endpoint: Endpoint, fault: Fault) -> Cell {
    match endpoint {
        Endpoint::Imds => imds(fault),
        Endpoint::Container => container(fault),
        Endpoint::WebIdentity | Endpoint::Saml | Endpoint::AssumeRole => sts(endpoint, fault),
        Endpoint::Sso => sso(fault),
    }
}

/// Three metadata attempts and their backoff.
fn three_attempts(request: Duration) -> Duration {
    request * 3 + METADATA_BACKOFF
}

fn imds(fault: Fault) -> Cell {
    let request = Timeouts::for_fault(fault).request();
    // One 429, the `Retry-After` wait, then the rest of the fetch within one request timeout.
    let throttled_then_ok = Duration::from_secs(RETRY_AFTER_S) + request;
    let waited = Duration::from_secs(RETRY_AFTER_S);
    match fault {
        // IMDS timeouts are not retried: the token request fails after one request timeout.
        Fault::HangBeforeHeaders => fails(
            Provider,
            &["accepted the connection but did not answer the session token request within 1 s"],
            request,
            Some(1),
        ),
        Fault::HangMidBody | Fault::SlowDrip => fails(
            Provider,
            &["started answering the session token request but did not finish within 1 s"],
            request,
            Some(1),
        ),
        // Token: 500, 500, 200; then the role name and the credentials.
        Fault::ServerErrorThenSuccess => ok(Duration::ZERO, three_attempts(request), Some(5)),
        Fault::ServerErrorPersistent => fails(
            Provider,
            &["answered the session token request with HTTP 500 3 times; try again later"],
            three_attempts(request),
            Some(3),
        ),
        Fault::ThrottledWithinDeadline => ok(waited, throttled_then_ok, Some(4)),
        Fault::ThrottledPastDeadline => fails(
            Provider,
            &[
                "answered the session token request with HTTP 429 (too many requests: IMDS throttles \
                 this instance) and asked to wait 3600 s",
                "try again later",
            ],
            request,
            Some(1),
        ),
        // The role name request is refused, a new token is fetched, and refused again.
        Fault::Unauthorized => fails(
            Provider,
            &["refused a fresh session token for the role name request (HTTP 401); try again later"],
            request * 4,
            Some(4),
        ),
        Fault::Forbidden => fails(
            Provider,
            &["refused a session token (HTTP 403)", "set AWS_EC2_METADATA_DISABLED=true to skip it"],
            request,
            Some(1),
        ),
        Fault::NotFound => fails(
            Provider,
            &["lists no IAM role", "attach an instance profile, or use another credential source"],
            request * 2,
            Some(2),
        ),
        Fault::Garbage => fails(
            Provider,
            &["with something that is not credentials: the answer is not a JSON object"],
            request * 3,
            Some(3),
        ),
        Fault::Oversized => fails(
            Provider,
            &["answered the credentials request with more than 65536 bytes, which is not an IMDS answer"],
            request * 3,
            Some(3),
        ),
        // Static stability: expired credentials from IMDS are used a little longer (the SDKs'
        // rule), with a new expiry in the future and a warning.
        Fault::ExpiredCredentials => ok(Duration::ZERO, request * 3, Some(3)),
        Fault::ConnectionReset => fails(
            Provider,
            &["the connection to IMDS at", "broke during the session token request"],
            three_attempts(request),
            Some(3),
        ),
    }
}

fn container(fault: Fault) -> Cell {
    let request = Timeouts::for_fault(fault).request();
    // One 429, the `Retry-After` wait, then the rest of the fetch within one request timeout.
    let throttled_then_ok = Duration::from_secs(RETRY_AFTER_S) + request;
    let waited = Duration::from_secs(RETRY_AFTER_S);
    let retried_then: &'static str = "(after 3 attempts): try again later; if it persists, check the agent";
    match fault {
        // A timeout is not retried: one attempt may take the whole request timeout.
        Fault::HangBeforeHeaders => fails(Provider, &["did not answer within 1 s"], request, Some(1)),
        Fault::HangMidBody | Fault::SlowDrip => {
            fails(Provider, &["started answering but did not finish within 1 s"], request, Some(1))
        }
        Fault::ServerErrorThenSuccess => ok(Duration::ZERO, three_attempts(request), Some(3)),
        Fault::ServerErrorPersistent => fails(
            Provider,
            &["answered HTTP 500 (after 3 attempts): try again later; if it persists, check the agent"],
            three_attempts(request),
            Some(3),
        ),
        Fault::ThrottledWithinDeadline => ok(waited, throttled_then_ok, Some(2)),
        Fault::ThrottledPastDeadline => fails(
            Provider,
            &[
                "answered HTTP 429 (too many requests): the agent is throttling this host",
                "it asked to wait 3600 s before another try",
                "try again later",
            ],
            request,
            Some(1),
        ),
        Fault::Unauthorized => fails(
            Provider,
            &["answered HTTP 401", "check the authorization token in AWS_CONTAINER_AUTHORIZATION_TOKEN"],
            request,
            Some(1),
        ),
        Fault::Forbidden => fails(
            Provider,
            &[
                "answered HTTP 403: AccessDenied: this pod may not use the role",
                "check the authorization token in AWS_CONTAINER_AUTHORIZATION_TOKEN",
            ],
            request,
            Some(1),
        ),
        Fault::NotFound => fails(
            Provider,
            &[
                "answered HTTP 404",
                "check AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI",
            ],
            request,
            Some(1),
        ),
        // An unparseable 200 is retried: an agent mid-restart can send a broken answer.
        Fault::Garbage => fails(
            Provider,
            &["answered with something that is not credentials", retried_then],
            three_attempts(request),
            Some(3),
        ),
        Fault::Oversized => fails(
            Provider,
            &["answered with more than 65536 bytes, which is not a credentials document: check what serves \
               this endpoint"],
            request,
            Some(1),
        ),
        Fault::ExpiredCredentials => fails(
            Provider,
            &["returned credentials that expired at", ": check the agent, and this host's clock"],
            request,
            Some(1),
        ),
        Fault::ConnectionReset => {
            fails(Provider, &["the connection broke", retried_then], three_attempts(request), Some(3))
        }
    }
}

fn sts(endpoint: Endpoint, fault: Fault) -> Cell {
    // The budget bounds a whole fetch, retries and backoff (and a honoured `Retry-After`) included.
    let budget = Timeouts::for_fault(fault).budget;
    let waited = Duration::from_secs(RETRY_AFTER_S);
    match fault {
        // One fetch never outlasts its budget; a hang uses all of it, leaving no time to retry.
        Fault::HangBeforeHeaders => fails(
            Timeout,
            &["did not answer within 1000 ms", "check that this host can reach the endpoint"],
            budget,
            Some(1),
        ),
        Fault::HangMidBody | Fault::SlowDrip => fails(
            Timeout,
            &["started answering but did not finish within 1000 ms", "or allow more time"],
            budget,
            Some(1),
        ),
        Fault::ServerErrorThenSuccess => ok(Duration::ZERO, budget, Some(3)),
        Fault::ServerErrorPersistent => fails(
            Provider,
            &["InternalFailure (HTTP 500)", "(after 3 attempts)", "STS is busy or failing; try again later"],
            budget,
            Some(3),
        ),
        Fault::ThrottledWithinDeadline => ok(waited, budget, Some(2)),
        Fault::ThrottledPastDeadline => fails(
            Provider,
            &[
                "Throttling (HTTP 429)",
                "STS is busy or failing; try again later",
                "(the server asked to wait 3600 s before another try, more than the 5000 ms this call may take)",
            ],
            budget,
            Some(1),
        ),
        Fault::Unauthorized => fails(
            Provider,
            &["answered HTTP 401 without an STS error code: check that the endpoint is STS"],
            budget,
            Some(1),
        ),
        Fault::Forbidden => fails(
            Provider,
            &[
                "AccessDenied (HTTP 403)",
                if endpoint == Endpoint::AssumeRole { "trust policy" } else { "its trust policy allows" },
            ],
            budget,
            Some(1),
        ),
        Fault::NotFound => fails(
            Provider,
            &["answered HTTP 404 without an STS error code: check that the endpoint is STS"],
            budget,
            Some(1),
        ),
        Fault::Garbage => fails(
            Provider,
            &["answered 200 but", "check that the endpoint is STS and that no proxy rewrites answers"],
            budget,
            Some(1),
        ),
        Fault::Oversized => fails(
            Provider,
            &[
                "answered with more than 1048576 bytes, which no STS answer needs: check that the endpoint is STS",
            ],
            budget,
            Some(1),
        ),
        Fault::ExpiredCredentials => fails(
            Provider,
            &["issued credentials that had already expired at", "check the system clock"],
            budget,
            Some(1),
        ),
        Fault::ConnectionReset => fails(
            Provider,
            &["failed: the connection broke", "(after 3 attempts)", "check the endpoint, DNS and network"],
            budget,
            Some(3),
        ),
    }
}

fn sso(fault: Fault) -> Cell {
    // The budget bounds a whole fetch, retries and backoff (and a honoured `Retry-After`) included.
    let budget = Timeouts::for_fault(fault).budget;
    let waited = Duration::from_secs(RETRY_AFTER_S);
    match fault {
        Fault::HangBeforeHeaders => fails(
            Timeout,
            &["did not answer within 1000 ms", "check that this host can reach it"],
            budget,
            Some(1),
        ),
        Fault::HangMidBody | Fault::SlowDrip => fails(
            Timeout,
            &["started answering but did not finish within 1000 ms", "or allow more time"],
            budget,
            Some(1),
        ),
        Fault::ServerErrorThenSuccess => ok(Duration::ZERO, budget, Some(3)),
        Fault::ServerErrorPersistent => fails(
            Provider,
            &["answered HTTP 500 (after 3 attempts): the portal is busy or failing; try again later"],
            budget,
            Some(3),
        ),
        Fault::ThrottledWithinDeadline => ok(waited, budget, Some(2)),
        Fault::ThrottledPastDeadline => fails(
            Provider,
            &[
                "answered HTTP 429 TooManyRequestsException: the portal is busy or failing; try again later",
                "(the portal asked to wait 3600 s before another try, more than the 5000 ms this call may take)",
            ],
            budget,
            Some(1),
        ),
        Fault::Unauthorized => fails(
            Provider,
            &["refused the cached SSO token (HTTP 401)", "run `aws sso login --sso-session matrix`"],
            budget,
            Some(1),
        ),
        Fault::Forbidden => fails(
            Provider,
            &[
                "(HTTP 403): run `aws sso login --sso-session matrix`, and check sso_account_id and sso_role_name",
            ],
            budget,
            Some(1),
        ),
        Fault::NotFound => {
            fails(Provider, &["(HTTP 404): check sso_account_id and sso_role_name"], budget, Some(1))
        }
        Fault::Garbage => fails(
            Provider,
            &[
                "answered HTTP 200 but the body is not JSON: check that the endpoint is the IAM Identity Center portal",
            ],
            budget,
            Some(1),
        ),
        Fault::Oversized => fails(
            Provider,
            &["answered with more than 65536 bytes, which no portal answer needs: check that the endpoint \
               is the IAM Identity Center portal"],
            budget,
            Some(1),
        ),
        Fault::ExpiredCredentials => fails(
            Provider,
            &["issued credentials that had expired at", "check the system clock"],
            budget,
            Some(1),
        ),
        Fault::ConnectionReset => fails(
            Provider,
            &["failed: the connection broke", "(after 3 attempts): check sso_region, DNS and proxy settings"],
            budget,
            Some(3),
        ),
    }
}
