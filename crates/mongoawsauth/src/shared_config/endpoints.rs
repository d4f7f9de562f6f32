//! The region and endpoint settings a profile and the environment give together, with the SDKs'
//! precedence, as one pure resolved value ([`EndpointSettings`]).
//!
//! | setting | first that is set wins | default |
//! | --- | --- | --- |
//! | region | `AWS_REGION`, `AWS_DEFAULT_REGION`, profile `region` | none |
//! | STS regional endpoints | `AWS_STS_REGIONAL_ENDPOINTS`, profile `sts_regional_endpoints` | `regional` |
//! | FIPS | `AWS_USE_FIPS_ENDPOINT`, profile `use_fips_endpoint` | false |
//! | dual-stack | `AWS_USE_DUALSTACK_ENDPOINT`, profile `use_dualstack_endpoint` | false |
//! | ignore endpoint URLs | `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, profile `ignore_configured_endpoint_urls` | false |
//! | STS endpoint URL | `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `endpoint_url` under `sts =` in the profile's `[services NAME]` section, profile `endpoint_url` | the regional endpoint |
//! | SSO endpoint URL | `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`, `endpoint_url` under `sso =` in `[services NAME]`, profile `endpoint_url` | `https://portal.sso.{sso_region}.amazonaws.com` |
//!
//! This is the order of the AWS SDKs' "service-specific endpoints" feature (environment before
//! profile, service-specific before global). botocore reads only `AWS_DEFAULT_REGION` for the
//! region; the Rust SDK and the existing STS endpoint code read `AWS_REGION` first, and so do we.
//! Blank values count as unset; a boolean that is not `true` or `false` is an error naming where
//! it was written (botocore reads anything but `true` as false; the Rust SDK refuses it).

use std::fmt;

use super::profile_set::{Section, SharedConfig};
use super::value::{Origin, Sourced};
use crate::config::Env;
use crate::error::Error;
use crate::sts::endpoint::{self, EndpointInputs, InputFrom, StsEndpoint};

/// Where a resolved setting came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SettingOrigin {
    /// An environment variable.
    Variable(&'static str),
    /// A profile (or its `[services]` section).
    Profile {
        /// The key (`region`, `endpoint_url`, `sts.endpoint_url` for a nested setting).
        key: String,
        /// Where it was written.
        origin: Origin,
    },
    /// Nothing set it.
    Default,
}

impl fmt::Display for SettingOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SettingOrigin::Variable(name) => f.write_str(name),
            SettingOrigin::Profile { key, origin } => write!(f, "{key} in {origin}"),
            SettingOrigin::Default => f.write_str("the default"),
        }
    }
}

/// A resolved value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub origin: SettingOrigin,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting { value, origin: SettingOrigin::Default }
    }

    fn input_from(&self) -> InputFrom {
        match &self.origin {
            SettingOrigin::Variable(name) => InputFrom::Variable(name),
            other => InputFrom::Setting(other.to_string()),
        }
    }
}

/// What a profile says about the region and endpoints, raw (validated in
/// [`EndpointSettings::resolve`]).
#[derive(Clone, Debug, Default)]
pub struct ProfileEndpoints {
    /// `region`.
    pub region: Option<Sourced<String>>,
    /// `sts_regional_endpoints`.
    pub sts_regional_endpoints: Option<Sourced<String>>,
    /// `use_fips_endpoint`.
    pub use_fips_endpoint: Option<Sourced<String>>,
    /// `use_dualstack_endpoint`.
    pub use_dualstack_endpoint: Option<Sourced<String>>,
    /// `ignore_configured_endpoint_urls`.
    pub ignore_configured_endpoint_urls: Option<Sourced<String>>,
    /// `endpoint_url`, for every service.
    pub endpoint_url: Option<Sourced<String>>,
    /// `endpoint_url` under `sts =` in the profile's `[services NAME]` section.
    pub sts_endpoint_url: Option<Sourced<String>>,
    /// `endpoint_url` under `sso =` in the profile's `[services NAME]` section.
    pub sso_endpoint_url: Option<Sourced<String>>,
}

impl ProfileEndpoints {
    /// Reads the settings of `profile`, following its `services = NAME` to the
    /// `[services NAME]` section (a name with no such section is ignored, as in the SDKs).
    pub fn read(config: &SharedConfig, profile: &Section) -> ProfileEndpoints {
        let get = |key: &str| profile.non_blank(key).map(|p| p.sourced());
        let services = profile.non_blank("services").and_then(|name| config.services(name.value().trim()));
        let nested = |service: &str| {
            let section = services?;
            let property = section.get(service)?;
            let sub = property.sub_property("endpoint_url").filter(|s| !s.value.trim().is_empty())?;
            let origin = Origin { line: sub.line, ..property.origin().clone() };
            Some(Sourced::new(sub.value.trim().to_owned(), origin))
        };
        ProfileEndpoints {
            region: get("region"),
            sts_regional_endpoints: get("sts_regional_endpoints"),
            use_fips_endpoint: get("use_fips_endpoint"),
            use_dualstack_endpoint: get("use_dualstack_endpoint"),
            ignore_configured_endpoint_urls: get("ignore_configured_endpoint_urls"),
            endpoint_url: get("endpoint_url"),
            sts_endpoint_url: nested("sts"),
            sso_endpoint_url: nested("sso"),
        }
    }
}

/// The region and endpoint settings in force, each with its origin.
///
/// ```
/// use mongoawsauth::Env;
/// use mongoawsauth::shared_config::{EndpointSettings, ProfileEndpoints, SharedConfig};
/// let config = SharedConfig::from_texts(Some(("/h/.aws/config".as_ref(),
///     "[default]\nregion = eu-west-1\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:4566\n")), None)?;
/// let profile = ProfileEndpoints::read(&config, config.profile("default").unwrap());
/// let settings = EndpointSettings::resolve(&Env::from_vars([("AWS_USE_FIPS_ENDPOINT", "false")]), Some(&profile))?;
/// assert_eq!(settings.region.as_ref().unwrap().value, "eu-west-1");
/// assert_eq!(settings.sts_endpoint(None)?.url(), "http://127.0.0.1:4566");
/// // Without the services section, the regional endpoint of the profile's region.
/// let plain = EndpointSettings::resolve(&Env::from_vars([("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")]), Some(&profile))?;
/// assert_eq!(plain.sts_endpoint(None)?.url(), "https://sts.eu-west-1.amazonaws.com");
/// # Ok::<(), mongoawsauth::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointSettings {
    /// The region, if any.
    pub region: Option<Setting<String>>,
    /// `sts_regional_endpoints = legacy` (false for `regional`, the default).
    pub sts_legacy_global: Setting<bool>,
    /// Use FIPS endpoints.
    pub use_fips: Setting<bool>,
    /// Use dual-stack endpoints.
    pub use_dual_stack: Setting<bool>,
    /// Ignore every configured endpoint URL.
    pub ignore_configured_endpoint_urls: Setting<bool>,
    /// The STS endpoint URL, if one is configured (and not ignored).
    pub sts_endpoint_url: Option<Setting<String>>,
    /// The SSO portal endpoint URL, if one is configured (and not ignored).
    pub sso_endpoint_url: Option<Setting<String>>,
}

const REGION: &str = "AWS_REGION";
const DEFAULT_REGION: &str = "AWS_DEFAULT_REGION";
const STS_REGIONAL_ENDPOINTS: &str = "AWS_STS_REGIONAL_ENDPOINTS";
const USE_FIPS: &str = "AWS_USE_FIPS_ENDPOINT";
const USE_DUAL_STACK: &str = "AWS_USE_DUALSTACK_ENDPOINT";
const IGNORE_URLS: &str = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";
const ENDPOINT_URL: &str = "AWS_ENDPOINT_URL";
const ENDPOINT_URL_STS: &str = "AWS_ENDPOINT_URL_STS";
const ENDPOINT_URL_SSO: &str = "AWS_ENDPOINT_URL_SSO";

impl EndpointSettings {
    /// Combines the environment with the profile's settings (`None` when no profile is used).
    /// Errors name the variable or the file and line of a value that does not parse.
    pub fn resolve(env: &Env, profile: Option<&ProfileEndpoints>) -> Result<EndpointSettings, Error> {
        let empty = ProfileEndpoints::default();
        let profile = profile.unwrap_or(&empty);
        let first = |vars: &[&'static str], key: &str, from_profile: &Option<Sourced<String>>| {
            vars.iter()
                .find_map(|v| {
                    env.get_non_blank(v).map(|value| Setting {
                        value: value.trim().to_owned(),
                        origin: SettingOrigin::Variable(v),
                    })
                })
                .or_else(|| {
                    from_profile.as_ref().map(|s| Setting {
                        value: s.value.clone(),
                        origin: SettingOrigin::Profile { key: key.to_owned(), origin: s.origin.clone() },
                    })
                })
        };
        let boolean = |var: &'static str, key: &str, from_profile: &Option<Sourced<String>>| match first(
            &[var],
            key,
            from_profile,
        ) {
            None => Ok(Setting::default(false)),
            Some(s) => match s.value.to_ascii_lowercase().as_str() {
                "true" => Ok(Setting { value: true, origin: s.origin }),
                "false" => Ok(Setting { value: false, origin: s.origin }),
                _ => {
                    Err(Error::configuration(format!("{} must be true or false: fix or remove it", s.origin)))
                }
            },
        };
        let region = first(&[REGION, DEFAULT_REGION], "region", &profile.region);
        let sts_legacy_global =
            match first(&[STS_REGIONAL_ENDPOINTS], "sts_regional_endpoints", &profile.sts_regional_endpoints)
            {
                None => Setting::default(false),
                Some(s) => match s.value.to_ascii_lowercase().as_str() {
                    "regional" => Setting { value: false, origin: s.origin },
                    "legacy" => Setting { value: true, origin: s.origin },
                    _ => {
                        return Err(Error::configuration(format!(
                            "{} must be 'regional' or 'legacy': fix or remove it",
                            s.origin
                        )));
                    }
                },
            };
        let use_fips = boolean(USE_FIPS, "use_fips_endpoint", &profile.use_fips_endpoint)?;
        let use_dual_stack =
            boolean(USE_DUAL_STACK, "use_dualstack_endpoint", &profile.use_dualstack_endpoint)?;
        let ignore = boolean(
            IGNORE_URLS,
            "ignore_configured_endpoint_urls",
            &profile.ignore_configured_endpoint_urls,
        )?;
        let url = |service_var: &'static str, service_key: &str, nested: &Option<Sourced<String>>| {
            if ignore.value {
                return None;
            }
            first(&[service_var, ENDPOINT_URL], &format!("{service_key}.endpoint_url"), nested)
                .or_else(|| first(&[], "endpoint_url", &profile.endpoint_url))
        };
        let sts_endpoint_url = url(ENDPOINT_URL_STS, "sts", &profile.sts_endpoint_url);
        let sso_endpoint_url = url(ENDPOINT_URL_SSO, "sso", &profile.sso_endpoint_url);
        Ok(EndpointSettings {
            region,
            sts_legacy_global,
            use_fips,
            use_dual_stack,
            ignore_configured_endpoint_urls: ignore,
            sts_endpoint_url,
            sso_endpoint_url,
        })
    }

    /// The inputs of [`endpoint::resolve_inputs`] for these settings.
    pub fn sts_inputs(&self, configured: Option<&str>) -> EndpointInputs {
        EndpointInputs {
            configured: configured.map(str::to_owned),
            endpoint_url: self.sts_endpoint_url.as_ref().map(|s| (s.value.clone(), s.input_from())),
            region: self.region.as_ref().map(|s| (s.value.clone(), s.input_from())),
            legacy_global: self.sts_legacy_global.value,
            use_fips: self.use_fips.value,
            use_dual_stack: self.use_dual_stack.value,
        }
    }

    /// The STS endpoint, `configured` (the options' override) first.
    pub fn sts_endpoint(&self, configured: Option<&str>) -> Result<StsEndpoint, Error> {
        endpoint::resolve_inputs(&self.sts_inputs(configured))
    }

    /// The SSO portal's base URL for a profile whose `sso_region` is `sso_region`: the configured
    /// endpoint URL if any, else the portal of that region, with the FIPS and dual-stack variants
    /// of the SSO endpoint rules (GovCloud's FIPS portal keeps its plain host name).
    ///
    /// ```
    /// # use mongoawsauth::Env;
    /// # use mongoawsauth::shared_config::EndpointSettings;
    /// let settings = EndpointSettings::resolve(&Env::from_vars([("AWS_USE_FIPS_ENDPOINT", "true")]), None)?;
    /// assert_eq!(settings.sso_portal_url("eu-west-1")?, "https://portal.sso-fips.eu-west-1.amazonaws.com");
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn sso_portal_url(&self, sso_region: &str) -> Result<String, Error> {
        let variant = match (self.use_fips.value, self.use_dual_stack.value) {
            (false, false) => None,
            (true, false) => Some("FIPS"),
            (false, true) => Some("dual-stack"),
            (true, true) => Some("FIPS dual-stack"),
        };
        if let Some(url) = &self.sso_endpoint_url {
            if let Some(variant) = variant {
                return Err(Error::configuration(format!(
                    "{} sets an SSO endpoint URL while the {variant} endpoint is asked for: keep one of them",
                    url.origin
                )));
            }
            return check_url(&url.value, &url.origin.to_string());
        }
        let region = sso_region.trim();
        if !crate::region::is_region_name(region) {
            return Err(Error::configuration(
                "sso_region is not an AWS region name (like eu-west-1): fix it in the profile or its sso-session",
            ));
        }
        let suffix = if self.use_dual_stack.value {
            endpoint::dual_stack_dns_suffix(region).ok_or_else(|| {
                Error::configuration(format!(
                    "the SSO region {region} has no dual-stack endpoint: turn use_dualstack_endpoint off ({})",
                    self.use_dual_stack.origin
                ))
            })?
        } else {
            endpoint::dns_suffix(region)
        };
        let gov_fips_only = region.starts_with("us-gov-") && !self.use_dual_stack.value;
        let host = if self.use_fips.value && !gov_fips_only { "portal.sso-fips" } else { "portal.sso" };
        Ok(format!("https://{host}.{region}.{suffix}"))
    }
}

fn check_url(url: &str, what: &str) -> Result<String, Error> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty()) => {
            Ok(url.to_owned())
        }
        _ => Err(Error::configuration(format!(
            "{what} is not an http:// or https:// URL with a host: fix or remove it"
        ))),
    }
}

#[cfg(test)]
#[path = "endpoints_tests.rs"]
mod tests;
