//! The SSO portal stand-in as other languages' suites see it: its entry in the standins JSON,
//! and raw HTTP requests with and without the token it issued.

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
