//! Credentials from STS `AssumeRoleWithWebIdentity` (EKS IAM roles for service accounts, and any
//! OIDC identity that can write a token file).
//!
//! Reads, on every fetch:
//! - `AWS_WEB_IDENTITY_TOKEN_FILE`: the path of the token file;
//! - the file it names (re-read every time, because kubelet rotates projected tokens; trailing
//!   `\r`/`\n` are trimmed). It must be a regular file of at most 64 KiB; a symbolic link to one
//!   is fine (projected tokens are mounted as links), a FIFO or a device is refused at once
//!   instead of blocking the fetch;
//! - `AWS_ROLE_ARN`: the role to assume;
//! - `AWS_ROLE_SESSION_NAME` (optional; otherwise `mongoawsauth-` and 16 random hex digits);
//! - for the STS endpoint (see [`crate::sts::endpoint`]): `AWS_ENDPOINT_URL_STS`,
//!   `AWS_ENDPOINT_URL`, `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`, `AWS_REGION`,
//!   `AWS_DEFAULT_REGION`, `AWS_STS_REGIONAL_ENDPOINTS`; and, through the STS HTTP client, the
//!   usual proxy variables (`HTTPS_PROXY`, `NO_PROXY`...).
//!
//! Sends one unsigned `POST` to `https://sts.{region}.{dnsSuffix}/`, `https://sts.amazonaws.com/`
//! or the configured endpoint (up to three attempts, within the STS timeout).
//!
//! Neither variable set means "not configured". One without the other is a configuration error
//! that names the missing one: moving on to another identity would hide the mistake (botocore and
//! aws-config agree). An unreadable or empty token file is an error that names the path, never the
//! contents.

use zeroize::Zeroizing;

use crate::config::ProviderConfig;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::secret_file::SecretFile;
use crate::sts::{self, Action, Param};

use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports.
pub const NAME: &str = "web_identity";

const TOKEN_FILE: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";
const ROLE_ARN: &str = "AWS_ROLE_ARN";
const ROLE_SESSION_NAME: &str = "AWS_ROLE_SESSION_NAME";

/// STS's limit on `WebIdentityToken`.
const MAX_TOKEN_CHARS: usize = 20_000;
/// How much of the token file is read at most (a token, a newline, and room to say "too long").
const MAX_FILE_BYTES: usize = 64 * 1024;

/// Assumes `AWS_ROLE_ARN` with the token in `AWS_WEB_IDENTITY_TOKEN_FILE`.
#[derive(Clone, Debug, Default)]
pub struct WebIdentityProvider {
    config: ProviderConfig,
}

impl WebIdentityProvider {
    /// The real world: the process environment and AWS's STS endpoints.
    pub fn new() -> Self {
        WebIdentityProvider { config: ProviderConfig::new() }
    }

    /// Reads the environment, STS endpoint and timeout from `config` (tests point it at a
    /// loopback stand-in).
    pub fn with_config(config: ProviderConfig) -> Self {
        WebIdentityProvider { config }
    }

    /// Assumes the role now.
    pub async fn load(&self) -> Result<Credentials, ProviderError> {
        let env = self.config.env();
        let token_file = env.get_non_blank(TOKEN_FILE);
        let role_arn = env.get_non_blank(ROLE_ARN);
        let (token_file, role_arn) = match (token_file, role_arn) {
            (None, None) => {
                return Err(ProviderError::not_configured(format!(
                    "{TOKEN_FILE} and {ROLE_ARN} are not set"
                )));
            }
            (Some(_), None) => {
                return Err(configuration(format!(
                    "{TOKEN_FILE} is set but {ROLE_ARN} is not: set {ROLE_ARN} to the ARN of the role to \
                     assume, or unset {TOKEN_FILE}"
                )));
            }
            // botocore and aws-config both look for the token file first and move on without
            // it: a stray AWS_ROLE_ARN (often left for other tools) must not block the container
            // or IMDS source that would work. The reason names it for the attempt list.
            (None, Some(_)) => {
                return Err(ProviderError::not_configured(format!(
                    "{TOKEN_FILE} is not set, so {ROLE_ARN} is ignored (as the AWS SDKs do): set \
                     {TOKEN_FILE} to the path of the web identity token to assume that role"
                )));
            }
            (Some(file), Some(arn)) => (file.trim().to_owned(), arn.trim().to_owned()),
        };
        sts::check_arn(&role_arn, ROLE_ARN, "role/").map_err(ProviderError::Failed)?;
        let session_name = match env.get_non_blank(ROLE_SESSION_NAME) {
            Some(name) => {
                let name = name.trim().to_owned();
                if !is_session_name(&name) {
                    return Err(configuration(format!(
                        "{ROLE_SESSION_NAME} must be 2 to 64 characters of letters, digits and _+=,.@- \
                         (it is {} characters and may contain others): fix or unset it",
                        name.chars().count()
                    )));
                }
                name
            }
            None => generated_session_name()?,
        };
        let token = read_token(self.config.fs(), &token_file).await?;
        let hint = format!(
            "check that the token in {token_file} is current and that the role's trust policy names \
             the identity provider that issued it"
        );
        let call = sts::Call {
            action: Action::AssumeRoleWithWebIdentity,
            source: NAME,
            role_arn: &role_arn,
            params: vec![
                Param::plain("RoleArn", role_arn.clone()),
                Param::plain("RoleSessionName", session_name),
                Param::secret("WebIdentityToken", token),
            ],
            identity_hint: &hint,
        };
        sts::assume_role(&self.config, call).await.map_err(ProviderError::Failed)
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn name(&self) -> &str {
        NAME
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.load())
    }

    /// Role, token file, session name and endpoint: clients configured alike share credentials.
    /// The endpoint's user information and query are never in the key (keys may be shown).
    fn cache_key(&self) -> Option<String> {
        let env = self.config.env();
        let token_file = env.get_non_blank(TOKEN_FILE)?;
        let role_arn = env.get_non_blank(ROLE_ARN)?;
        let session = env.get_non_blank(ROLE_SESSION_NAME).unwrap_or_default();
        let endpoint = crate::sts::resolve_endpoint(&self.config).ok()?;
        Some(format!(
            "{NAME}\n{role_arn}\n{token_file}\n{session}\n{}",
            crate::redact::url_for_key(endpoint.url())
        ))
    }
}

fn configuration(message: String) -> ProviderError {
    ProviderError::Failed(Error::configuration(message))
}

/// STS's `RoleSessionName` rule: `[\w+=,.@-]{2,64}`.
pub(crate) fn is_session_name(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// `mongoawsauth-` and 16 random hex digits: unique per fetch, and recognisable in CloudTrail.
fn generated_session_name() -> Result<String, ProviderError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| {
        ProviderError::Failed(Error::new(
            ErrorKind::Internal,
            format!("the OS random generator failed ({e}); set {ROLE_SESSION_NAME} to avoid needing it"),
        ))
    })?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("mongoawsauth-{hex}"))
}

/// Reads the token (a regular file only, under the fetch's deadline), trimming the trailing
/// newline editors and `echo` add. Errors name the path and what is wrong, never the contents.
async fn read_token(fs: &crate::config::Fs, path: &str) -> Result<Zeroizing<String>, ProviderError> {
    let failed = |why: String| {
        ProviderError::Failed(Error::new(
            ErrorKind::CredentialsProvider,
            format!("{NAME}: the token file {path} (from {TOKEN_FILE}) {why}"),
        ))
    };
    let file = SecretFile {
        path: path.into(),
        label: format!("{NAME}: the token file"),
        origin: format!("from {TOKEN_FILE}"),
        max_bytes: MAX_FILE_BYTES,
        missing_hint: "check the path, and on EKS that the service account token is mounted".to_owned(),
    };
    let contents = file
        .read_text_in(fs, "it should hold a JWT")
        .await
        .map_err(|e| ProviderError::Failed(Error::new(ErrorKind::CredentialsProvider, e.to_string())))?;
    let text = contents.trim_end_matches(['\r', '\n']);
    if text.trim().is_empty() {
        return Err(failed("is empty: it should hold a JWT; check what writes it".to_owned()));
    }
    if text.chars().count() > MAX_TOKEN_CHARS {
        return Err(failed(format!(
            "holds more than the {MAX_TOKEN_CHARS} characters STS accepts: check that it holds one token"
        )));
    }
    Ok(Zeroizing::new(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Env;

    fn provider(vars: &[(&str, &str)]) -> WebIdentityProvider {
        // Port 9 on loopback: nothing listens, and nothing ever leaves the host.
        let config = ProviderConfig::new()
            .with_env(Env::from_vars(vars.iter().copied()))
            .with_sts_endpoint("http://127.0.0.1:9/");
        WebIdentityProvider::with_config(config)
    }

    #[tokio::test]
    async fn not_configured_and_half_configured() {
        let err = provider(&[]).load().await.unwrap_err();
        assert!(err.is_not_configured(), "{err}");
        let err = provider(&[(TOKEN_FILE, "/tmp/t")]).load().await.unwrap_err();
        assert!(!err.is_not_configured());
        assert_eq!(err.error().kind(), ErrorKind::Configuration);
        assert!(err.to_string().contains("AWS_ROLE_ARN is not"), "{err}");
        let err = provider(&[(ROLE_ARN, "arn:aws:iam::123456789012:role/r")]).load().await.unwrap_err();
        assert!(err.is_not_configured(), "a role ARN alone falls through: {err}");
        assert!(err.to_string().contains("AWS_ROLE_ARN is ignored"), "{err}");
        let err = provider(&[(TOKEN_FILE, "/tmp/t"), (ROLE_ARN, "role-name")]).load().await.unwrap_err();
        assert!(err.to_string().contains("AWS_ROLE_ARN is not an IAM ARN"), "{err}");
    }

    #[tokio::test]
    async fn bad_session_names_are_refused_before_any_request() {
        for bad in ["x", "has space", "semi;colon", &"a".repeat(65)] {
            let err = provider(&[
                (TOKEN_FILE, "/nonexistent"),
                (ROLE_ARN, "arn:aws:iam::123456789012:role/r"),
                (ROLE_SESSION_NAME, bad),
            ])
            .load()
            .await
            .unwrap_err();
            assert!(err.to_string().contains("AWS_ROLE_SESSION_NAME must be"), "{bad}: {err}");
        }
    }

    #[test]
    fn session_names() {
        for good in ["ab", "app@ns.example,x=1+2_-", &"a".repeat(64)] {
            assert!(is_session_name(good), "{good}");
        }
        for _ in 0..10 {
            let name = generated_session_name().unwrap();
            assert!(is_session_name(&name), "{name}");
            assert_eq!(name.len(), "mongoawsauth-".len() + 16);
        }
        assert_ne!(generated_session_name().unwrap(), generated_session_name().unwrap());
    }

    #[tokio::test]
    async fn token_files() {
        let path = "/var/run/secrets/eks/token";
        let fs = crate::config::Fs::from_files([(path, "eyJhbGciOi.secret-part.sig\r\n\n")]);
        assert_eq!(read_token(&fs, path).await.unwrap().as_str(), "eyJhbGciOi.secret-part.sig");
        for (contents, want) in
            [(&b"\n\r\n"[..], "is empty"), (&b"  "[..], "is empty"), (&b"\xff\xfe"[..], "not UTF-8")]
        {
            fs.write(path, contents).unwrap();
            let err = read_token(&fs, path).await.unwrap_err().to_string();
            assert!(err.contains(want) && err.contains(path), "{err}");
        }
        fs.write(path, "a".repeat(MAX_TOKEN_CHARS + 1)).unwrap();
        assert!(read_token(&fs, path).await.unwrap_err().to_string().contains("more than the 20000"));
        fs.write(path, "eyJ.secret-part.sig").unwrap();
        let err = read_token(&fs, "/var/run/secrets/eks/missing").await.unwrap_err().to_string();
        assert!(err.contains("does not exist") && err.contains("missing"), "{err}");
        fs.write(path, vec![b'a'; MAX_FILE_BYTES + 1]).unwrap();
        let err = read_token(&fs, path).await.unwrap_err().to_string();
        assert!(err.contains("is larger than") && !err.contains("aaaa"), "{err}");
    }
}
