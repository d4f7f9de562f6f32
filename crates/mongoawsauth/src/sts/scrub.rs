//! Keeping what we sent as a secret out of anything derived from an STS answer.
//!
//! A hostile or careless server (or a proxy in between) may quote the request back: the web
//! identity token, the SAML assertion, the session token of the credentials a signed call uses.
//! Every piece of server text (error code and message, the issued role ARN) goes through
//! [`Secrets::scrub`] before it reaches an error, a log event or a `Debug` string. Each secret is
//! searched for both as we hold it and percent-encoded as the form body carried it.

use std::ops::Range;

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
    ///
    /// Every occurrence of every spelling is found in that text first, overlapping ones
    /// included, and each run of text they cover becomes one marker. Replacing one secret after
    /// another would be wrong twice over: a secret that overlaps one already replaced would no
    /// longer match, and its part outside the overlap would show; and a later secret could match
    /// inside a marker already written and garble it.
    pub(crate) fn scrub(&self, text: &str, max_chars: usize) -> String {
        let (visible, hidden) = self.hide(text);
        let mut out = String::with_capacity(visible.len());
        let mut shown_up_to = 0;
        for range in hidden {
            out.push_str(&visible[shown_up_to..range.start]);
            out.push_str(REDACTED);
            shown_up_to = range.end;
        }
        out.push_str(&visible[shown_up_to..]);
        if out.chars().count() > max_chars {
            out = out.chars().take(max_chars).collect::<String>() + "…";
        }
        out.trim().to_owned()
    }

    /// `text` without its control characters, and the byte ranges of it that a marker replaces.
    pub(crate) fn hide(&self, text: &str) -> (Zeroizing<String>, Vec<Range<usize>>) {
        let visible = Zeroizing::new(without_controls(text));
        let hidden = self.covered(&visible);
        (visible, hidden)
    }

    /// The byte ranges of `text` that any spelling covers, overlapping and touching ranges
    /// merged, in order.
    fn covered(&self, text: &str) -> Vec<Range<usize>> {
        let mut found: Vec<Range<usize>> = Vec::new();
        for secret in &self.0 {
            let mut from = 0;
            while let Some(at) = text[from..].find(secret.as_str()).map(|i| from + i) {
                found.push(at..at + secret.len());
                // The next occurrence may overlap this one: look again from the next character.
                from = at + text[at..].chars().next().map_or(1, char::len_utf8);
            }
        }
        found.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(found.len());
        for range in found {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        merged
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

    /// Found in a fuzz run: secrets replaced one after another let the second of two overlapping
    /// secrets show its part outside the overlap, let a secret that occurs overlapping itself
    /// show its tail, and let a later secret match inside a marker already written.
    #[test]
    fn overlapping_secrets_and_markers_leave_nothing_behind() {
        let s = secrets(&["12345678", "5678abcdefgh"]);
        assert_eq!(s.scrub("x 12345678abcdefgh y", 100), "x ** redacted ** y");
        assert_eq!(s.scrub("12345678 and 5678abcdefgh", 100), "** redacted ** and ** redacted **");
        let s = secrets(&["abcdabcdab"]);
        assert_eq!(s.scrub("<abcdabcdabcdab>", 100), "<** redacted **>");
        let s = secrets(&["session-token-1", "d **"]);
        assert_eq!(s.scrub("got session-token-1 twice", 100), "got ** redacted ** twice");
        let s = secrets(&["\u{e9}t\u{e9}\u{e9}t\u{e9}", "t\u{e9}\u{e9}t\u{e9}x"]);
        assert_eq!(s.scrub("a \u{e9}t\u{e9}\u{e9}t\u{e9}x b", 100), "a ** redacted ** b");
    }
}
