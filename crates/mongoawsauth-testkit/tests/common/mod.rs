//! A MONGODB-AWS client for the integration tests, signing with `aws-sigv4` so that the stand-ins'
//! verifier is checked against an implementation it shares no code with.

#![allow(dead_code)]

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use base64::Engine as _;
use bson::{Binary, Bson, Document, doc, spec::BinarySubtype};
use mongoawsauth_testkit::client::{ClientError, SaslReply};
use mongoawsauth_testkit::{Client, Identity};

/// What to get wrong on purpose.
#[derive(Clone, Debug, Default)]
pub struct Tweaks {
    /// Sign with this secret instead of the identity's.
    pub secret: Option<String>,
    /// `Some(None)`: sign and send no token; `Some(Some(t))`: use token `t`.
    pub token: Option<Option<String>>,
    /// Sign this long ago.
    pub age: Option<Duration>,
    /// Sign for this region instead of the one derived from `h`.
    pub region: Option<String>,
    /// Leave `X-MongoDB-Server-Nonce` out of the signed headers.
    pub unsigned_nonce: bool,
}

/// The server-first fields.
pub struct ServerFirst {
    pub nonce: Vec<u8>,
    pub host: String,
}

pub fn client_nonce() -> Vec<u8> {
    let mut r = vec![0u8; 32];
    getrandom::fill(&mut r).unwrap();
    r
}

pub fn client_first(r: &[u8]) -> Vec<u8> {
    doc! { "r": Binary { subtype: BinarySubtype::Generic, bytes: r.to_vec() }, "p": 110 }.to_vec().unwrap()
}

pub fn parse_server_first(r: &[u8], payload: &[u8]) -> ServerFirst {
    let d = Document::from_reader(payload).unwrap();
    let nonce = d.get_binary_generic("s").unwrap().clone();
    assert_eq!(nonce.len(), 64);
    assert_eq!(&nonce[..32], r);
    ServerFirst { nonce, host: d.get_str("h").unwrap().to_owned() }
}

/// The spec's region rule, as a client computes it (the test's own copy).
pub fn region(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() == 1 || host == "sts.amazonaws.com" { "us-east-1".into() } else { labels[1].into() }
}

/// The client-final payload for `id` (with `tweaks`) answering `sf`.
pub fn client_final(id: &Identity, sf: &ServerFirst, tweaks: &Tweaks) -> Vec<u8> {
    let secret = tweaks.secret.clone().unwrap_or_else(|| id.secret_access_key.clone());
    let token = tweaks.token.clone().unwrap_or_else(|| id.session_token.clone());
    let creds = Credentials::new(&id.access_key_id, secret, token.clone(), None, "test");
    let identity = creds.into();
    let region = tweaks.region.clone().unwrap_or_else(|| region(&sf.host));
    let time = SystemTime::now() - tweaks.age.unwrap_or_default();
    let params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(&region)
        .name("sts")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let nonce_b64 = base64::engine::general_purpose::STANDARD.encode(&sf.nonce);
    let mut headers = vec![
        ("host", sf.host.as_str()),
        ("content-type", "application/x-www-form-urlencoded"),
        ("content-length", "43"),
        ("x-mongodb-gs2-cb-flag", "n"),
    ];
    if !tweaks.unsigned_nonce {
        headers.push(("x-mongodb-server-nonce", nonce_b64.as_str()));
    }
    let request = SignableRequest::new(
        "POST",
        format!("https://{}/", sf.host),
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(request, &params).unwrap().into_parts();
    let out: Vec<(String, String)> =
        instructions.headers().map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned())).collect();
    let get = |name: &str| out.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let mut fin = doc! {
        "a": get("authorization").unwrap(),
        "d": get("x-amz-date").unwrap(),
    };
    if let Some(t) = token {
        fin.insert("t", t);
    }
    fin.to_vec().unwrap()
}

/// Runs the whole conversation on `client`; returns the final reply or the error.
pub async fn authenticate(
    client: &mut Client,
    id: &Identity,
    tweaks: &Tweaks,
) -> Result<SaslReply, ClientError> {
    let r = client_nonce();
    let first = client.sasl_start("MONGODB-AWS", &client_first(&r)).await?;
    assert!(!first.done);
    let sf = parse_server_first(&r, &first.payload);
    let reply = client.sasl_continue(first.conversation_id.clone(), &client_final(id, &sf, tweaks)).await?;
    assert_eq!(reply.conversation_id, first.conversation_id);
    Ok(reply)
}

/// The `errmsg` of a code-18 failure.
pub fn auth_error(r: Result<SaslReply, ClientError>) -> String {
    match r {
        Err(ClientError::Command { code: 18, code_name, errmsg }) => {
            assert_eq!(code_name, "AuthenticationFailed");
            errmsg
        }
        other => panic!("expected AuthenticationFailed, got {other:?}"),
    }
}

/// `connectionStatus` users as (user, db) pairs.
pub async fn authenticated_users(client: &mut Client) -> Vec<(String, String)> {
    let status = client.command("admin", doc! {"connectionStatus": 1}).await.unwrap();
    let info = status.get_document("authInfo").unwrap();
    assert!(info.get_array("authenticatedUserRoles").unwrap().is_empty());
    info.get_array("authenticatedUsers")
        .unwrap()
        .iter()
        .map(|u| match u {
            Bson::Document(d) => (d.get_str("user").unwrap().to_owned(), d.get_str("db").unwrap().to_owned()),
            other => panic!("{other}"),
        })
        .collect()
}
