//! `GetCallerIdentity` sent by us rather than by the MongoDB server: the request a server would
//! send for a login, signed exactly as the conversation signs it, so an operator can see before
//! connecting which IAM identity (ARN) the server will authenticate. That ARN is the name the
//! database user must have.
//!
//! Reads nothing but the [`ProviderConfig`]'s STS endpoint resolution (override,
//! `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, regional or global). Sends one signed POST.

use std::time::SystemTime;

use crate::config::ProviderConfig;
use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};
use crate::http::{self, STS_BODY_CAP};
use crate::signing;

use super::response::service_error;

/// Who STS says the credentials belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The ARN the MongoDB server authenticates (`arn:aws:iam::…:user/…` or
    /// `arn:aws:sts::…:assumed-role/…/…`).
    pub arn: String,
    /// The AWS account id.
    pub account: String,
    /// The unique id of the user or role session.
    pub user_id: String,
}

impl CallerIdentity {
    /// The name of the MongoDB database user (on `$external`) that matches this identity: the
    /// ARN itself for an IAM user, and the role's ARN (`arn:aws:iam::<account>:role/<role>`) for
    /// an assumed-role session, which is how MongoDB matches temporary role credentials.
    pub fn database_user(&self) -> String {
        let parts: Vec<&str> = self.arn.splitn(6, ':').collect();
        if let [arn, partition, "sts", _, account, resource] = parts.as_slice()
            && let Some(rest) = resource.strip_prefix("assumed-role/")
            && let Some((role, _session)) = rest.split_once('/')
        {
            return format!("{arn}:{partition}:iam::{account}:role/{role}");
        }
        self.arn.clone()
    }
}

/// Sends a signed `GetCallerIdentity` to the STS endpoint `config` resolves to and returns the
/// caller's identity.
pub async fn get_caller_identity(
    credentials: &Credentials,
    config: &ProviderConfig,
) -> Result<CallerIdentity, Error> {
    let endpoint = super::resolve_endpoint(config)?;
    let url = reqwest::Url::parse(endpoint.url()).map_err(|e| {
        Error::configuration(format!("the STS endpoint {} is not a URL: {e}", endpoint.display_url()))
    })?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => {
            return Err(Error::configuration(format!(
                "the STS endpoint {} has no host",
                endpoint.display_url()
            )));
        }
    };
    // The same request a MongoDB server sends: its own nonce header included, so the check
    // exercises exactly the signature a login would.
    let mut nonce = [0u8; 64];
    getrandom::fill(&mut nonce).map_err(|e| {
        Error::new(ErrorKind::Runtime, format!("no random bytes from the operating system: {e}"))
    })?;
    let now = SystemTime::now();
    let signature = signing::sign_get_caller_identity(credentials, &host, &nonce, now)?;
    let client = http::sts_client(config.env()).map_err(|e| {
        Error::configuration(format!("GetCallerIdentity at {} was not sent: {e}", endpoint.display_url()))
    })?;
    let mut request = client
        .post(url)
        .header("host", &host)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-amz-date", &signature.amz_date)
        .header("x-mongodb-server-nonce", base64_nonce(&nonce))
        .header("x-mongodb-gs2-cb-flag", "n")
        .header("authorization", &signature.authorization)
        .body(signing::GET_CALLER_IDENTITY_BODY);
    if let Some(token) = credentials.session_token() {
        request = request.header("x-amz-security-token", token);
    }
    let where_ = endpoint.display_url();
    let response = client.send(request, config.sts_timeout(), STS_BODY_CAP).await.map_err(|e| {
        Error::new(ErrorKind::CredentialsProvider, format!("GetCallerIdentity at {where_}: {e}"))
    })?;
    if response.status != 200 {
        // The session token travelled in a header; a server may quote it back.
        let mut secrets = super::Secrets::default();
        if let Some(token) = credentials.session_token() {
            secrets.add(token);
        }
        let detail = match service_error(&response.body) {
            Some(e) => {
                format!(
                    "{} {}: {}",
                    response.status,
                    secrets.scrub(&e.code, 64),
                    secrets.scrub(&e.message, 512)
                )
            }
            None => format!("HTTP {}", response.status),
        };
        return Err(Error::new(
            ErrorKind::Authentication,
            format!(
                "STS at {where_} refused GetCallerIdentity with {detail}; a MongoDB server would refuse \
                 these credentials too: check the access key id, secret and session token"
            ),
        ));
    }
    parse(&response.body).ok_or_else(|| {
        Error::new(
            ErrorKind::CredentialsProvider,
            format!("STS at {where_} answered GetCallerIdentity without an Arn, Account and UserId"),
        )
    })
}

fn base64_nonce(nonce: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(nonce)
}

pub(crate) fn parse(body: &[u8]) -> Option<CallerIdentity> {
    let text = std::str::from_utf8(body).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let field = |name: &str| {
        doc.descendants()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .and_then(|n| n.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    };
    Some(CallerIdentity { arn: field("Arn")?, account: field("Account")?, user_id: field("UserId")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_xml_answer_and_rejects_garbage() {
        let body = br#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/mongo</Arn>
          <UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>
          </GetCallerIdentityResponse>"#;
        let id = parse(body).unwrap();
        assert_eq!(id.arn, "arn:aws:iam::123456789012:user/mongo");
        assert_eq!(id.account, "123456789012");
        assert!(parse(b"<GetCallerIdentityResponse/>").is_none());
        assert!(parse(b"\xff\xfe garbage").is_none());
        assert!(parse(b"{\"Arn\": 1}").is_none());
    }

    #[test]
    fn database_user_names_the_role_for_assumed_role_sessions() {
        let id = |arn: &str| CallerIdentity { arn: arn.into(), account: "1".into(), user_id: "u".into() };
        assert_eq!(
            id("arn:aws:sts::123456789012:assumed-role/mongo-role/session-1").database_user(),
            "arn:aws:iam::123456789012:role/mongo-role"
        );
        assert_eq!(
            id("arn:aws-us-gov:sts::123456789012:assumed-role/r/s").database_user(),
            "arn:aws-us-gov:iam::123456789012:role/r"
        );
        assert_eq!(
            id("arn:aws:iam::123456789012:user/mongo").database_user(),
            "arn:aws:iam::123456789012:user/mongo"
        );
        assert_eq!(id("garbage").database_user(), "garbage");
    }
}
