//! Validation of the STS host the server names in its first reply (`h`), and the region the
//! signature's credential scope must carry, exactly as the MongoDB auth spec's region table says.
//!
//! The spec's pseudocode special-cases `aws.amazonaws.com`, but its own table (and every driver)
//! needs `sts.amazonaws.com` to map to `us-east-1`; both do here.

use crate::error::{Error, Result};

/// The longest host name the spec accepts, in bytes (RFC 1035).
pub const MAX_HOST_LEN: usize = 255;

/// The region used for the global endpoint and for hosts without a dot.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Checks an STS host from the server and returns the signing region for it.
///
/// Errors (kind [`crate::ErrorKind::Authentication`]) for an empty host, one over 255 bytes, or
/// one with an empty label (`sts..com`, `.amazonaws.com`, `sts.amazonaws.`).
///
/// ```
/// assert_eq!(mongoawsauth::sts_host::region_for_host("sts.us-west-2.amazonaws.com").unwrap(), "us-west-2");
/// assert_eq!(mongoawsauth::sts_host::region_for_host("sts.amazonaws.com").unwrap(), "us-east-1");
/// assert!(mongoawsauth::sts_host::region_for_host("sts..com").is_err());
/// ```
pub fn region_for_host(host: &str) -> Result<&str> {
    validate_host(host)?;
    if host.eq_ignore_ascii_case("sts.amazonaws.com") || host.eq_ignore_ascii_case("aws.amazonaws.com") {
        return Ok(DEFAULT_REGION);
    }
    let mut labels = host.split('.');
    let _first = labels.next();
    Ok(labels.next().unwrap_or(DEFAULT_REGION))
}

/// Checks the spec's rules for an STS host without deriving a region.
pub fn validate_host(host: &str) -> Result<()> {
    if host.is_empty() {
        return Err(Error::authentication("the server sent an empty STS host"));
    }
    if host.len() > MAX_HOST_LEN {
        return Err(Error::authentication(format!(
            "the server sent an STS host of {} bytes, longer than the {MAX_HOST_LEN} allowed",
            host.len()
        )));
    }
    if host.split('.').any(str::is_empty) {
        return Err(Error::authentication(format!(
            "the server sent the STS host {:?}, which has an empty label (a leading, trailing or \
             doubled dot)",
            printable(host)
        )));
    }
    if host.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(Error::authentication(format!(
            "the server sent the STS host {:?}, which contains whitespace or control characters",
            printable(host)
        )));
    }
    Ok(())
}

/// Shortens a hostile host for an error message.
fn printable(host: &str) -> String {
    host.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn spec_table() {
        let ok = [
            ("sts.amazonaws.com", "us-east-1"),
            ("aws.amazonaws.com", "us-east-1"),
            ("STS.AMAZONAWS.COM", "us-east-1"),
            ("sts.us-west-2.amazonaws.com", "us-west-2"),
            ("sts.us-west-2.amazonaws.com.ch", "us-west-2"),
            ("example.com", "com"),
            ("localhost", "us-east-1"),
        ];
        for (host, region) in ok {
            assert_eq!(region_for_host(host).unwrap(), region, "{host}");
        }
        let long = "x".repeat(256);
        for host in ["sts..com", ".amazonaws.com", "sts.amazonaws.", "", long.as_str(), "a b.com"] {
            let err = region_for_host(host).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Authentication, "{host}");
        }
        assert!(region_for_host(&"x".repeat(255)).is_ok());
    }
}
