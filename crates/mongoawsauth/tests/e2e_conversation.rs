//! End to end on loopback: our conversation against the testkit's fake mongod, which forwards
//! the signed GetCallerIdentity request to the STS stand-in (whose SigV4 verifier is independent
//! of our signer). Covers long-term and temporary credentials, every way the credentials can be
//! wrong, and every hostile server reply the fake can produce.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

use bson::{Bson, doc};
use mongoawsauth::{Conversation, Credentials, ErrorKind, conversation};
use mongoawsauth_testkit::mongod::Fault;
use mongoawsauth_testkit::{Client, Identity, StandIns, StandInsConfig};

/// How a login ended.
#[derive(Debug)]
enum Outcome {
    /// The server authenticated this ARN.
    Authenticated(String),
    /// Our client rejected the server's reply (kind, message).
    ClientRejected(ErrorKind, String),
    /// The server refused the login (its error code and message).
    ServerRefused(i32, String),
}

fn creds(id: &Identity) -> Credentials {
    Credentials::new(
        Some(&id.access_key_id),
        Some(&id.secret_access_key),
        id.session_token.as_deref(),
        None,
        "test",
    )
    .unwrap()
}

async fn login(standins: &StandIns, credentials: Credentials) -> Outcome {
    let mut conversation = Conversation::new(credentials).unwrap();
    let mut client = Client::connect(standins.mongod_addr()).await.unwrap();
    let hello = client.command("admin", doc! { "hello": 1 }).await.unwrap();
    assert!(hello.get_bool("isWritablePrimary").unwrap());
    let first = conversation.client_first().unwrap();
    let reply = match client.sasl_start(conversation::MECHANISM, &first).await {
        Ok(reply) => reply,
        Err(mongoawsauth_testkit::client::ClientError::Command { code, errmsg, .. }) => {
            return Outcome::ServerRefused(code, errmsg);
        }
        Err(e) => panic!("saslStart: {e}"),
    };
    assert!(!reply.done);
    let last = match conversation.client_final(&reply.payload) {
        Ok(last) => last,
        Err(e) => return Outcome::ClientRejected(e.kind(), e.to_string()),
    };
    match client.sasl_continue(reply.conversation_id, &last).await {
        Ok(reply) => assert!(reply.done),
        Err(mongoawsauth_testkit::client::ClientError::Command { code, errmsg, .. }) => {
            return Outcome::ServerRefused(code, errmsg);
        }
        Err(e) => panic!("saslContinue: {e}"),
    }
    let status = client.command("admin", doc! { "connectionStatus": 1 }).await.unwrap();
    let users = status.get_document("authInfo").unwrap().get_array("authenticatedUsers").unwrap();
    match users.first() {
        Some(Bson::Document(user)) => Outcome::Authenticated(user.get_str("user").unwrap().to_owned()),
        other => panic!("no authenticated user after a finished conversation: {other:?}"),
    }
}

async fn standins() -> StandIns {
    StandIns::start(StandInsConfig::default()).await.unwrap()
}

#[tokio::test]
async fn long_term_credentials_log_in() {
    let s = standins().await;
    match login(&s, creds(s.user())).await {
        Outcome::Authenticated(arn) => assert_eq!(arn, s.user().arn),
        other => panic!("{other:?}"),
    }
    assert_eq!(s.mongod().counters().auth_succeeded, 1);
}

#[tokio::test]
async fn temporary_credentials_log_in() {
    let s = standins().await;
    match login(&s, creds(s.temporary())).await {
        Outcome::Authenticated(arn) => {
            assert_eq!(arn, s.temporary().arn);
            assert!(arn.contains(":assumed-role/"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn wrong_credentials_are_refused_by_the_server() {
    let s = standins().await;
    let user = s.user().clone();
    let temp = s.temporary().clone();
    let mut wrong_secret = user.clone();
    wrong_secret
        .secret_access_key
        .replace_range(0..1, if user.secret_access_key.starts_with('x') { "y" } else { "x" });
    let mut wrong_token = temp.clone();
    wrong_token.session_token = Some(format!("{}x", temp.session_token.clone().unwrap()));
    let mut missing_token = temp.clone();
    missing_token.session_token = None;
    let mut unknown_key = user.clone();
    unknown_key.access_key_id = "AKIAUNKNOWNUNKNOWN00".into();
    for (name, identity) in [
        ("wrong secret", wrong_secret),
        ("wrong token", wrong_token),
        ("missing token", missing_token),
        ("unknown key", unknown_key),
    ] {
        match login(&s, creds(&identity)).await {
            Outcome::ServerRefused(code, message) => {
                assert_eq!(code, 18, "{name}");
                assert!(!message.contains(&identity.secret_access_key), "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    assert_eq!(s.mongod().counters().auth_succeeded, 0);
}

#[tokio::test]
async fn hostile_server_replies_are_rejected_by_the_client() {
    let s = standins().await;
    let cases = [
        (Fault::ShortNonce, "63 bytes"),
        (Fault::NonceWrongPrefix, "does not start with the client nonce"),
        (Fault::ExtraField, "unexpected field"),
        (Fault::NonceWrongSubtype, "subtype"),
        (Fault::HostWrongType, "expected string"),
        (Fault::PayloadNotBson, "not valid BSON"),
        (Fault::StsHost("sts..com".into()), "empty label"),
        (Fault::StsHost(".amazonaws.com".into()), "empty label"),
        (Fault::StsHost("sts.amazonaws.".into()), "empty label"),
        (Fault::StsHost(String::new()), "empty STS host"),
        (Fault::StsHost("x".repeat(256)), "longer than the 255"),
    ];
    for (fault, expected) in cases {
        s.mongod().set_fault(Some(fault.clone()));
        match login(&s, creds(s.user())).await {
            Outcome::ClientRejected(kind, message) => {
                assert_eq!(kind, ErrorKind::Authentication, "{fault:?}");
                assert!(message.contains(expected), "{fault:?}: {message}");
                assert!(!message.contains(&s.user().secret_access_key));
            }
            other => panic!("{fault:?}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn valid_unusual_hosts_sign_for_their_region() {
    let s = standins().await;
    // The fake mongod checks that the credential scope's region is the one the spec derives
    // from the host, so a login only succeeds if we derived the same region.
    for host in ["localhost", "sts.us-west-2.amazonaws.com", "aws.amazonaws.com"] {
        s.mongod().set_fault(Some(Fault::StsHost(host.into())));
        match login(&s, creds(s.user())).await {
            Outcome::Authenticated(arn) => assert_eq!(arn, s.user().arn, "{host}"),
            other => panic!("{host}: {other:?}"),
        }
    }
}
