//! `mongoawsauth demo` (filled in once the stand-ins land).

use super::CommandResult;

/// Arguments of `demo`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs the demo.
pub async fn run(_args: Args) -> CommandResult {
    Err("not yet".into())
}
