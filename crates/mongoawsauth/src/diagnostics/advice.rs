//! The one sentence of advice a [`Diagnosis`] ends with when no source supplied credentials,
//! worded by what is actually set: "unset AWS_X" only names variables that were set during the
//! walk, and a source that no variable configures (the profile's default files, IMDS) gets advice
//! that fits it instead. It lives in the core so that the CLI, the C library's
//! `mongoawsauth_diagnosis_advice` and any driver explaining a failed login say the same thing.

use super::{Diagnosis, SourceStatus};
use crate::config::Env;
use crate::provider::{container, environment, imds, profile, web_identity};

/// The variables that make each source configured (or, for the environment, can make it fail):
/// the ones a user would unset to let the chain move on past it.
fn configuring_variables(source: &str) -> &'static [&'static str] {
    match source {
        environment::NAME => {
            &["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"]
        }
        web_identity::NAME => &["AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"],
        container::NAME => &["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"],
        imds::NAME => &["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"],
        _ => &[],
    }
}

/// The variables, among those any source of the default chain reads to decide whether it is
/// configured, that are set (not blank) in `env`: what [`Diagnosis::set_variables`] records.
pub(super) fn set_variables(env: &Env) -> Vec<String> {
    let sources = [environment::NAME, web_identity::NAME, container::NAME, imds::NAME];
    let profile_vars = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"];
    sources
        .iter()
        .flat_map(|s| configuring_variables(s).iter())
        .chain(profile_vars.iter())
        .filter(|v| env.get_non_blank(v).is_some())
        .map(|v| (*v).to_owned())
        .collect()
}

/// What to do next when `diagnosis` found no credentials; `None` when it did.
pub(super) fn advice(diagnosis: &Diagnosis) -> Option<String> {
    let is_set = |var: &str| diagnosis.set_variables.iter().any(|v| v == var);
    if diagnosis.credentials.is_some() {
        return None;
    }
    let Some(failed) = diagnosis.sources.iter().find(|r| matches!(r.status, SourceStatus::Failed(_))) else {
        return Some(
            "no source is configured: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (plus \
             AWS_SESSION_TOKEN for temporary keys), or a profile in ~/.aws/config (AWS_PROFILE), or \
             AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (EKS), or run where a container or EC2 \
             instance role provides credentials"
                .to_owned(),
        );
    };
    let source = failed.source.as_str();
    let head = format!("the {source} source is configured but failed: fix its configuration (above)");
    let set: Vec<&str> = configuring_variables(source).iter().copied().filter(|v| is_set(v)).collect();
    let tail = match source {
        profile::source::NAME => {
            let chosen_by = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"].into_iter().find(|v| is_set(v));
            match chosen_by {
                Some(var) => format!(
                    " in the shared config files, or set {var} to a profile that works; the profile \
                     step cannot be skipped from the environment"
                ),
                None => " in the shared config files (no AWS_PROFILE is set, so it is the default \
                         profile), or remove that profile; the profile step cannot be skipped from the \
                         environment"
                    .to_owned(),
            }
        }
        imds::NAME => {
            let address = if set.is_empty() {
                String::new()
            } else {
                format!(" and the address set by {}", join_and(&set))
            };
            format!(
                ": check the instance's IAM role and metadata options{address}; instance metadata is \
                 the last source, so skipping it (AWS_EC2_METADATA_DISABLED=true) leaves no credentials"
            )
        }
        _ if set.is_empty() => {
            "; no environment variable of this source is set, so there is nothing to unset".to_owned()
        }
        _ => format!(", or unset {} so the chain can move on", join_and(&set)),
    };
    Some(format!("{head}{tail}"))
}

/// `A`, `A and B`, `A, B and C`.
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::super::SourceReport;
    use super::*;

    fn failed(source: &str, env: &Env) -> Diagnosis {
        Diagnosis {
            sources: vec![SourceReport {
                source: source.to_owned(),
                status: SourceStatus::Failed("why".into()),
                elapsed: Duration::ZERO,
                details: Vec::new(),
            }],
            credentials: None,
            set_variables: set_variables(env),
        }
    }

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn names_only_the_variables_that_are_set() {
        let text = advice(&failed("web_identity", &env(&[("AWS_WEB_IDENTITY_TOKEN_FILE", "/t")]))).unwrap();
        assert!(text.ends_with("or unset AWS_WEB_IDENTITY_TOKEN_FILE so the chain can move on"), "{text}");
        let text = advice(&failed(
            "environment",
            &env(&[("AWS_ACCESS_KEY_ID", "AKIA1"), ("AWS_SESSION_TOKEN", "t"), ("AWS_REGION", "x")]),
        ))
        .unwrap();
        assert!(
            text.ends_with("unset AWS_ACCESS_KEY_ID and AWS_SESSION_TOKEN so the chain can move on"),
            "{text}"
        );
        assert_eq!(join_and(&["A", "B", "C"]), "A, B and C");
    }

    #[test]
    fn never_says_unset_when_nothing_is_set() {
        for source in ["profile", "imds", "container", "custom"] {
            let text = advice(&failed(source, &env(&[]))).unwrap();
            assert!(!text.contains("or unset"), "{source}: {text}");
            assert!(text.starts_with(&format!("the {source} source is configured but failed")), "{text}");
        }
        let text = advice(&failed("profile", &env(&[("AWS_PROFILE", "dev")]))).unwrap();
        assert!(text.contains("set AWS_PROFILE to a profile that works"), "{text}");
    }
}
