//! `mongoawsauth diagnose`: walks the default chain the way a driver's login would and explains,
//! source by source, what it found; with `--sts-check`, asks STS which identity the credentials
//! belong to, which is the name the MongoDB database user must have.

use std::process::ExitCode;
use std::time::Duration;

use mongoawsauth::diagnostics::{self, Diagnosis, SourceStatus};
use mongoawsauth::sts::caller_identity::{self, CallerIdentity};
use mongoawsauth::{Options, ProviderConfig, time_fmt};

use super::CommandResult;

/// Output formats of `diagnose`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// A table for people.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `diagnose`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Reads the same environment a driver would: AWS_ACCESS_KEY_ID, \
    AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, \
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI, AWS_EC2_METADATA_DISABLED and friends \
    (see docs/configuration.md). Secrets are never printed. Exits 0 when a source supplied \
    credentials (and, with --sts-check, STS accepted them).")]
pub struct Args {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Send the signed GetCallerIdentity request to STS and print the ARN a MongoDB server will
    /// authenticate.
    #[arg(long)]
    sts_check: bool,
    /// The STS endpoint for --sts-check and for web identity (default: AWS_ENDPOINT_URL_STS, the
    /// regional endpoint of AWS_REGION, or sts.amazonaws.com).
    #[arg(long, value_name = "URL")]
    sts_endpoint: Option<String>,
    /// How long each source may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    timeout: f64,
    /// The IMDS base URL instead of AWS_EC2_METADATA_SERVICE_ENDPOINT / 169.254.169.254.
    #[arg(long, value_name = "URL", hide = true)]
    imds_endpoint: Option<String>,
    /// The base URL for AWS_CONTAINER_CREDENTIALS_RELATIVE_URI instead of 169.254.170.2.
    #[arg(long, value_name = "URL", hide = true)]
    ecs_base_url: Option<String>,
}

/// Runs `diagnose`.
pub async fn run(args: Args) -> CommandResult {
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 3600.0) {
        return Err("--timeout must be a number of seconds between 0 and 3600".into());
    }
    let timeout = Duration::from_secs_f64(args.timeout);
    let mut config = ProviderConfig::new().with_sts_timeout(timeout);
    if let Some(url) = &args.sts_endpoint {
        config = config.with_sts_endpoint(url.clone());
    }
    if let Some(url) = &args.imds_endpoint {
        config = config.with_imds_endpoint(url.clone());
    }
    if let Some(url) = &args.ecs_base_url {
        config = config.with_ecs_base_url(url.clone());
    }
    let options = Options::new().with_provider_config(config.clone());
    let diagnosis = diagnostics::diagnose(&options, timeout).await;
    let advice = diagnosis.advice();
    let check = match (&diagnosis.credentials, args.sts_check) {
        (Some(credentials), true) => Some(caller_identity::get_caller_identity(credentials, &config).await),
        _ => None,
    };
    let ok = diagnosis.credentials.is_some() && !matches!(check, Some(Err(_)));
    match args.format {
        Format::Text => print!("{}", text(&diagnosis, advice.as_deref(), check.as_ref())),
        Format::Json => println!("{}", json(&diagnosis, advice.as_deref(), check.as_ref())),
    }
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn status_words(status: &SourceStatus) -> (&'static str, String) {
    match status {
        SourceStatus::Used { access_key_id, temporary, expiry } => {
            let kind = if *temporary { "temporary" } else { "long-term" };
            let expiry = expiry.map(|e| format!(", expires {}", time_fmt::iso8601(e))).unwrap_or_default();
            ("used", format!("{kind} credentials {access_key_id}{expiry}"))
        }
        SourceStatus::NotConfigured(why) => ("not configured", why.clone()),
        SourceStatus::Failed(why) => ("FAILED", why.clone()),
        SourceStatus::NotTried(why) => ("not tried", why.clone()),
    }
}

fn text(
    diagnosis: &Diagnosis,
    advice: Option<&str>,
    check: Option<&Result<CallerIdentity, mongoawsauth::Error>>,
) -> String {
    let mut out = String::from("credential sources, in the order a login tries them:\n");
    for report in &diagnosis.sources {
        let (status, detail) = status_words(&report.status);
        let ms = report.elapsed.as_secs_f64() * 1000.0;
        out.push_str(&format!("  {:<13} {:<15} {:>8.1} ms  {}\n", report.source, status, ms, detail));
        for line in &report.details {
            out.push_str(&format!("  {:<13}   {line}\n", ""));
        }
    }
    out.push('\n');
    match (diagnosis.used_source(), &diagnosis.credentials) {
        (Some(source), Some(credentials)) => {
            out.push_str(&format!(
                "a login would use the {source} source: access key id {}\n",
                credentials.access_key_id()
            ));
        }
        _ => out.push_str(&format!("no credentials: {}\n", advice.unwrap_or("see the sources above"))),
    }
    match check {
        Some(Ok(identity)) => out.push_str(&format!(
            "STS says these credentials belong to {}\nthe MongoDB server will authenticate them as the $external user {}\n",
            identity.arn,
            identity.database_user()
        )),
        Some(Err(e)) => out.push_str(&format!("the STS check failed: {e}\n")),
        None => {}
    }
    out
}

fn json(
    diagnosis: &Diagnosis,
    advice: Option<&str>,
    check: Option<&Result<CallerIdentity, mongoawsauth::Error>>,
) -> serde_json::Value {
    let sources: Vec<serde_json::Value> = diagnosis
        .sources
        .iter()
        .map(|r| {
            let (status, detail) = status_words(&r.status);
            serde_json::json!({
                "source": r.source,
                "status": status.to_lowercase(),
                "detail": detail,
                "details": r.details,
                "elapsed_ms": r.elapsed.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    let mut value = serde_json::json!({
        "sources": sources,
        "used_source": diagnosis.used_source(),
        "access_key_id": diagnosis.credentials.as_ref().map(|c| c.access_key_id()),
        "advice": advice,
    });
    match check {
        Some(Ok(identity)) => {
            value["arn"] = identity.arn.clone().into();
            value["database_user"] = identity.database_user().into();
        }
        Some(Err(e)) => value["sts_check_error"] = e.to_string().into(),
        None => {}
    }
    value
}
