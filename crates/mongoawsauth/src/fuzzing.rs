//! Entry points for the fuzz targets in the repository's `fuzz/` directory.
//!
//! **Not part of the stable API.** Hidden from the documentation, exempt from semver, and free to
//! change in any release. It exists because the parsers of what endpoints send back are
//! crate-private, and opening them to the fuzzer through these thin wrappers is safer than
//! making the internals public. Each wrapper calls exactly the function the library calls on a
//! real answer, and returns what the fuzz target needs to check its invariants (that an error
//! never quotes a secret, that `Debug` redacts).
//!
//! The parsers that are public already (the conversation, the connection-string settings, the
//! shared config files, `credential_process` output, the SSO token file and portal answer) are
//! fuzzed through their public API and have no wrapper here.

use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use crate::credentials::Credentials;
use crate::provider::imds::token;
use crate::provider::metadata::{self, Document};
use crate::provider::profile::process;
use crate::sts::Action;
use crate::sts::caller_identity::{self, CallerIdentity};
use crate::sts::response;

/// Every STS action whose answer the library parses.
pub const STS_ACTIONS: [Action; 3] =
    [Action::AssumeRoleWithWebIdentity, Action::AssumeRoleWithSaml, Action::AssumeRole];

// Adding an action to `Action` stops this from compiling until it is added to `STS_ACTIONS`
// above, so the fuzzer never silently skips a new action's answers.
const _: fn(Action) = |action| match action {
    Action::AssumeRoleWithWebIdentity | Action::AssumeRoleWithSaml | Action::AssumeRole => {}
};

/// What an STS success body yielded.
pub struct StsCredentials {
    /// The access key id (not a secret).
    pub access_key_id: String,
    /// The secret key, to check that `debug` does not show it.
    pub secret_access_key: Zeroizing<String>,
    /// The session token, to check that `debug` does not show it.
    pub session_token: Zeroizing<String>,
    /// The expiry.
    pub expiration: SystemTime,
    /// The assumed role's ARN, when the answer names it.
    pub assumed_role_arn: Option<String>,
    /// The library's `Debug` rendering of the parsed answer.
    pub debug: String,
}

impl std::fmt::Debug for StsCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.debug)
    }
}

/// Parses an STS success body for `action` (XML or JSON), as a source does after a 200.
pub fn sts_credentials(action: Action, body: &[u8]) -> Result<StsCredentials, String> {
    response::credentials(action, body).map(|issued| StsCredentials {
        debug: format!("{issued:?}"),
        access_key_id: issued.access_key_id.clone(),
        secret_access_key: issued.secret_access_key.clone(),
        session_token: issued.session_token.clone(),
        expiration: issued.expiration,
        assumed_role_arn: issued.assumed_role_arn.clone(),
    })
}

/// The STS error code and message in `body`, as read after a non-200 answer (not yet redacted:
/// the caller redacts the secrets it sent).
pub fn sts_service_error(body: &[u8]) -> Option<(String, String)> {
    response::service_error(body).map(|e| (e.code, e.message))
}

/// Parses a `GetCallerIdentity` answer.
pub fn caller_identity(body: &[u8]) -> Option<CallerIdentity> {
    caller_identity::parse(body)
}

/// What a container or IMDS credentials document yielded.
#[derive(Debug)]
pub enum MetadataDocument {
    /// Usable credentials.
    Credentials(Credentials),
    /// An error document's code and message, already scrubbed of every secret.
    Error {
        /// The error code.
        code: String,
        /// The error message.
        message: String,
    },
}

/// Parses a container endpoint or IMDS credentials document; `sent` are the secrets the request
/// carried (the IMDS session token, the container authorization token). `body` is wiped, as the
/// library wipes it.
pub fn metadata_document(body: &mut [u8], sent: &[&str]) -> Result<MetadataDocument, String> {
    match metadata::parse(body, "fuzz", sent) {
        Ok(Document::Credentials(c)) => Ok(MetadataDocument::Credentials(c)),
        Ok(Document::Error { code, message }) => Ok(MetadataDocument::Error { code, message }),
        Err(e) => Err(e.to_string()),
    }
}

/// Text from an endpoint made safe to show, as error documents are: see `metadata_document`.
pub fn scrubbed(text: &str, secrets: &[&str]) -> String {
    metadata::scrubbed(text, secrets)
}

/// Parses an IMDSv2 token answer: the body and the raw TTL header (`None` when absent, and when
/// its bytes could not be a header value, which the HTTP stack would have refused). Returns the
/// token's `Debug` rendering, the token itself and the TTL that would be used.
pub fn imds_token(
    body: &[u8],
    ttl_header: Option<&[u8]>,
) -> Result<(String, Zeroizing<String>, Duration), String> {
    let header = ttl_header.and_then(|h| reqwest::header::HeaderValue::from_bytes(h).ok());
    token::parse(body, header.as_ref())
        .map(|(t, ttl)| (format!("{t:?}"), Zeroizing::new(t.expose_secret().to_owned()), ttl))
}

/// The first line of a `credential_process`'s stderr as an error quotes it, with every word the
/// program printed on `stdout` redacted.
pub fn process_stderr_quote(stderr: &[u8], stdout: &[u8]) -> Option<String> {
    process::stderr_quote(stderr, stdout)
}

/// A `credential_process` value split with the POSIX rules and with the Windows rules, and the
/// program label messages show for the POSIX split; errors as their message.
#[allow(clippy::type_complexity)]
pub fn process_command(
    command: &str,
) -> (Result<(Vec<String>, String), String>, Result<Vec<String>, String>) {
    let posix = process::split_posix(command)
        .map(|argv| {
            let label = process::program_label(&argv[0]);
            (argv, label)
        })
        .map_err(|e| e.to_string());
    (posix, process::split_windows(command).map_err(|e| e.to_string()))
}

/// What the STS scrubber made of one piece of server text: see [`sts_scrub`]. Its `Debug` leaves
/// out `visible`, which holds the secrets the text quoted.
pub struct ScrubOutcome {
    /// The text as an error shows it: at most the cap (plus an ellipsis), secrets replaced.
    pub shown: String,
    /// Whether the library sees a secret quoted in the text.
    pub found: bool,
    /// The text without its control characters: what the secrets are searched in.
    pub visible: String,
    /// The byte ranges of `visible` replaced by a marker, in order, merged.
    pub hidden: Vec<std::ops::Range<usize>>,
}

impl std::fmt::Debug for ScrubOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScrubOutcome")
            .field("shown", &self.shown)
            .field("found", &self.found)
            .field("visible", &format_args!("{} bytes, not shown", self.visible.len()))
            .field("hidden", &self.hidden)
            .finish()
    }
}

/// STS server text scrubbed of `secrets` (the values a request sent) as an error shows it, at
/// most `max_chars`; whether the library sees a secret quoted in `text`; and which parts of the
/// text it hid, so that a target can check the hiding against its own search for the secrets
/// rather than guess where the markers stand in the output.
pub fn sts_scrub(secrets: &[&str], text: &str, max_chars: usize) -> ScrubOutcome {
    let mut all = crate::sts::Secrets::default();
    for secret in secrets {
        all.add(secret);
    }
    let (visible, hidden) = all.hide(text);
    ScrubOutcome {
        shown: all.scrub(text, max_chars),
        found: all.found_in(text),
        visible: visible.to_string(),
        hidden,
    }
}
