//! The stable C ABI of libmongoawsauth.
//!
//! This crate is a thin translation layer over the `mongoawsauth` core crate: argument checks,
//! conversion between C and Rust values, error mapping and ownership. No authentication logic
//! lives here. The documentation C programmers read is `include/mongoawsauth.h`, generated from
//! the doc comments in these files by a pinned cbindgen (`make header`), and `docs/c-api.md`.
//!
//! One concern per module, in the order the header presents them:
//!
//! | module | C API |
//! | --- | --- |
//! | `version` | `mongoawsauth_version*` |
//! | `result` | `mongoawsauth_result_t` codes, `mongoawsauth_result_name`, `mongoawsauth_result_str` |
//! | `error` | `mongoawsauth_error_t` and its attempt list |
//! | `bytes` | `mongoawsauth_bytes_t`, the library-owned payload buffers |
//! | `credentials` | `mongoawsauth_credentials_t` |
//! | `options` | `mongoawsauth_options_t` and its setters |
//! | `provider_callback` | the host's credentials provider callback |
//! | `authenticator` | `mongoawsauth_authenticator_t`, blocking fetches |
//! | `fetch_callback` | credential fetches that complete through a callback |
//! | `resolution` | `mongoawsauth_resolution_t`: a fetch and whether the cache served it |
//! | `conversation` | `mongoawsauth_conversation_t`, the SASL payloads |
//! | `settings` | `mongoawsauth_settings_t`, connection-string validation |
//! | `saml` | `mongoawsauth_saml_t`, an authenticator over STS `AssumeRoleWithSAML` |
//! | `diagnostics` | `mongoawsauth_diagnose`, `mongoawsauth_diagnosis_t` |
//! | `runtime` | `mongoawsauth_cleanup` |
//! | `cache` | the spec's cache test hooks, near the end of the header under their own banner |
//! | `deprecated` | the 0.1 names renamed in 0.2.0, kept for one release, last under their banner |
//!
//! Reporting a failed login (`mongoawsauth_authenticator_report_failure`) lives with the
//! authenticator, and the generation it takes with the credentials and the conversation.
//!
//! Infrastructure: `panic` (the boundary every exported body runs in), `ffi` (the only place
//! raw pointers are cast, dereferenced, boxed or freed), `units` (durations in C's units),
//! `option_names` (the core's option names as C setters, for error messages).

#![allow(non_camel_case_types)]
// Every exported function is `unsafe` because it takes raw pointers, and they all share one
// contract, stated once in the header's overview ("Pointer arguments") rather than repeated as a
// `# Safety` section on every function of the C documentation.
#![allow(clippy::missing_safety_doc)]

#[macro_use]
mod panic;
mod ffi;
mod option_names;
mod units;

pub mod version;

pub mod result;

pub mod error;

pub mod bytes;

pub mod credentials;

pub mod options;

pub mod provider_callback;

pub mod authenticator;

pub mod fetch_callback;

pub mod resolution;

pub mod conversation;

pub mod settings;

pub mod saml;

pub mod diagnostics;

pub mod runtime;

// Near the end: its functions follow the "Test hooks" banner.
pub mod cache;

// Last: the deprecated names close the header under their own banner.
pub mod deprecated;
