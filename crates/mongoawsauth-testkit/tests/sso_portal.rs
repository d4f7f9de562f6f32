//! The SSO portal stand-in as other languages' suites see it: its entry in the standins JSON,
//! and raw HTTP requests with and without the token it issued.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use std::io::{Read as _, Write as _};

use mongoawsauth_testkit::sso::SsoFault;
use mongoawsauth_testkit::{SSO_ROLE, StandIns, StandInsConfig};

/// One `GET` over a plain socket; returns the status and the whole response text.
fn get(addr: std::net::SocketAddr, path: &str, token: Option<&str>) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: portal\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("x-amz-sso_bearer_token: {token}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    (status, response)
}

#[test]
fn the_portal_is_described_and_checks_its_tokens() {
    let s = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let json = s.to_json();
    let sso = &json["sso"];
    assert_eq!(sso["url"], s.sso().url());
    assert_eq!(sso["access_token"], s.sso_token());
    assert_eq!(sso["role_name"], SSO_ROLE);
    assert_eq!(sso["account_id"], s.sso().account_id());
    assert_eq!(
        sso["role_arn"],
        format!("arn:aws:sts::{}:assumed-role/{SSO_ROLE}/sso-user", s.sso().account_id())
    );

    let path = format!("/federation/credentials?account_id={}&role_name={SSO_ROLE}", s.sso().account_id());
    let (status, body) = get(s.sso().addr(), &path, Some(s.sso_token()));
    assert_eq!(status, 200, "{body}");
    let doc: serde_json::Value = serde_json::from_str(body.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let key = doc["roleCredentials"]["accessKeyId"].as_str().unwrap();
    assert_eq!(s.sts().identities().lookup(key).unwrap().identity.arn, sso["role_arn"]);

    let (status, body) = get(s.sso().addr(), &path, Some("aoa-unknown"));
    assert_eq!(status, 401);
    assert!(body.contains("x-amzn-ErrorType: UnauthorizedException"), "{body}");
    assert_eq!(get(s.sso().addr(), &path, None).0, 401);
    let other_role = format!("/federation/credentials?account_id={}&role_name=admin", s.sso().account_id());
    assert_eq!(get(s.sso().addr(), &other_role, Some(s.sso_token())).0, 403);
    assert_eq!(get(s.sso().addr(), "/federation/credentials", Some(s.sso_token())).0, 400);

    s.sso().set_fault(Some(SsoFault::ServerError { times: 1 }));
    assert_eq!(get(s.sso().addr(), &path, Some(s.sso_token())).0, 500);
    assert_eq!(s.sso().fault(), None, "a counted fault clears itself");
    assert_eq!(get(s.sso().addr(), &path, Some(s.sso_token())).0, 200);
    let counters = s.sso().counters();
    assert_eq!((counters.requests, counters.credentials_issued, counters.refused), (7, 2, 3));
}

#[test]
fn faults_parse() {
    assert_eq!(SsoFault::parse("unauthorized"), Some(SsoFault::Unauthorized));
    assert_eq!(SsoFault::parse("forbidden"), Some(SsoFault::Forbidden));
    assert_eq!(SsoFault::parse("hang"), Some(SsoFault::Hang));
    assert_eq!(SsoFault::parse("garbage"), Some(SsoFault::Garbage));
    assert_eq!(SsoFault::parse("server-error=2"), Some(SsoFault::ServerError { times: 2 }));
    assert_eq!(SsoFault::parse("server-error"), Some(SsoFault::ServerError { times: u32::MAX }));
    assert_eq!(SsoFault::parse("nope"), None);
}

#[test]
fn fault_names_round_trip() {
    for fault in [
        SsoFault::Unauthorized,
        SsoFault::Forbidden,
        SsoFault::ServerError { times: 2 },
        SsoFault::ServerError { times: u32::MAX },
        SsoFault::Hang,
        SsoFault::Garbage,
        SsoFault::HangMidBody,
        SsoFault::SlowBody(std::time::Duration::from_millis(400)),
        SsoFault::Throttled { retry_after: 1, times: 1 },
        SsoFault::NotFound,
        SsoFault::Oversized,
        SsoFault::ExpiredCredentials,
        SsoFault::Reset,
    ] {
        assert_eq!(SsoFault::parse(&fault.to_string()), Some(fault.clone()), "{fault}");
    }
    assert_eq!(SsoFault::parse("429=1"), None);
    assert_eq!(SsoFault::parse("slow-body=x"), None);
}

/// One `GET` with the token, reading until the server closes or `wait` passes: the text read
/// and whether the connection ended in a reset.
fn get_within(
    addr: std::net::SocketAddr,
    path: &str,
    token: &str,
    wait: std::time::Duration,
) -> (String, bool) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(wait)).unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: portal\r\nConnection: close\r\nx-amz-sso_bearer_token: {token}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let reset = loop {
        match stream.read(&mut buf) {
            Ok(0) => break false,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) => break e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    };
    (String::from_utf8_lossy(&out).into_owned(), reset)
}

#[test]
fn the_portal_throttles_refuses_and_breaks_on_request() {
    use mongoawsauth_testkit::sso::OVERSIZED_BODY;
    use std::time::{Duration, Instant};
    let s = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let path = format!("/federation/credentials?account_id={}&role_name={SSO_ROLE}", s.sso().account_id());
    let (addr, token) = (s.sso().addr(), s.sso_token());

    s.sso().set_fault(Some(SsoFault::Throttled { retry_after: 2, times: 1 }));
    let (status, body) = get(addr, &path, Some(token));
    assert_eq!(status, 429);
    assert!(body.contains("Retry-After: 2\r\n") && body.contains("TooManyRequestsException"), "{body}");
    assert_eq!(get(addr, &path, Some(token)).0, 200, "a counted throttle clears itself");

    s.sso().set_fault(Some(SsoFault::NotFound));
    assert_eq!(get(addr, &path, Some(token)).0, 404);
    s.sso().set_fault(Some(SsoFault::Oversized));
    let (status, body) = get(addr, &path, Some(token));
    assert_eq!(status, 200);
    assert_eq!(body.split("\r\n\r\n").nth(1).unwrap().len(), OVERSIZED_BODY);

    s.sso().set_fault(Some(SsoFault::ExpiredCredentials));
    let (status, body) = get(addr, &path, Some(token));
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(body.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let expiration = doc["roleCredentials"]["expiration"].as_u64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    assert!(expiration < now, "expired: {expiration} < {now}");

    s.sso().set_fault(Some(SsoFault::HangMidBody));
    let (text, reset) = get_within(addr, &path, token, Duration::from_millis(300));
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let length: usize =
        head.split("Content-Length: ").nth(1).unwrap().split("\r\n").next().unwrap().parse().unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK") && !reset, "{head}");
    assert_eq!(body.len(), length / 2, "{body}");

    s.sso().set_fault(Some(SsoFault::SlowBody(Duration::from_millis(300))));
    let started = Instant::now();
    let (status, body) = get(addr, &path, Some(token));
    assert!(status == 200 && body.contains("secretAccessKey"), "{body}");
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());

    s.sso().set_fault(Some(SsoFault::Reset));
    let (text, reset) = get_within(addr, &path, token, Duration::from_secs(2));
    assert!(text.is_empty() && reset, "{text:?}");
    assert_eq!(s.sso().requests().last().unwrap().status, None, "nothing was answered");
}
