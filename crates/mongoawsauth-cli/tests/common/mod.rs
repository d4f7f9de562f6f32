//! How the CLI tests run the built binary: a cleared environment with nothing but what each test
//! adds, HOME and the AWS files pointed at an empty place, and the library confined to loopback.

use std::process::Command;

/// The built `mongoawsauth` binary.
pub const BIN: &str = env!("CARGO_BIN_EXE_mongoawsauth");

/// A command for the binary with a clean environment. IMDS is *not* disabled here: tests that do
/// not point it at a stand-in add `AWS_EC2_METADATA_DISABLED=true` themselves (and the loopback
/// switch refuses the real address regardless).
pub fn clean_command(args: &[&str]) -> Command {
    let home = std::env::temp_dir().join("mongoawsauth-cli-test-home");
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env("MONGOAWSAUTH_LOOPBACK_ONLY", "1")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"));
    command
}
