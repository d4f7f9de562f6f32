use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mongoawsauth_testkit::sigv4;

use super::*;
use crate::Env;
use crate::credentials::REDACTED;

const AKID: &str = "ASIAASSUMEROLETEST01";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSOURCEKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjSOURCE+TOKEN/that=must/stay+secret";
const ROLE: &str = "arn:aws:iam::123456789012:role/chained";

fn source(token: Option<&str>, expiry: Option<SystemTime>) -> Credentials {
    Credentials::new(Some(AKID), Some(SECRET), token, expiry, "test").unwrap()
}

fn role(external_id: Option<&str>) -> RoleRequest<'_> {
    RoleRequest { role_arn: ROLE, session_name: "app@host", external_id, duration_seconds: 1800 }
}

fn target(url: &str) -> Target {
    let endpoint = super::super::endpoint::resolve(&Env::from_vars::<_, &str, &str>([]), Some(url)).unwrap();
    Target { endpoint, region: "eu-west-1".to_owned() }
}

fn header<'a>(req: &'a SignedRequest, name: &str) -> Option<&'a str> {
    req.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

#[test]
fn body_in_botocore_order_with_every_value_encoded() {
    let body = request::form_body(Action::AssumeRole, &params(&role(Some("ext:id/1"))));
    assert_eq!(
        body.as_str(),
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fchained\
         &RoleSessionName=app%40host&ExternalId=ext%3Aid%2F1&DurationSeconds=1800"
    );
    let body = request::form_body(Action::AssumeRole, &params(&role(None)));
    assert!(!body.contains("ExternalId"), "{}", body.as_str());
    assert!(format!("{:?}", params(&role(Some("ext:id/1")))).contains("ExternalId=\"** redacted **\""));
}

/// The signature is checked by the testkit's verifier, written apart from aws-sigv4.
#[test]
fn signature_verifies_independently_and_signs_the_token() {
    let time = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let creds = source(Some(TOKEN), None);
    let url = "http://127.0.0.1:4566/";
    let req = build_request(&creds, url, "eu-west-1", &params(&role(None)), time).unwrap();
    assert_eq!(header(&req, "x-amz-security-token"), Some(TOKEN));
    assert_eq!(header(&req, "x-amz-date"), Some("20231114T221320Z"));
    let authz = sigv4::Authorization::parse(header(&req, "authorization").unwrap()).unwrap();
    assert_eq!(authz.credential.scope(), "20231114/eu-west-1/sts/aws4_request");
    assert_eq!(authz.credential.access_key_id, AKID);
    assert_eq!(authz.signed_headers_joined(), "content-type;host;x-amz-date;x-amz-security-token");
    // What the server sees: the headers sent plus the Host the client derives from the URL.
    let mut headers: Vec<(String, String)> =
        req.headers.iter().map(|(n, v)| ((*n).to_owned(), v.as_str().to_owned())).collect();
    headers.push(("host".to_owned(), "127.0.0.1:4566".to_owned()));
    let seen =
        sigv4::Request { method: "POST", path: "/", query: "", headers: &headers, body: req.body.as_bytes() };
    sigv4::verify(&seen, &authz, SECRET).unwrap();
    assert!(sigv4::verify(&seen, &authz, "another-secret").is_err());
    // Long-term keys: no token header, none signed.
    let req = build_request(&source(None, None), url, "us-east-1", &params(&role(None)), time).unwrap();
    assert_eq!(header(&req, "x-amz-security-token"), None);
    assert!(header(&req, "authorization").unwrap().contains("SignedHeaders=content-type;host;x-amz-date,"));
}

#[test]
fn default_ports_are_left_out_of_the_signed_host() {
    let url = |u: &str| reqwest::Url::parse(u).unwrap();
    assert_eq!(
        host_header(&url("https://sts.eu-west-1.amazonaws.com/")).unwrap(),
        "sts.eu-west-1.amazonaws.com"
    );
    assert_eq!(host_header(&url("https://sts.amazonaws.com:443/")).unwrap(), "sts.amazonaws.com");
    assert_eq!(host_header(&url("http://[::1]:8080/")).unwrap(), "[::1]:8080");
    let time = SystemTime::now();
    let err = build_request(&source(None, None), "not a url", "us-east-1", &[], time).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Configuration);
}

#[test]
fn debug_never_shows_the_signature_or_token() {
    let req =
        build_request(&source(Some(TOKEN), None), "http://127.0.0.1:1/", "us-east-1", &[], SystemTime::now())
            .unwrap();
    let shown = format!("{req:?}");
    assert!(!shown.contains(TOKEN) && !shown.contains("Signature="), "{shown}");
    assert!(shown.contains("x-amz-security-token"), "{shown}");
}

#[test]
fn answers_in_both_forms() {
    let xml = format!(
        r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA:app</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/chained/app</Arn></AssumedRoleUser>
    <Credentials><AccessKeyId>ASIAISSUED</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>
      <SessionToken>{TOKEN}</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleResponse>"#
    );
    let issued = parse_answer(xml.as_bytes()).unwrap();
    assert_eq!(issued.access_key_id, "ASIAISSUED");
    assert_eq!(
        issued.assumed_role_arn.as_deref(),
        Some("arn:aws:sts::123456789012:assumed-role/chained/app")
    );
    let json = serde_json::json!({"AssumeRoleResponse": {"AssumeRoleResult": {
        "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/r/s"},
        "Credentials": {"AccessKeyId": "ASIAJ", "SecretAccessKey": SECRET, "SessionToken": TOKEN,
                        "Expiration": 1.9e9}}}});
    let issued = parse_answer(json.to_string().as_bytes()).unwrap();
    assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_secs(1_900_000_000));
    // Another action's answer is not this one's.
    let other = xml.replace("AssumeRoleResponse", "AssumeRoleWithSAMLResponse");
    let err = parse_answer(other.as_bytes()).unwrap_err();
    assert!(err.contains("not an AssumeRoleResponse") && !err.contains(SECRET), "{err}");
}

fn refusal(code: &str, message: &str, external_id: Option<&str>) -> Error {
    let creds = source(Some(TOKEN), None);
    let caller = Caller { credentials: &creds, label: "credentials from source 'environment'" };
    let failure = Failure::Service {
        status: 403,
        error: ServiceError { code: code.to_owned(), message: message.to_owned() },
    };
    describe(&target("http://127.0.0.1:9/"), caller, &role(external_id), failure, 1, Duration::from_secs(1))
}

#[test]
fn access_denied_names_the_role_the_caller_and_the_trust_policy() {
    let e = refusal(
        "AccessDenied",
        &format!("User: arn:aws:iam::123456789012:user/u is not authorized; token {TOKEN} ext ext-secret-id"),
        Some("ext-secret-id"),
    );
    let text = format!("{e} {e:?}");
    assert_eq!(e.kind(), ErrorKind::CredentialsProvider);
    for want in
        [ROLE, AKID, "source 'environment'", "trust policy", "sts:ExternalId", "AccessDenied (HTTP 403)"]
    {
        assert!(text.contains(want), "{want} missing from {text}");
    }
    for secret in [TOKEN, SECRET, "ext-secret-id"] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains(REDACTED), "{text}");
    let e = refusal("AccessDenied", "", None);
    assert!(e.message().contains("configure external_id"), "{e}");
}

#[test]
fn refused_source_credentials_say_what_to_check() {
    for (code, want) in [
        ("InvalidClientTokenId", "does not know these source credentials"),
        ("SignatureDoesNotMatch", "secret access key that goes with access key id ASIAASSUMEROLETEST01"),
        ("ExpiredToken", "have expired: refresh them"),
        ("RegionDisabledException", "activate it in IAM"),
    ] {
        let e = refusal(code, "m", None);
        assert!(e.message().contains(want), "{code}: {e}");
        assert!(!format!("{e:?}").contains(TOKEN));
    }
}

// Miri: a tokio runtime, and an HTTP client built on ring's C and assembly.
#[cfg_attr(miri, ignore)]
#[tokio::test]
async fn expired_source_credentials_are_refused_before_any_request() {
    // Port 9 on loopback: nothing listens there, and nothing is sent anyway.
    // A fixed clock: the credentials expired a minute before it, whenever the test runs.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000);
    let creds = source(Some(TOKEN), Some(now - Duration::from_secs(60)));
    let caller = Caller { credentials: &creds, label: "credentials from source 'x'" };
    let config = crate::config::ProviderConfig::new()
        .with_env(crate::config::Env::from_vars::<[(&str, &str); 0], _, _>([]))
        .with_sts_timeout(Duration::from_secs(1))
        .with_clock(crate::config::ManualClock::new(now));
    let err = call(&config, &target("http://127.0.0.1:9/"), caller, &role(None)).await.unwrap_err();
    assert!(err.message().contains("expired at 2017-07-14T02:39:00Z"), "{err}");
    assert!(err.message().contains("this host's clock says 2017-07-14T02:40:00Z"), "{err}");
    assert!(err.message().contains(AKID) && !format!("{err:?}").contains(TOKEN), "{err}");
}
