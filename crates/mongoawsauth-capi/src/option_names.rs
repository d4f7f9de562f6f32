//! The C spelling of an option the core refuses. The core's checks (`Options::validate`) name the
//! option by its concept (`Error::option`: `"sts_endpoint"`, `"credentials_timeout"`, ...), the
//! names of the shared contract (`tests/data/contract/options.json`); a C caller knows the setter
//! it called, so the message names that instead.

/// The setter that sets the option `concept` names, or `None` for a concept C has no setter for.
pub(crate) fn setter(concept: &str) -> Option<&'static str> {
    Some(match concept {
        "credentials_timeout" => "mongoawsauth_options_set_credentials_timeout_ms",
        "refresh_window" => "mongoawsauth_options_set_refresh_window_ms",
        "refresh_ahead" => "mongoawsauth_options_set_refresh_ahead_ms",
        "metadata_connect_timeout" => "mongoawsauth_options_set_metadata_connect_timeout_ms",
        "metadata_read_timeout" => "mongoawsauth_options_set_metadata_read_timeout_ms",
        "sts_timeout" => "mongoawsauth_options_set_sts_timeout_ms",
        "sts_endpoint" => "mongoawsauth_options_set_sts_endpoint",
        "imds_endpoint" => "mongoawsauth_options_set_imds_endpoint",
        "ecs_base_url" => "mongoawsauth_options_set_ecs_base_url",
        "profile" => "mongoawsauth_options_set_profile",
        "shared_config" => "mongoawsauth_options_set_shared_config",
        _ => return None,
    })
}

/// The message a C caller reads for the core's refusal of `concept`: the setter's name first, then
/// the core's sentence (which starts with the concept and says what to do), with the core's "leave
/// it unset" said the C way.
pub(crate) fn message(concept: &str, core_message: &str) -> Option<String> {
    let setter = setter(concept)?;
    let text = core_message.replace("leave it unset", &format!("do not call {setter}"));
    Some(format!("{setter} refused the value: {text}"))
}
