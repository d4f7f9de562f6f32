//! The proxy rules of the STS client, read from the injected [`Env`] at each call (never from the
//! process environment behind its back, and never frozen at first use).
//!
//! Variables, the first non-blank one of each group winning (the order reqwest and curl use):
//! - `https://` endpoints: `HTTPS_PROXY`, `https_proxy`, then `ALL_PROXY`, `all_proxy`;
//! - `http://` endpoints: `HTTP_PROXY`, `http_proxy`, then `ALL_PROXY`, `all_proxy`.
//!   `HTTP_PROXY` is ignored when `REQUEST_METHOD` is set: in a CGI program a client can set it
//!   through a `Proxy:` request header ("httpoxy");
//! - `NO_PROXY`, then `no_proxy`: a comma-separated list of hosts that are reached directly.
//!   `*` matches every host; `example.com` and `.example.com` match the domain and its
//!   subdomains; an IP address matches itself and `10.0.0.0/8`-style ranges match their
//!   addresses. A `:port` suffix on an entry is ignored.
//!
//! A proxy URL without a scheme is taken as `http://`. Only `http` and `https` proxies are
//! supported; anything else is a configuration error naming the variable (its value is never
//! repeated: it may carry a password).

use std::fmt;
use std::net::IpAddr;

use url::{Host, Url};

use crate::config::Env;

const HTTPS_VARIABLES: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"];
const HTTP_VARIABLES: [&str; 4] = ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"];
const NO_PROXY_VARIABLES: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// One configured proxy and the variable it came from.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct ProxyUrl {
    pub(crate) variable: &'static str,
    pub(crate) url: Url,
}

impl fmt::Debug for ProxyUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} from {}", crate::redact::parsed_url(&self.url), self.variable)
    }
}

/// The proxy rules in force for one request. `Debug` never shows a proxy's credentials.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct ProxySettings {
    http: Option<ProxyUrl>,
    https: Option<ProxyUrl>,
    no_proxy: Vec<String>,
}

impl ProxySettings {
    /// Reads the rules from `env`. Errors name the variable at fault, never its value.
    pub(crate) fn from_env(env: &Env) -> Result<ProxySettings, String> {
        let cgi = env.get("REQUEST_METHOD").is_some();
        let first = |names: &[&'static str]| -> Result<Option<ProxyUrl>, String> {
            for &name in names {
                if cgi && name == "HTTP_PROXY" {
                    continue;
                }
                if let Some(value) = env.get_non_blank(name) {
                    return parse_proxy(name, value.trim()).map(Some);
                }
            }
            Ok(None)
        };
        let no_proxy = NO_PROXY_VARIABLES
            .iter()
            .find_map(|name| env.get_non_blank(name))
            .map(|list| list.split(',').filter_map(normalize_entry).collect())
            .unwrap_or_default();
        Ok(ProxySettings { http: first(&HTTP_VARIABLES)?, https: first(&HTTPS_VARIABLES)?, no_proxy })
    }

    /// Whether no proxy is configured at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.http.is_none() && self.https.is_none()
    }

    /// The proxy a request to `target` goes through, if any.
    pub(crate) fn proxy_for(&self, target: &Url) -> Option<&ProxyUrl> {
        let proxy = match target.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        let host = target.host()?;
        if self.no_proxy.iter().any(|entry| bypasses(entry, &host)) { None } else { Some(proxy) }
    }
}

fn parse_proxy(variable: &'static str, value: &str) -> Result<ProxyUrl, String> {
    let bad = || {
        format!(
            "{variable} is not an http:// or https:// proxy URL with a host (like http://proxy.example:3128): \
             fix or unset it"
        )
    };
    let text = if value.contains("://") { value.to_owned() } else { format!("http://{value}") };
    let url = Url::parse(&text).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(ProxyUrl { variable, url })
}

/// One `NO_PROXY` entry, lower-cased, without brackets or a port; `None` for a blank one.
fn normalize_entry(entry: &str) -> Option<String> {
    let mut entry = entry.trim().to_ascii_lowercase();
    if entry.is_empty() {
        return None;
    }
    if let Some(rest) = entry.strip_prefix('[') {
        // `[::1]` or `[::1]:8080`
        entry = rest.split(']').next().unwrap_or("").to_owned();
    } else if let Some((name, port)) = entry.rsplit_once(':')
        && !name.contains(':')
        && port.bytes().all(|b| b.is_ascii_digit())
    {
        entry = name.to_owned();
    }
    (!entry.is_empty()).then_some(entry)
}

fn bypasses(entry: &str, host: &Host<&str>) -> bool {
    if entry == "*" {
        return true;
    }
    let ip = match host {
        Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            let domain = entry.trim_start_matches("*.").trim_start_matches('.');
            return !domain.is_empty() && (name == domain || name.ends_with(&format!(".{domain}")));
        }
        Host::Ipv4(ip) => IpAddr::V4(*ip),
        Host::Ipv6(ip) => IpAddr::V6(*ip),
    };
    match entry.split_once('/') {
        None => entry.parse::<IpAddr>().is_ok_and(|e| e == ip),
        Some((network, bits)) => match (network.parse::<IpAddr>(), bits.parse::<u32>()) {
            (Ok(network), Ok(bits)) => in_range(ip, network, bits),
            _ => false,
        },
    }
}

fn in_range(ip: IpAddr, network: IpAddr, bits: u32) -> bool {
    match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(vars: &[(&str, &str)]) -> ProxySettings {
        ProxySettings::from_env(&Env::from_vars(vars.iter().copied())).unwrap()
    }

    fn via(s: &ProxySettings, target: &str) -> Option<String> {
        s.proxy_for(&Url::parse(target).unwrap()).map(|p| format!("{} {}", p.variable, p.url))
    }

    #[test]
    fn variables_by_scheme_and_precedence() {
        let s = settings(&[
            ("HTTPS_PROXY", "http://secure.example:1"),
            ("https_proxy", "http://ignored.example:1"),
            ("http_proxy", "plain.example:2"),
            ("ALL_PROXY", "http://all.example:3"),
        ]);
        assert_eq!(via(&s, "https://sts.amazonaws.com/").unwrap(), "HTTPS_PROXY http://secure.example:1/");
        assert_eq!(via(&s, "http://127.0.0.1:9/").unwrap(), "http_proxy http://plain.example:2/");
        let s = settings(&[("all_proxy", "http://all.example:3")]);
        assert_eq!(via(&s, "https://sts.amazonaws.com/").unwrap(), "all_proxy http://all.example:3/");
        assert!(settings(&[]).is_empty() && via(&settings(&[]), "https://sts.amazonaws.com/").is_none());
        // httpoxy: a CGI request can set HTTP_PROXY through a header.
        let s = settings(&[("HTTP_PROXY", "http://evil.example:1"), ("REQUEST_METHOD", "GET")]);
        assert!(via(&s, "http://127.0.0.1:9/").is_none());
    }

    #[test]
    fn no_proxy_entries() {
        let s = |list: &str| settings(&[("ALL_PROXY", "http://p.example:1"), ("NO_PROXY", list)]);
        let direct = |list: &str, target: &str| via(&s(list), target).is_none();
        assert!(direct("*", "https://sts.amazonaws.com/"));
        assert!(direct("amazonaws.com", "https://sts.amazonaws.com/"));
        assert!(direct(" .AMAZONAWS.com ", "https://sts.amazonaws.com/"));
        assert!(direct("sts.amazonaws.com:443", "https://sts.amazonaws.com/"));
        assert!(!direct("zonaws.com", "https://sts.amazonaws.com/"), "a suffix is not a subdomain");
        assert!(direct("localhost,127.0.0.1", "http://127.0.0.1:9/"));
        assert!(direct("127.0.0.0/8", "http://127.9.9.9:9/"));
        assert!(!direct("10.0.0.0/8", "http://127.0.0.1:9/"));
        assert!(direct("[::1]", "http://[::1]:9/"));
        assert!(direct("::1", "http://[::1]:9/"));
        assert!(direct("::/0", "http://[::1]:9/"));
        assert!(!direct("", "http://127.0.0.1:9/"));
        // NO_PROXY wins over no_proxy.
        let s =
            settings(&[("ALL_PROXY", "http://p.example:1"), ("NO_PROXY", "a.example"), ("no_proxy", "*")]);
        assert!(via(&s, "http://b.example/").is_some());
    }

    #[test]
    fn bad_values_name_the_variable_and_never_repeat_it() {
        for value in ["ftp://user:pa55@proxy.example", "http://", "http://user:pa55@[::1"] {
            let err = ProxySettings::from_env(&Env::from_vars([("HTTPS_PROXY", value)])).unwrap_err();
            assert!(err.contains("HTTPS_PROXY") && !err.contains("pa55"), "{err}");
        }
        let s = settings(&[("HTTPS_PROXY", "http://user:pa55@proxy.example:1/?k=s3cret")]);
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("pa55") && !shown.contains("s3cret") && shown.contains("proxy.example"),
            "{shown}"
        );
    }
}
