//! The Rust face against the shared contract data (`tests/data/contract/*.json`), which the C,
//! Python and Node suites read too: error codes and result codes, attempt outcome names,
//! credentials field names, option defaults, the values every face refuses when options are
//! built, and region names.
//!
//! Names are looked up in tables of closures keyed by the names the data gives, so renaming a
//! Rust item without updating the data (or the other way round) fails here.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use mongoawsauth::credentials::APPLICATION_SOURCE;
use mongoawsauth::{
    Attempt, AttemptOutcome, Authenticator, Credentials, Env, ErrorKind, Options, ProviderConfig, defaults,
};
use serde_json::Value;

fn data(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/contract").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_of<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key].as_str().unwrap_or_else(|| panic!("{key} in {value}"))
}

fn array<'a>(value: &'a Value, key: &str) -> &'a Vec<Value> {
    value[key].as_array().unwrap_or_else(|| panic!("{key} in {value}"))
}

/// Options that read nothing from the machine: an empty environment.
fn hermetic() -> Options {
    Options::new().with_env(Env::from_vars(std::iter::empty::<(String, String)>()))
}

#[test]
fn every_error_kind_has_the_contract_name_result_code_and_description() {
    let errors = data("errors.json");
    let kinds = array(&errors, "kinds");
    let by_rust: BTreeMap<String, ErrorKind> =
        ErrorKind::ALL.iter().map(|k| (format!("{k:?}"), *k)).collect();
    assert_eq!(kinds.len(), by_rust.len(), "errors.json lists every kind, and only those");
    for entry in kinds {
        let kind = by_rust[str_of(entry, "rust")];
        let result_code = entry["result_code"].as_u64().unwrap();
        assert_eq!(kind.name(), str_of(entry, "code"), "{entry}");
        assert_eq!(u64::from(kind.result_code()), result_code, "{entry}");
        assert_eq!(ErrorKind::from_result_code(u32::try_from(result_code).unwrap()), Some(kind));
        assert_eq!(kind.description(), str_of(entry, "description"), "{entry}");
        assert_eq!(kind.as_str(), str_of(entry, "description"), "{entry}");
    }
    // A number no kind has (an unknown kind, C's success and panic) maps to no kind.
    let unknown = errors["unknown"]["result_code"].as_u64().unwrap();
    assert_eq!(ErrorKind::from_result_code(u32::try_from(unknown).unwrap()), None);
    for entry in array(&errors, "c_only") {
        let code = u32::try_from(entry["result_code"].as_u64().unwrap()).unwrap();
        assert_eq!(ErrorKind::from_result_code(code), None, "{entry}");
    }
}

#[test]
fn attempt_outcomes_and_fields_have_the_contract_names() {
    let attempts = data("attempts.json");
    let outcomes: BTreeMap<&str, AttemptOutcome> = BTreeMap::from([
        ("Succeeded", AttemptOutcome::Succeeded),
        ("NotConfigured", AttemptOutcome::NotConfigured("AWS_ROLE_ARN is not set".into())),
        (
            "Failed",
            AttemptOutcome::Failed { kind: ErrorKind::CredentialsProvider, message: "refused".into() },
        ),
    ]);
    let listed = array(&attempts, "outcomes");
    assert_eq!(listed.len(), outcomes.len());
    for entry in listed {
        assert_eq!(outcomes[str_of(entry, "rust")].name(), str_of(entry, "name"), "{entry}");
    }
    let attempt = Attempt {
        source: "web_identity".into(),
        outcome: AttemptOutcome::Succeeded,
        elapsed: Duration::from_millis(3),
    };
    type Field = fn(&Attempt) -> String;
    let fields: BTreeMap<&str, Field> = BTreeMap::from([
        ("source", (|a: &Attempt| a.source.clone()) as Field),
        ("outcome", |a: &Attempt| a.outcome.name().to_owned()),
        ("elapsed", |a: &Attempt| format!("{:?}", a.elapsed)),
    ]);
    for entry in array(&attempts, "fields") {
        let read = fields.get(str_of(entry, "rust")).unwrap_or_else(|| panic!("no Rust field for {entry}"));
        assert!(!read(&attempt).is_empty());
    }
}

#[test]
fn credentials_fields_and_the_application_source_have_the_contract_names() {
    let contract = data("credentials.json");
    assert_eq!(APPLICATION_SOURCE, str_of(&contract, "default_source"));
    assert_eq!(mongoawsauth::APPLICATION_SOURCE, APPLICATION_SOURCE);
    let expiration = UNIX_EPOCH + Duration::from_secs(1_900_000_000);
    let credentials = Credentials::builder(APPLICATION_SOURCE)
        .access_key_id("ASIACONTRACT")
        .secret_access_key("contract-secret")
        .session_token("contract-token")
        .expiration(expiration)
        .build()
        .unwrap();
    type Field = fn(&Credentials) -> String;
    let fields: BTreeMap<&str, Field> = BTreeMap::from([
        ("access_key_id", (|c: &Credentials| c.access_key_id().to_owned()) as Field),
        ("secret_access_key", |c: &Credentials| c.secret_access_key().to_owned()),
        ("session_token", |c: &Credentials| format!("{:?}", c.session_token())),
        ("expiration", |c: &Credentials| format!("{:?}", c.expiration())),
        ("is_temporary", |c: &Credentials| c.is_temporary().to_string()),
        ("source", |c: &Credentials| c.source().to_owned()),
        ("generation", |c: &Credentials| format!("{:?}", c.generation())),
    ]);
    let listed = array(&contract, "fields");
    assert_eq!(listed.len(), fields.len());
    for entry in listed {
        assert_eq!(str_of(entry, "concept"), str_of(entry, "rust"), "Rust spells every field as its concept");
        assert!(fields.contains_key(str_of(entry, "rust")), "no Rust field for {entry}");
    }
    assert_eq!(fields["expiration"](&credentials), format!("{:?}", Some(expiration)));
    assert_eq!(fields["is_temporary"](&credentials), "true");
    assert_eq!(fields["source"](&credentials), "application");

    // The deprecated Rust names still answer, with the new names' values.
    #[allow(deprecated)]
    let old: BTreeMap<&str, Option<SystemTime>> = BTreeMap::from([
        ("Credentials::expiry", credentials.expiry()),
        (
            "CredentialsBuilder::expiry",
            Credentials::builder("b")
                .access_key_id("AKIA")
                .secret_access_key("s")
                .expiry(expiration)
                .build()
                .unwrap()
                .expiration(),
        ),
    ]);
    let rust_deprecated: Vec<&Value> =
        array(&contract, "deprecated").iter().filter(|d| str_of(d, "face") == "rust").collect();
    assert_eq!(rust_deprecated.len(), old.len());
    for entry in rust_deprecated {
        assert_eq!(old[str_of(entry, "old")], Some(expiration), "{entry}");
    }
}

/// Every Rust setter the data names, by that name, applying a contract value.
enum Input<'a> {
    Ms(u64),
    Text(&'a str),
    Flag(bool),
}

fn setter(rust: &str) -> fn(Options, &Input<'_>) -> Options {
    fn ms(input: &Input<'_>) -> Duration {
        match input {
            Input::Ms(ms) => Duration::from_millis(*ms),
            _ => panic!("a duration option given something else"),
        }
    }
    fn text(input: &Input<'_>) -> String {
        match input {
            Input::Text(text) => (*text).to_owned(),
            _ => panic!("a text option given something else"),
        }
    }
    fn config(o: &Options) -> ProviderConfig {
        o.provider_config().clone()
    }
    match rust {
        "with_credentials_timeout" => |o, v| o.with_credentials_timeout(ms(v)),
        "with_refresh_window" => |o, v| o.with_refresh_window(ms(v)),
        "with_refresh_ahead" => |o, v| o.with_refresh_ahead(ms(v)),
        "with_metadata_connect_timeout" => {
            |o, v| o.clone().with_provider_config(config(&o).with_metadata_connect_timeout(ms(v)))
        }
        "with_metadata_read_timeout" => {
            |o, v| o.clone().with_provider_config(config(&o).with_metadata_read_timeout(ms(v)))
        }
        "with_sts_timeout" => |o, v| o.clone().with_provider_config(config(&o).with_sts_timeout(ms(v))),
        "with_sts_endpoint" => |o, v| o.clone().with_provider_config(config(&o).with_sts_endpoint(text(v))),
        "with_imds_endpoint" => |o, v| o.clone().with_provider_config(config(&o).with_imds_endpoint(text(v))),
        "with_ecs_base_url" => |o, v| o.clone().with_provider_config(config(&o).with_ecs_base_url(text(v))),
        "with_profile" => |o, v| o.with_profile(text(v)),
        "with_shared_config" => |o, v| match v {
            Input::Flag(enabled) => o.with_shared_config(*enabled),
            _ => panic!("a switch given something else"),
        },
        other => panic!("options.json names a Rust setter {other} that does not exist"),
    }
}

/// The options of options.json by concept, with their Rust setter.
fn options_by_concept(contract: &Value) -> BTreeMap<String, &Value> {
    array(contract, "options").iter().map(|o| (str_of(o, "concept").to_owned(), o)).collect()
}

#[test]
fn defaults_are_the_contract_defaults() {
    let contract = data("options.json");
    let options = Options::new();
    let config = ProviderConfig::new();
    type Read = Box<dyn Fn() -> (Duration, Duration)>;
    let actual: BTreeMap<&str, Read> = BTreeMap::from([
        (
            "credentials_timeout",
            Box::new(move || (options.credentials_timeout(), defaults::CREDENTIALS_TIMEOUT)) as Read,
        ),
        ("refresh_window", Box::new(|| (Options::new().refresh_window(), defaults::REFRESH_WINDOW))),
        ("refresh_ahead", Box::new(|| (Options::new().refresh_ahead(), defaults::REFRESH_AHEAD))),
        (
            "metadata_connect_timeout",
            Box::new(|| {
                (ProviderConfig::new().metadata_connect_timeout(), defaults::METADATA_CONNECT_TIMEOUT)
            }),
        ),
        (
            "metadata_read_timeout",
            Box::new(|| (ProviderConfig::new().metadata_read_timeout(), defaults::METADATA_READ_TIMEOUT)),
        ),
        ("sts_timeout", Box::new(|| (ProviderConfig::new().sts_timeout(), defaults::STS_TIMEOUT))),
    ]);
    let mut seen = 0;
    for (concept, entry) in options_by_concept(&contract) {
        if let Some(ms) = entry["default_ms"].as_u64() {
            let (built, constant) = actual[concept.as_str()]();
            assert_eq!(built, Duration::from_millis(ms), "{concept}: the built default");
            assert_eq!(constant, Duration::from_millis(ms), "{concept}: mongoawsauth::defaults");
            seen += 1;
        }
        setter(str_of(entry, "rust"));
    }
    assert_eq!(seen, actual.len(), "every duration default is in options.json");
    let by_concept = options_by_concept(&contract);
    assert_eq!(config.ecs_base_url(), str_of(by_concept["ecs_base_url"], "default"));
    assert_eq!(defaults::ECS_BASE_URL, str_of(by_concept["ecs_base_url"], "default"));
    assert_eq!(Some(config.shared_config()), by_concept["shared_config"]["default"].as_bool());
    let saml = &contract["saml_duration_s"];
    assert_eq!(Some(defaults::SAML_MIN_DURATION.as_secs()), saml["min"].as_u64());
    assert_eq!(Some(defaults::SAML_MAX_DURATION.as_secs()), saml["max"].as_u64());
    assert_eq!(defaults::MAX_TIMEOUT, Duration::from_millis((1 << 31) - 1));
}

/// The contract value of a case, when it has a meaning in Rust: `None` for a type mistake only
/// dynamic faces can make, and for a negative duration, which a `Duration` cannot hold.
fn rust_input(case: &Value) -> Option<Input<'_>> {
    if let Some(faces) = case["faces"].as_array()
        && !faces.iter().any(|f| f == "rust")
    {
        return None;
    }
    if let Some(ms) = case.get("value_ms") {
        return ms.as_u64().map(Input::Ms);
    }
    if let Some(flag) = case["value"].as_bool() {
        return Some(Input::Flag(flag));
    }
    Some(Input::Text(case["value"].as_str().unwrap_or_else(|| panic!("a text value in {case}"))))
}

#[test]
fn invalid_options_are_refused_when_the_authenticator_is_built_and_valid_ones_accepted() {
    let contract = data("options.json");
    let by_concept = options_by_concept(&contract);
    let set = |case: &Value| -> Option<Options> {
        let input = rust_input(case)?;
        let concept = str_of(case, "concept");
        Some(setter(str_of(by_concept[concept], "rust"))(hermetic(), &input))
    };
    let mut refused = 0;
    for case in array(&contract["invalid"], "cases") {
        let Some(options) = set(case) else { continue };
        let e = Authenticator::new(options.clone()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{case}: {e}");
        assert_eq!(e.option(), Some(str_of(case, "concept")), "{case}: {e}");
        assert!(e.message().starts_with(str_of(case, "concept")), "{case}: {e}");
        assert_eq!(options.validate().unwrap_err(), e, "validate() is what new() runs");
        refused += 1;
    }
    assert!(refused >= 7, "the Rust-meaningful invalid cases ran ({refused})");
    for case in array(&contract["invalid"], "valid") {
        let options = set(case).unwrap_or_else(|| panic!("{case} has a Rust meaning"));
        Authenticator::new(options).unwrap_or_else(|e| panic!("{case}: {e}"));
    }
    // The shared maximum, for every timeout and window.
    for (concept, entry) in &by_concept {
        if entry.get("default_ms").is_none() {
            continue;
        }
        let apply = setter(str_of(entry, "rust"));
        Authenticator::new(apply(hermetic(), &Input::Ms(defaults::MAX_TIMEOUT_MS))).unwrap();
        let e = Authenticator::new(apply(hermetic(), &Input::Ms(defaults::MAX_TIMEOUT_MS + 1))).unwrap_err();
        assert_eq!((e.kind(), e.option()), (ErrorKind::InvalidArgument, Some(concept.as_str())), "{e}");
    }
}

#[test]
fn region_names_are_checked_when_the_sts_endpoint_is_chosen() {
    let contract = data("options.json");
    let regions = &contract["regions"];
    let resolve = |region: &str| {
        let config = ProviderConfig::new().with_env(Env::from_vars([("AWS_REGION", region)]));
        mongoawsauth::sts::resolve_endpoint(&config)
    };
    for region in array(regions, "valid") {
        let region = region.as_str().unwrap();
        let endpoint = resolve(region).unwrap_or_else(|e| panic!("{region}: {e}"));
        assert!(endpoint.url().starts_with(&format!("https://sts.{region}.")), "{}", endpoint.url());
    }
    for region in array(regions, "invalid") {
        let region = region.as_str().unwrap();
        let e = resolve(region).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Configuration, "{region}: {e}");
        assert!(e.message().contains("AWS_REGION"), "{region}: {e}");
    }
}
