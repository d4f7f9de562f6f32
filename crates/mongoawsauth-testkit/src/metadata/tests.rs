use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

/// One raw HTTP/1.1 exchange with `Connection: close`: (status, head, body).
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String, Vec<u8>) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8(out[..end].to_vec()).unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head, out[end..].to_vec())
}

fn rotating(store: &IdentityStore, role: &str, session: &str) -> CredentialsMode {
    CredentialsMode::Rotating { identities: store.clone(), role: role.into(), session: session.into() }
}

async fn imds(store: &IdentityStore) -> ImdsServer {
    ImdsServer::start(ImdsConfig::new(rotating(store, "imds-role", "i-0123456789abcdef0"), "imds-role"))
        .await
        .unwrap()
}

async fn token(s: &ImdsServer) -> String {
    let (status, head, body) =
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
            .await;
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("x-aws-ec2-metadata-token-ttl-seconds: 21600"), "{head}");
    String::from_utf8(body).unwrap()
}

async fn get(s: &ImdsServer, path: &str, token: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = request(s.addr(), "GET", path, &[("x-aws-ec2-metadata-token", token)]).await;
    (status, body)
}

const ROLE: &str = "/latest/meta-data/iam/security-credentials/";
const CREDS: &str = "/latest/meta-data/iam/security-credentials/imds-role";

#[tokio::test]
async fn imds_v2_flow_rotates_credentials_and_refuses_v1() {
    let store = IdentityStore::default();
    let s = imds(&store).await;
    assert!(s.url().starts_with("http://127.0.0.1:"));
    let (status, _, _) = request(s.addr(), "GET", ROLE, &[]).await;
    assert_eq!(status, 401, "IMDSv1 is refused");
    let (status, _, _) = request(s.addr(), "PUT", "/latest/api/token", &[]).await;
    assert_eq!(status, 400, "a token request needs a TTL");
    let t = token(&s).await;
    assert_eq!(get(&s, ROLE, "wrong").await.0, 401);
    assert_eq!(get(&s, ROLE, &t).await, (200, b"imds-role".to_vec()));
    assert_eq!(get(&s, "/latest/meta-data/iam/security-credentials/other", &t).await.0, 404);
    let (status, body) = get(&s, CREDS, &t).await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let first = s.last_issued().unwrap();
    assert_eq!(doc["Code"], "Success");
    assert_eq!(doc["AccessKeyId"], first.access_key_id.as_str());
    assert_eq!(doc["Token"], first.session_token.as_deref().unwrap());
    assert!(doc["Expiration"].as_str().unwrap().ends_with('Z'));
    assert_eq!(first.arn, "arn:aws:sts::123456789012:assumed-role/imds-role/i-0123456789abcdef0");
    assert!(store.lookup(&first.access_key_id).is_some(), "the STS stand-in knows it");
    get(&s, CREDS, &t).await;
    assert_ne!(s.last_issued().unwrap().access_key_id, first.access_key_id, "every fetch rotates");
    let c = s.counters();
    assert_eq!((c.tokens_issued, c.credentials_issued, c.unauthorized), (1, 2, 2));
    let log = s.requests();
    assert_eq!((log[0].method.as_str(), log[0].path.as_str()), ("GET", ROLE));
    assert_eq!((log[0].authenticated, log[0].status), (false, Some(401)));
    assert!(log[3].headers.iter().any(|(n, v)| n == "x-aws-ec2-metadata-token" && v == "wrong"));
    s.revoke_tokens();
    assert_eq!(get(&s, ROLE, &t).await.0, 401);
}

#[tokio::test]
async fn imds_token_ttl_override_and_missing_header() {
    let store = IdentityStore::default();
    let mut config = ImdsConfig::new(rotating(&store, "r", "s"), "r");
    config.token_ttl = Some(1);
    let s = ImdsServer::start(config).await.unwrap();
    let (_, head, body) =
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "21600")])
            .await;
    assert!(head.contains("x-aws-ec2-metadata-token-ttl-seconds: 1\r\n"), "{head}");
    let t = String::from_utf8(body).unwrap();
    assert_eq!(get(&s, ROLE, &t).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(get(&s, ROLE, &t).await.0, 401, "the token expired");

    let mut config = ImdsConfig::new(rotating(&store, "r", "s"), "r");
    config.send_ttl_header = false;
    let s = ImdsServer::start(config).await.unwrap();
    let (_, head, _) =
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "60")])
            .await;
    assert!(!head.to_ascii_lowercase().contains("ttl-seconds"), "{head}");
}

#[tokio::test]
async fn imds_faults() {
    let store = IdentityStore::default();
    let s = imds(&store).await;
    let t = token(&s).await;

    s.set_fault(Some(MetadataFault::ServerError { times: 2 }));
    assert_eq!(get(&s, ROLE, &t).await.0, 500);
    assert_eq!(
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "60")])
            .await
            .0,
        500
    );
    assert_eq!(s.fault(), None, "recovers after the count");
    assert_eq!(get(&s, ROLE, &t).await.0, 200);

    s.set_fault(Some(MetadataFault::TokenExpiredOnce));
    assert_eq!(get(&s, ROLE, &t).await.0, 401);
    assert_eq!(get(&s, ROLE, &t).await.0, 401, "the token is gone for good");
    let t = token(&s).await;
    assert_eq!(get(&s, ROLE, &t).await.0, 200);

    s.set_fault(Some(MetadataFault::NotFound));
    assert_eq!(get(&s, ROLE, &t).await.0, 404);
    assert_eq!(get(&s, CREDS, &t).await.0, 404);

    s.set_fault(Some(MetadataFault::Garbage));
    let (status, body) = get(&s, CREDS, &t).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());

    s.set_fault(Some(MetadataFault::Oversized));
    assert_eq!(get(&s, CREDS, &t).await.1.len(), OVERSIZED_BODY);

    s.set_fault(Some(MetadataFault::CodeNotSuccess));
    let doc: serde_json::Value = serde_json::from_slice(&get(&s, CREDS, &t).await.1).unwrap();
    assert_eq!(doc["Code"], "AssumeRoleUnauthorizedAccess");

    s.set_fault(Some(MetadataFault::ExpiredCredentials));
    let doc: serde_json::Value = serde_json::from_slice(&get(&s, CREDS, &t).await.1).unwrap();
    let expiration = time::OffsetDateTime::parse(
        doc["Expiration"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(expiration < time::OffsetDateTime::now_utc());

    s.set_fault(Some(MetadataFault::SlowBody(Duration::from_millis(300))));
    let started = Instant::now();
    assert_eq!(get(&s, ROLE, &t).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(250));

    s.set_fault(Some(MetadataFault::Hang));
    let hung = tokio::time::timeout(Duration::from_millis(300), get(&s, ROLE, &t)).await;
    assert!(hung.is_err(), "no answer");
    assert_eq!(s.requests().last().unwrap().status, None);

    s.set_fault(None);
    s.set_role_name("");
    assert_eq!(get(&s, ROLE, &t).await.0, 404, "no role attached");
    assert!(s.counters().faults >= 9);
}

#[tokio::test]
async fn container_checks_the_token_and_serves_credentials() {
    let store = IdentityStore::default();
    let mut config = ContainerConfig::new(rotating(&store, "pod-role", "eks-pod"));
    config.auth_token = Some("token-1".into());
    let s = ContainerServer::start(config).await.unwrap();
    assert!(s.relative_uri().starts_with("/v2/credentials/"));
    assert_eq!(s.full_uri(), format!("{}{}", s.base_url(), s.relative_uri()));
    let path = s.relative_uri().to_owned();
    assert_eq!(request(s.addr(), "GET", &path, &[]).await.0, 401);
    assert_eq!(request(s.addr(), "GET", &path, &[("Authorization", "nope")]).await.0, 403);
    assert_eq!(request(s.addr(), "GET", "/other", &[("Authorization", "token-1")]).await.0, 404);
    let (status, _, body) = request(s.addr(), "GET", &path, &[("Authorization", "token-1")]).await;
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let issued = s.last_issued().unwrap();
    assert_eq!(doc["AccessKeyId"], issued.access_key_id.as_str());
    assert_eq!(doc["RoleArn"], "arn:aws:iam::123456789012:role/pod-role");
    assert!(doc.get("Code").is_none());

    s.set_auth_token(Some("token-2".into()));
    assert_eq!(request(s.addr(), "GET", &path, &[("Authorization", "token-1")]).await.0, 403);
    s.set_fault(Some(MetadataFault::TokenExpiredOnce));
    assert_eq!(request(s.addr(), "GET", &path, &[("Authorization", "token-2")]).await.0, 401);
    assert_eq!(request(s.addr(), "GET", &path, &[("Authorization", "token-2")]).await.0, 200);
    s.set_fault(Some(MetadataFault::CodeNotSuccess));
    let (status, _, body) = request(s.addr(), "GET", &path, &[("Authorization", "token-2")]).await;
    assert_eq!(status, 400);
    assert!(String::from_utf8(body).unwrap().contains("\"code\""));
    assert_eq!(s.counters().unauthorized, 4);
}

#[tokio::test]
async fn fixed_credentials() {
    let store = IdentityStore::default();
    let fixed = store.add_temporary("fixed-role", "fixed");
    let s =
        ContainerServer::start(ContainerConfig::new(CredentialsMode::Fixed(fixed.clone()))).await.unwrap();
    for _ in 0..2 {
        let (status, _, body) = request(s.addr(), "GET", s.relative_uri(), &[]).await;
        assert_eq!(status, 200);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(doc["AccessKeyId"], fixed.access_key_id.as_str());
    }
    assert_eq!(s.issued(), vec![fixed.clone(), fixed]);
}

#[test]
fn fault_names_round_trip() {
    for f in [
        MetadataFault::Hang,
        MetadataFault::SlowBody(Duration::from_millis(250)),
        MetadataFault::ServerError { times: 3 },
        MetadataFault::TokenExpiredOnce,
        MetadataFault::NotFound,
        MetadataFault::Garbage,
        MetadataFault::Oversized,
        MetadataFault::ExpiredCredentials,
        MetadataFault::CodeNotSuccess,
        MetadataFault::HangMidBody,
        MetadataFault::Throttled { retry_after: 2, times: 1 },
        MetadataFault::Throttled { retry_after: 3600, times: u32::MAX },
        MetadataFault::Unauthorized,
        MetadataFault::Forbidden,
        MetadataFault::Reset,
    ] {
        assert_eq!(MetadataFault::parse(&f.to_string()), Some(f));
    }
    assert_eq!(MetadataFault::parse("429=1"), None);
    assert_eq!(MetadataFault::parse("429=x,1"), None);
    assert_eq!(MetadataFault::parse("5xx=x"), None);
    assert_eq!(MetadataFault::parse("nope"), None);
}

/// Sends one request and reads until the server closes, gives up after `wait`: the bytes read
/// and whether the connection ended in a reset.
async fn raw(addr: SocketAddr, path: &str, headers: &[(&str, &str)], wait: Duration) -> (Vec<u8>, bool) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut text = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    stream.write_all(text.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let reset = tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) => return false,
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
            }
        }
    })
    .await
    .unwrap_or(false);
    (out, reset)
}

#[tokio::test]
async fn imds_refusals_throttling_and_transport_faults() {
    let store = IdentityStore::default();
    let s = imds(&store).await;
    let t = token(&s).await;

    s.set_fault(Some(MetadataFault::Throttled { retry_after: 7, times: 2 }));
    for _ in 0..2 {
        let (status, head, _) =
            request(s.addr(), "GET", ROLE, &[("x-aws-ec2-metadata-token", t.as_str())]).await;
        assert_eq!(status, 429);
        assert!(head.contains("Retry-After: 7\r\n"), "{head}");
    }
    assert_eq!(s.fault(), None, "a counted throttle clears itself");
    s.set_fault(Some(MetadataFault::Throttled { retry_after: 1, times: u32::MAX }));
    for _ in 0..3 {
        assert_eq!(get(&s, ROLE, &t).await.0, 429);
    }
    assert!(s.fault().is_some(), "u32::MAX never runs out");

    s.set_fault(Some(MetadataFault::Unauthorized));
    assert_eq!(get(&s, ROLE, &t).await.0, 401, "even a valid token");
    let (status, _, _) =
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "60")])
            .await;
    assert_eq!(status, 200, "tokens are still issued");

    s.set_fault(Some(MetadataFault::Forbidden));
    let (status, _, _) =
        request(s.addr(), "PUT", "/latest/api/token", &[("x-aws-ec2-metadata-token-ttl-seconds", "60")])
            .await;
    assert_eq!(status, 403);
    assert_eq!(get(&s, ROLE, &t).await.0, 403);

    s.set_fault(Some(MetadataFault::HangMidBody));
    let auth = [("x-aws-ec2-metadata-token", t.as_str())];
    let (bytes, reset) = raw(s.addr(), ROLE, &auth, Duration::from_millis(300)).await;
    let text = String::from_utf8(bytes).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n") && text.contains("Content-Length: 9\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\nimds"), "half of 'imds-role': {text:?}");
    assert!(!reset);

    s.set_fault(Some(MetadataFault::Reset));
    let (bytes, reset) = raw(s.addr(), ROLE, &auth, Duration::from_secs(2)).await;
    assert!(bytes.is_empty() && reset, "{bytes:?}");
    assert_eq!(s.requests().last().unwrap().status, None);
}

#[tokio::test]
async fn container_refusals_and_transport_faults() {
    let store = IdentityStore::default();
    let s =
        ContainerServer::start(ContainerConfig::new(rotating(&store, "pod-role", "eks-pod"))).await.unwrap();
    let path = s.relative_uri().to_owned();
    s.set_fault(Some(MetadataFault::Unauthorized));
    assert_eq!(request(s.addr(), "GET", &path, &[]).await.0, 401);
    s.set_fault(Some(MetadataFault::Forbidden));
    let (status, _, body) = request(s.addr(), "GET", &path, &[]).await;
    assert_eq!(status, 403);
    assert!(String::from_utf8(body).unwrap().contains("AccessDenied"));
    s.set_fault(Some(MetadataFault::Throttled { retry_after: 1, times: 1 }));
    let (status, head, _) = request(s.addr(), "GET", &path, &[]).await;
    assert_eq!(status, 429);
    assert!(head.contains("Retry-After: 1\r\n"), "{head}");
    assert_eq!(request(s.addr(), "GET", &path, &[]).await.0, 200);
    s.set_fault(Some(MetadataFault::Reset));
    let (bytes, reset) = raw(s.addr(), &path, &[], Duration::from_secs(2)).await;
    assert!(bytes.is_empty() && reset);
    s.set_fault(Some(MetadataFault::HangMidBody));
    let (bytes, _) = raw(s.addr(), &path, &[], Duration::from_millis(300)).await;
    let text = String::from_utf8_lossy(&bytes);
    let length: usize =
        text.split("Content-Length: ").nth(1).unwrap().split("\r\n").next().unwrap().parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap();
    assert_eq!(body.len(), length / 2, "{text}");
    assert!(body.starts_with("{\"AccessKeyId\""), "the first half of a real credentials document: {body}");
}
