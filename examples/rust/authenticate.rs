//! Log in to a MongoDB server with MONGODB-AWS using the mongoawsauth crate: the same scenario as
//! examples/c/authenticate.c, examples/python/authenticate.py and examples/node/authenticate.js.
//! The SASL conversation by hand, then `connectionStatus` to show the IAM ARN the server
//! authenticated.
//!
//! The testkit's small wire client stands in for a driver's connection. Credentials come from
//! the spec's default chain; here, from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (for
//! temporary credentials) AWS_SESSION_TOKEN.
//!
//! Usage: MONGOD_ADDRESS=127.0.0.1:27017 cargo run -p mongoawsauth --example authenticate

use std::process::ExitCode;

use bson::{Bson, doc};
use mongoawsauth::{Authenticator, Options, conversation};
use mongoawsauth_testkit::Client;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(arn) => {
            println!("{arn}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("authentication failed: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<String, String> {
    let address = std::env::var("MONGOD_ADDRESS").unwrap_or_else(|_| "127.0.0.1:27017".to_owned());
    // One authenticator per client; it is cheap to clone and safe to share.
    let auth = Authenticator::new(Options::new()).map_err(|e| e.to_string())?;
    // One conversation per connection. Credentials are resolved before saslStart, so a slow
    // source never holds a server-side conversation open.
    let mut conversation = auth.conversation().await.map_err(|e| e.to_string())?;
    let mut connection = Client::connect(address.as_str()).await.map_err(|e| e.to_string())?;

    let first = conversation.client_first().map_err(|e| e.to_string())?;
    let outcome = async {
        let reply =
            connection.sasl_start(conversation::MECHANISM, &first).await.map_err(|e| e.to_string())?;
        let last = conversation.client_final(&reply.payload).map_err(|e| e.to_string())?;
        connection.sasl_continue(reply.conversation_id, &last).await.map_err(|e| e.to_string())
    }
    .await;
    if let Err(message) = outcome {
        // The spec: a failed login must drop the cached credentials it used (a no-op for
        // environment credentials, which are never cached).
        auth.report_failed_conversation(&conversation);
        return Err(message);
    }

    let status =
        connection.command("admin", doc! { "connectionStatus": 1 }).await.map_err(|e| e.to_string())?;
    let user = status
        .get_document("authInfo")
        .and_then(|info| info.get_array("authenticatedUsers"))
        .ok()
        .and_then(|users| users.first())
        .and_then(|user| match user {
            Bson::Document(user) => user.get_str("user").ok(),
            _ => None,
        });
    user.map(str::to_owned).ok_or_else(|| "the server reported no authenticated user".to_owned())
}
