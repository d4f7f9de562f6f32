//! The fake mongod and STS stand-in driven end to end by a client signing with `aws-sigv4`.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use std::time::Duration;

use bson::{Bson, doc};
use common::{Tweaks, auth_error, authenticate, authenticated_users};
use mongoawsauth_testkit::mongod::Event;
use mongoawsauth_testkit::{Client, StandIns, StandInsConfig};

async fn standins() -> StandIns {
    StandIns::start(StandInsConfig::default()).await.unwrap()
}

#[tokio::test]
async fn long_term_user_authenticates_and_connection_status_shows_the_arn() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    assert!(authenticated_users(&mut c).await.is_empty());
    let reply = authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
    assert!(reply.done);
    assert_eq!(authenticated_users(&mut c).await, [(s.user().arn.clone(), "$external".to_owned())]);
    assert_eq!(s.user().arn, "arn:aws:iam::123456789012:user/mongo-user");
    let m = s.mongod().counters();
    assert_eq!((m.auth_succeeded, m.auth_failed, m.sts_requests), (1, 0, 1));
    assert_eq!(s.sts().counters().succeeded, 1);
    assert!(s.mongod().events().contains(&Event::AuthSucceeded { arn: s.user().arn.clone() }));
}

#[tokio::test]
async fn temporary_credentials_authenticate() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    authenticate(&mut c, s.temporary(), &Tweaks::default()).await.unwrap();
    assert_eq!(
        authenticated_users(&mut c).await[0].0,
        "arn:aws:sts::123456789012:assumed-role/mongo-role/session"
    );
}

#[tokio::test]
async fn identities_added_at_run_time_are_accepted() {
    let s = standins().await;
    let later = s.sts().identities().add_temporary("other-role", "later");
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    authenticate(&mut c, &later, &Tweaks::default()).await.unwrap();
    assert_eq!(authenticated_users(&mut c).await[0].0, later.arn);
}

#[tokio::test]
async fn regional_sts_host_requires_the_regional_scope() {
    let config =
        StandInsConfig { sts_host: "sts.us-west-2.amazonaws.com".into(), ..StandInsConfig::default() };
    let s = StandIns::start(config).await.unwrap();
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
    let tweaks = Tweaks { region: Some("us-east-1".into()), ..Tweaks::default() };
    let err = auth_error(authenticate(&mut c, s.user(), &tweaks).await);
    assert!(err.contains("requires 'us-west-2'"), "{err}");
}

/// Failures the STS stand-in detects (the fake mongod's own checks pass).
#[tokio::test]
async fn sts_rejects_wrong_secret_wrong_token_and_missing_token() {
    let s = standins().await;
    let cases = [
        (s.user(), Tweaks { secret: Some("x".repeat(40)), ..Tweaks::default() }, "403 SignatureDoesNotMatch"),
        (
            s.temporary(),
            Tweaks { secret: Some("x".repeat(40)), ..Tweaks::default() },
            "403 SignatureDoesNotMatch",
        ),
        (
            s.temporary(),
            Tweaks { token: Some(Some("AQoDYXdzEJ-wrong".into())), ..Tweaks::default() },
            "403 InvalidClientTokenId",
        ),
        (s.temporary(), Tweaks { token: Some(None), ..Tweaks::default() }, "403 InvalidClientTokenId"),
        (
            s.user(),
            Tweaks { token: Some(Some("unexpected".into())), ..Tweaks::default() },
            "403 InvalidClientTokenId",
        ),
    ];
    let n = cases.len() as u64;
    for (id, tweaks, want) in cases {
        let mut c = Client::connect(s.mongod_addr()).await.unwrap();
        let err = auth_error(authenticate(&mut c, id, &tweaks).await);
        assert!(err.contains(want), "{tweaks:?}: {err}");
        assert!(authenticated_users(&mut c).await.is_empty());
    }
    assert_eq!(s.mongod().counters().sts_requests, n);
    assert_eq!(s.sts().counters().rejected, n);
    // The failure reasons and the event log never carry a secret or a token.
    let log = format!("{:?}", s.mongod().events());
    for secret in [
        &s.user().secret_access_key,
        &s.temporary().secret_access_key,
        s.temporary().session_token.as_ref().unwrap(),
    ] {
        assert!(!log.contains(secret.as_str()));
    }
}

/// Failures the fake mongod detects before STS is asked (moto would accept some of them).
#[tokio::test]
async fn mongod_rejects_stale_date_wrong_region_and_unsigned_nonce() {
    let s = standins().await;
    let cases = [
        (
            Tweaks { age: Some(Duration::from_secs(16 * 60)), ..Tweaks::default() },
            "away from the server's clock",
        ),
        (Tweaks { region: Some("us-west-2".into()), ..Tweaks::default() }, "requires 'us-east-1'"),
        (Tweaks { unsigned_nonce: true, ..Tweaks::default() }, "does not include 'x-mongodb-server-nonce'"),
    ];
    for (tweaks, want) in cases {
        let mut c = Client::connect(s.mongod_addr()).await.unwrap();
        let err = auth_error(authenticate(&mut c, s.user(), &tweaks).await);
        assert!(err.contains(want), "{tweaks:?}: {err}");
        assert!(s.mongod().auth_failures().last().unwrap().contains(want));
    }
    assert_eq!(s.mongod().counters().sts_requests, 0);
    assert_eq!(s.sts().counters().requests, 0);
    assert_eq!(s.mongod().counters().auth_failed, 3);
}

#[tokio::test]
async fn find_and_list_databases_require_authentication() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    for cmd in [doc! {"find": "coll"}, doc! {"listDatabases": 1}] {
        let r = c.command("test", cmd).await.unwrap();
        assert_eq!((r.get_i32("code").unwrap(), r.get_str("codeName").unwrap()), (13, "Unauthorized"));
    }
    authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
    let r = c.command("test", doc! {"find": "coll"}).await.unwrap();
    let cursor = r.get_document("cursor").unwrap();
    // Node reads the cursor id strictly as int64.
    assert_eq!(cursor.get("id"), Some(&Bson::Int64(0)));
    assert!(cursor.get_array("firstBatch").unwrap().is_empty());
    assert_eq!(cursor.get_str("ns").unwrap(), "test.coll");
    let r = c.command("admin", doc! {"listDatabases": 1}).await.unwrap();
    assert_eq!(r.get_f64("ok").unwrap(), 1.0);
}

#[tokio::test]
async fn a_failed_conversation_can_be_retried_on_the_same_connection() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let bad = Tweaks { secret: Some("y".repeat(40)), ..Tweaks::default() };
    auth_error(authenticate(&mut c, s.user(), &bad).await);
    authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
    let m = s.mongod().counters();
    assert_eq!((m.auth_failed, m.auth_succeeded, m.connections), (1, 1, 1));
}

#[test]
fn start_blocking_runs_without_an_outer_runtime() {
    let s = StandIns::start_blocking(StandInsConfig::default()).unwrap();
    let json = s.to_json();
    assert_eq!(json["mongod"], s.mongod_addr().to_string());
    assert_eq!(json["sts_url"], s.local_sts_url());
    assert_eq!(
        json["identities"]["temporary"]["session_token"],
        s.temporary().session_token.clone().unwrap()
    );
    assert!(json["identities"]["user"].get("session_token").is_none());
    std::net::TcpStream::connect(s.mongod_addr()).unwrap();
    drop(s);
}
