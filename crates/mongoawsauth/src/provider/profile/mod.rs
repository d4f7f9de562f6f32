//! What a profile of the AWS config and credentials files can name, one source per module.

pub mod assume_role;
