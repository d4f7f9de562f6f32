//! The STS stand-in over real loopback HTTP, signed with the crate's own SigV4 primitives (the
//! integration tests use an independent signer).

use std::time::Duration;

use time::OffsetDateTime;

use super::*;
use crate::http::{LoopbackUrl, post};
use crate::identity::Identity;
use crate::sigv4::{Authorization, Request, canonical_request, signature, signing_key, string_to_sign};

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

struct Signed {
    headers: Vec<(String, String)>,
    body: String,
}

fn now() -> String {
    crate::amz_date::format(OffsetDateTime::now_utc())
}

/// Signs a GetCallerIdentity the MONGODB-AWS way, with knobs to get it wrong.
fn sign(id: &Identity, date: &str, scope_date: &str, service: &str, secret: &str) -> Signed {
    let mut headers = vec![
        ("Host".to_owned(), "sts.amazonaws.com".to_owned()),
        ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
        ("Content-Length".into(), BODY.len().to_string()),
        ("X-Amz-Date".into(), date.to_owned()),
    ];
    if let Some(t) = &id.session_token {
        headers.push(("X-Amz-Security-Token".into(), t.clone()));
    }
    let mut signed: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    signed.sort();
    let req = Request { method: "POST", path: "/", query: "", headers: &headers, body: BODY.as_bytes() };
    let creq = canonical_request(&req, &signed).unwrap();
    let scope = format!("{scope_date}/us-east-1/{service}/aws4_request");
    let sts = string_to_sign(date, &scope, &creq);
    let sig = signature(&signing_key(secret, scope_date, "us-east-1", service), &sts);
    let authz = format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={}, Signature={sig}",
        id.access_key_id,
        signed.join(";")
    );
    Authorization::parse(&authz).unwrap();
    headers.push(("Authorization".into(), authz));
    Signed { headers, body: BODY.to_owned() }
}

fn good(id: &Identity) -> Signed {
    let d = now();
    sign(id, &d, &d[..8], "sts", &id.secret_access_key)
}

async fn send(server: &StsServer, s: &Signed) -> (u16, String) {
    let url = LoopbackUrl::parse(&server.url()).unwrap();
    let r = post(&url, &s.headers, s.body.as_bytes(), Duration::from_secs(5)).await.unwrap();
    (r.status, String::from_utf8(r.body).unwrap())
}

fn code(xml: &str) -> String {
    xml::element(xml, "Code").unwrap_or_default()
}

fn without(mut s: Signed, name: &str) -> Signed {
    s.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    s
}

fn replace(mut s: Signed, name: &str, value: &str) -> Signed {
    for h in &mut s.headers {
        if h.0.eq_ignore_ascii_case(name) {
            h.1 = value.to_owned();
        }
    }
    s
}

#[tokio::test]
async fn get_caller_identity_accepts_valid_signatures() {
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    let user = server.identities().add_user("mongo-user");
    let tmp = server.identities().add_temporary("mongo-role", "session");
    for id in [&user, &tmp] {
        let (status, body) = send(&server, &good(id)).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.starts_with("<GetCallerIdentityResponse"));
        assert_eq!(xml::element(&body, "Arn").unwrap(), id.arn);
        assert_eq!(xml::element(&body, "Account").unwrap(), "123456789012");
        assert!(xml::element(&body, "UserId").is_some());
        assert_eq!(xml::element(&body, "RequestId").unwrap().len(), 36);
    }
    let c = server.counters();
    assert_eq!((c.requests, c.succeeded, c.rejected), (2, 2, 0));
}

#[tokio::test]
async fn get_caller_identity_rejects_bad_requests() {
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    let user = server.identities().add_user("mongo-user");
    let tmp = server.identities().add_temporary("mongo-role", "session");
    let d = now();
    let stale = crate::amz_date::format(OffsetDateTime::now_utc() - Duration::from_secs(16 * 60));
    let unknown = Identity { access_key_id: "AKIAUNKNOWNUNKNOWN00".into(), ..user.clone() };
    let tmp_wrong_token = Identity { session_token: Some("bogus".into()), ..tmp.clone() };
    let user_with_token = Identity { session_token: Some("bogus".into()), ..user.clone() };
    let mut tmp_no_token = tmp.clone();
    tmp_no_token.session_token = None;
    let cases: Vec<(&str, Signed, u16, &str)> = vec![
        ("missing authz", without(good(&user), "authorization"), 403, "MissingAuthenticationToken"),
        (
            "malformed authz",
            replace(good(&user), "authorization", "AWS4-HMAC-SHA256 x"),
            403,
            "IncompleteSignature",
        ),
        ("unknown key", good(&unknown), 403, "InvalidClientTokenId"),
        ("wrong secret", sign(&user, &d, &d[..8], "sts", "x"), 403, "SignatureDoesNotMatch"),
        ("ASIA without token", good(&tmp_no_token), 403, "InvalidClientTokenId"),
        ("ASIA wrong token", good(&tmp_wrong_token), 403, "InvalidClientTokenId"),
        ("AKIA with token", good(&user_with_token), 403, "InvalidClientTokenId"),
        ("service s3", sign(&user, &d, &d[..8], "s3", &user.secret_access_key), 403, "SignatureDoesNotMatch"),
        (
            "scope date",
            sign(&user, &d, "20200101", "sts", &user.secret_access_key),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "stale",
            sign(&user, &stale, &stale[..8], "sts", &user.secret_access_key),
            403,
            "SignatureDoesNotMatch",
        ),
        (
            "changed host",
            replace(good(&user), "host", "sts.us-east-2.amazonaws.com"),
            403,
            "SignatureDoesNotMatch",
        ),
        ("missing date", without(good(&user), "x-amz-date"), 403, "IncompleteSignature"),
    ];
    let n = cases.len() as u64;
    for (what, s, status, want) in cases {
        let (got_status, body) = send(&server, &s).await;
        assert_eq!((got_status, code(&body).as_str()), (status, want), "{what}: {body}");
        assert!(body.contains("<Type>Sender</Type>"));
        assert!(
            !body.contains(&user.secret_access_key) && !body.contains(tmp.session_token.as_deref().unwrap())
        );
    }
    let c = server.counters();
    assert_eq!((c.requests, c.succeeded, c.rejected), (n, 0, n));
}

#[tokio::test]
async fn unknown_actions_and_garbage_get_errors() {
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    let user = server.identities().add_user("u");
    let with_body = |body: &str| {
        let mut s = replace(good(&user), "content-length", &body.len().to_string());
        s.body = body.to_owned();
        s
    };
    let (status, body) = send(&server, &with_body("Action=Nope&Version=2011-06-15")).await;
    assert_eq!((status, code(&body).as_str()), (400, "InvalidAction"));
    let (status, body) = send(&server, &with_body("Version=2011-06-15")).await;
    assert_eq!((status, code(&body).as_str()), (400, "MissingAction"));

    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    for garbage in
        [&b"\x16\x03\x01\x00\xa5\x01\x00\x00\r\n\r\n"[..], b"GET / HTTP/1.1\r\nContent-Length: zz\r\n\r\n"]
    {
        let mut conn = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        conn.write_all(garbage).await.unwrap();
        let mut reply = Vec::new();
        conn.read_to_end(&mut reply).await.unwrap();
        assert!(reply.starts_with(b"HTTP/1.1 400 "), "{}", String::from_utf8_lossy(&reply));
    }
    // Still serving.
    assert_eq!(send(&server, &good(&user)).await.0, 200);
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    let user = server.identities().add_user("u");
    let s = good(&user);
    let mut req = String::from("POST / HTTP/1.1\r\n");
    for (n, v) in &s.headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(&s.body);
    let mut conn = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    conn.write_all(format!("{req}{}", req.replacen("\r\n", "\r\nConnection: close\r\n", 1)).as_bytes())
        .await
        .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).await.unwrap();
    assert_eq!(reply.matches("HTTP/1.1 200 OK").count(), 2, "{reply}");
    assert_eq!(server.counters().connections, 1);
}
