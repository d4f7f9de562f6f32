//! Build-time only, with no code: depending on this crate gives the C library, the Python
//! extension and the Node addon one feature set for the dependencies they share, so that their
//! separate release builds reuse each other's compiled crates instead of compiling them again.
//! `Cargo.toml` says which features and why.
