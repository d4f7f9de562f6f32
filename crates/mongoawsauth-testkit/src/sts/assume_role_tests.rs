//! The AssumeRole actions over real loopback HTTP: success in both forms, parameters in the body
//! or the query string, STS's refusals, and every fault mode.

use std::time::{Duration, Instant};

use super::*;
use crate::http::{LoopbackUrl, post};

const ROLE: &str = "arn:aws:iam::210987654321:role/path/web-role";
const TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
const SAML_ROLE: &str = "arn:aws:iam::123456789012:role/saml-role";
const IDP: &str = "arn:aws:iam::123456789012:saml-provider/corp";

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn web_body(role: &str, session: &str, token: &str) -> String {
    format!(
        "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn={}&RoleSessionName={}&WebIdentityToken={}",
        enc(role),
        enc(session),
        enc(token)
    )
}

async fn started() -> (StsServer, SamlRole) {
    let server = StsServer::start(StsConfig::default()).await.unwrap();
    server.trust_web_identity(ROLE, TOKEN);
    let saml = SamlRole {
        role_arn: SAML_ROLE.into(),
        principal_arn: IDP.into(),
        assertion: generate_saml_assertion("alice"),
        session_name: "alice".into(),
    };
    server.trust_saml(saml.clone());
    (server, saml)
}

async fn send_to(
    server: &StsServer,
    path_and_query: &str,
    body: &str,
    accept: Option<&str>,
    timeout: Duration,
) -> Result<(u16, String), String> {
    let url = LoopbackUrl::parse(&format!("http://{}{path_and_query}", server.addr())).unwrap();
    let mut headers = vec![
        ("Host".to_owned(), "sts.amazonaws.com".to_owned()),
        ("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned()),
        ("Content-Length".to_owned(), body.len().to_string()),
    ];
    if let Some(a) = accept {
        headers.push(("Accept".to_owned(), a.to_owned()));
    }
    let r = post(&url, &headers, body.as_bytes(), timeout).await.map_err(|e| e.to_string())?;
    Ok((r.status, String::from_utf8_lossy(&r.body).into_owned()))
}

async fn send(server: &StsServer, body: &str, accept: Option<&str>) -> (u16, String) {
    send_to(server, "/", body, accept, Duration::from_secs(5)).await.unwrap()
}

fn code(body: &str) -> String {
    if body.starts_with('{') {
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        v["Error"]["Code"].as_str().unwrap_or_default().to_owned()
    } else {
        xml::element(body, "Code").unwrap_or_default()
    }
}

#[tokio::test]
async fn web_identity_in_xml_and_json_issues_credentials_get_caller_identity_knows() {
    let (server, _) = started().await;
    let (status, body) = send(&server, &web_body(ROLE, "app-session", TOKEN), None).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with("<AssumeRoleWithWebIdentityResponse"));
    let akid = xml::element(&body, "AccessKeyId").unwrap();
    let arn = xml::element(&body, "Arn").unwrap();
    assert_eq!(arn, "arn:aws:sts::210987654321:assumed-role/web-role/app-session");
    let principal = server.identities().lookup(&akid).unwrap();
    assert_eq!(principal.identity.arn, arn);
    assert_eq!(principal.account, "210987654321");
    assert_eq!(principal.identity.session_token.as_deref(), xml::element(&body, "SessionToken").as_deref());
    assert!(xml::element(&body, "Expiration").unwrap().ends_with('Z'));

    let (status, body) =
        send(&server, &web_body(ROLE, "json-session", TOKEN), Some("application/json")).await;
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    let result = &v["AssumeRoleWithWebIdentityResponse"]["AssumeRoleWithWebIdentityResult"];
    let expiration = result["Credentials"]["Expiration"].as_f64().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp() as f64;
    assert!((now + 3500.0..now + 3700.0).contains(&expiration), "{expiration}");
    assert!(server.identities().lookup(result["Credentials"]["AccessKeyId"].as_str().unwrap()).is_some());

    server.set_response_format(Some(ResponseFormat::Json));
    let (_, body) = send(&server, &web_body(ROLE, "forced", TOKEN), None).await;
    assert!(body.starts_with('{'), "{body}");

    let c = server.counters();
    assert_eq!((c.web_identity, c.saml, c.succeeded), (3, 0, 3));
    let requests = server.assume_role_requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].param("RoleSessionName"), Some("app-session"));
    assert_eq!(requests[1].accept.as_deref(), Some("application/json"));
    assert!(!requests[0].signed);
    assert!(!format!("{requests:?}").contains(TOKEN));
}

#[tokio::test]
async fn parameters_may_come_in_the_query_string() {
    let (server, _) = started().await;
    let query = web_body(ROLE, "q-session", TOKEN);
    let (status, body) =
        send_to(&server, &format!("/?{query}"), "", None, Duration::from_secs(5)).await.unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("assumed-role/web-role/q-session"));
}

#[tokio::test]
async fn saml_success_and_refusals() {
    let (server, saml) = started().await;
    let body = |role: &str, principal: &str, assertion: &str, extra: &str| {
        format!(
            "Action=AssumeRoleWithSAML&Version=2011-06-15&RoleArn={}&PrincipalArn={}&SAMLAssertion={}{extra}",
            enc(role),
            enc(principal),
            enc(assertion)
        )
    };
    let (status, answer) =
        send(&server, &body(SAML_ROLE, IDP, &saml.assertion, "&DurationSeconds=900"), None).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        xml::element(&answer, "Arn").unwrap(),
        "arn:aws:sts::123456789012:assumed-role/saml-role/alice"
    );
    assert_eq!(xml::element(&answer, "Subject").unwrap(), "alice");
    let cases = [
        (
            body(SAML_ROLE, "arn:aws:iam::123456789012:saml-provider/other", &saml.assertion, ""),
            403,
            "AccessDenied",
        ),
        (body(SAML_ROLE, IDP, &generate_saml_assertion("bob"), ""), 400, "InvalidIdentityToken"),
        (body(SAML_ROLE, IDP, "not base64!", ""), 400, "InvalidIdentityToken"),
        (body(SAML_ROLE, IDP, &saml.assertion, "&DurationSeconds=60"), 400, "ValidationError"),
        (body(SAML_ROLE, IDP, &saml.assertion, "&Policy=%7Bnot"), 400, "MalformedPolicyDocument"),
        (body(SAML_ROLE, SAML_ROLE, &saml.assertion, ""), 400, "ValidationError"),
    ];
    for (request, status, want) in cases {
        let (got, answer) = send(&server, &request, Some("application/json")).await;
        assert_eq!((got, code(&answer).as_str()), (status, want), "{answer}");
        assert!(!answer.contains(&saml.assertion));
    }
    assert_eq!(server.counters().saml, 7);
}

#[tokio::test]
async fn web_identity_refusals() {
    let (server, _) = started().await;
    let other_role = "arn:aws:iam::210987654321:role/other";
    let cases = [
        (web_body(ROLE, "s1", "eyJunknown.token.sig"), 400, "InvalidIdentityToken"),
        (web_body(other_role, "s1", TOKEN), 403, "AccessDenied"),
        (web_body(ROLE, "bad session", TOKEN), 400, "ValidationError"),
        (web_body(ROLE, "s1", "abc"), 400, "ValidationError"),
        (web_body("not-an-arn-but-long-enough", "s1", TOKEN), 400, "ValidationError"),
        (web_body(ROLE, "s1", TOKEN).replace("&Version=2011-06-15", ""), 400, "MissingParameter"),
        (web_body(ROLE, "s1", TOKEN).replace("2011-06-15", "2099-01-01"), 400, "InvalidAction"),
        ("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=x".to_owned(), 400, "ValidationError"),
    ];
    for (request, status, want) in cases {
        for accept in [None, Some("application/json")] {
            let (got, answer) = send(&server, &request, accept).await;
            assert_eq!((got, code(&answer).as_str()), (status, want), "{request}: {answer}");
            assert_eq!(answer.starts_with('{'), accept.is_some(), "{answer}");
            assert!(!answer.contains(TOKEN));
        }
    }
}

#[tokio::test]
async fn fault_modes() {
    let (server, _) = started().await;
    let ok = web_body(ROLE, "faults", TOKEN);
    for code_ in StsErrorCode::ALL {
        server.set_fault(Some(StsFault::Error(code_)));
        for accept in [None, Some("application/json")] {
            let (status, answer) = send(&server, &ok, accept).await;
            assert_eq!((status, code(&answer)), (code_.status(), code_.code().to_owned()), "{answer}");
        }
    }
    server.set_fault(Some(StsFault::ServerError(503)));
    let (status, answer) = send(&server, &ok, None).await;
    assert_eq!((status, code(&answer).as_str()), (503, "ServiceUnavailable"));
    server.set_fault(Some(StsFault::Garbage));
    let (status, answer) = send(&server, &ok, None).await;
    assert!(status == 200 && !answer.starts_with('<'), "{answer}");
    server.set_fault(Some(StsFault::Oversized));
    // Over the stand-in client's own 1 MiB cap, as it must be over any sane client's.
    let err = send_to(&server, "/", &ok, None, Duration::from_secs(5)).await.unwrap_err();
    assert!(err.contains("body too large"), "{err}");
    server.set_fault(Some(StsFault::ExpiredCredentials));
    let (_, answer) = send(&server, &ok, Some("application/json")).await;
    let v: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let exp = v["AssumeRoleWithWebIdentityResponse"]["AssumeRoleWithWebIdentityResult"]["Credentials"]["Expiration"]
        .as_f64()
        .unwrap();
    assert!(exp < time::OffsetDateTime::now_utc().unix_timestamp() as f64);

    server.set_fault(Some(StsFault::Hang));
    let started_at = Instant::now();
    let err = send_to(&server, "/", &ok, None, Duration::from_millis(200)).await.unwrap_err();
    assert!(err.contains("no complete reply"), "{err}");
    assert!(started_at.elapsed() < Duration::from_secs(2));

    server.set_fault(Some(StsFault::SlowBody(Duration::from_millis(300))));
    let started_at = Instant::now();
    let (status, _) = send(&server, &ok, None).await;
    assert_eq!(status, 200);
    assert!(started_at.elapsed() >= Duration::from_millis(300));
    assert!(send_to(&server, "/", &ok, None, Duration::from_millis(100)).await.is_err());

    server.set_fault_times(StsFault::Error(StsErrorCode::Throttling), 2);
    assert_eq!(send(&server, &ok, None).await.0, 400);
    assert_eq!(send(&server, &ok, None).await.0, 400);
    assert_eq!(send(&server, &ok, None).await.0, 200);
    assert_eq!(server.fault(), None);
}

/// POSTs `body` over a plain socket and reads until the server closes or `wait` passes: the
/// bytes read, and whether the connection ended in a reset.
async fn raw_post(server: &StsServer, body: &str, wait: Duration) -> (String, bool) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    let request = format!(
        "POST / HTTP/1.1\r\nHost: sts.amazonaws.com\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
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
    (String::from_utf8_lossy(&out).into_owned(), reset)
}

#[tokio::test]
async fn throttling_bare_statuses_and_transport_faults() {
    let (server, _) = started().await;
    let ok = web_body(ROLE, "transport", TOKEN);

    server.set_fault_times(StsFault::Throttled { retry_after: 3 }, 1);
    let (answer, _) = raw_post(&server, &ok, Duration::from_secs(2)).await;
    assert!(answer.starts_with("HTTP/1.1 429 Too Many Requests\r\n"), "{answer}");
    assert!(
        answer.contains("\r\nRetry-After: 3\r\n") && answer.contains("<Code>Throttling</Code>"),
        "{answer}"
    );
    assert_eq!(send(&server, &ok, None).await.0, 200, "a counted throttle clears itself");

    for status in [401, 404] {
        server.set_fault(Some(StsFault::Status(status)));
        let (got, answer) = send(&server, &ok, None).await;
        assert_eq!(got, status);
        assert!(code(&answer).is_empty(), "not an STS error: {answer}");
    }

    server.set_fault(Some(StsFault::HangMidBody));
    let (answer, reset) = raw_post(&server, &ok, Duration::from_millis(300)).await;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let length: usize =
        head.split("Content-Length: ").nth(1).unwrap().split("\r\n").next().unwrap().parse().unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK") && !reset, "{head}");
    assert_eq!(body.len(), length / 2, "half a real answer: {body}");
    assert!(body.starts_with("<AssumeRoleWithWebIdentityResponse"), "{body}");

    server.set_fault(Some(StsFault::Drip(Duration::from_millis(300))));
    let started_at = Instant::now();
    let (status, answer) = send(&server, &ok, None).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("<SecretAccessKey>"), "the whole answer arrives: {answer}");
    assert!(started_at.elapsed() >= Duration::from_millis(250), "{:?}", started_at.elapsed());

    server.set_fault(Some(StsFault::Reset));
    let before = server.counters();
    let (answer, reset) = raw_post(&server, &ok, Duration::from_secs(2)).await;
    assert!(answer.is_empty() && reset, "{answer:?}");
    let after = server.counters();
    assert_eq!(after.web_identity, before.web_identity + 1, "the request was read and counted");
    assert_eq!(
        (after.succeeded, after.rejected),
        (before.succeeded, before.rejected),
        "nothing was answered"
    );
}
