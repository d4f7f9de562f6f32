//! The body of an unsigned STS query-protocol call: `Action` and `Version` first (as botocore
//! sends them), then the operation's parameters, every name and value percent-encoded.

use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use zeroize::Zeroizing;

/// The STS API version both operations use.
pub const API_VERSION: &str = "2011-06-15";

/// Everything except RFC 3986's unreserved characters is encoded: ARNs carry `:` and `/`,
/// base64 assertions carry `+`, `/` and `=`, and a `+` left bare would decode as a space.
const ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The STS operations the credential sources call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `AssumeRoleWithWebIdentity` (EKS IRSA and other OIDC identities), unsigned.
    AssumeRoleWithWebIdentity,
    /// `AssumeRoleWithSAML`, unsigned.
    AssumeRoleWithSaml,
    /// `AssumeRole`, SigV4-signed with the source credentials (role chaining).
    AssumeRole,
}

impl Action {
    /// The operation's name as STS spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::AssumeRoleWithWebIdentity => "AssumeRoleWithWebIdentity",
            Action::AssumeRoleWithSaml => "AssumeRoleWithSAML",
            Action::AssumeRole => "AssumeRole",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One parameter. Values that are secrets (a token, an assertion) are marked so that `Debug`
/// never shows them; every value is zeroized on drop.
pub(crate) struct Param {
    pub(crate) name: &'static str,
    pub(crate) value: Zeroizing<String>,
    pub(crate) secret: bool,
}

impl Param {
    pub(crate) fn plain(name: &'static str, value: impl Into<String>) -> Self {
        Param { name, value: Zeroizing::new(value.into()), secret: false }
    }

    pub(crate) fn secret(name: &'static str, value: Zeroizing<String>) -> Self {
        Param { name, value, secret: true }
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &str = if self.secret { crate::credentials::REDACTED } else { &self.value };
        write!(f, "{}={value:?}", self.name)
    }
}

/// The length of `value` once percent-encoded.
fn encoded_len(value: &str) -> usize {
    utf8_percent_encode(value, ENCODE).map(str::len).sum()
}

/// Appends `value` percent-encoded, into capacity reserved beforehand (no reallocation, so no
/// unwiped copy of a secret is left behind).
fn push_encoded(out: &mut String, value: &str) {
    for piece in utf8_percent_encode(value, ENCODE) {
        out.push_str(piece);
    }
}

/// Percent-encodes one name or value, into a buffer of exactly the right size (it may be a
/// secret: a growing buffer would leave copies behind).
pub(crate) fn encode(value: &str) -> String {
    let mut out = String::with_capacity(encoded_len(value));
    push_encoded(&mut out, value);
    out
}

/// `Action=…&Version=2011-06-15&…` with every value encoded. The result holds secrets, so it is
/// zeroized on drop, and it is built in one buffer sized in advance, so that no reallocation
/// leaves a partial copy behind.
pub(crate) fn form_body(action: Action, params: &[Param]) -> Zeroizing<String> {
    let head = format!("Action={}&Version={API_VERSION}", action.as_str());
    let len =
        head.len() + params.iter().map(|p| 2 + encoded_len(p.name) + encoded_len(&p.value)).sum::<usize>();
    let mut body = Zeroizing::new(String::with_capacity(len));
    body.push_str(&head);
    for p in params {
        body.push('&');
        push_encoded(&mut body, p.name);
        body.push('=');
        push_encoded(&mut body, &p.value);
    }
    debug_assert_eq!(body.len(), len, "the size computed in advance is the size written");
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_base64_are_percent_encoded() {
        assert_eq!(
            encode("arn:aws:iam::123456789012:role/path/app role"),
            "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Fapp%20role"
        );
        assert_eq!(encode("ab+/cd=="), "ab%2B%2Fcd%3D%3D");
        assert_eq!(encode("A-z_0.9~"), "A-z_0.9~");
        assert_eq!(encode("é&="), "%C3%A9%26%3D");
    }

    #[test]
    fn action_and_version_come_first() {
        let body = form_body(
            Action::AssumeRoleWithWebIdentity,
            &[
                Param::plain("RoleArn", "arn:aws:iam::1:role/r"),
                Param::plain("RoleSessionName", "s@x"),
                Param::secret("WebIdentityToken", Zeroizing::new("eyJ.a+b".into())),
            ],
        );
        assert_eq!(
            body.as_str(),
            "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr\
             &RoleSessionName=s%40x&WebIdentityToken=eyJ.a%2Bb"
        );
        assert!(form_body(Action::AssumeRoleWithSaml, &[]).starts_with("Action=AssumeRoleWithSAML&Version="));
        // (form_body's debug assertion checks, in these tests, that the size reserved up front
        // is exactly the size written, so the buffer never grew.)
    }

    #[test]
    fn debug_hides_secret_values() {
        let p = Param::secret("SAMLAssertion", Zeroizing::new("PHNhbWw+".into()));
        let shown = format!("{p:?}");
        assert!(!shown.contains("PHNhbWw") && shown.contains("redacted"), "{shown}");
        assert_eq!(format!("{:?}", Param::plain("RoleArn", "arn")), "RoleArn=\"arn\"");
    }
}
