//! `mongoawsauth saml`: runs STS AssumeRoleWithSAML with an assertion from the identity provider
//! and prints the temporary credentials, secrets included, because that is the point: this is
//! the single-sign-on step of the workflow Atlas documents for passwordless AWS IAM database
//! users (`eval "$(mongoawsauth saml …)"`, then connect with `authMechanism=MONGODB-AWS`).

use std::io::Read as _;
use std::process::ExitCode;
use std::time::Duration;

use mongoawsauth::provider::saml::{AssertionSource, SamlProvider};
use mongoawsauth::{Credentials, Env, ProviderConfig};

use super::CommandResult;

/// Output formats of `saml`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// `export NAME='value'` lines for a POSIX shell (`eval "$(mongoawsauth saml …)"`).
    Env,
    /// One JSON object.
    Json,
}

/// Arguments of `saml`.
#[derive(Debug, clap::Args)]
#[command(after_help = "The credentials are printed to stdout in clear text on purpose: pipe them into \
    eval or a secrets store, not into a log. The request goes to --sts-endpoint, else \
    AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL (both ignored when \
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else the regional endpoint of AWS_REGION / \
    AWS_DEFAULT_REGION, else https://sts.amazonaws.com; the shared config files are not read.")]
pub struct Args {
    /// The role to assume, e.g. arn:aws:iam::123456789012:role/mongo-readers.
    #[arg(long, value_name = "ARN")]
    role_arn: String,
    /// The IAM SAML provider of the identity provider, e.g.
    /// arn:aws:iam::123456789012:saml-provider/corp-idp.
    #[arg(long, value_name = "ARN")]
    principal_arn: String,
    /// A file holding the base64 SAMLResponse the identity provider posted (`-` reads stdin).
    #[arg(long, value_name = "FILE")]
    assertion_file: String,
    /// How long the credentials last, in seconds (900 to 43200; STS's default is 3600).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Env)]
    format: Format,
    /// How long to wait for STS, in seconds, retries included.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// Send the request to this STS URL instead (like AWS_ENDPOINT_URL_STS); meant for tests
    /// against a loopback stand-in.
    #[arg(long, value_name = "URL")]
    sts_endpoint: Option<String>,
}

/// Runs `saml`.
pub async fn run(args: Args) -> CommandResult {
    if args.timeout == 0 {
        return Err("--timeout must be at least 1 second".into());
    }
    let source = if args.assertion_file == "-" {
        let mut assertion = String::new();
        std::io::stdin()
            .read_to_string(&mut assertion)
            .map_err(|e| format!("could not read the SAML assertion from stdin: {e}"))?;
        AssertionSource::from_fn(move || Ok(assertion.clone()))
    } else {
        AssertionSource::from_file(&args.assertion_file)
    };
    let mut config =
        ProviderConfig::new().with_env(Env::real()).with_sts_timeout(Duration::from_secs(args.timeout));
    if let Some(url) = args.sts_endpoint {
        config = config.with_sts_endpoint(url);
    }
    let mut builder =
        SamlProvider::builder(args.role_arn, args.principal_arn, source).provider_config(config);
    if let Some(secs) = args.duration {
        builder = builder.duration(Duration::from_secs(secs));
    }
    let provider = builder.build().map_err(|e| e.to_string())?;
    let credentials = provider.load().await.map_err(|e| e.to_string())?;
    print!("{}", render(&credentials, provider.role_arn(), args.format));
    Ok(ExitCode::SUCCESS)
}

fn render(credentials: &Credentials, role_arn: &str, format: Format) -> String {
    let expiration = credentials.expiration().map(mongoawsauth::time_fmt::iso8601);
    match format {
        Format::Env => {
            let mut out = format!(
                "# temporary credentials for {role_arn} from AssumeRoleWithSAML\n\
                 export AWS_ACCESS_KEY_ID={}\nexport AWS_SECRET_ACCESS_KEY={}\n",
                shell_quote(credentials.access_key_id()),
                shell_quote(credentials.secret_access_key()),
            );
            if let Some(token) = credentials.session_token() {
                out.push_str(&format!("export AWS_SESSION_TOKEN={}\n", shell_quote(token)));
            }
            if let Some(expiration) = &expiration {
                out.push_str(&format!("export AWS_CREDENTIAL_EXPIRATION={}\n", shell_quote(expiration)));
            }
            out
        }
        Format::Json => {
            let value = serde_json::json!({
                "source": credentials.source(),
                "role_arn": role_arn,
                "access_key_id": credentials.access_key_id(),
                "secret_access_key": credentials.secret_access_key(),
                "session_token": credentials.session_token(),
                "expiration": expiration,
            });
            format!("{value}\n")
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
    fn both_formats_carry_every_field() {
        let expiry = std::time::UNIX_EPOCH + Duration::from_secs(1_414_191_623);
        let c = Credentials::new(Some("ASIAX"), Some("SE'CRET"), Some("TOKN"), Some(expiry), "saml").unwrap();
        let env = render(&c, "arn:r", Format::Env);
        assert!(env.contains("export AWS_SECRET_ACCESS_KEY='SE'\\''CRET'"), "{env}");
        assert!(env.contains("export AWS_SESSION_TOKEN='TOKN'"));
        assert!(env.contains("export AWS_CREDENTIAL_EXPIRATION='2014-10-24T23:00:23Z'"));
        let json: serde_json::Value = serde_json::from_str(&render(&c, "arn:r", Format::Json)).unwrap();
        assert_eq!(json["session_token"], "TOKN");
        assert_eq!(json["expiration"], "2014-10-24T23:00:23Z");
        assert_eq!(json["role_arn"], "arn:r");
    }
}
