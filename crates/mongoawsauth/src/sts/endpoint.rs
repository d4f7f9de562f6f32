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
//!
//! [`resolve`] reads these from the environment; [`resolve_inputs`] is the same decision over
//! settings already read elsewhere (a shared config profile adds `region`, `endpoint_url`, the
//! `[services]` section, `use_fips_endpoint` and `use_dualstack_endpoint`), with the FIPS and
//! dual-stack variants of the regional endpoint as the STS endpoint rules define them.

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
    /// An endpoint URL from a setting that is not an environment variable (such as
    /// `endpoint_url` in a shared config profile); the text says where.
    Setting(String),
    /// The regional endpoint of `region`, read from a setting described by `setting`.
    RegionalSetting {
        /// The region.
        region: String,
        /// Where it was read (such as `region in [profile dev] in ~/.aws/config line 3`).
        setting: String,
    },
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
            EndpointOrigin::Setting(setting) => write!(f, "from {setting}"),
            EndpointOrigin::RegionalSetting { region, setting } => {
                write!(f, "regional endpoint for region {region} from {setting}")
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
    /// "FIPS", "dual-stack" or "FIPS dual-stack" when one of those variants was asked for.
    variant: Option<&'static str>,
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
        match self.variant {
            None => write!(f, "{} ({})", self.display_url(), self.origin),
            Some(variant) => write!(f, "{} ({}, {variant})", self.display_url(), self.origin),
        }
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

/// Where one input of [`resolve_inputs`] was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputFrom {
    /// An environment variable.
    Variable(&'static str),
    /// Another setting, described for messages (such as `endpoint_url in [profile dev] in
    /// ~/.aws/config line 4`).
    Setting(String),
}

impl fmt::Display for InputFrom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputFrom::Variable(name) => f.write_str(name),
            InputFrom::Setting(text) => f.write_str(text),
        }
    }
}

/// Every setting that decides the STS endpoint, already read and parsed: the pure input of
/// [`resolve_inputs`]. The caller applies the precedence between the places a setting can come
/// from (see `shared_config::endpoints`), and leaves `endpoint_url` empty when
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's `ignore_configured_endpoint_urls`) is set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointInputs {
    /// Set in code; wins over everything and ignores FIPS and dual-stack (tests point it at a
    /// loopback stand-in).
    pub configured: Option<String>,
    /// An endpoint URL from the environment or a profile.
    pub endpoint_url: Option<(String, InputFrom)>,
    /// The region.
    pub region: Option<(String, InputFrom)>,
    /// `sts_regional_endpoints = legacy`: the 16 legacy regions use the global endpoint.
    pub legacy_global: bool,
    /// `use_fips_endpoint`.
    pub use_fips: bool,
    /// `use_dualstack_endpoint`.
    pub use_dual_stack: bool,
}

/// Resolves the STS endpoint from an explicit override (usually
/// [`ProviderConfig::sts_endpoint`](crate::ProviderConfig::sts_endpoint)) and the environment.
///
/// Errors (kind [`crate::ErrorKind::Configuration`]) name the variable at fault: an endpoint URL
/// that is not `http(s)://host…`, a region that is not a region name, or an
/// `AWS_STS_REGIONAL_ENDPOINTS` other than `regional` or `legacy`.
pub fn resolve(env: &Env, configured: Option<&str>) -> Result<StsEndpoint, Error> {
    if let Some(url) = configured {
        return resolve_inputs(&EndpointInputs {
            configured: Some(url.to_owned()),
            ..EndpointInputs::default()
        });
    }
    let ignore = env
        .get_non_blank(IGNORE_CONFIGURED_ENDPOINT_URLS)
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"));
    let endpoint_url = if ignore {
        None
    } else {
        [ENDPOINT_URL_STS, ENDPOINT_URL].into_iter().find_map(|name| {
            env.get_non_blank(name).map(|v| (v.trim().to_owned(), InputFrom::Variable(name)))
        })
    };
    let legacy_global = match env.get_non_blank(STS_REGIONAL_ENDPOINTS) {
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
        .find_map(|name| env.get_non_blank(name).map(|v| (v.trim().to_owned(), InputFrom::Variable(name))));
    resolve_inputs(&EndpointInputs {
        configured: None,
        endpoint_url,
        region,
        legacy_global,
        ..Default::default()
    })
}

/// The STS endpoint for settings already read: the override in code, else the endpoint URL,
/// else the regional (FIPS, dual-stack) or global endpoint for the region, as the STS endpoint
/// rules define them:
///
/// | region's partition | plain | FIPS | dual-stack | FIPS and dual-stack |
/// | --- | --- | --- | --- | --- |
/// | `aws` | `sts.{r}.amazonaws.com` | `sts-fips.{r}.amazonaws.com` | `sts.{r}.api.aws` | `sts-fips.{r}.api.aws` |
/// | `aws-us-gov` | `sts.{r}.amazonaws.com` | `sts.{r}.amazonaws.com` | `sts.{r}.api.aws` | `sts-fips.{r}.api.aws` |
/// | `aws-cn` | `sts.{r}.amazonaws.com.cn` | `sts-fips.{r}.amazonaws.com.cn` | `sts.{r}.api.amazonwebservices.com.cn` | `sts-fips.{r}.api.amazonwebservices.com.cn` |
/// | isolated | `sts.{r}.{suffix}` | `sts-fips.{r}.{suffix}` | error | error |
///
/// FIPS or dual-stack with an endpoint URL, or without a region, is a configuration error, as
/// in the SDKs (an endpoint URL names one host; it cannot be switched to another variant).
pub fn resolve_inputs(inputs: &EndpointInputs) -> Result<StsEndpoint, Error> {
    if let Some(url) = &inputs.configured {
        return Ok(StsEndpoint {
            url: check_url(url, "the STS endpoint in the options")?,
            origin: EndpointOrigin::Configured,
            variant: None,
        });
    }
    let variant = match (inputs.use_fips, inputs.use_dual_stack) {
        (false, false) => None,
        (true, false) => Some("FIPS"),
        (false, true) => Some("dual-stack"),
        (true, true) => Some("FIPS dual-stack"),
    };
    if let Some((url, from)) = &inputs.endpoint_url {
        if let Some(variant) = variant {
            return Err(Error::configuration(format!(
                "{from} sets an STS endpoint URL while the {variant} endpoint is asked for: an endpoint URL \
                 cannot be combined with use_fips_endpoint or use_dualstack_endpoint; keep one of them"
            )));
        }
        let origin = match from {
            InputFrom::Variable(name) => EndpointOrigin::Variable(name),
            InputFrom::Setting(text) => EndpointOrigin::Setting(text.clone()),
        };
        return Ok(StsEndpoint { url: check_url(url, &from.to_string())?, origin, variant: None });
    }
    let Some((region, from)) = &inputs.region else {
        if let Some(variant) = variant {
            return Err(Error::configuration(format!(
                "the {variant} STS endpoint needs a region, and none is set: set {REGION} (or region in \
                 the profile)"
            )));
        }
        return Ok(StsEndpoint {
            url: GLOBAL_ENDPOINT.to_owned(),
            origin: EndpointOrigin::NoRegion,
            variant: None,
        });
    };
    let region = region.clone();
    if !crate::region::is_region_name(&region) {
        return Err(Error::configuration(format!(
            "{from} is not an AWS region name (like eu-west-1 or us-gov-west-1): fix or unset it, \
             or set {ENDPOINT_URL_STS} to the STS URL to use"
        )));
    }
    let origin = |region: String| match from {
        InputFrom::Variable(variable) => EndpointOrigin::Regional { region, variable },
        InputFrom::Setting(setting) => EndpointOrigin::RegionalSetting { region, setting: setting.clone() },
    };
    if let Some(variant) = variant {
        if region == "aws-global" {
            return Err(Error::configuration(format!(
                "{from} is aws-global, which has no {variant} STS endpoint: name a real region such as us-east-1"
            )));
        }
        let suffix = if inputs.use_dual_stack {
            dual_stack_dns_suffix(&region).ok_or_else(|| {
                Error::configuration(format!(
                    "{from} is {region}, whose partition has no dual-stack STS endpoint: turn \
                     use_dualstack_endpoint (AWS_USE_DUALSTACK_ENDPOINT) off"
                ))
            })?
        } else {
            dns_suffix(&region)
        };
        // GovCloud's STS endpoints are FIPS endpoints already: the rules keep the plain host name.
        let gov_fips_only = region.starts_with("us-gov-") && !inputs.use_dual_stack;
        let host = if inputs.use_fips && !gov_fips_only { "sts-fips" } else { "sts" };
        return Ok(StsEndpoint {
            url: format!("https://{host}.{region}.{suffix}"),
            origin: origin(region),
            variant: Some(variant),
        });
    }
    if region == "aws-global" || (inputs.legacy_global && LEGACY_GLOBAL_REGIONS.contains(&region.as_str())) {
        return Ok(StsEndpoint {
            url: GLOBAL_ENDPOINT.to_owned(),
            origin: EndpointOrigin::LegacyGlobal { region },
            variant: None,
        });
    }
    Ok(StsEndpoint {
        url: format!("https://sts.{region}.{}", dns_suffix(&region)),
        origin: origin(region),
        variant: None,
    })
}

/// The dual-stack DNS suffix of `region`'s partition, or `None` when the partition has no
/// dual-stack endpoints (the isolated partitions, and the European sovereign cloud, which this
/// table does not know to have them).
pub fn dual_stack_dns_suffix(region: &str) -> Option<&'static str> {
    match dns_suffix(region) {
        "amazonaws.com" => Some("api.aws"),
        "amazonaws.com.cn" => Some("api.amazonwebservices.com.cn"),
        _ => None,
    }
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
            (&[(REGION, "garbage")], REGION),
            (&[(REGION, "us-east")], REGION),
            (&[(REGION, "us-east-1a")], REGION),
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
