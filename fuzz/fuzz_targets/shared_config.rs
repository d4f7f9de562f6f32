//! The AWS shared config and credentials files: both texts parsed and merged
//! (`SharedConfig::from_texts`), then the selected profile and every named profile resolved into
//! a plan, with its endpoint settings.
//!
//! The input is the config file's text, a NUL byte, the credentials file's text, a NUL byte, and
//! the profile to select (each part optional; invalid UTF-8 is replaced, as a lossy reader would).
//!
//! Invariants: no panic; a value written as `aws_secret_access_key = ...` (or a session token)
//! never appears in an error, a notice or a `Debug` string, unless the same text is also
//! written elsewhere (say, as a profile name that an error may quote).
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use std::path::Path;

use common::assert_hidden;
use libfuzzer_sys::fuzz_target;
use mongoawsauth::Env;
use mongoawsauth::shared_config::value::is_secret_key;
use mongoawsauth::shared_config::{
    EndpointSettings, ProfileEndpoints, SelectedProfile, SharedConfig, resolve,
};

/// The values written on a line `secret_key = value`, and everything else in the texts (which
/// messages may quote: profile names, other settings) plus `elsewhere` (the profile name). Only
/// lines that start in the first column: an indented line continues the value above it (or is a
/// sub-property), so its text belongs to that value and may be shown with it.
fn split_secrets(texts: &[&str], elsewhere: &str) -> (Vec<String>, String) {
    let mut secrets = Vec::new();
    let mut public = elsewhere.to_owned();
    for text in texts {
        for line in text.lines() {
            match line.split_once('=') {
                Some((key, value))
                    if !line.starts_with([' ', '\t']) && is_secret_key(&key.trim().to_ascii_lowercase()) =>
                {
                    public.push_str(key);
                    secrets.push(value.to_owned());
                }
                _ => public.push_str(line),
            }
            public.push('\n');
        }
    }
    (secrets, public)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\0');
    let config_text = parts.next().unwrap_or("");
    let credentials_text = parts.next();
    let profile = parts.next();
    let (secrets, public) =
        split_secrets(&[config_text, credentials_text.unwrap_or("")], profile.unwrap_or(""));
    let mut shown: Vec<String> = Vec::new();
    let config = SharedConfig::from_texts(
        Some((Path::new("/fuzz/.aws/config"), config_text)),
        credentials_text.map(|t| (Path::new("/fuzz/.aws/credentials"), t)),
    );
    match config {
        Err(e) => shown.push(format!("{e} {e:?}")),
        Ok(config) => {
            shown.push(format!("{config:?}"));
            shown.extend(config.notices().iter().map(|n| format!("{n:?}")));
            let env = Env::from_vars::<[(&str, &str); 0], _, _>([]);
            let mut names: Vec<Option<String>> = vec![profile.map(str::to_owned)];
            names.extend(config.profile_names().take(8).map(|n| Some(n.to_owned())));
            for name in names {
                let selected = SelectedProfile::select(&env, name.as_deref());
                match resolve(&config, &selected) {
                    Ok(resolution) => shown.push(format!("{resolution:?}")),
                    Err(e) => shown.push(format!("{e} {e:?}")),
                }
                if let Ok(Some(section)) = config.selected(&selected) {
                    shown.push(section.describe());
                    let endpoints = ProfileEndpoints::read(&config, section);
                    match EndpointSettings::resolve(&env, Some(&endpoints)) {
                        Ok(settings) => {
                            shown.push(format!("{settings:?}"));
                            if let Err(e) = settings.sts_endpoint(None) {
                                shown.push(e.to_string());
                            }
                        }
                        Err(e) => shown.push(e.to_string()),
                    }
                }
            }
        }
    }
    for text in &shown {
        for secret in &secrets {
            assert_hidden(text, secret, &public, "the shared config");
        }
    }
});
