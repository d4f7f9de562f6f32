//! Signed `AssumeRole` over real loopback HTTP, signed with the crate's own SigV4 primitives:
//! chains, trust, external ids, durations, expired keys, and faults.

use std::time::Duration;

use time::OffsetDateTime;

use super::*;
use crate::http::{LoopbackUrl, post};
use crate::identity::Identity;
use crate::sigv4::{Request, canonical_request, signature, signing_key, string_to_sign};

const ACCOUNT: &str = "123456789012";

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn assume_body(role: &str, extra: &str) -> String {
    format!("Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName=s1{extra}", enc(role))
}

/// `body` signed by `id` (no signature at all when `id` is `None`).
async fn send(server: &StsServer, id: Option<&Identity>, body: &str) -> (u16, String) {
    let date = crate::amz_date::format(OffsetDateTime::now_utc());
    let mut headers = vec![
        ("Host".to_owned(), server.addr().to_string()),
        ("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
        ("Content-Length".to_owned(), body.len().to_string()),
        ("X-Amz-Date".to_owned(), date.clone()),
    ];
    if let Some(id) = id {
        if let Some(t) = &id.session_token {
            headers.push(("X-Amz-Security-Token".to_owned(), t.clone()));
        }
        let mut signed: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        signed.sort();
        let req = Request { method: "POST", path: "/", query: "", headers: &headers, body: body.as_bytes() };
        let creq = canonical_request(&req, &signed).unwrap();
        let scope = format!("{}/eu-west-1/sts/aws4_request", &date[..8]);
        let sig = signature(
            &signing_key(&id.secret_access_key, &date[..8], "eu-west-1", "sts"),
            &string_to_sign(&date, &scope, &creq),
        );
        let authz = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={sig}",
            id.access_key_id,
            signed.join(";")
        );
        headers.push(("Authorization".to_owned(), authz));
    }
    let url = LoopbackUrl::parse(&server.url()).unwrap();
    let r = post(&url, &headers, body.as_bytes(), Duration::from_secs(5)).await.unwrap();
    (r.status, String::from_utf8(r.body).unwrap())
}

fn code(xml: &str) -> String {
    xml::element(xml, "Code").unwrap_or_default()
}

/// The credentials in a success answer, as an identity.
fn issued(xml: &str) -> Identity {
    Identity {
        arn: xml::element(xml, "Arn").unwrap(),
        access_key_id: xml::element(xml, "AccessKeyId").unwrap(),
        secret_access_key: xml::element(xml, "SecretAccessKey").unwrap(),
        session_token: xml::element(xml, "SessionToken"),
    }
}

async fn started() -> (StsServer, Identity) {
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    let user = server.identities().add_user("alice");
    server.allow_assume_role(AssumableRole::new(role_arn("chain-a"), [user.arn.clone()]));
    server.allow_assume_role(AssumableRole::new(role_arn("chain-b"), [role_arn("chain-a")]));
    server.allow_assume_role(
        AssumableRole::new(role_arn("chain-c"), [format!("arn:aws:iam::{ACCOUNT}:root")])
            .with_external_id("ext-42")
            .with_max_session_duration(Duration::from_secs(7200)),
    );
    (server, user)
}

#[tokio::test]
async fn a_chain_of_sessions_each_seen_as_its_role() {
    let (server, user) = started().await;
    let (status, body) = send(&server, Some(&user), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!(status, 200, "{body}");
    let a = issued(&body);
    assert_eq!(a.arn, format!("arn:aws:sts::{ACCOUNT}:assumed-role/chain-a/s1"));
    assert!(a.access_key_id.starts_with("ASIA") && a.session_token.is_some());
    // The new session is known at once: it signs GetCallerIdentity and the next AssumeRole.
    assert_eq!(server.identities().lookup(&a.access_key_id).unwrap().identity.arn, a.arn);
    let (status, body) = send(&server, Some(&a), &assume_body(&role_arn("chain-b"), "")).await;
    assert_eq!(status, 200, "{body}");
    let b = issued(&body);
    assert_eq!(b.arn, format!("arn:aws:sts::{ACCOUNT}:assumed-role/chain-b/s1"));
    // chain-b's sessions are not trusted by chain-a: STS's AccessDenied names both ends.
    let (status, body) = send(&server, Some(&b), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!((status, code(&body).as_str()), (403, "AccessDenied"), "{body}");
    assert!(body.contains(&b.arn) && body.contains(&role_arn("chain-a")), "{body}");
    // Unknown roles are refused the same way.
    let (status, body) = send(&server, Some(&user), &assume_body(&role_arn("nope"), "")).await;
    assert_eq!((status, code(&body).as_str()), (403, "AccessDenied"));
    let counters = server.counters();
    assert_eq!(counters.assume_role, 4);
    let requests = server.assume_role_requests();
    assert!(requests.iter().all(|r| r.action == "AssumeRole" && r.signed));
}

#[tokio::test]
async fn signatures_and_keys_are_checked() {
    let (server, user) = started().await;
    let (status, body) = send(&server, None, &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!((status, code(&body).as_str()), (403, "MissingAuthenticationToken"), "{body}");
    let wrong = Identity { secret_access_key: "x".repeat(40), ..user.clone() };
    let (status, body) = send(&server, Some(&wrong), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!((status, code(&body).as_str()), (403, "SignatureDoesNotMatch"), "{body}");
    let unknown = Identity { access_key_id: "AKIAUNKNOWN000000000".into(), ..user.clone() };
    let (_, body) = send(&server, Some(&unknown), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!(code(&body), "InvalidClientTokenId");
    server.expire_credentials(&user.access_key_id);
    let (status, body) = send(&server, Some(&user), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!((status, code(&body).as_str()), (400, "ExpiredToken"), "{body}");
}

#[tokio::test]
async fn external_ids_and_durations() {
    let (server, user) = started().await;
    let c = role_arn("chain-c");
    for extra in ["", "&ExternalId=ext-41"] {
        let (status, body) = send(&server, Some(&user), &assume_body(&c, extra)).await;
        assert_eq!((status, code(&body).as_str()), (403, "AccessDenied"), "{extra}: {body}");
    }
    let (status, body) = send(&server, Some(&user), &assume_body(&c, "&ExternalId=x")).await;
    assert_eq!((status, code(&body).as_str()), (400, "ValidationError"), "{body}");
    let (status, body) =
        send(&server, Some(&user), &assume_body(&c, "&ExternalId=ext-42&DurationSeconds=7200")).await;
    assert_eq!(status, 200, "a user may ask up to the role's maximum: {body}");
    let session = issued(&body);
    for (who, duration, want) in [
        (&user, "7201", "MaxSessionDuration"),
        (&session, "3601", "1 hour session limit for roles assumed by role chaining"),
        (&user, "899", "between 900 and 43200"),
    ] {
        let extra = format!("&ExternalId=ext-42&DurationSeconds={duration}");
        let (status, body) = send(&server, Some(who), &assume_body(&c, &extra)).await;
        assert_eq!((status, code(&body).as_str()), (400, "ValidationError"), "{body}");
        assert!(body.contains(want), "{want}: {body}");
    }
    assert!(!format!("{:?}", server.assume_role_requests()).is_empty());
}

#[tokio::test]
async fn faults_apply_to_signed_assume_role_too() {
    let (server, user) = started().await;
    server.set_fault_times(StsFault::Error(StsErrorCode::Throttling), 1);
    let (status, body) = send(&server, Some(&user), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!((status, code(&body).as_str()), (400, "Throttling"));
    let (status, _) = send(&server, Some(&user), &assume_body(&role_arn("chain-a"), "")).await;
    assert_eq!(status, 200);
}
