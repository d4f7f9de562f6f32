//! `mongoawsauth sign`: signs the GetCallerIdentity request for a given STS host and server
//! nonce with the environment's credentials, so that the signature can be checked against
//! another implementation (botocore, the Node driver, a hand-written verifier).

use std::process::ExitCode;
use std::time::SystemTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mongoawsauth::provider::environment::EnvironmentProvider;
use mongoawsauth::{signing, sts_host, time_fmt};

use super::CommandResult;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
    AWS_SESSION_TOKEN. The output is one JSON object: authorization, date, security_token (only \
    for temporary credentials: it is your session token) and payload (the client-final BSON, \
    base64, which carries the session token too). With temporary credentials, sign needs \
    --show-secrets.\n\nExample:\n  mongoawsauth sign --host sts.us-west-2.amazonaws.com \\\n    \
    --server-nonce \"$(head -c 64 /dev/urandom | base64 -w0)\" --date 20191112T210122Z")]
pub struct Args {
    /// The STS host the server sent (`h`), e.g. sts.amazonaws.com.
    #[arg(long)]
    host: String,
    /// The server nonce (`s`, 64 bytes) in standard base64.
    #[arg(long)]
    server_nonce: String,
    /// Sign as of this time (YYYYMMDDTHHMMSSZ, UTC) instead of now.
    #[arg(long)]
    date: Option<String>,
    /// Allow printing the session token of temporary credentials (in security_token and inside
    /// payload); required when AWS_SESSION_TOKEN is set.
    #[arg(long)]
    show_secrets: bool,
}

/// Runs `sign`.
pub fn run(args: Args) -> CommandResult {
    let nonce = STANDARD.decode(args.server_nonce.trim()).map_err(|e| {
        format!("--server-nonce is not standard base64 ({e}); pass the server's 64-byte `s` encoded")
    })?;
    if nonce.len() != 64 {
        eprintln!("note: the server nonce is {} bytes; a real MONGODB-AWS server nonce is 64", nonce.len());
    }
    let time = match &args.date {
        None => SystemTime::now(),
        Some(text) => time_fmt::parse_amz_date(text)
            .ok_or_else(|| format!("--date {text:?} is not YYYYMMDDTHHMMSSZ (e.g. 20191112T210122Z)"))?,
    };
    sts_host::region_for_host(&args.host).map_err(|e| e.to_string())?;
    let credentials = EnvironmentProvider::new().load().map_err(|e| {
        format!(
            "{}\nsign uses the credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             AWS_SESSION_TOKEN",
            e.error()
        )
    })?;
    // The token is a secret: printed only on request, as `credentials --format env` does.
    if credentials.session_token().is_some() && !args.show_secrets {
        return Err("sign prints the session token (in security_token and inside payload), so with \
                    temporary credentials it needs --show-secrets"
            .into());
    }
    let signature = signing::sign_get_caller_identity(&credentials, &args.host, &nonce, time)
        .map_err(|e| e.to_string())?;
    let payload = signing::encode_client_final(&signature, credentials.session_token());
    let mut out = serde_json::Map::new();
    out.insert("authorization".into(), signature.authorization.clone().into());
    out.insert("date".into(), signature.amz_date.clone().into());
    if let Some(token) = credentials.session_token() {
        out.insert("security_token".into(), token.into());
    }
    out.insert("payload".into(), STANDARD.encode(&payload).into());
    println!("{}", serde_json::Value::Object(out));
    Ok(ExitCode::SUCCESS)
}
