//! Core errors as JavaScript errors.
//!
//! The classes (`MongoAwsAuthError` and one subclass per core `ErrorKind`) are written in
//! JavaScript (`errors.js`), because napi cannot declare a subclass of `Error`. `index.js` hands
//! their factory to the addon once at load ([`set_error_factory`]); from then on every core
//! error reaches JavaScript as an instance of the right class, with
//! - `code`: the kind's name, the same in every face (`CREDENTIALS_NOT_FOUND`), and
//!   `resultCode`: its stable number (the C result code); `kind`, the old name of
//!   `resultCode`, is a deprecated getter of the JavaScript class;
//! - `attempts`: what each credential source said (source, outcome as the core names it,
//!   message, the error code of a failure, elapsed time in milliseconds);
//! - `cause`: what a JavaScript credential provider threw, as the very object it threw, or the
//!   `TypeError` describing what it returned instead of credentials.
//!
//! The message is the core's, which never contains a secret.

use std::cell::RefCell;

use mongoawsauth::{AttemptOutcome, Error as CoreError};
use napi::bindgen_prelude::*;
use napi::{Env, JsValue, Status};
use napi_derive::napi;

use crate::js_provider::JsCause;
use crate::values;

type Factory = FunctionRef<Object<'static>, Unknown<'static>>;

thread_local! {
    // One per JS thread: each worker thread loads its own copy of the classes.
    static FACTORY: RefCell<Option<Factory>> = const { RefCell::new(None) };
}

/// Registers the function that builds error objects. Called once by `index.js`.
#[napi(js_name = "__setErrorFactory", skip_typescript, catch_unwind)]
pub fn set_error_factory(env: Env, factory: Unknown) -> Result<()> {
    crate::guard::sync(&env, "__setErrorFactory", || {
        if factory.get_type()? != napi::ValueType::Function {
            return Err(values::type_error(&env, "the error factory must be a function"));
        }
        let function = Function::<Object<'static>, Unknown<'static>>::from_unknown(factory)?;
        let reference = function.create_ref()?;
        FACTORY.with(|f| *f.borrow_mut() = Some(reference));
        Ok(())
    })
}

/// A core error as the JavaScript error to throw or reject with.
pub(crate) fn to_js(env: &Env, error: &CoreError) -> Error {
    match build(env, error) {
        Ok(value) => Error::from(value),
        // Only if the factory itself failed: still a readable error, never a crash.
        Err(_) => Error::new(Status::GenericFailure, error.to_string()),
    }
}

/// A core error as a JavaScript error object ([`to_js`] throws it, `testing.error` returns it).
pub(crate) fn build<'env>(env: &'env Env, error: &CoreError) -> Result<Unknown<'env>> {
    let kind = error.kind();
    let mut detail = describe(env, kind.name(), kind.result_code(), &error.to_string())?;
    let mut attempts = env.create_array(0)?;
    for attempt in error.attempts() {
        let mut item = Object::new(env)?;
        item.set("source", attempt.source.as_str())?;
        item.set("outcome", attempt.outcome.name())?;
        let (message, code) = match &attempt.outcome {
            AttemptOutcome::Succeeded => (None, None),
            AttemptOutcome::NotConfigured(why) => (Some(why.as_str()), None),
            AttemptOutcome::Failed { kind, message } => (Some(message.as_str()), Some(kind.name())),
        };
        if let Some(message) = message {
            item.set("message", message)?;
        }
        if let Some(code) = code {
            item.set("code", code)?;
        }
        item.set("elapsedMs", attempt.elapsed.as_secs_f64() * 1000.0)?;
        attempts.insert(item)?;
    }
    detail.set("attempts", attempts)?;
    if let Some(cause) = js_cause(env, error)? {
        detail.set("cause", cause)?;
    }
    make(env, detail, &error.to_string())
}

/// The error for a result code no kind of this core has (a newer library's): the base class,
/// code `UNKNOWN`, the number kept as `resultCode`.
pub(crate) fn build_unknown<'env>(env: &'env Env, result_code: u32, message: &str) -> Result<Unknown<'env>> {
    let mut detail = describe(env, UNKNOWN, result_code, message)?;
    detail.set("attempts", env.create_array(0)?)?;
    make(env, detail, message)
}

/// The `code` of an error whose result code no kind has.
pub(crate) const UNKNOWN: &str = "UNKNOWN";

fn describe<'env>(env: &'env Env, code: &str, result_code: u32, message: &str) -> Result<Object<'env>> {
    let mut detail = Object::new(env)?;
    detail.set("code", code)?;
    detail.set("resultCode", result_code)?;
    detail.set("message", message)?;
    Ok(detail)
}

/// Hands `detail` to the factory `index.js` registered.
fn make<'env>(env: &'env Env, detail: Object<'env>, message: &str) -> Result<Unknown<'env>> {
    let made = FACTORY.with(|f| -> Result<Option<Unknown<'env>>> {
        let slot = f.borrow();
        let Some(factory) = slot.as_ref() else { return Ok(None) };
        let function = factory.borrow_back(env)?;
        // SAFETY of the lifetime widening below is napi's: the factory's parameters are declared
        // `'static` only because a `FunctionRef` has to name one; the call happens right here.
        let detail: Object<'static> = Object::from_unknown(detail.to_unknown())?;
        let value = function.call(detail)?;
        Ok(Some(Unknown::from_unknown(value)?))
    })?;
    match made {
        Some(value) => Ok(value),
        None => {
            // index.js always registers the factory; a bare addon still gets a plain Error.
            let plain = env.create_error(Error::new(Status::GenericFailure, message.to_owned()))?;
            Ok(plain.to_unknown())
        }
    }
}

/// The JavaScript value behind a core error's cause chain, if one came from JavaScript.
fn js_cause<'env>(env: &'env Env, error: &CoreError) -> Result<Option<Unknown<'env>>> {
    let mut next = error.cause();
    while let Some(cause) = next {
        if let Some(js) = cause.downcast_ref::<JsCause>() {
            return js.to_js(env).map(Some);
        }
        next = cause.downcast_ref::<CoreError>().and_then(CoreError::cause);
    }
    Ok(None)
}
