//! Hermetic credential-resolution scenarios, in the spirit of the AWS SDKs' own recorded test
//! data: one folder per scenario, usable from every language's test suite.
//!
//! A scenario folder holds:
//! - `scenario.json`: a description, the environment, options, the expected result and the
//!   requests the stand-ins must have served (see [`Scenario`]);
//! - optionally `home/`: the user's home directory (`~/.aws/config`, `~/.aws/credentials`,
//!   `~/.aws/sso/cache/…`, helper programs), copied to a fresh private directory for each run.
//!
//! Every string of the environment and every file under `home/` may hold placeholders
//! `${dotted.path}`, resolved against the JSON that `mongoawsauth-standins` prints (for example
//! `${identities.user.access_key_id}`, `${sts_url}`, `${imds_url}`) plus `${home}` (the private
//! home directory) and `${scenario}` (the scenario folder). A Python or Node suite reads the
//! same folders, starts the stand-ins binary, and substitutes from the same JSON.
//!
//! The environment a scenario runs in is exactly what it lists, plus `HOME`,
//! `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` pointing into the private home (unless
//! the scenario sets them, or sets them to `null` to leave them unset), and
//! `AWS_EC2_METADATA_DISABLED=true` unless the scenario points IMDS at a stand-in with
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT`. [`Scenario::prepare`] refuses a scenario whose
//! environment could send a request anywhere but loopback.

mod expect;
mod home;
mod placeholders;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use expect::{Expect, ExpectedLogin};
pub use home::PrivateHome;
pub use placeholders::substitute;

/// The file that describes a scenario inside its folder.
pub const SCENARIO_FILE: &str = "scenario.json";

/// Options a scenario sets on the authenticator, as every face names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScenarioOptions {
    /// The profile to use, as if named in code (overrides `AWS_PROFILE`).
    pub profile: Option<String>,
    /// Whether the shared config and credentials files are read (default: yes).
    pub shared_config: Option<bool>,
}

/// One scenario, as read from its folder.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The folder's name.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
    /// What the scenario shows, in a sentence.
    pub description: String,
    /// Environment variables; `None` means "make sure it is unset".
    pub env: BTreeMap<String, Option<String>>,
    /// Options set in code.
    pub options: ScenarioOptions,
    /// What the resolution must end in.
    pub expect: Expect,
    /// Counters the stand-ins must show afterwards, by dotted name (`imds.credentials_issued`,
    /// `container.requests`, `sts.assume_role`, ...), as [`counters_json`](crate::scenario) lays
    /// them out. Counters not listed are not checked.
    pub requests: BTreeMap<String, u64>,
}

/// The environment a prepared scenario runs in, and its private home (removed on drop).
#[derive(Debug)]
pub struct Prepared {
    /// Every variable to set, placeholders resolved.
    pub env: Vec<(String, String)>,
    /// Variables that must be unset.
    pub unset: Vec<String>,
    /// The private home directory.
    pub home: PrivateHome,
}

impl Scenario {
    /// Reads one scenario folder.
    pub fn load(dir: &Path) -> Result<Scenario, String> {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("{}: not a scenario folder", dir.display()))?
            .to_owned();
        let path = dir.join(SCENARIO_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let at = |what: &str| format!("{}: {what}", path.display());
        let object = doc.as_object().ok_or_else(|| at("must be a JSON object"))?;
        for key in object.keys() {
            if !["description", "env", "options", "expect", "requests"].contains(&key.as_str()) {
                return Err(at(&format!("unknown key {key:?}")));
            }
        }
        let description = object
            .get("description")
            .and_then(Value::as_str)
            .ok_or_else(|| at("\"description\" (a string) is required"))?
            .to_owned();
        let mut env = BTreeMap::new();
        if let Some(vars) = object.get("env") {
            for (k, v) in vars.as_object().ok_or_else(|| at("\"env\" must be an object"))? {
                let value = match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    _ => return Err(at(&format!("env {k}: a string, or null for unset"))),
                };
                env.insert(k.clone(), value);
            }
        }
        let mut options = ScenarioOptions::default();
        if let Some(opts) = object.get("options") {
            for (k, v) in opts.as_object().ok_or_else(|| at("\"options\" must be an object"))? {
                match (k.as_str(), v) {
                    ("profile", Value::String(s)) => options.profile = Some(s.clone()),
                    ("shared_config", Value::Bool(b)) => options.shared_config = Some(*b),
                    _ => return Err(at(&format!("options: unknown or mistyped {k:?}"))),
                }
            }
        }
        let expect = Expect::from_json(object.get("expect").ok_or_else(|| at("\"expect\" is required"))?)
            .map_err(|e| at(&e))?;
        let mut requests = BTreeMap::new();
        if let Some(counts) = object.get("requests") {
            for (k, v) in counts.as_object().ok_or_else(|| at("\"requests\" must be an object"))? {
                let n = v.as_u64().ok_or_else(|| at(&format!("requests {k}: a count")))?;
                requests.insert(k.clone(), n);
            }
        }
        Ok(Scenario { name, dir: dir.to_owned(), description, env, options, expect, requests })
    }

    /// Reads every scenario folder under `root`, sorted by name.
    pub fn load_all(root: &Path) -> Result<Vec<Scenario>, String> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
            .map_err(|e| format!("{}: {e}", root.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join(SCENARIO_FILE).is_file())
            .collect();
        dirs.sort();
        dirs.iter().map(|d| Scenario::load(d)).collect()
    }

    /// Makes the private home and the environment, resolving placeholders against `standins`
    /// (the JSON `mongoawsauth-standins` prints, or [`StandIns::to_json`](crate::StandIns::to_json)).
    pub fn prepare(&self, standins: &Value) -> Result<Prepared, String> {
        let home = PrivateHome::new(&self.name).map_err(|e| format!("{}: {e}", self.name))?;
        let mut values = standins.clone();
        let extra =
            [("home", home.path().display().to_string()), ("scenario", self.dir.display().to_string())];
        if let Value::Object(map) = &mut values {
            for (k, v) in extra {
                map.insert(k.to_owned(), Value::String(v));
            }
        }
        let source = self.dir.join("home");
        if source.is_dir() {
            home.copy_from(&source, &values).map_err(|e| format!("{}: {e}", self.name))?;
        }
        let mut env: BTreeMap<String, String> = BTreeMap::new();
        let mut unset = Vec::new();
        let home_dir = home.path().display().to_string();
        let defaults = [
            ("HOME", home_dir.clone()),
            ("AWS_CONFIG_FILE", format!("{home_dir}/.aws/config")),
            ("AWS_SHARED_CREDENTIALS_FILE", format!("{home_dir}/.aws/credentials")),
        ];
        for (k, v) in defaults {
            env.insert(k.to_owned(), v);
        }
        for (k, v) in &self.env {
            match v {
                Some(v) => {
                    let value = substitute(v, &values).map_err(|e| format!("{}: env {k}: {e}", self.name))?;
                    env.insert(k.clone(), value);
                }
                None => {
                    env.remove(k);
                    unset.push(k.clone());
                }
            }
        }
        if !env.contains_key("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            env.insert("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned());
        }
        check_loopback_only(&self.name, &env)?;
        Ok(Prepared { env: env.into_iter().collect(), unset, home })
    }
}

/// Refuses an environment that could make a resolution reach anything but loopback: every
/// endpoint variable must name 127.0.0.1, ::1 or localhost, and the ECS relative URI (which
/// would be joined to the ECS agent's link-local address) is only allowed because every runner
/// overrides the container host; a runner that cannot must refuse such a scenario itself.
fn check_loopback_only(name: &str, env: &BTreeMap<String, String>) -> Result<(), String> {
    const ENDPOINTS: [&str; 5] = [
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SSO",
    ];
    for var in ENDPOINTS {
        if let Some(url) = env.get(var) {
            let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            let authority = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
            // The host without its port, compared exactly: `127.0.0.1.example.com` is not loopback.
            let host = match authority.strip_prefix('[') {
                Some(rest) => rest.split(']').next().unwrap_or(""),
                None => authority.split(':').next().unwrap_or(""),
            };
            let loopback = matches!(host, "127.0.0.1" | "::1" | "localhost");
            if !loopback {
                return Err(format!("{name}: {var} must point at a loopback stand-in, not {host:?}"));
            }
        }
    }
    Ok(())
}

/// What the stand-ins have served, by the dotted names a scenario's `requests` uses:
/// `imds.*` and `container.*` ([`MetadataCounters`](crate::metadata::MetadataCounters) fields),
/// `sts.*` ([`StsCounters`](crate::sts::StsCounters) fields), `sso.*`
/// ([`SsoCounters`](crate::sso::SsoCounters) fields).
pub fn counters(standins: &crate::StandIns) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for (prefix, c) in [("imds", standins.imds().counters()), ("container", standins.container().counters())]
    {
        for (name, value) in [
            ("connections", c.connections),
            ("requests", c.requests),
            ("tokens_issued", c.tokens_issued),
            ("credentials_issued", c.credentials_issued),
            ("unauthorized", c.unauthorized),
            ("faults", c.faults),
            ("throttled", c.throttled),
        ] {
            out.insert(format!("{prefix}.{name}"), value);
        }
    }
    let s = standins.sts().counters();
    for (name, value) in [
        ("connections", s.connections),
        ("requests", s.requests),
        ("succeeded", s.succeeded),
        ("rejected", s.rejected),
        ("web_identity", s.web_identity),
        ("saml", s.saml),
        ("assume_role", s.assume_role),
    ] {
        out.insert(format!("sts.{name}"), value);
    }
    let p = standins.sso().counters();
    for (name, value) in
        [("requests", p.requests), ("credentials_issued", p.credentials_issued), ("refused", p.refused)]
    {
        out.insert(format!("sso.{name}"), value);
    }
    out
}

/// Compares the stand-ins' counters with what the scenario expects; the error lists every
/// mismatch and every unknown counter name.
pub fn check_requests(scenario: &Scenario, seen: &BTreeMap<String, u64>) -> Result<(), String> {
    let mut problems = Vec::new();
    for (name, want) in &scenario.requests {
        match seen.get(name) {
            None => problems.push(format!("unknown counter {name:?}")),
            Some(got) if got != want => {
                problems.push(format!("{name}: expected {want}, the stand-ins saw {got}"))
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(format!("{}: {}", scenario.name, problems.join("; "))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_loopback_hosts_pass() {
        let check = |url: &str| {
            let env = BTreeMap::from([("AWS_ENDPOINT_URL_STS".to_owned(), url.to_owned())]);
            check_loopback_only("t", &env)
        };
        for ok in ["http://127.0.0.1:8/x", "http://[::1]:9/", "http://localhost", "http://u:p@127.0.0.1:1/"] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://127.0.0.1.example.com/",
            "http://169.254.169.254",
            "https://sts.amazonaws.com",
            "http://localhost.evil:1",
        ] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }
}
