//! `mongoawsauth credentials`: resolves credentials the way a driver would and prints where they
//! came from. The secret and token are redacted unless `--show-secrets` is given.

use std::process::ExitCode;

use mongoawsauth::{Authenticator, Credentials, Options};

use super::CommandResult;

const REDACTED: &str = "** redacted **";

/// Output formats of `credentials`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Aligned lines for people.
    Text,
    /// One JSON object.
    Json,
    /// `export NAME=value` lines for a shell (needs --show-secrets).
    Env,
}

/// Arguments of `credentials`.
#[derive(Debug, clap::Args)]
#[command(after_help = "The default chain, in order; the first source that is configured decides: \
    the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the shared config \
    profile (AWS_PROFILE, else default, from ~/.aws/config and ~/.aws/credentials: static keys, \
    credential_process, IAM Identity Center (SSO) or a chained role); web identity \
    (AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN); the container endpoint \
    (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI); EC2 instance metadata (IMDSv2; skipped \
    inside a container or with AWS_EC2_METADATA_DISABLED=true). `mongoawsauth diagnose` shows what \
    each source found.")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print the secret access key and session token instead of redacting them.
    #[arg(long)]
    show_secrets: bool,
}

/// Runs `credentials`.
pub async fn run(args: Args) -> CommandResult {
    if matches!(args.format, Format::Env) && !args.show_secrets {
        return Err("--format env prints shell exports of the secret, so it needs --show-secrets".into());
    }
    let authenticator = Authenticator::new(Options::new()).map_err(|e| e.to_string())?;
    let credentials = authenticator.credentials().await.map_err(|e| e.to_string())?;
    print!("{}", render(&credentials, args.format, args.show_secrets));
    Ok(ExitCode::SUCCESS)
}

fn expiry_text(credentials: &Credentials) -> Option<String> {
    credentials.expiration().map(mongoawsauth::time_fmt::iso8601)
}

fn render(credentials: &Credentials, format: Format, show_secrets: bool) -> String {
    let secret = if show_secrets { credentials.secret_access_key() } else { REDACTED };
    let token = credentials.session_token().map(|t| if show_secrets { t } else { REDACTED });
    let expiry = expiry_text(credentials);
    match format {
        Format::Text => {
            let mut out = format!(
                "source:            {}\naccess key id:     {}\nsecret access key: {}\nsession token:     {}\n",
                credentials.source(),
                credentials.access_key_id(),
                secret,
                token.unwrap_or("(none: long-term keys)"),
            );
            out.push_str(&format!("expiry:            {}\n", expiry.as_deref().unwrap_or("(none given)")));
            out
        }
        Format::Json => {
            let value = serde_json::json!({
                "source": credentials.source(),
                "access_key_id": credentials.access_key_id(),
                "secret_access_key": secret,
                "session_token": token,
                "expiry": expiry,
            });
            format!("{value}\n")
        }
        Format::Env => {
            let mut out = format!(
                "export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\n",
                shell_quote(credentials.access_key_id()),
                shell_quote(secret)
            );
            match token {
                Some(token) => out.push_str(&format!("export AWS_SESSION_TOKEN={}\n", shell_quote(token))),
                None => out.push_str("unset AWS_SESSION_TOKEN\n"),
            }
            out
        }
    }
}

/// Single-quotes a value for POSIX shells.
fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_unless_asked() {
        let c = Credentials::new(Some("ASIAX"), Some("SEKRIT"), Some("TOKN"), None, "environment").unwrap();
        for format in [Format::Text, Format::Json] {
            let out = render(&c, format, false);
            assert!(out.contains("ASIAX") && !out.contains("SEKRIT") && !out.contains("TOKN"), "{out}");
            let out = render(&c, format, true);
            assert!(out.contains("SEKRIT") && out.contains("TOKN"), "{out}");
        }
        let out = render(&c, Format::Env, true);
        assert!(out.contains("export AWS_SECRET_ACCESS_KEY='SEKRIT'"));
        assert_eq!(shell_quote("a'b"), r"'a'\''b'");
    }
}
