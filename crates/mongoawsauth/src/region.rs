//! What an AWS region name looks like: the one check for every place a region from the
//! environment or a profile becomes part of a host name (the STS endpoint, the SSO portal).

/// Whether `region` is an AWS region name: a partition prefix of 2 letters (4 for the European
/// Sovereign Cloud's `eusc`), one or more lower-case words, and a number, each after a `-`
/// (`us-east-1`, `us-gov-west-1`, `eusc-de-east-1`); or `aws-global`, botocore's name for the
/// global endpoint. Anything else (`garbage`, `EU-WEST-1`, `evil.example/x`) would otherwise
/// become a host such as `sts.garbage.amazonaws.com` and fail later with a confusing DNS error,
/// or let a variable or a profile steer the host name.
pub(crate) fn is_region_name(region: &str) -> bool {
    if region == "aws-global" {
        return true;
    }
    let labels: Vec<&str> = region.split('-').collect();
    let lower = |label: &str| !label.is_empty() && label.bytes().all(|b| b.is_ascii_lowercase());
    match labels.as_slice() {
        [prefix, words @ .., number] if !words.is_empty() => {
            (2..=4).contains(&prefix.len())
                && lower(prefix)
                && words.iter().all(|w| lower(w))
                && !number.is_empty()
                && number.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The region names every face's tests share (`tests/data/contract/options.json`).
    fn contract_regions() -> (Vec<String>, Vec<String>) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data/contract/options.json");
        let text = std::fs::read_to_string(path).unwrap();
        let options: serde_json::Value = serde_json::from_str(&text).unwrap();
        let list = |which: &str| -> Vec<String> {
            options["regions"][which]
                .as_array()
                .unwrap_or_else(|| panic!("regions.{which} in {path}"))
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        };
        (list("valid"), list("invalid"))
    }

    #[test]
    fn the_contract_regions_and_the_special_names() {
        let (valid, invalid) = contract_regions();
        assert!(!valid.is_empty() && !invalid.is_empty());
        for region in valid.iter().map(String::as_str).chain(["eusc-de-east-1", "aws-global"]) {
            assert!(is_region_name(region), "{region} is a region name");
        }
        for region in invalid.iter().map(String::as_str) {
            assert!(!is_region_name(region), "{region} is not a region name");
        }
    }

    #[test]
    fn what_could_steer_a_host_name_is_refused() {
        for region in [
            "",
            "us",
            "us-1",
            "us-east-",
            "us-east-x",
            "useast1-east-1",
            "u-east-1",
            "us--east-1",
            "us-east-1-",
            "us-east-1.evil.example",
            "a.b",
            "x/y",
            "us-east-1\n",
            "aws-global-1x",
            "AWS-GLOBAL",
        ] {
            assert!(!is_region_name(region), "{region:?}");
        }
    }
}
