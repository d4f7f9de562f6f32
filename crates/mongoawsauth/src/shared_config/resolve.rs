//! Turns the selected profile into a [`ProfileSource`] plan, following the SDKs' precedence.
//!
//! For the selected profile (the first hop), first match wins:
//! 1. `role_arn` with `web_identity_token_file`: web identity (a token file without `role_arn`
//!    is an error);
//! 2. `role_arn`: AssumeRole, signed with the credentials of `source_profile` or
//!    `credential_source` (exactly one of them; `mfa_serial` is refused);
//! 3. SSO (`sso_session`, or the legacy `sso_start_url` form);
//! 4. static keys whose `aws_access_key_id` is in the credentials file;
//! 5. `credential_process`;
//! 6. static keys whose `aws_access_key_id` is in the config file.
//!
//! This is botocore's order (its assume-role provider, then web identity, SSO, the credentials
//! file, `credential_process`, the config file). The Rust SDK puts `credential_process` before
//! static keys wherever they are written, and the JavaScript SDK puts static keys before web
//! identity, `credential_process` and SSO; the three agree whenever a profile names one source.
//!
//! For a `source_profile` (every later hop), static keys win over everything (all three SDKs),
//! then `role_arn` chains on, then 1, 3 and 5 above. A profile may name itself as its
//! `source_profile` to use its own static keys; any other loop is an error that lists the path.
//!
//! A selected profile that names no source at all (commonly a `[default]` with only a `region`)
//! is not an error: [`Resolution::NoCredentials`] says why, and the chain moves on, as in every
//! SDK. A `source_profile` with no credentials is an error.

use super::location::FileKind;
use super::plan::{
    AssumeRole, CredentialProcess, CredentialSource, ProfileSource, RoleSource, Sso, StaticKeys, WebIdentity,
};
use super::profile_set::{Section, SharedConfig};
use super::select::SelectedProfile;
use super::value::Sourced;
use crate::error::Error;

/// The outcome of resolving the selected profile.
// Built once per resolution; the size difference with the text variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Resolution {
    /// The profile names a source.
    Source(ProfileSource),
    /// Nothing to use: the implicit `default` profile is missing, or the profile names no source.
    /// The text says which, naming the files; the chain moves on to its next source.
    NoCredentials(String),
}

/// The AssumeRole duration AWS accepts, in seconds.
pub const DURATION_RANGE: std::ops::RangeInclusive<u32> = 900..=43_200;

/// Resolves the selected profile into a plan.
///
/// Errors (kind [`crate::ErrorKind::Configuration`]) name the profile, the file and the line:
/// a named profile that does not exist, a `source_profile` that does not exist or loops, both or
/// neither of `source_profile` and `credential_source` with a `role_arn`, `mfa_serial`, half-set
/// static keys, an incomplete SSO profile, a value that does not parse.
///
/// ```
/// use mongoawsauth::Env;
/// use mongoawsauth::shared_config::{ProfileSource, Resolution, SelectedProfile, SharedConfig, resolve};
/// let config = SharedConfig::from_texts(
///     Some(("/h/.aws/config".as_ref(), "[default]\nregion = eu-west-1\n[profile ci]\ncredential_process = /bin/creds\n")),
///     None,
/// )?;
/// let env = Env::from_vars([("AWS_PROFILE", "ci")]);
/// assert!(matches!(resolve(&config, &SelectedProfile::select(&env, None))?,
///                  Resolution::Source(ProfileSource::CredentialProcess(_))));
/// // `[default]` only sets a region: not an error, the chain moves on.
/// let none = Env::from_vars::<[(&str, &str); 0], _, _>([]);
/// assert!(matches!(resolve(&config, &SelectedProfile::select(&none, None))?, Resolution::NoCredentials(_)));
/// # Ok::<(), mongoawsauth::Error>(())
/// ```
pub fn resolve(config: &SharedConfig, selected: &SelectedProfile) -> Result<Resolution, Error> {
    let Some(profile) = config.selected(selected)? else {
        return Ok(Resolution::NoCredentials(format!(
            "no AWS_PROFILE is set and the shared config files ({}) have no default profile",
            config.file_list()
        )));
    };
    let mut walker = Walker { config, visited: vec![profile.name()] };
    match walker.profile(profile, 0)? {
        Some(source) => Ok(Resolution::Source(source)),
        None => Ok(Resolution::NoCredentials(format!(
            "AWS profile `{}` ({}) names no credentials: it sets none of aws_access_key_id, \
             credential_process, sso_session, sso_start_url, role_arn or web_identity_token_file",
            profile.name(),
            profile.describe()
        ))),
    }
}

struct Walker<'a> {
    config: &'a SharedConfig,
    /// The profiles on the current `source_profile` path, the selected one first.
    visited: Vec<&'a str>,
}

fn value(section: &Section, key: &str) -> Option<Sourced<String>> {
    section.non_blank(key).map(|p| p.sourced())
}

fn error_in(section: &Section, what: impl std::fmt::Display) -> Error {
    Error::configuration(format!("AWS profile `{}` ({}) {what}", section.name(), section.describe()))
}

impl<'a> Walker<'a> {
    fn profile(&mut self, p: &'a Section, hop: usize) -> Result<Option<ProfileSource>, Error> {
        if hop > 0
            && let Some(keys) = static_keys(p)?
        {
            return Ok(Some(ProfileSource::StaticKeys(keys)));
        }
        match (value(p, "role_arn"), value(p, "web_identity_token_file")) {
            (Some(role_arn), Some(token_file)) => {
                check_role_arn(&role_arn)?;
                return Ok(Some(ProfileSource::WebIdentity(WebIdentity {
                    profile: p.name().to_owned(),
                    token_file,
                    role_arn,
                    session_name: value(p, "role_session_name"),
                })));
            }
            (None, Some(token_file)) => {
                return Err(error_in(
                    p,
                    format_args!(
                        "sets web_identity_token_file ({}) without role_arn: add the role to assume \
                         with the token",
                        token_file.origin
                    ),
                ));
            }
            (Some(role_arn), None) => return self.assume_role(p, role_arn, hop).map(Some),
            (None, None) => {}
        }
        if let Some(sso) = self.sso(p)? {
            return Ok(Some(ProfileSource::Sso(sso)));
        }
        let keys_in = |kind| p.non_blank("aws_access_key_id").is_some_and(|k| k.origin().kind == kind);
        if keys_in(FileKind::Credentials) {
            return Ok(static_keys(p)?.map(ProfileSource::StaticKeys));
        }
        if let Some(command) = value(p, "credential_process") {
            return Ok(Some(ProfileSource::CredentialProcess(CredentialProcess {
                profile: p.name().to_owned(),
                command,
            })));
        }
        if keys_in(FileKind::Config) {
            return Ok(static_keys(p)?.map(ProfileSource::StaticKeys));
        }
        Ok(None)
    }

    fn assume_role(
        &mut self,
        p: &'a Section,
        role_arn: Sourced<String>,
        hop: usize,
    ) -> Result<ProfileSource, Error> {
        check_role_arn(&role_arn)?;
        if let Some(mfa) = p.non_blank("mfa_serial") {
            return Err(error_in(
                p,
                format_args!(
                    "sets mfa_serial ({}): a role that needs an MFA code is not supported for \
                     non-interactive logins such as a database connection; use a role without MFA, or \
                     a profile with credentials obtained beforehand (for example with `aws sts \
                     get-session-token`)",
                    mfa.origin()
                ),
            ));
        }
        let duration_seconds = match value(p, "duration_seconds") {
            None => None,
            Some(d) => match d.value.parse::<u32>() {
                Ok(n) if DURATION_RANGE.contains(&n) => Some(d.map(|_| n)),
                _ => {
                    return Err(error_in(
                        p,
                        format_args!(
                            "has a duration_seconds ({}) that is not a whole number of seconds from {} \
                             to {}: fix or remove it",
                            d.origin,
                            DURATION_RANGE.start(),
                            DURATION_RANGE.end()
                        ),
                    ));
                }
            },
        };
        let source = match (value(p, "source_profile"), value(p, "credential_source")) {
            (Some(_), Some(_)) => {
                return Err(error_in(
                    p,
                    "sets both source_profile and credential_source with role_arn: keep the one that \
                     should sign the AssumeRole call",
                ));
            }
            (None, None) => {
                return Err(error_in(
                    p,
                    format_args!(
                        "sets role_arn ({}) but neither source_profile nor credential_source: add the \
                         profile (source_profile = NAME) or the source (credential_source = \
                         Environment, Ec2InstanceMetadata or EcsContainer) whose credentials assume the role",
                        role_arn.origin
                    ),
                ));
            }
            (None, Some(named)) => match CredentialSource::parse(&named.value) {
                Some(s) => RoleSource::Named(named.map(|_| s)),
                None => {
                    return Err(error_in(
                        p,
                        format_args!(
                            "has an unknown credential_source ({}): use Environment, \
                             Ec2InstanceMetadata or EcsContainer",
                            named.origin
                        ),
                    ));
                }
            },
            (Some(name), None) if name.value == p.name() => match static_keys(p)? {
                Some(keys) => RoleSource::Profile(ProfileSource::StaticKeys(keys)),
                None => {
                    return Err(error_in(
                        p,
                        format_args!(
                            "names itself as source_profile ({}) but has no static keys to assume the \
                             role with: add aws_access_key_id and aws_secret_access_key, or name another \
                             profile",
                            name.origin
                        ),
                    ));
                }
            },
            (Some(name), None) => {
                if let Some(start) = self.visited.iter().position(|v| *v == name.value) {
                    let mut path: Vec<&str> = self.visited[start..].to_vec();
                    path.push(&name.value);
                    return Err(error_in(
                        p,
                        format_args!(
                            "closes a source_profile loop ({}): {}; break the loop by giving one of \
                             these profiles static keys or a credential_source instead",
                            name.origin,
                            path.join(" -> ")
                        ),
                    ));
                }
                let Some(next) = self.config.profile(&name.value) else {
                    return Err(error_in(
                        p,
                        format_args!(
                            "names source_profile `{}` ({}), which is in neither shared config file ({}): \
                             fix the name or add the profile",
                            name.value,
                            name.origin,
                            self.config.file_list()
                        ),
                    ));
                };
                self.visited.push(next.name());
                let Some(plan) = self.profile(next, hop + 1)? else {
                    return Err(error_in(
                        next,
                        format_args!(
                            "is the source_profile of `{}` but names no credentials: give it static keys, \
                             credential_process, SSO settings or a role",
                            p.name()
                        ),
                    ));
                };
                self.visited.pop();
                RoleSource::Profile(plan)
            }
        };
        Ok(ProfileSource::AssumeRole(Box::new(AssumeRole {
            profile: p.name().to_owned(),
            role_arn,
            session_name: value(p, "role_session_name"),
            external_id: value(p, "external_id"),
            duration_seconds,
            source,
        })))
    }

    fn sso(&self, p: &'a Section) -> Result<Option<Sso>, Error> {
        const KEYS: [&str; 5] =
            ["sso_session", "sso_start_url", "sso_region", "sso_account_id", "sso_role_name"];
        if KEYS.iter().all(|k| p.non_blank(k).is_none()) {
            return Ok(None);
        }
        let mut missing: Vec<&str> = Vec::new();
        let session_name = value(p, "sso_session");
        let (start_url, region, scopes) = match &session_name {
            Some(name) => {
                let Some(session) = self.config.sso_session(&name.value) else {
                    return Err(error_in(
                        p,
                        format_args!(
                            "names sso_session `{}` ({}), but the config file has no [sso-session {}] \
                             section: add it (with sso_start_url and sso_region) or fix the name",
                            name.value, name.origin, name.value
                        ),
                    ));
                };
                let mut from_session = |key: &'static str| {
                    let v = value(session, key);
                    if v.is_none() {
                        missing.push(key);
                    }
                    if let (Some(in_session), Some(in_profile)) = (&v, value(p, key))
                        && in_session.value != in_profile.value
                    {
                        return Err(error_in(
                            p,
                            format_args!(
                                "sets {key} ({}) to another value than its sso-session `{}` ({}): remove \
                                 it from the profile",
                                in_profile.origin, name.value, in_session.origin
                            ),
                        ));
                    }
                    Ok(v)
                };
                let start_url = from_session("sso_start_url")?;
                let region = from_session("sso_region")?;
                let scopes = value(session, "sso_registration_scopes")
                    .map(|s| {
                        s.value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                (start_url, region, scopes)
            }
            None => {
                let mut own = |key: &'static str| {
                    let v = value(p, key);
                    if v.is_none() {
                        missing.push(key);
                    }
                    v
                };
                (own("sso_start_url"), own("sso_region"), Vec::new())
            }
        };
        let account_id = value(p, "sso_account_id");
        let role_name = value(p, "sso_role_name");
        if account_id.is_none() {
            missing.push("sso_account_id");
        }
        if role_name.is_none() {
            missing.push("sso_role_name");
        }
        match (start_url, region, account_id, role_name) {
            (Some(start_url), Some(region), Some(account_id), Some(role_name)) => Ok(Some(Sso {
                profile: p.name().to_owned(),
                session: session_name,
                start_url,
                region,
                account_id,
                role_name,
                registration_scopes: scopes,
            })),
            _ => Err(error_in(
                p,
                format_args!(
                    "is an SSO profile without {}: add {} (as `aws configure sso` writes them)",
                    missing.join(", "),
                    if missing.len() == 1 { "it" } else { "them" }
                ),
            )),
        }
    }
}

/// The profile's static keys: `Ok(None)` without `aws_access_key_id` (a lone secret or token is
/// ignored, as botocore does), an error for a key without its secret.
fn static_keys(p: &Section) -> Result<Option<StaticKeys>, Error> {
    let Some(id) = p.non_blank("aws_access_key_id") else { return Ok(None) };
    let Some(secret) = p.non_blank("aws_secret_access_key") else {
        return Err(error_in(
            p,
            format_args!(
                "sets aws_access_key_id ({}) without aws_secret_access_key: add the secret next to it",
                id.origin()
            ),
        ));
    };
    Ok(Some(StaticKeys {
        profile: p.name().to_owned(),
        access_key_id: id.sourced(),
        secret_access_key: secret.secret(),
        session_token: p
            .non_blank("aws_session_token")
            .or_else(|| p.non_blank("aws_security_token"))
            .map(|t| t.secret()),
    }))
}

fn check_role_arn(role_arn: &Sourced<String>) -> Result<(), Error> {
    crate::sts::check_arn(&role_arn.value, &format!("role_arn ({})", role_arn.origin), "role/")
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
