//! Keeping what we sent as a secret out of anything derived from an STS answer.
//!
//! A hostile or careless server (or a proxy in between) may quote the request back: the web
//! identity token, the SAML assertion, the session token of the credentials a signed call uses.
//! Every piece of server text (error code and message, the issued role ARN) goes through
//! [`Secrets::scrub`] before it reaches an error, a log event or a `Debug` string. Each secret is
//! searched for both as we hold it and percent-encoded as the form body carried it.

use zeroize::Zeroizing;

use crate::credentials::REDACTED;

/// Secrets shorter than this are not searched for: replacing every `a` of a message would hide
/// the message without protecting anything.
const MIN_LEN: usize = 4;

/// The secret values of one request, in every spelling the server may echo. Zeroized on drop.
#[derive(Default)]
pub(crate) struct Secrets(Vec<Zeroizing<String>>);

impl Secrets {
    /// Adds `value`: as is, percent-encoded, and without its control characters (what is shown
    /// never has any, so that is the only way a secret holding one, such as a SAML assertion
    /// with line breaks, could appear in it).
    pub(crate) fn add(&mut self, value: &str) {
        if value.len() < MIN_LEN {
            return;
        }
        let spellings = [
            Zeroizing::new(value.to_owned()),
            Zeroizing::new(super::request::encode(value)),
            Zeroizing::new(without_controls(value)),
        ];
        for spelling in spellings {
            if spelling.len() >= MIN_LEN && !self.0.contains(&spelling) {
                self.0.push(spelling);
            }
        }
        // Longest first: a shorter spelling inside a longer one must not leave the rest behind.
        self.0.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Whether `text` quotes any of the secrets, control characters aside.
    pub(crate) fn found_in(&self, text: &str) -> bool {
        let visible = Zeroizing::new(without_controls(text));
        self.0.iter().any(|s| text.contains(s.as_str()) || visible.contains(s.as_str()))
    }

    /// Server text made safe to show: control characters dropped (a message must not rewrite a
    /// terminal or forge a log line), secrets replaced by a marker, at most `max_chars`.
    ///
    /// Control characters go first: dropped after the search, one inside an echoed secret would
    /// hide the secret from the search and then vanish, leaving it whole.
    pub(crate) fn scrub(&self, text: &str, max_chars: usize) -> String {
        let mut out = Zeroizing::new(without_controls(text));
        for secret in &self.0 {
            if out.contains(secret.as_str()) {
                out = Zeroizing::new(out.replace(secret.as_str(), REDACTED));
            }
        }
        let mut out = out.to_string();
        if out.chars().count() > max_chars {
            out = out.chars().take(max_chars).collect::<String>() + "…";
        }
        out.trim().to_owned()
    }
}

/// `text` without its control characters, in a buffer sized up front: the text may hold a
/// secret, and a buffer that grows leaves unwiped copies behind.
fn without_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    out.extend(text.chars().filter(|c| !c.is_control()));
    out
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secrets({} spellings, {REDACTED})", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(values: &[&str]) -> Secrets {
        let mut s = Secrets::default();
        for v in values {
            s.add(v);
        }
        s
    }

    #[test]
    fn redacts_raw_and_encoded_spellings_and_control_characters() {
        let s = secrets(&["eyJhbGciOi.pay+load/=="]);
        assert_eq!(
            s.scrub("bad token eyJhbGciOi.pay+load/==\r\n\x1b[31m!", 100),
            "bad token ** redacted **[31m!"
        );
        assert_eq!(
            s.scrub("body: WebIdentityToken=eyJhbGciOi.pay%2Bload%2F%3D%3D&x=1", 100),
            "body: WebIdentityToken=** redacted **&x=1"
        );
        assert!(s.found_in("xeyJhbGciOi.pay%2Bload%2F%3D%3Dx") && !s.found_in("eyJhbGciOi"));
        assert_eq!(secrets(&[]).scrub(&"x".repeat(600), 512).chars().count(), 513);
        assert_eq!(
            secrets(&["a"]).scrub("ab", 10),
            "ab",
            "secrets shorter than 4 characters are not searched for"
        );
        assert!(!format!("{s:?}").contains("eyJ"));
    }

    /// Control characters are dropped from what is shown, so a control character inside an echoed
    /// secret must not hide it from the search and then vanish, leaving the secret whole; and a
    /// secret that holds one (a SAML assertion with line breaks) must not show without it.
    #[test]
    fn control_characters_cannot_carry_a_secret_through() {
        let s = secrets(&["eyJhbGciOi.payload"]);
        assert_eq!(s.scrub("token eyJhbG\u{7}ciOi.payload refused", 100), "token ** redacted ** refused");
        assert!(s.found_in("eyJhbGciOi.pay\r\nload"));
        let s = secrets(&["PHNhbWw+\nPC9zYW1sPg=="]);
        assert_eq!(
            s.scrub("assertion PHNhbWw+PC9zYW1sPg== is invalid", 100),
            "assertion ** redacted ** is invalid"
        );
        assert_eq!(s.scrub("assertion PHNhbWw+\nPC9zYW1sPg==", 100), "assertion ** redacted **");
    }
}
