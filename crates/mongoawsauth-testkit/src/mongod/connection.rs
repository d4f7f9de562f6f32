//! One client connection: read a message, answer it in kind (OP_MSG -> OP_MSG,
//! OP_QUERY -> OP_REPLY), until the client leaves or sends something undecodable.

use std::sync::Arc;

use bson::Bson;
use tokio::net::TcpStream;

use super::Shared;
use super::commands::{ConnState, run};
use super::events::Event;
use super::reply::error;
use crate::wire::{Message, OpMsg, OpReply, WireError, read_message, write_message};

pub(crate) async fn serve(mut stream: TcpStream, shared: Arc<Shared>, id: u64) {
    let mut conn = ConnState { id, user: None, conversation: None };
    let mut next_id: i32 = 1;
    loop {
        let (header, message) = match read_message(&mut stream).await {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(WireError::Io(_)) => return,
            Err(e) => {
                // Framing may be lost, so the only safe answer is to hang up.
                shared.recorder.record(Event::ProtocolError { reason: e.to_string() });
                return;
            }
        };
        let reply = match message {
            Message::Msg(msg) => {
                let cmd = msg.command();
                let reply = match cmd.get("$db") {
                    Some(Bson::String(db)) => run(&shared, &mut conn, &db.clone(), &cmd, false).await,
                    _ => error(40571, "Location40571", "OP_MSG requests require a $db argument"),
                };
                if msg.more_to_come() {
                    continue;
                }
                Message::Msg(OpMsg::new(reply))
            }
            Message::Query(q) => {
                let reply = match q.as_command() {
                    Some((db, cmd)) => run(&shared, &mut conn, &db, &cmd, true).await,
                    None => error(
                        352,
                        "UnsupportedOpQueryCommand",
                        "OP_QUERY is only supported for the handshake on <db>.$cmd",
                    ),
                };
                Message::Reply(OpReply::command_reply(reply))
            }
            Message::Reply(_) => {
                shared.recorder.record(Event::ProtocolError { reason: "a client sent OP_REPLY".into() });
                return;
            }
        };
        let result = write_message(&mut stream, next_id, header.request_id, &reply).await;
        next_id = next_id.wrapping_add(1);
        if result.is_err() {
            return;
        }
    }
}
