//! The endpoint settings of the container and IMDS sources: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`,
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_EC2_METADATA_SERVICE_ENDPOINT` (with its mode),
//! turned into the URL a fetch would use. Computing it sends nothing.
//!
//! The input is the variable's value; its first byte picks the variable.
//!
//! Invariants: no panic; the URL shown (or the error) never carries the user information's
//! password or the query string, which may hold a secret.
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use common::assert_hidden;
use libfuzzer_sys::fuzz_target;
use mongoawsauth::provider::container::ContainerProvider;
use mongoawsauth::provider::imds::ImdsProvider;
use mongoawsauth::{Env, ProviderConfig};

/// The parts of a URL that may hold a secret and must never be shown, and the parts that may.
fn parts(url: &str) -> (Vec<String>, String) {
    let Ok(url) = url::Url::parse(url) else { return (Vec::new(), String::new()) };
    let public =
        format!("{} {} {} {}", url.scheme(), url.username(), url.host_str().unwrap_or(""), url.path());
    let hidden =
        [url.password(), url.query(), url.fragment()].into_iter().flatten().map(str::to_owned).collect();
    (hidden, public)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(value) = std::str::from_utf8(rest) else { return };
    let base = "http://169.254.170.2";
    let (var, full) = match selector % 4 {
        // Joined as the library joins it, with exactly one slash.
        0 => (
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            format!("{base}/{}", value.trim().trim_start_matches('/')),
        ),
        1 => ("AWS_CONTAINER_CREDENTIALS_FULL_URI", value.trim().to_owned()),
        2 => ("AWS_EC2_METADATA_SERVICE_ENDPOINT", value.trim().to_owned()),
        _ => ("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", String::new()),
    };
    let config = ProviderConfig::new().with_env(Env::from_vars([(var, value)]));
    let shown = if var.starts_with("AWS_CONTAINER") {
        match ContainerProvider::with_config(config).endpoint() {
            Ok(url) => url,
            Err(e) => e.to_string(),
        }
    } else {
        match ImdsProvider::with_config(config).endpoint() {
            Ok(url) => url,
            Err(e) => e.to_string(),
        }
    };
    let (hidden, public) = parts(&full);
    for part in hidden {
        assert_hidden(&shown, &part, &public, var);
    }
});
