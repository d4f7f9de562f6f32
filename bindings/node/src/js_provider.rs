//! A JavaScript function as the core's custom credential provider (the `provider` option).
//!
//! The function may be sync or async and is called with no arguments, like the driver's
//! `AWS_CREDENTIAL_PROVIDER`. It always runs on the JS thread: the core calls it from a tokio
//! task through a threadsafe function, and awaits the returned promise without blocking either
//! thread. The threadsafe function is weak, so a provider never keeps the process alive.
//!
//! What it returns is checked here, with messages that name the field and its type but never a
//! value: `{accessKeyId: string, secretAccessKey: string, sessionToken?: string,
//! expiration?: Date | number}`. A wrong shape is a `TypeError`, an expiration outside 1970 to
//! 9999 (or `NaN`, `Infinity`, an invalid Date) a `RangeError`: either is the cause of the
//! `CredentialsProviderError` the caller sees. Blank values are the core's to judge.
//!
//! The checks run inside napi's threadsafe-function and promise callbacks, which napi does not
//! guard against panics, so they run under [`guard::catch`]: a panic there would abort the
//! process.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use mongoawsauth::provider::custom::CustomProvider;
use mongoawsauth::{Credentials, Error as CoreError, ErrorKind};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, JsValue};
use zeroize::Zeroizing;

use crate::values::{self, Invalid};
use crate::{callback, guard};

/// The source name the credentials from a JavaScript provider carry.
pub(crate) const SOURCE: &str = "custom";

type ProviderFn = ThreadsafeFunction<(), ProviderReturn, (), Status, false, true>;

/// Wraps a JavaScript function (already checked to be one) as a core custom provider.
pub(crate) fn custom_provider(function: Function<(), ProviderReturn>) -> Result<CustomProvider> {
    let tsfn: Arc<ProviderFn> = Arc::new(
        function.build_threadsafe_function::<()>().callee_handled::<false>().weak::<true>().build()?,
    );
    Ok(CustomProvider::from_async_fn(move || {
        let tsfn = Arc::clone(&tsfn);
        async move { call(&tsfn).await }
    }))
}

async fn call(tsfn: &ProviderFn) -> std::result::Result<Credentials, CoreError> {
    let returned = tsfn.call_async_catch(()).await.map_err(thrown)?;
    let checked = returned.settled().await.map_err(thrown)?;
    let raw = checked.0.map_err(|invalid| {
        CoreError::new(ErrorKind::InvalidArgument, invalid.message().to_owned())
            .with_cause(JsCause::Invalid(invalid))
    })?;
    Credentials::new(
        Some(&raw.access_key_id),
        Some(&raw.secret_access_key),
        raw.session_token.as_deref().map(|t| t.as_str()),
        raw.expiration,
        SOURCE,
    )
}

/// What the provider threw or rejected with, kept whole as the cause.
pub(crate) fn thrown(error: Error) -> CoreError {
    let reason =
        if error.reason.is_empty() { "it threw without a message".to_owned() } else { error.reason.clone() };
    CoreError::new(ErrorKind::CredentialsProvider, reason)
        .with_cause(JsCause::Thrown(Mutex::new(Some(error))))
}

/// A JavaScript value carried through the core as an error's cause.
pub(crate) enum JsCause {
    /// The exception the provider threw, or the reason its promise rejected with.
    Thrown(Mutex<Option<Error>>),
    /// What was wrong with the value it returned: a `TypeError` or a `RangeError`.
    Invalid(Invalid),
}

impl JsCause {
    /// The JavaScript value: the original thrown object (once; later copies get its message),
    /// or a new `TypeError` or `RangeError`.
    pub(crate) fn to_js<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        match self {
            JsCause::Thrown(slot) => {
                let taken = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
                match taken {
                    Some(error) => Ok(JsError::from(error).into_unknown(*env)),
                    None => Ok(env
                        .create_error(Error::new(Status::GenericFailure, self.to_string()))?
                        .to_unknown()),
                }
            }
            JsCause::Invalid(invalid) => Ok(invalid.to_js(env)),
        }
    }
}

impl fmt::Display for JsCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsCause::Thrown(_) => f.write_str("the JavaScript credential provider threw"),
            JsCause::Invalid(invalid) => f.write_str(invalid.message()),
        }
    }
}

impl fmt::Debug for JsCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JsCause({self})")
    }
}

impl std::error::Error for JsCause {}

/// Credentials as a provider returned them, checked for shape only.
pub(crate) struct RawCredentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
    expiration: Option<SystemTime>,
}

/// The result of checking a returned value: credentials, or what was wrong with it.
pub(crate) struct Checked(std::result::Result<RawCredentials, Invalid>);

/// What the provider function returned: checked credentials, or a promise of them.
pub(crate) type ProviderReturn = callback::Returned<Checked>;

impl callback::CheckOnJsThread for Checked {
    fn check(value: &Unknown) -> Self {
        check(value)
    }
}

const SHAPE: &str = "the credential provider must return (or resolve to) an object with string \
                     fields accessKeyId and secretAccessKey, and optionally sessionToken (string) \
                     and expiration (a Date or epoch milliseconds)";

/// Reads credentials from any value the provider produced. Never fails and never panics: a
/// wrong value is the `TypeError` or `RangeError` the caller will see as the cause.
pub(crate) fn check(value: &Unknown) -> Checked {
    let checked = guard::catch(|| {
        if PANIC_IN_NEXT_CHECK.swap(false, Ordering::SeqCst) {
            panic!("a panic asked for by __panicForTests('provider')");
        }
        read(value)
    });
    Checked(checked.unwrap_or_else(|| Err(Invalid::Type(guard::PANIC_MESSAGE.to_owned()))))
}

/// Set by the test hook `__panicForTests('provider')`: the next check panics, so the tests can
/// prove that a panic inside napi's threadsafe-function callback does not abort the process.
pub(crate) static PANIC_IN_NEXT_CHECK: AtomicBool = AtomicBool::new(false);

fn read(value: &Unknown) -> std::result::Result<RawCredentials, Invalid> {
    let object = values::object(value, "the value the credential provider returned")
        .map_err(|why| format!("{SHAPE}; {why}"))?;
    let field = |name: &str| {
        values::property(&object, name).map_err(|_| Invalid::from(format!("reading {name} failed")))
    };
    let access_key_id = values::string(&field("accessKeyId")?, "accessKeyId")?;
    let secret_access_key = Zeroizing::new(values::string(&field("secretAccessKey")?, "secretAccessKey")?);
    let session_token = values::optional_string(&field("sessionToken")?, "sessionToken")?.map(Zeroizing::new);
    let expiration = field("expiration")?;
    let expiration = if values::is_nullish(&expiration) {
        None
    } else {
        Some(values::time(&expiration, "the expiration the credential provider returned")?)
    };
    Ok(RawCredentials { access_key_id, secret_access_key, session_token, expiration })
}
