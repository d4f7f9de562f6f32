//! Which STS endpoint the unsigned calls go to.
//!
//! In order (the first that applies wins):
//! 1. [`ProviderConfig::with_sts_endpoint`](crate::ProviderConfig::with_sts_endpoint);
//! 2. `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL` (both ignored when
//!    `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, as in the SDKs);
//! 3. the global `https://sts.amazonaws.com` when `AWS_STS_REGIONAL_ENDPOINTS=legacy` and the
//!    region is one of the 16 regions botocore served globally, or when the region is
//!    `aws-global`;
//! 4. the regional `https://sts.{region}.{dnsSuffix}` when a region is known (`AWS_REGION`, then
//!    `AWS_DEFAULT_REGION`), with the DNS suffix of the region's partition;
//! 5. the global `https://sts.amazonaws.com` when no region is known (botocore's and the MongoDB
//!    spec's choice; the Rust SDK refuses instead, which would break every IRSA pod without a
//!    region).

use std::fmt;

use crate::config::Env;
use crate::error::Error;

/// STS's global endpoint, the one the MongoDB spec hard-codes.
pub const GLOBAL_ENDPOINT: &str = "https://sts.amazonaws.com";

/// The regions that `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends to the global endpoint
/// (botocore's `LEGACY_GLOBAL_STS_REGIONS`).
pub const LEGACY_GLOBAL_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

const ENDPOINT_URL_STS: &str = "AWS_ENDPOINT_URL_STS";
const ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
const IGNORE_CONFIGURED_ENDPOINT_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const STS_REGIONAL_ENDPOINTS: &str = "AWS_STS_REGIONAL_ENDPOINTS";

/// Why an endpoint was chosen, for diagnostics and error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointOrigin {
    /// Set in code through [`ProviderConfig::with_sts_endpoint`](crate::ProviderConfig::with_sts_endpoint).
    Configured,
    /// Taken from an environment variable (`AWS_ENDPOINT_URL_STS` or `AWS_ENDPOINT_URL`).
    Variable(&'static str),
    /// The regional endpoint of `region`, read from `variable`.
    Regional {
        /// The region.
        region: String,
        /// The variable it came from (`AWS_REGION` or `AWS_DEFAULT_REGION`).
        variable: &'static str,
    },
    /// The global endpoint because `AWS_STS_REGIONAL_ENDPOINTS=legacy` names a legacy region, or
    /// the region is `aws-global`.
    LegacyGlobal {
        /// The region.
        region: String,
    },
    /// The global endpoint because no region is set.
    NoRegion,
}

impl fmt::Display for EndpointOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointOrigin::Configured => f.write_str("set in the options"),
            EndpointOrigin::Variable(name) => write!(f, "from {name}"),
            EndpointOrigin::Regional { region, variable } => {
                write!(f, "regional endpoint for {variable}={region}")
            }
            EndpointOrigin::LegacyGlobal { region } => write!(
                f,
                "global endpoint for region {region} because {STS_REGIONAL_ENDPOINTS}=legacy or the \
                 region is aws-global"
            ),
            EndpointOrigin::NoRegion => {
                write!(f, "global endpoint because neither {REGION} nor {DEFAULT_REGION} is set")
            }
        }
    }
}

/// A resolved STS endpoint: its URL and why it was chosen. `Debug` and `Display` show the URL
/// with its user information and query redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    url: String,
    origin: EndpointOrigin,
}

impl StsEndpoint {
    /// The URL requests are sent to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Why this endpoint was chosen.
    pub fn origin(&self) -> &EndpointOrigin {
        &self.origin
    }

    /// The URL for messages and logs: scheme, host, port and path, with the user information
    /// and the query replaced by a marker (an endpoint URL is not a secret, but a proxy-style
    /// `user:password@` or a `?token=` in it would be).
    pub fn display_url(&self) -> String {
        crate::redact::url(&self.url)
    }
}

impl fmt::Debug for StsEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StsEndpoint").field("url", &self.display_url()).field("origin", &self.origin).finish()
    }
}

impl fmt::Display for StsEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.display_url(), self.origin)
    }
}

/// The DNS suffix of the partition `region` belongs to: `amazonaws.com` for the commercial and
/// GovCloud regions (and any region this table does not know, as the SDKs' partition rules do),
/// `amazonaws.com.cn` for China, and the suffixes of the isolated and sovereign partitions.
pub fn dns_suffix(region: &str) -> &'static str {
    const PARTITIONS: [(&str, &str); 6] = [
        ("cn-", "amazonaws.com.cn"),
        ("us-iso-", "c2s.ic.gov"),
        ("us-isob-", "sc2s.sgov.gov"),
        ("us-isof-", "csp.hci.ic.gov"),
        ("eu-isoe-", "cloud.adc-e.uk"),
        ("eusc-", "amazonaws.eu"),
    ];
    PARTITIONS.iter().find(|(prefix, _)| region.starts_with(prefix)).map_or("amazonaws.com", |(_, s)| s)
}

/// Resolves the STS endpoint from an explicit override (usually
/// [`ProviderConfig::sts_endpoint`](crate::ProviderConfig::sts_endpoint)) and the environment.
///
/// Errors (kind [`crate::ErrorKind::Configuration`]) name the variable at fault: an endpoint URL
/// that is not `http(s)://host…`, a region that is not a region name, or an
/// `AWS_STS_REGIONAL_ENDPOINTS` other than `regional` or `legacy`.
pub fn resolve(env: &Env, configured: Option<&str>) -> Result<StsEndpoint, Error> {
    if let Some(url) = configured {
        return Ok(StsEndpoint {
            url: check_url(url, "the STS endpoint in the options")?,
            origin: EndpointOrigin::Configured,
        });
    }
    let ignore = env
        .get_non_blank(IGNORE_CONFIGURED_ENDPOINT_URLS)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    if !ignore {
        for name in [ENDPOINT_URL_STS, ENDPOINT_URL] {
            if let Some(url) = env.get_non_blank(name) {
                return Ok(StsEndpoint {
                    url: check_url(url.trim(), name)?,
                    origin: EndpointOrigin::Variable(name),
                });
            }
        }
    }
    let legacy = match env.get_non_blank(STS_REGIONAL_ENDPOINTS) {
        None => false,
        Some(v) if v.trim().eq_ignore_ascii_case("regional") => false,
        Some(v) if v.trim().eq_ignore_ascii_case("legacy") => true,
        Some(_) => {
            return Err(Error::configuration(format!(
                "{STS_REGIONAL_ENDPOINTS} must be 'regional' or 'legacy': fix or unset it"
            )));
        }
    };
    let region = [REGION, DEFAULT_REGION]
        .into_iter()
        .find_map(|name| env.get_non_blank(name).map(|v| (name, v.trim().to_owned())));
    let Some((variable, region)) = region else {
        return Ok(StsEndpoint { url: GLOBAL_ENDPOINT.to_owned(), origin: EndpointOrigin::NoRegion });
    };
    if !is_region_name(&region) {
        return Err(Error::configuration(format!(
            "{variable} is not an AWS region name (lower-case letters, digits and '-', like \
             eu-west-1): fix it, or set {ENDPOINT_URL_STS} to the STS URL to use"
        )));
    }
    if region == "aws-global" || (legacy && LEGACY_GLOBAL_REGIONS.contains(&region.as_str())) {
        return Ok(StsEndpoint {
            url: GLOBAL_ENDPOINT.to_owned(),
            origin: EndpointOrigin::LegacyGlobal { region },
        });
    }
    Ok(StsEndpoint {
        url: format!("https://sts.{region}.{}", dns_suffix(&region)),
        origin: EndpointOrigin::Regional { region, variable },
    })
}

/// A region name is a DNS label: checking it keeps a variable from steering the host name
/// (`AWS_REGION=evil.example/x` must not become `https://sts.evil.example/x.amazonaws.com`).
fn is_region_name(region: &str) -> bool {
    !region.is_empty()
        && region.len() <= 63
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-')
}

fn check_url(url: &str, what: &str) -> Result<String, Error> {
    let bad = || {
        Error::configuration(format!(
            "{what} is not an http:// or https:// URL with a host (like https://sts.eu-west-1.amazonaws.com): \
             fix or unset it"
        ))
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| bad())?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(url.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn resolve_vars(vars: &[(&str, &str)], configured: Option<&str>) -> Result<StsEndpoint, Error> {
        resolve(&Env::from_vars(vars.iter().copied()), configured)
    }

    /// Every row: variables, configured override, expected URL. The URLs are only computed here,
    /// never requested.
    /// Variables, the configured override, and the expected URL.
    type Row<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, &'a str);

    #[test]
    fn endpoint_table() {
        let rows: &[Row<'_>] = &[
            (&[], None, "https://sts.amazonaws.com"),
            (&[(REGION, "eu-west-1")], None, "https://sts.eu-west-1.amazonaws.com"),
            (&[(DEFAULT_REGION, "ap-south-2")], None, "https://sts.ap-south-2.amazonaws.com"),
            (
                &[(REGION, "eu-west-1"), (DEFAULT_REGION, "us-west-2")],
                None,
                "https://sts.eu-west-1.amazonaws.com",
            ),
            (&[(REGION, " "), (DEFAULT_REGION, "us-west-2")], None, "https://sts.us-west-2.amazonaws.com"),
            (&[(REGION, "us-gov-west-1")], None, "https://sts.us-gov-west-1.amazonaws.com"),
            (&[(REGION, "cn-north-1")], None, "https://sts.cn-north-1.amazonaws.com.cn"),
            (&[(REGION, "cn-northwest-1")], None, "https://sts.cn-northwest-1.amazonaws.com.cn"),
            (&[(REGION, "us-iso-east-1")], None, "https://sts.us-iso-east-1.c2s.ic.gov"),
            (&[(REGION, "us-isob-east-1")], None, "https://sts.us-isob-east-1.sc2s.sgov.gov"),
            (&[(REGION, "us-isof-south-1")], None, "https://sts.us-isof-south-1.csp.hci.ic.gov"),
            (&[(REGION, "eu-isoe-west-1")], None, "https://sts.eu-isoe-west-1.cloud.adc-e.uk"),
            (&[(REGION, "eusc-de-east-1")], None, "https://sts.eusc-de-east-1.amazonaws.eu"),
            // legacy: only the 16 legacy regions go global.
            (&[(REGION, "us-east-1"), (STS_REGIONAL_ENDPOINTS, "legacy")], None, GLOBAL_ENDPOINT),
            (&[(REGION, "eu-west-3"), (STS_REGIONAL_ENDPOINTS, "LEGACY")], None, GLOBAL_ENDPOINT),
            (
                &[(REGION, "af-south-1"), (STS_REGIONAL_ENDPOINTS, "legacy")],
                None,
                "https://sts.af-south-1.amazonaws.com",
            ),
            (
                &[(REGION, "cn-north-1"), (STS_REGIONAL_ENDPOINTS, "legacy")],
                None,
                "https://sts.cn-north-1.amazonaws.com.cn",
            ),
            (
                &[(REGION, "us-east-1"), (STS_REGIONAL_ENDPOINTS, "regional")],
                None,
                "https://sts.us-east-1.amazonaws.com",
            ),
            (&[(REGION, "aws-global")], None, GLOBAL_ENDPOINT),
            (&[(STS_REGIONAL_ENDPOINTS, "legacy")], None, GLOBAL_ENDPOINT),
            // overrides, in order
            (
                &[
                    (ENDPOINT_URL_STS, "http://127.0.0.1:1/"),
                    (ENDPOINT_URL, "http://127.0.0.1:2/"),
                    (REGION, "eu-west-1"),
                ],
                None,
                "http://127.0.0.1:1/",
            ),
            (&[(ENDPOINT_URL, "http://127.0.0.1:2/"), (REGION, "eu-west-1")], None, "http://127.0.0.1:2/"),
            (&[(ENDPOINT_URL_STS, ""), (ENDPOINT_URL, "http://[::1]:2")], None, "http://[::1]:2"),
            (
                &[(ENDPOINT_URL_STS, "http://127.0.0.1:1/")],
                Some("http://127.0.0.1:9/"),
                "http://127.0.0.1:9/",
            ),
            (
                &[
                    (ENDPOINT_URL_STS, "http://127.0.0.1:1/"),
                    (IGNORE_CONFIGURED_ENDPOINT_URLS, "true"),
                    (REGION, "eu-west-1"),
                ],
                None,
                "https://sts.eu-west-1.amazonaws.com",
            ),
        ];
        for (vars, configured, want) in rows {
            let got = resolve_vars(vars, *configured).unwrap_or_else(|e| panic!("{vars:?}: {e}"));
            assert_eq!(got.url(), *want, "{vars:?} {configured:?}");
        }
    }

    #[test]
    fn the_origin_says_why() {
        let e = resolve_vars(&[(DEFAULT_REGION, "eu-west-1")], None).unwrap();
        assert_eq!(
            e.origin(),
            &EndpointOrigin::Regional { region: "eu-west-1".into(), variable: DEFAULT_REGION }
        );
        assert!(e.to_string().contains("AWS_DEFAULT_REGION=eu-west-1"), "{e}");
        assert_eq!(resolve_vars(&[], None).unwrap().origin(), &EndpointOrigin::NoRegion);
        let e = resolve_vars(&[(ENDPOINT_URL, "http://u:pw@127.0.0.1:5/")], None).unwrap();
        assert_eq!(e.origin(), &EndpointOrigin::Variable(ENDPOINT_URL));
        assert!(!e.to_string().contains("pw"), "{e}");
    }

    #[test]
    fn the_legacy_list_has_sixteen_regions() {
        assert_eq!(LEGACY_GLOBAL_REGIONS.len(), 16);
        for region in LEGACY_GLOBAL_REGIONS {
            let e = resolve_vars(&[(REGION, region), (STS_REGIONAL_ENDPOINTS, "legacy")], None).unwrap();
            assert_eq!(e.url(), GLOBAL_ENDPOINT, "{region}");
        }
    }

    #[test]
    fn bad_configuration_names_the_variable() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[(ENDPOINT_URL_STS, "sts.amazonaws.com")], ENDPOINT_URL_STS),
            (&[(ENDPOINT_URL, "ftp://127.0.0.1/")], ENDPOINT_URL),
            (&[(REGION, "evil.example/x")], REGION),
            (&[(DEFAULT_REGION, "EU-WEST-1")], DEFAULT_REGION),
            (&[(REGION, "eu-west-1"), (STS_REGIONAL_ENDPOINTS, "global")], STS_REGIONAL_ENDPOINTS),
        ];
        for (vars, name) in cases {
            let e = resolve_vars(vars, None).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Configuration);
            assert!(e.message().contains(name), "{e}");
        }
        assert!(resolve_vars(&[], Some("not a url")).is_err());
    }
}
