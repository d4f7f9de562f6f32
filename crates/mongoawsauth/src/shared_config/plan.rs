//! The plan a profile describes: which source supplies its credentials, as data. No I/O here;
//! the sources under `provider::profile` carry the plan out.
//!
//! The types are plain values with public fields, each remembering where in the files it was
//! written (see [`Sourced`]). Secrets are [`SourcedSecret`]s, and the `credential_process`
//! command (which may carry a token on its command line) is never printed by `Debug`.

use std::fmt;

use super::value::{Sourced, SourcedSecret};
use crate::credentials::{Credentials, REDACTED};
use crate::error::Error;

/// Where a profile's credentials come from.
#[derive(Clone, Debug)]
pub enum ProfileSource {
    /// `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.
    StaticKeys(StaticKeys),
    /// `credential_process`: a command that prints credentials as JSON.
    CredentialProcess(CredentialProcess),
    /// IAM Identity Center: the token `aws sso login` cached, exchanged for role credentials.
    Sso(Sso),
    /// `web_identity_token_file` with `role_arn`: AssumeRoleWithWebIdentity.
    WebIdentity(WebIdentity),
    /// `role_arn` with `source_profile` or `credential_source`: AssumeRole signed with the
    /// source's credentials.
    AssumeRole(Box<AssumeRole>),
}

impl ProfileSource {
    /// The profile this step was read from.
    pub fn profile(&self) -> &str {
        match self {
            ProfileSource::StaticKeys(s) => &s.profile,
            ProfileSource::CredentialProcess(s) => &s.profile,
            ProfileSource::Sso(s) => &s.profile,
            ProfileSource::WebIdentity(s) => &s.profile,
            ProfileSource::AssumeRole(s) => &s.profile,
        }
    }

    /// One line per step, the base source first and the final role last, naming the file and
    /// line of each: what `diagnose` prints for the role chain. Never a secret.
    ///
    /// ```
    /// use mongoawsauth::Env;
    /// use mongoawsauth::shared_config::{SelectedProfile, SharedConfig, Resolution, resolve};
    /// let config = SharedConfig::from_texts(
    ///     Some(("/h/.aws/config".as_ref(),
    ///           "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/App\nsource_profile = base\n")),
    ///     Some(("/h/.aws/credentials".as_ref(),
    ///           "[base]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = not-shown\n")),
    /// )?;
    /// let selected = SelectedProfile::select(&Env::from_vars([("AWS_PROFILE", "app")]), None);
    /// let Resolution::Source(plan) = resolve(&config, &selected)? else { unreachable!() };
    /// let steps = plan.steps();
    /// assert!(steps[0].starts_with("static keys AKIDEXAMPLE from [base]"));
    /// assert!(steps[1].starts_with("assume role arn:aws:iam::123456789012:role/App"));
    /// assert!(!steps.concat().contains("not-shown"));
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn steps(&self) -> Vec<String> {
        let mut steps = Vec::new();
        let mut node = self;
        loop {
            match node {
                ProfileSource::StaticKeys(s) => steps.push(format!(
                    "static keys {} from {}{}",
                    s.access_key_id.value,
                    s.access_key_id.origin,
                    if s.session_token.is_some() { " (with a session token)" } else { "" }
                )),
                ProfileSource::CredentialProcess(s) => {
                    steps.push(format!("credential_process from {}", s.command.origin))
                }
                ProfileSource::Sso(s) => steps.push(format!(
                    "SSO role {} in account {} ({} {}, region {}) from {}",
                    s.role_name.value,
                    s.account_id.value,
                    if s.session.is_some() { "sso-session" } else { "start URL" },
                    s.session.as_ref().map_or(&s.start_url.value, |n| &n.value),
                    s.region.value,
                    s.role_name.origin
                )),
                ProfileSource::WebIdentity(s) => steps.push(format!(
                    "web identity role {} with the token file from {}",
                    s.role_arn.value, s.token_file.origin
                )),
                ProfileSource::AssumeRole(role) => {
                    steps.push(format!("assume role {} from {}", role.role_arn.value, role.role_arn.origin));
                    match &role.source {
                        RoleSource::Profile(next) => {
                            node = next;
                            continue;
                        }
                        RoleSource::Named(named) => steps.push(format!(
                            "credential_source {} from {}",
                            named.value.as_str(),
                            named.origin
                        )),
                    }
                }
            }
            break;
        }
        steps.reverse();
        steps
    }
}

/// Static keys from a profile.
#[derive(Clone, Debug)]
pub struct StaticKeys {
    /// The profile that holds them.
    pub profile: String,
    /// `aws_access_key_id`.
    pub access_key_id: Sourced<String>,
    /// `aws_secret_access_key`.
    pub secret_access_key: SourcedSecret,
    /// `aws_session_token`, if set.
    pub session_token: Option<SourcedSecret>,
}

impl StaticKeys {
    /// The keys as [`Credentials`] named `source` (such as `"profile"`).
    pub fn credentials(&self, source: &str) -> Result<Credentials, Error> {
        Credentials::new(
            Some(&self.access_key_id.value),
            Some(self.secret_access_key.expose()),
            self.session_token.as_ref().map(SourcedSecret::expose),
            None,
            source,
        )
    }
}

/// `credential_process = COMMAND`.
#[derive(Clone)]
pub struct CredentialProcess {
    /// The profile that names it.
    pub profile: String,
    /// The command line as written (trimmed).
    pub command: Sourced<String>,
}

impl fmt::Debug for CredentialProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProcess")
            .field("profile", &self.profile)
            .field("command", &REDACTED)
            .field("origin", &self.command.origin)
            .finish()
    }
}

/// An IAM Identity Center (SSO) profile, in either form.
#[derive(Clone, Debug)]
pub struct Sso {
    /// The profile.
    pub profile: String,
    /// `sso_session`: the `[sso-session NAME]` section, or `None` for the legacy form (the
    /// start URL and region written in the profile itself).
    pub session: Option<Sourced<String>>,
    /// `sso_start_url`, from the session section or the profile.
    pub start_url: Sourced<String>,
    /// `sso_region`: the region of the SSO portal.
    pub region: Sourced<String>,
    /// `sso_account_id`.
    pub account_id: Sourced<String>,
    /// `sso_role_name`.
    pub role_name: Sourced<String>,
    /// `sso_registration_scopes` of the session (comma-separated in the file), empty if unset.
    pub registration_scopes: Vec<String>,
}

impl Sso {
    /// What the token cache file is keyed on: the session name, or the start URL for the legacy
    /// form (the AWS CLI hashes it to name the file under `~/.aws/sso/cache/`).
    pub fn cache_key(&self) -> &str {
        self.session.as_ref().map_or(&self.start_url.value, |s| &s.value)
    }

    /// The command that refreshes the cached token.
    ///
    /// ```
    /// # use mongoawsauth::shared_config::SharedConfig;
    /// # use mongoawsauth::shared_config::{ProfileSource, Resolution, SelectedProfile, resolve};
    /// # let config = SharedConfig::from_texts(Some(("/c".as_ref(), "[profile dev]\nsso_session = corp\n\
    /// # sso_account_id = 123456789012\nsso_role_name = Dev\n[sso-session corp]\n\
    /// # sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n")), None)?;
    /// # let selected = SelectedProfile::select(&mongoawsauth::Env::from_vars([("AWS_PROFILE", "dev")]), None);
    /// # let Resolution::Source(ProfileSource::Sso(sso)) = resolve(&config, &selected)? else { panic!() };
    /// assert_eq!(sso.login_command(), "aws sso login --sso-session corp");
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn login_command(&self) -> String {
        match &self.session {
            Some(session) => format!("aws sso login --sso-session {}", session.value),
            None => format!("aws sso login --profile {}", self.profile),
        }
    }
}

/// `web_identity_token_file` with `role_arn` in a profile.
#[derive(Clone, Debug)]
pub struct WebIdentity {
    /// The profile.
    pub profile: String,
    /// The token file's path, as written.
    pub token_file: Sourced<String>,
    /// The role to assume.
    pub role_arn: Sourced<String>,
    /// `role_session_name`, if set.
    pub session_name: Option<Sourced<String>>,
}

/// One AssumeRole step.
#[derive(Clone, Debug)]
pub struct AssumeRole {
    /// The profile that names the role.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: Sourced<String>,
    /// `role_session_name`, if set.
    pub session_name: Option<Sourced<String>>,
    /// `external_id`, if set.
    pub external_id: Option<Sourced<String>>,
    /// `duration_seconds` (900 to 43200), if set.
    pub duration_seconds: Option<Sourced<u32>>,
    /// Whose credentials sign the call.
    pub source: RoleSource,
}

/// The credentials an AssumeRole call is signed with.
// A plan is built once per resolution and walked once; boxing it would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum RoleSource {
    /// `source_profile = NAME`: that profile's plan (any depth).
    Profile(ProfileSource),
    /// `credential_source = …`: a base source of the chain.
    Named(Sourced<CredentialSource>),
}

/// The values `credential_source` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// `Environment`: the environment variables.
    Environment,
    /// `Ec2InstanceMetadata`: IMDSv2.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the container endpoint.
    EcsContainer,
}

impl CredentialSource {
    /// The name as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialSource::Environment => "Environment",
            CredentialSource::Ec2InstanceMetadata => "Ec2InstanceMetadata",
            CredentialSource::EcsContainer => "EcsContainer",
        }
    }

    /// Parses a value, ignoring case (as the Rust SDK does; botocore wants the exact case).
    pub fn parse(value: &str) -> Option<CredentialSource> {
        [CredentialSource::Environment, CredentialSource::Ec2InstanceMetadata, CredentialSource::EcsContainer]
            .into_iter()
            .find(|s| s.as_str().eq_ignore_ascii_case(value.trim()))
    }
}
