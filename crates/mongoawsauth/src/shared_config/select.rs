//! Which profile a login uses: a name given in code (the options), else `AWS_PROFILE`, else
//! `AWS_DEFAULT_PROFILE` (botocore reads it; the Rust and JavaScript SDKs do not), else `default`.
//! Blank values count as unset.
//!
//! A profile named by the options or a variable must exist in one of the two files, or the login
//! stops with an error that says where it looked: silently using another identity would be worse
//! (botocore raises `ProfileNotFound` the same way). Only the implicit `default` may be missing.
//! The Rust SDK instead falls through when neither file has any profile at all, even with
//! `AWS_PROFILE` set; we follow botocore.

use std::fmt;

use super::profile_set::{Section, SharedConfig};
use crate::config::Env;
use crate::error::Error;

/// The variable that names the profile.
pub const PROFILE_VAR: &str = "AWS_PROFILE";
/// botocore's older name for it, read after `AWS_PROFILE`.
pub const DEFAULT_PROFILE_VAR: &str = "AWS_DEFAULT_PROFILE";
/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// What named the profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileChoice {
    /// Named in code.
    Options,
    /// From `AWS_PROFILE`.
    AwsProfile,
    /// From `AWS_DEFAULT_PROFILE`.
    AwsDefaultProfile,
    /// Nothing named one: `default`.
    Implicit,
}

impl fmt::Display for ProfileChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProfileChoice::Options => "named in the options",
            ProfileChoice::AwsProfile => "from AWS_PROFILE",
            ProfileChoice::AwsDefaultProfile => "from AWS_DEFAULT_PROFILE",
            ProfileChoice::Implicit => "the default profile",
        })
    }
}

/// The selected profile's name and what selected it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectedProfile {
    /// The name.
    pub name: String,
    /// What named it.
    pub choice: ProfileChoice,
}

impl SelectedProfile {
    /// Selects the profile from an explicit name (blank counts as none) and the environment.
    ///
    /// ```
    /// use mongoawsauth::Env;
    /// use mongoawsauth::shared_config::{ProfileChoice, SelectedProfile};
    /// let env = Env::from_vars([("AWS_PROFILE", "dev"), ("AWS_DEFAULT_PROFILE", "old")]);
    /// assert_eq!(SelectedProfile::select(&env, None).name, "dev");
    /// assert_eq!(SelectedProfile::select(&env, Some("ci")).choice, ProfileChoice::Options);
    /// assert_eq!(SelectedProfile::select(&Env::from_vars::<[(&str, &str); 0], _, _>([]), None).name, "default");
    /// ```
    pub fn select(env: &Env, explicit: Option<&str>) -> SelectedProfile {
        if let Some(name) = explicit.map(str::trim).filter(|n| !n.is_empty()) {
            return SelectedProfile { name: name.to_owned(), choice: ProfileChoice::Options };
        }
        for (var, choice) in [
            (PROFILE_VAR, ProfileChoice::AwsProfile),
            (DEFAULT_PROFILE_VAR, ProfileChoice::AwsDefaultProfile),
        ] {
            if let Some(name) = env.get_non_blank(var) {
                return SelectedProfile { name: name.trim().to_owned(), choice };
            }
        }
        SelectedProfile { name: DEFAULT_PROFILE.to_owned(), choice: ProfileChoice::Implicit }
    }

    /// Whether the name was given (in code or a variable) rather than implied.
    pub fn is_explicit(&self) -> bool {
        self.choice != ProfileChoice::Implicit
    }

    /// What to change to pick another profile, for messages.
    fn remedy(&self) -> &'static str {
        match self.choice {
            ProfileChoice::Options => "fix the profile name in the options",
            ProfileChoice::AwsProfile => "fix or unset AWS_PROFILE",
            ProfileChoice::AwsDefaultProfile => "fix or unset AWS_DEFAULT_PROFILE",
            ProfileChoice::Implicit => "",
        }
    }
}

impl SharedConfig {
    /// The selected profile: `Ok(None)` when it is the implicit `default` and neither file has
    /// it; an error when a named profile is in neither file.
    pub fn selected<'a>(&'a self, selected: &SelectedProfile) -> Result<Option<&'a Section>, Error> {
        match self.profile(&selected.name) {
            Some(section) => Ok(Some(section)),
            None if !selected.is_explicit() => Ok(None),
            None => {
                let known: Vec<&str> = self.profile_names().take(20).collect();
                let known = if known.is_empty() {
                    "the files define no profile".to_owned()
                } else {
                    format!("the profiles defined are: {}", known.join(", "))
                };
                Err(Error::configuration(format!(
                    "AWS profile `{}` ({}) is not in the shared config files ({}); {known}: {}, or add \
                     [profile {}] to the config file",
                    selected.name,
                    selected.choice,
                    self.file_list(),
                    selected.remedy(),
                    selected.name,
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ErrorKind;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied())
    }

    #[test]
    fn selection_table() {
        use ProfileChoice::*;
        type Vars<'a> = &'a [(&'a str, &'a str)];
        let rows: &[(Vars<'_>, Option<&str>, &str, ProfileChoice)] = &[
            (&[], None, "default", Implicit),
            (&[(PROFILE_VAR, "dev")], None, "dev", AwsProfile),
            (&[(DEFAULT_PROFILE_VAR, "old")], None, "old", AwsDefaultProfile),
            (&[(PROFILE_VAR, "dev"), (DEFAULT_PROFILE_VAR, "old")], None, "dev", AwsProfile),
            (&[(PROFILE_VAR, " "), (DEFAULT_PROFILE_VAR, "old")], None, "old", AwsDefaultProfile),
            (&[(PROFILE_VAR, "")], None, "default", Implicit),
            (&[(PROFILE_VAR, "dev")], Some("ci"), "ci", Options),
            (&[(PROFILE_VAR, "dev")], Some("  "), "dev", AwsProfile),
            (&[(PROFILE_VAR, " dev ")], None, "dev", AwsProfile),
            // Naming `default` explicitly makes it required.
            (&[(PROFILE_VAR, "default")], None, "default", AwsProfile),
        ];
        for (vars, explicit, name, choice) in rows {
            let got = SelectedProfile::select(&env(vars), *explicit);
            assert_eq!(
                got,
                SelectedProfile { name: (*name).to_owned(), choice: *choice },
                "{vars:?} {explicit:?}"
            );
        }
    }

    #[test]
    fn a_named_profile_must_exist_the_implicit_default_need_not() {
        let config = SharedConfig::from_texts(
            Some((Path::new("/h/.aws/config"), "[profile dev]\nregion = eu-west-1\n")),
            None,
        )
        .unwrap();
        let implicit = SelectedProfile::select(&env(&[]), None);
        assert!(config.selected(&implicit).unwrap().is_none());
        let dev = SelectedProfile::select(&env(&[(PROFILE_VAR, "dev")]), None);
        assert_eq!(config.selected(&dev).unwrap().unwrap().name(), "dev");

        let named_default = SelectedProfile::select(&env(&[(PROFILE_VAR, "default")]), None);
        let e = config.selected(&named_default).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration);
        assert!(e.message().contains("`default` (from AWS_PROFILE)"), "{e}");

        let missing = SelectedProfile::select(&env(&[]), Some("prod"));
        let e = config.selected(&missing).unwrap_err();
        for part in
            ["`prod` (named in the options)", "/h/.aws/config", "profiles defined are: dev", "[profile prod]"]
        {
            assert!(e.message().contains(part), "{part}: {e}");
        }
        // With no files at all a named profile is still an error (botocore's ProfileNotFound).
        let empty = SharedConfig::default();
        let e = empty.selected(&dev).unwrap_err();
        assert!(e.message().contains("define no profile"), "{e}");
    }
}
