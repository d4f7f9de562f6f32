//! The connection-string settings parser (`mongodb://user:pass@host/?authMechanism=...&
//! authMechanismProperties=...`) and the MONGODB-AWS validation under both credential policies.
//!
//! Invariants: no panic; the password and an `AWS_SESSION_TOKEN` property never appear in the
//! settings' `Debug`, in a validation error or in the validated settings' `Debug`, unless the
//! same text is also in a field that is not secret (the username, a property name...).
#![no_main]
#![allow(clippy::unwrap_used, reason = "a fuzz target reports a broken invariant by panicking")]

#[path = "common/mod.rs"]
mod common;

use common::assert_hidden;
use libfuzzer_sys::fuzz_target;
use mongoawsauth::CredentialPolicy;
use mongoawsauth::settings::AuthSettings;

fuzz_target!(|data: &[u8]| {
    let Ok(uri) = std::str::from_utf8(data) else { return };
    let settings = match AuthSettings::from_connection_string(uri) {
        Ok(s) => s,
        Err(e) => {
            let _ = format!("{e} {e:?}");
            return;
        }
    };
    let is_token = |k: &str| k.eq_ignore_ascii_case("AWS_SESSION_TOKEN");
    let mut secrets: Vec<&str> = settings.password.iter().map(String::as_str).collect();
    secrets
        .extend(settings.mechanism_properties.iter().filter(|(k, _)| is_token(k)).map(|(_, v)| v.as_str()));
    let mut public: Vec<&str> = [&settings.username, &settings.mechanism, &settings.source]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    for (k, v) in &settings.mechanism_properties {
        public.push(k);
        if !is_token(k) {
            public.push(v);
        }
    }
    let public = public.join("\n");
    let mut shown = vec![format!("{settings:?}")];
    for policy in [CredentialPolicy::Strict, CredentialPolicy::Legacy] {
        match settings.validate(policy) {
            Ok(validated) => shown.push(format!("{validated:?}")),
            Err(e) => shown.push(format!("{e} {e:?}")),
        }
    }
    for text in &shown {
        for secret in &secrets {
            assert_hidden(text, secret, &public, "the settings or their validation");
        }
    }
});
