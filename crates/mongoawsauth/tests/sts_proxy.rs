//! The STS client's proxy rules: they come from the injected environment, are read at every
//! call (a changed `HTTP_PROXY` or `NO_PROXY` applies to the next request), and under
//! `MONGOAWSAUTH_LOOPBACK_ONLY=1` a proxy that is not loopback is refused before anything is sent.
//!
//! The only proxy ever contacted is a recorder on 127.0.0.1; the remote proxy addresses below are
//! refused by the guard and never connected to.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{TempDir, standins};
use mongoawsauth::provider::web_identity::WebIdentityProvider;
use mongoawsauth::{Env, ErrorKind, ProviderConfig};
use mongoawsauth_testkit::StandIns;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

type Vars = Arc<Mutex<HashMap<String, String>>>;

/// A web identity provider for the stand-ins' role whose environment the test can change.
fn provider(s: &StandIns, dir: &TempDir) -> (WebIdentityProvider, Vars) {
    let token = dir.write("token", &s.web_identity().token);
    let vars: Vars = Arc::new(Mutex::new(HashMap::from([
        ("AWS_WEB_IDENTITY_TOKEN_FILE".to_owned(), token),
        ("AWS_ROLE_ARN".to_owned(), s.web_identity().role_arn.clone()),
    ])));
    let seen = Arc::clone(&vars);
    let config = ProviderConfig::new()
        .with_env(Env::from_fn(move |name| seen.lock().unwrap().get(name).cloned()))
        .with_sts_endpoint(s.local_sts_url())
        .with_sts_timeout(Duration::from_secs(5));
    (WebIdentityProvider::with_config(config), vars)
}

fn set(vars: &Vars, name: &str, value: &str) {
    vars.lock().unwrap().insert(name.to_owned(), value.to_owned());
}

/// A loopback "proxy" that records each request head and answers 503.
async fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let recorded = Arc::clone(&recorded);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                recorded.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    (format!("127.0.0.1:{}", addr.port()), heads)
}

#[test]
fn the_guard_is_on_for_these_tests() {
    // The project's test commands set it; without it the refusal test below would mean nothing.
    assert_eq!(
        std::env::var("MONGOAWSAUTH_LOOPBACK_ONLY").as_deref(),
        Ok("1"),
        "run the tests through the project's test command (it sets MONGOAWSAUTH_LOOPBACK_ONLY=1)"
    );
}

#[tokio::test]
async fn a_remote_proxy_is_refused_under_the_loopback_guard() {
    let s = standins().await;
    let dir = TempDir::new("proxy-guard");
    for variable in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        let (p, vars) = provider(&s, &dir);
        // 192.0.2.0/24 is reserved for documentation: nothing answers there, and nothing is sent.
        set(&vars, variable, "http://user:pa55@192.0.2.1:3128");
        let e = p.load().await.unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(
            text.contains("MONGOAWSAUTH_LOOPBACK_ONLY")
                && text.contains(variable)
                && text.contains("192.0.2.1"),
            "{variable}: {text}"
        );
        assert!(!text.contains("pa55"), "{text}");
        // With the endpoint's host in NO_PROXY the request goes straight to the stand-in.
        set(&vars, "NO_PROXY", "localhost,127.0.0.1");
        p.load().await.unwrap_or_else(|e| panic!("{variable} with NO_PROXY: {e}"));
    }
    assert_eq!(s.sts().counters().web_identity, 4, "only the NO_PROXY requests reached STS");
}

#[tokio::test]
async fn proxy_variables_are_read_at_every_call() {
    let s = standins().await;
    let dir = TempDir::new("proxy-changes");
    let (p, vars) = provider(&s, &dir);
    let (proxy, heads) = recording_proxy().await;

    p.load().await.unwrap();
    assert_eq!((s.sts().counters().web_identity, heads.lock().unwrap().len()), (1, 0));

    // The same provider, a proxy set since: the next request goes through it.
    set(&vars, "HTTP_PROXY", &format!("http://user:pa55@{proxy}"));
    let e = p.load().await.unwrap_err();
    assert!(!format!("{e} {e:?}").contains("pa55"), "{e}");
    {
        let heads = heads.lock().unwrap();
        assert!(!heads.is_empty(), "the proxy saw nothing: {e}");
        let head = heads[0].to_ascii_lowercase();
        assert!(
            head.starts_with(&format!("post {} http/1.1", s.local_sts_url().to_ascii_lowercase())),
            "{head}"
        );
        // The proxy's credentials are sent to the proxy, as Basic authentication.
        assert!(head.contains("proxy-authorization: basic "), "{head}");
    }
    assert_eq!(s.sts().counters().web_identity, 1, "nothing went around the proxy");

    // NO_PROXY, set later still, sends it directly again.
    let through_proxy = heads.lock().unwrap().len();
    set(&vars, "NO_PROXY", "127.0.0.1");
    p.load().await.unwrap();
    assert_eq!((s.sts().counters().web_identity, heads.lock().unwrap().len()), (2, through_proxy));
}

#[tokio::test]
async fn a_bad_proxy_variable_is_a_configuration_error_naming_it() {
    let s = standins().await;
    let dir = TempDir::new("proxy-bad");
    let (p, vars) = provider(&s, &dir);
    set(&vars, "HTTP_PROXY", "socks5://user:pa55@127.0.0.1:1080");
    let e = p.load().await.unwrap_err();
    assert_eq!(e.error().kind(), ErrorKind::Configuration, "{e}");
    assert!(e.to_string().contains("HTTP_PROXY") && !e.to_string().contains("pa55"), "{e}");
    assert_eq!(s.sts().counters().web_identity, 0);
}
