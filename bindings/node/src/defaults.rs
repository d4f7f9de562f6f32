//! `defaults()`: the core's default option values and limits, in this face's names and units
//! (milliseconds), read from the core's `defaults` module rather than restated here, so the
//! documentation, the typings and the tests can point at one source.

use mongoawsauth::{ProviderConfig, defaults as core};
use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::guard;

/// The default of every option of `new Authenticator(options)` that has one, and the limits.
#[derive(Debug)]
#[napi(object, object_from_js = false)]
pub struct Defaults {
    /// `timeoutMs`: how long one credential resolution may take.
    pub timeout_ms: f64,
    /// `refreshWindowMs`: cached credentials are used while more than this remains.
    pub refresh_window_ms: f64,
    /// `refreshAheadMs`: inside this window one background refresh starts.
    pub refresh_ahead_ms: f64,
    /// `metadataConnectTimeoutMs`: connecting to IMDS or the container endpoint.
    pub metadata_connect_timeout_ms: f64,
    /// `metadataReadTimeoutMs`: reading from IMDS or the container endpoint.
    pub metadata_read_timeout_ms: f64,
    /// `stsTimeoutMs`: one STS call, retries included.
    pub sts_timeout_ms: f64,
    /// `ecsBaseUrl`: the address `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` is relative to.
    pub ecs_base_url: String,
    /// `sharedConfig`: whether `~/.aws/config` and `~/.aws/credentials` are read.
    pub shared_config: bool,
    /// The largest value of every `…Ms` option (Node's timer limit).
    pub max_timeout_ms: f64,
    /// The shortest `saml.durationSeconds` STS grants.
    pub saml_min_duration_seconds: f64,
    /// The longest `saml.durationSeconds` STS grants.
    pub saml_max_duration_seconds: f64,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The defaults and limits of the options, from the core (a fresh object at each call).
#[napi(catch_unwind)]
pub fn defaults(env: Env) -> Result<Defaults> {
    guard::sync(&env, "defaults", || {
        Ok(Defaults {
            timeout_ms: ms(core::CREDENTIALS_TIMEOUT),
            refresh_window_ms: ms(core::REFRESH_WINDOW),
            refresh_ahead_ms: ms(core::REFRESH_AHEAD),
            metadata_connect_timeout_ms: ms(core::METADATA_CONNECT_TIMEOUT),
            metadata_read_timeout_ms: ms(core::METADATA_READ_TIMEOUT),
            sts_timeout_ms: ms(core::STS_TIMEOUT),
            ecs_base_url: core::ECS_BASE_URL.to_owned(),
            shared_config: ProviderConfig::new().shared_config(),
            max_timeout_ms: core::MAX_TIMEOUT_MS as f64,
            saml_min_duration_seconds: core::SAML_MIN_DURATION.as_secs_f64(),
            saml_max_duration_seconds: core::SAML_MAX_DURATION.as_secs_f64(),
        })
    })
}
