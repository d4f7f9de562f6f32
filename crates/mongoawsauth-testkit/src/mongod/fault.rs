//! Fault modes: deliberate mistakes in the server-first message, to test a client's checks.

use std::fmt;

/// A deliberate defect in the fake mongod's `saslStart` reply (the server-first payload).
/// Set it in [`MongodConfig`](super::MongodConfig) or at run time with
/// [`FakeMongod::set_fault`](super::FakeMongod::set_fault). A correct client refuses to continue
/// under every fault except [`Fault::StsHost`] with a valid host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `s` is 63 bytes instead of 64.
    ShortNonce,
    /// `s` is 64 bytes but does not start with the client nonce.
    NonceWrongPrefix,
    /// `h` is this string instead of the configured host (e.g. `sts..com`, `.amazonaws.com`, ``).
    StsHost(String),
    /// The payload has a third field besides `s` and `h`.
    ExtraField,
    /// `s` has binary subtype 0x80 (user defined) instead of 0 (generic).
    NonceWrongSubtype,
    /// `h` is an int32 instead of a string.
    HostWrongType,
    /// The payload bytes are not a BSON document at all.
    PayloadNotBson,
}

impl Fault {
    /// Parses the names the binary's `--fault` accepts: `short-nonce`, `nonce-wrong-prefix`,
    /// `sts-host=<host>`, `extra-field`, `nonce-wrong-subtype`, `host-wrong-type`,
    /// `payload-not-bson`.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "short-nonce" => Self::ShortNonce,
            "nonce-wrong-prefix" => Self::NonceWrongPrefix,
            "extra-field" => Self::ExtraField,
            "nonce-wrong-subtype" => Self::NonceWrongSubtype,
            "host-wrong-type" => Self::HostWrongType,
            "payload-not-bson" => Self::PayloadNotBson,
            other => Self::StsHost(other.strip_prefix("sts-host=")?.to_owned()),
        })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ShortNonce => f.write_str("short-nonce"),
            Self::NonceWrongPrefix => f.write_str("nonce-wrong-prefix"),
            Self::StsHost(h) => write!(f, "sts-host={h}"),
            Self::ExtraField => f.write_str("extra-field"),
            Self::NonceWrongSubtype => f.write_str("nonce-wrong-subtype"),
            Self::HostWrongType => f.write_str("host-wrong-type"),
            Self::PayloadNotBson => f.write_str("payload-not-bson"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in [
            Fault::ShortNonce,
            Fault::NonceWrongPrefix,
            Fault::StsHost("sts..com".into()),
            Fault::StsHost(String::new()),
            Fault::ExtraField,
            Fault::NonceWrongSubtype,
            Fault::HostWrongType,
            Fault::PayloadNotBson,
        ] {
            assert_eq!(Fault::parse(&f.to_string()), Some(f));
        }
        assert_eq!(Fault::parse("nope"), None);
    }
}
