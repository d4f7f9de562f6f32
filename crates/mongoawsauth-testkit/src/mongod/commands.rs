//! The commands the fake mongod answers, and the per-connection state they share.
//!
//! Before authentication: `hello`/`isMaster`/`ismaster`, `saslStart`, `saslContinue`, `ping`,
//! `buildInfo`, `endSessions`, `connectionStatus`. `find` and `listDatabases` need an
//! authenticated connection (13 Unauthorized otherwise). Anything else is 59 CommandNotFound.

use bson::{Bson, DateTime, Document, doc};

use super::reply::error;
use super::sasl::{Conversation, sasl_continue, sasl_start};
use super::{Shared, events::Event};
use crate::wire::MAX_MESSAGE_SIZE;

/// The wire version range advertised: a 7.0-era standalone, which pymongo 4.x and Node 7.x accept.
const MAX_WIRE_VERSION: i32 = 21;

/// What one connection has done so far.
#[derive(Debug)]
pub(crate) struct ConnState {
    pub(crate) id: u64,
    pub(crate) user: Option<String>,
    pub(crate) conversation: Option<Conversation>,
}

/// Answers `cmd` sent to `db`. `legacy` is true for OP_QUERY, where mongod (6.0+) only accepts
/// the handshake.
pub(crate) async fn run(
    shared: &Shared,
    conn: &mut ConnState,
    db: &str,
    cmd: &Document,
    legacy: bool,
) -> Document {
    let name = cmd.keys().next().map(String::as_str).unwrap_or("");
    shared.recorder.record(Event::Command { connection: conn.id, db: db.to_owned(), name: name.to_owned() });
    let is_handshake = matches!(name, "hello" | "isMaster" | "ismaster");
    if legacy && !is_handshake {
        return error(
            352,
            "UnsupportedOpQueryCommand",
            &format!("Unsupported OP_QUERY command: {name}. The client driver may require an upgrade."),
        );
    }
    match name {
        "hello" | "isMaster" | "ismaster" => hello(conn, name == "hello", cmd),
        "saslStart" => sasl_start(shared, db, cmd, &mut conn.conversation),
        "saslContinue" => {
            let (reply, user) = sasl_continue(shared, db, cmd, &mut conn.conversation).await;
            if user.is_some() {
                conn.user = user;
            }
            reply
        }
        "ping" | "endSessions" => doc! { "ok": 1.0 },
        "buildInfo" | "buildinfo" => doc! {
            "version": "7.0.0",
            "gitVersion": "mongoawsauth-testkit",
            "versionArray": [7, 0, 0, 0],
            "bits": 64,
            "maxBsonObjectSize": 16 * 1024 * 1024,
            "ok": 1.0,
        },
        "connectionStatus" => {
            let users: Vec<Bson> =
                conn.user.iter().map(|arn| Bson::Document(doc! { "user": arn, "db": "$external" })).collect();
            doc! {
                "authInfo": { "authenticatedUsers": users, "authenticatedUserRoles": [] },
                "ok": 1.0,
            }
        }
        "find" | "listDatabases" if conn.user.is_none() => {
            error(13, "Unauthorized", &format!("command {name} requires authentication"))
        }
        "find" => {
            let coll = cmd.get_str("find").unwrap_or("collection");
            doc! {
                "cursor": { "firstBatch": [], "id": 0_i64, "ns": format!("{db}.{coll}") },
                "ok": 1.0,
            }
        }
        "listDatabases" => doc! { "databases": [], "totalSize": 0_i64, "ok": 1.0 },
        _ => error(59, "CommandNotFound", &format!("no such command: '{name}'")),
    }
}

fn hello(conn: &ConnState, is_hello: bool, cmd: &Document) -> Document {
    let mut reply = Document::new();
    if is_hello {
        reply.insert("isWritablePrimary", true);
    } else {
        reply.insert("ismaster", true);
    }
    if cmd.get_bool("helloOk").unwrap_or(false) {
        reply.insert("helloOk", true);
    }
    reply.insert("maxBsonObjectSize", 16 * 1024 * 1024);
    reply.insert("maxMessageSizeBytes", MAX_MESSAGE_SIZE as i32);
    reply.insert("maxWriteBatchSize", 100_000);
    reply.insert("localTime", DateTime::now());
    reply.insert("logicalSessionTimeoutMinutes", 30);
    reply.insert("connectionId", conn.id as i64);
    reply.insert("minWireVersion", 0);
    reply.insert("maxWireVersion", MAX_WIRE_VERSION);
    reply.insert("readOnly", false);
    reply.insert("ok", 1.0);
    reply
}
