//! The fake mongod's wire handling, commands, fault modes and loopback-only forwarding.
#![allow(clippy::unwrap_used, reason = "a test reports an unexpected error by panicking")]

mod common;

use bson::{Binary, Bson, Document, doc, spec::BinarySubtype};
use common::{
    Tweaks, auth_error, authenticate, client_final, client_first, client_nonce, parse_server_first,
};
use mongoawsauth_testkit::client::ClientError;
use mongoawsauth_testkit::mongod::{Event, FakeMongod, Fault, MongodConfig};
use mongoawsauth_testkit::sts::{StsConfig, StsServer};
use mongoawsauth_testkit::wire::{Message, OpMsg, OpQuery};
use mongoawsauth_testkit::{Client, StandIns, StandInsConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn standins() -> StandIns {
    StandIns::start(StandInsConfig::default()).await.unwrap()
}

#[tokio::test]
async fn op_query_is_master_gets_op_reply() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    for cmd in [doc! {"isMaster": 1, "helloOk": true}, doc! {"ismaster": 1}, doc! {"$query": {"isMaster": 1}}]
    {
        let r = c.legacy_command("admin", cmd).await.unwrap();
        assert_eq!(r.get_bool("ismaster").ok(), Some(true), "{r}");
        assert_eq!(r.get_i32("maxWireVersion").ok(), Some(21));
        assert_eq!(r.get_i32("minWireVersion").ok(), Some(0));
        assert!(r.get("compression").is_none());
    }
    let r = c.legacy_command("admin", doc! {"isMaster": 1, "helloOk": true}).await.unwrap();
    assert_eq!(r.get_bool("helloOk").ok(), Some(true));
    // Like mongod 6.0+, only the handshake is accepted over OP_QUERY.
    let r = c.legacy_command("$external", doc! {"saslStart": 1}).await.unwrap();
    assert_eq!(r.get_i32("code").ok(), Some(352));
    // Then the same connection speaks OP_MSG.
    let r = c.command("admin", doc! {"hello": 1}).await.unwrap();
    assert_eq!(r.get_bool("isWritablePrimary").ok(), Some(true));
    assert_eq!(r.get_i32("maxBsonObjectSize").ok(), Some(16 * 1024 * 1024));
    assert_eq!(r.get_i32("maxMessageSizeBytes").ok(), Some(48_000_000));
    assert!(matches!(r.get("connectionId"), Some(Bson::Int64(_))));
}

#[tokio::test]
async fn simple_commands_and_unknown_ones() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    for (db, cmd) in
        [("admin", doc! {"ping": 1}), ("admin", doc! {"buildInfo": 1}), ("admin", doc! {"endSessions": []})]
    {
        assert_eq!(c.command(db, cmd).await.unwrap().get_f64("ok").ok(), Some(1.0));
    }
    let r = c.command("admin", doc! {"buildInfo": 1}).await.unwrap();
    assert_eq!(r.get_str("version").ok(), Some("7.0.0"));
    let r = c.command("test", doc! {"insert": "c"}).await.unwrap();
    assert_eq!(
        (r.get_f64("ok").ok(), r.get_i32("code").ok(), r.get_str("codeName").ok()),
        (Some(0.0), Some(59), Some("CommandNotFound"))
    );
    assert!(r.get_str("errmsg").unwrap().contains("insert"));
    // No $db.
    let (_, reply) = c.round_trip(&Message::Msg(OpMsg::new(doc! {"ping": 1}))).await.unwrap();
    let Message::Msg(m) = reply else { panic!() };
    assert_eq!(m.body.get_f64("ok").ok(), Some(0.0));
    assert_eq!(s.mongod().counters().commands, 5);
}

#[tokio::test]
async fn op_msg_sequences_checksums_and_more_to_come() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let seq = OpMsg {
        flags: OpMsg::CHECKSUM_PRESENT,
        body: doc! {"endSessions": 1, "$db": "admin"},
        sequences: vec![("ids".into(), vec![doc! {"id": 1}])],
    };
    let (_, reply) = c.round_trip(&Message::Msg(seq)).await.unwrap();
    let Message::Msg(m) = reply else { panic!() };
    assert_eq!(m.body.get_f64("ok").ok(), Some(1.0));
    // A moreToCome message gets no reply: the next reply answers the next request (round_trip
    // checks responseTo).
    let mut raw = tokio::net::TcpStream::connect(s.mongod_addr()).await.unwrap();
    let quiet = OpMsg { flags: OpMsg::MORE_TO_COME, ..OpMsg::new(doc! {"ping": 1, "$db": "admin"}) };
    mongoawsauth_testkit::wire::write_message(&mut raw, 1, 0, &Message::Msg(quiet)).await.unwrap();
    mongoawsauth_testkit::wire::write_message(
        &mut raw,
        2,
        0,
        &Message::Msg(OpMsg::new(doc! {"ping": 1, "$db": "admin"})),
    )
    .await
    .unwrap();
    let (h, _) = mongoawsauth_testkit::wire::read_message(&mut raw).await.unwrap().unwrap();
    assert_eq!(h.response_to, 2);
}

#[tokio::test]
async fn garbage_closes_the_connection_and_the_server_keeps_serving() {
    let s = standins().await;
    for garbage in [
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        &[0xff; 64],
        &[20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xdc, 7, 0, 0, 9, 9, 9, 9],
    ] {
        let mut raw = tokio::net::TcpStream::connect(s.mongod_addr()).await.unwrap();
        raw.write_all(garbage).await.unwrap();
        let mut rest = Vec::new();
        let _ = raw.read_to_end(&mut rest).await;
        assert!(rest.is_empty());
    }
    assert!(s.mongod().events().iter().any(|e| matches!(e, Event::ProtocolError { .. })));
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    assert_eq!(c.command("admin", doc! {"ping": 1}).await.unwrap().get_f64("ok").ok(), Some(1.0));
}

fn payload(bytes: Vec<u8>) -> Binary {
    Binary { subtype: BinarySubtype::Generic, bytes }
}

#[tokio::test]
async fn sasl_start_checks_mechanism_database_and_payload() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let good = client_first(&client_nonce());
    let cases: Vec<(&str, Document, &str)> = vec![
        (
            "$external",
            doc! {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": payload(good.clone())},
            "SCRAM-SHA-256",
        ),
        (
            "admin",
            doc! {"saslStart": 1, "mechanism": "MONGODB-AWS", "payload": payload(good.clone())},
            "'$external'",
        ),
        ("$external", doc! {"saslStart": 1, "mechanism": "MONGODB-AWS", "payload": "x"}, "must be binary"),
        (
            "$external",
            doc! {"saslStart": 1, "mechanism": "MONGODB-AWS", "payload": payload(b"junk".to_vec())},
            "not a BSON",
        ),
        (
            "$external",
            doc! {"saslStart": 1, "mechanism": "MONGODB-AWS", "payload": payload(doc! {"r": payload(vec![1; 32]), "p": 121}.to_vec().unwrap())},
            "must be 110",
        ),
        (
            "$external",
            doc! {"saslContinue": 1, "conversationId": 1, "payload": payload(Vec::new())},
            "without a preceding saslStart",
        ),
    ];
    for (db, cmd, want) in cases {
        let r = c.command(db, cmd.clone()).await.unwrap();
        assert_eq!(r.get_i32("code").ok(), Some(18), "{cmd}");
        assert_eq!(r.get_str("codeName").ok(), Some("AuthenticationFailed"));
        assert!(r.get_str("errmsg").unwrap().contains(want), "{cmd}: {r}");
    }
    // Wrong conversation id.
    let r = client_nonce();
    let first = c.sasl_start("MONGODB-AWS", &client_first(&r)).await.unwrap();
    assert_eq!(first.conversation_id, Bson::Int32(1));
    let sf = parse_server_first(&r, &first.payload);
    let fin = client_final(s.user(), &sf, &Tweaks::default());
    let err = c.sasl_continue(Bson::Int32(2), &fin).await.unwrap_err();
    assert!(matches!(err, ClientError::Command { code: 18, .. }), "{err}");
    assert_eq!(s.mongod().counters().auth_failed, 7);
    assert_eq!(s.sts().counters().requests, 0);
}

/// Runs saslStart and returns the raw server-first payload.
async fn server_first_bytes(c: &mut Client, r: &[u8]) -> Vec<u8> {
    c.sasl_start("MONGODB-AWS", &client_first(r)).await.unwrap().payload
}

#[tokio::test]
async fn fault_modes_change_the_server_first_payload_at_run_time() {
    let s = standins().await;
    let m = s.mongod();
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let r = client_nonce();
    let doc = |b: Vec<u8>| Document::from_reader(&b[..]).unwrap();

    m.set_fault(Some(Fault::ShortNonce));
    assert_eq!(doc(server_first_bytes(&mut c, &r).await).get_binary_generic("s").unwrap().len(), 63);
    m.set_fault(Some(Fault::NonceWrongPrefix));
    let d = doc(server_first_bytes(&mut c, &r).await);
    assert_ne!(&d.get_binary_generic("s").unwrap()[..32], &r[..]);
    m.set_fault(Some(Fault::ExtraField));
    assert_eq!(doc(server_first_bytes(&mut c, &r).await).len(), 3);
    m.set_fault(Some(Fault::NonceWrongSubtype));
    let d = doc(server_first_bytes(&mut c, &r).await);
    assert!(matches!(d.get("s"), Some(Bson::Binary(b)) if b.subtype == BinarySubtype::UserDefined(0x80)));
    m.set_fault(Some(Fault::HostWrongType));
    assert_eq!(doc(server_first_bytes(&mut c, &r).await).get_i32("h").ok(), Some(1));
    m.set_fault(Some(Fault::PayloadNotBson));
    assert!(Document::from_reader(&server_first_bytes(&mut c, &r).await[..]).is_err());
    for host in ["sts..com", ".amazonaws.com", ""] {
        m.set_fault(Some(Fault::StsHost(host.into())));
        assert_eq!(doc(server_first_bytes(&mut c, &r).await).get_str("h").ok(), Some(host));
        assert_eq!(m.fault(), Some(Fault::StsHost(host.into())));
    }

    // A client that ignored an invalid host would still be refused.
    m.set_fault(Some(Fault::StsHost("sts..com".into())));
    let first = c.sasl_start("MONGODB-AWS", &client_first(&r)).await.unwrap();
    let sf = common::ServerFirst {
        nonce: doc(first.payload).get_binary_generic("s").unwrap().clone(),
        host: "sts..com".into(),
    };
    let tweaks = Tweaks { region: Some("us-east-1".into()), ..Tweaks::default() };
    let err =
        c.sasl_continue(first.conversation_id, &client_final(s.user(), &sf, &tweaks)).await.unwrap_err();
    assert!(err.to_string().contains("empty label"), "{err}");

    // A valid host given as a fault works.
    m.set_fault(Some(Fault::StsHost("sts.eu-west-1.amazonaws.com".into())));
    authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
    m.set_fault(None);
    authenticate(&mut c, s.user(), &Tweaks::default()).await.unwrap();
}

#[tokio::test]
async fn non_loopback_sts_urls_are_refused_before_anything_is_sent() {
    for url in
        ["https://127.0.0.1/", "http://192.0.2.1/", "http://sts.amazonaws.com/", "http://169.254.169.254/"]
    {
        let err = FakeMongod::start(MongodConfig::new(url)).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("refusing STS URL"), "{err}");
        let config = StandInsConfig { sts_url: Some(url.into()), ..StandInsConfig::default() };
        assert!(StandIns::start(config).await.is_err());
    }
}

#[tokio::test]
async fn forwards_to_an_external_sts_url() {
    let external = StsServer::start(StsConfig::default()).await.unwrap();
    let theirs = external.identities().add_user("external-user");
    let config = StandInsConfig { sts_url: Some(external.url()), ..StandInsConfig::default() };
    let s = StandIns::start(config).await.unwrap();
    assert_eq!(s.sts_url(), external.url());
    assert_ne!(s.local_sts_url(), external.url());
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    authenticate(&mut c, &theirs, &Tweaks::default()).await.unwrap();
    let err = auth_error(authenticate(&mut c, s.user(), &Tweaks::default()).await);
    assert!(err.contains("InvalidClientTokenId"), "{err}");
    assert_eq!(external.counters().requests, 2);
    assert_eq!(s.sts().counters().requests, 0);
}

#[tokio::test]
async fn unreachable_sts_is_an_authentication_failure() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let config = StandInsConfig { sts_url: Some(format!("http://{closed}/")), ..StandInsConfig::default() };
    let s = StandIns::start(config).await.unwrap();
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let err = auth_error(authenticate(&mut c, s.user(), &Tweaks::default()).await);
    assert!(err.contains("could not be reached"), "{err}");
    assert!(s.mongod().events().contains(&Event::StsRequest { status: None }));
}

#[tokio::test]
async fn op_query_with_projection_and_non_command_collections() {
    let s = standins().await;
    let mut c = Client::connect(s.mongod_addr()).await.unwrap();
    let q = OpQuery { full_collection_name: "test.coll".into(), ..OpQuery::command("test", doc! {"x": 1}) };
    let (_, reply) = c.round_trip(&Message::Query(q)).await.unwrap();
    let Message::Reply(r) = reply else { panic!() };
    assert_eq!(r.documents[0].get_i32("code").ok(), Some(352));
}
