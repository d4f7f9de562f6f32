//! The MONGODB-AWS region rule (MongoDB Authentication specification, region calculation), in
//! the fake mongod's own copy so that it does not share a bug with the client's.

use std::fmt;

/// Why a host is not a valid STS host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidHost(&'static str);

impl fmt::Display for InvalidHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for InvalidHost {}

/// The SigV4 region a client must sign for when the server sends STS host `host`.
///
/// Empty hosts, hosts over 255 bytes and hosts with an empty label are invalid.
/// `sts.amazonaws.com` and `aws.amazonaws.com` (the spec's pseudocode says the latter, its table
/// and every driver mean the former; both are accepted) and hosts without a dot give
/// `us-east-1`; any other host gives its second label.
pub fn region_from_host(host: &str) -> Result<String, InvalidHost> {
    if host.is_empty() {
        return Err(InvalidHost("the STS host is empty"));
    }
    if host.len() > 255 {
        return Err(InvalidHost("the STS host is longer than 255 bytes"));
    }
    if host.split('.').any(str::is_empty) {
        return Err(InvalidHost("the STS host has an empty label"));
    }
    if host.eq_ignore_ascii_case("sts.amazonaws.com") || host.eq_ignore_ascii_case("aws.amazonaws.com") {
        return Ok("us-east-1".to_owned());
    }
    Ok(host.split('.').nth(1).unwrap_or("us-east-1").to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_region_cases() {
        let path =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/sigv4/mongodb-aws-sigv4-vectors.json");
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let cases = v["region_cases"].as_array().unwrap();
        assert!(cases.len() >= 10);
        for c in cases {
            let host = c["host"].as_str().unwrap();
            match c["region"].as_str() {
                Some(region) => assert_eq!(region_from_host(host).unwrap(), region, "{host}"),
                None => assert!(region_from_host(host).is_err(), "{host}"),
            }
        }
    }
}
