//! One module per subcommand. Each `run` returns the exit code, or an error message for stderr.

pub mod credentials;
pub mod demo;
pub mod diagnose;
pub mod saml;
pub mod sign;

/// What a subcommand returns: an exit code, or a message that `main` prints as `error: ...`.
pub type CommandResult = Result<std::process::ExitCode, String>;
