//! `options.saml`: the core's STS `AssumeRoleWithSAML` source, behind the process-wide cache.
//!
//! `{roleArn, principalArn, assertion | assertionFile, durationSeconds?, policy?}`. The
//! assertion is a base64 SAML response: a string, a function returning one (sync or async,
//! called on the JS thread at every fetch, because assertions live for minutes), or a file
//! re-read at every fetch. The core checks the ARNs, the duration and the policy; this module
//! only reads the JavaScript values, with the same `TypeError`/`RangeError` rules as every other
//! option, and never puts the assertion in a message.

use std::sync::Arc;
use std::time::Duration;

use mongoawsauth::defaults::{SAML_MAX_DURATION, SAML_MIN_DURATION};
use mongoawsauth::provider::saml::AssertionSource;
pub(crate) use mongoawsauth::provider::saml::SamlOptions;
use mongoawsauth::{Authenticator, Error as CoreError, ErrorKind, Options};
use napi::ValueType;
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use zeroize::Zeroizing;

use crate::values::{self, Invalid};
use crate::{callback, guard, js_provider};

const KEYS: &[&str] = &["roleArn", "principalArn", "assertion", "assertionFile", "durationSeconds", "policy"];

/// Reads `options.saml` (an object; the caller has checked it is present) into the core's
/// description of a SAML source, on the JS thread.
pub(crate) fn read(value: &Unknown) -> std::result::Result<SamlOptions, Invalid> {
    let object = values::object(value, "options.saml")?;
    let keys =
        values::keys(&object).map_err(|_| Invalid::from("options.saml could not be read".to_owned()))?;
    if let Some(key) = keys.iter().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(Invalid::Type(format!(
            "options.saml.{key} is not a SAML option; they are {}",
            KEYS.join(", ")
        )));
    }
    let get = |name: &str| -> std::result::Result<Option<Unknown>, Invalid> {
        let value = values::property(&object, name)
            .map_err(|_| Invalid::from(format!("options.saml.{name} could not be read")))?;
        Ok((!values::is_nullish(&value)).then_some(value))
    };
    let string = |name: &str| -> std::result::Result<Option<String>, Invalid> {
        Ok(get(name)?.map(|v| values::string(&v, &format!("options.saml.{name}"))).transpose()?)
    };
    let role_arn = string("roleArn")?
        .ok_or_else(|| Invalid::Type("options.saml.roleArn must be a string, got undefined".to_owned()))?;
    let principal_arn = string("principalArn")?.ok_or_else(|| {
        Invalid::Type("options.saml.principalArn must be a string, got undefined".to_owned())
    })?;
    let assertion = match (get("assertion")?, string("assertionFile")?) {
        (Some(_), Some(_)) => {
            return Err(Invalid::Type(
                "give options.saml.assertion or options.saml.assertionFile, not both".to_owned(),
            ));
        }
        (None, None) => {
            return Err(Invalid::Type(
                "options.saml needs assertion (a string, or a function returning one) or assertionFile"
                    .to_owned(),
            ));
        }
        (None, Some(path)) => AssertionSource::from_file(path),
        (Some(a), None) => match a.get_type() {
            Ok(ValueType::String) => {
                let text = Arc::new(Zeroizing::new(values::string(&a, "options.saml.assertion")?));
                AssertionSource::from_fn(move || Ok(String::clone(&text)))
            }
            Ok(ValueType::Function) => {
                let function = Function::<(), AssertionReturn>::from_unknown(a)
                    .map_err(|_| Invalid::from("options.saml.assertion could not be read".to_owned()))?;
                callback_source(function)
                    .map_err(|_| Invalid::from("options.saml.assertion could not be wrapped".to_owned()))?
            }
            _ => {
                return Err(Invalid::Type(format!(
                    "options.saml.assertion must be a string or a function returning one, got {}",
                    values::type_name(&a)
                )));
            }
        },
    };
    let mut saml = SamlOptions::new(role_arn, principal_arn, assertion);
    saml.duration = get("durationSeconds")?.map(|v| whole_seconds(&v)).transpose()?;
    saml.policy = string("policy")?;
    Ok(saml)
}

/// `durationSeconds`: a whole, non-negative number that fits the conversion; the core judges
/// the range STS allows (900 to 43200) and says so.
fn whole_seconds(value: &Unknown) -> std::result::Result<Duration, Invalid> {
    const WHAT: &str = "options.saml.durationSeconds";
    if value.get_type().ok() != Some(ValueType::Number) {
        return Err(Invalid::Type(format!(
            "{WHAT} must be a number of seconds, got {}",
            values::type_name(value)
        )));
    }
    let secs = value
        .coerce_to_number()
        .and_then(|n| n.get_double())
        .map_err(|_| Invalid::Type(format!("{WHAT} could not be read")))?;
    if !(secs.is_finite() && secs.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&secs)) {
        return Err(Invalid::Range(format!(
            "{WHAT} must be a whole number of seconds from {} to {} (15 minutes to 12 hours)",
            SAML_MIN_DURATION.as_secs(),
            SAML_MAX_DURATION.as_secs()
        )));
    }
    Ok(Duration::from_secs(secs as u64))
}

/// The authenticator over the SAML source, configured by the rest of the options (environment,
/// STS endpoint and timeout, refresh windows, credentials timeout): the core's
/// `Authenticator::saml` does the checks and the cache wrapping.
pub(crate) fn authenticator(
    saml: SamlOptions,
    options: &Options,
) -> std::result::Result<Authenticator, CoreError> {
    Authenticator::saml(saml, options.clone())
}

type AssertionFn = ThreadsafeFunction<(), AssertionReturn, (), Status, false, true>;

/// A JavaScript function as the assertion source: called on the JS thread through a weak
/// threadsafe function (it never keeps the process alive), its promise awaited without
/// blocking any thread.
fn callback_source(function: Function<(), AssertionReturn>) -> Result<AssertionSource> {
    let tsfn: Arc<AssertionFn> = Arc::new(
        function.build_threadsafe_function::<()>().callee_handled::<false>().weak::<true>().build()?,
    );
    Ok(AssertionSource::from_async_fn(move || {
        let tsfn = Arc::clone(&tsfn);
        async move { call(&tsfn).await }
    }))
}

async fn call(tsfn: &AssertionFn) -> std::result::Result<String, CoreError> {
    let returned = tsfn.call_async_catch(()).await.map_err(js_provider::thrown)?;
    let checked = returned.settled().await.map_err(js_provider::thrown)?;
    checked
        .0
        .map(|assertion| String::clone(&assertion))
        .map_err(|why| CoreError::new(ErrorKind::InvalidArgument, why.message().to_owned()))
}

/// A checked assertion, or what was wrong with the value.
pub(crate) struct Checked(std::result::Result<Zeroizing<String>, Invalid>);

/// What the assertion function returned: a checked assertion, or a promise of one.
pub(crate) type AssertionReturn = callback::Returned<Checked>;

impl callback::CheckOnJsThread for Checked {
    fn check(value: &Unknown) -> Self {
        check(value)
    }
}

fn check(value: &Unknown) -> Checked {
    // Guarded: this runs inside napi's threadsafe-function and promise callbacks, where a panic
    // would abort the process.
    guard::catch(|| {
        values::string(value, "the value the SAML assertion function returned").map(Zeroizing::new).map_err(
            |why| {
                Invalid::Type(format!(
                    "the SAML assertion function must return (or resolve to) a base64 string; {why}"
                ))
            },
        )
    })
    .map_or_else(|| Checked(Err(Invalid::Type(guard::PANIC_MESSAGE.to_owned()))), Checked)
}
