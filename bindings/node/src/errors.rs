//! Core errors as JavaScript errors.
//!
//! The classes (`MongoAwsAuthError` and one subclass per core `ErrorKind`) are written in
//! JavaScript (`errors.js`), because napi cannot declare a subclass of `Error`. `index.js` hands
//! their factory to the addon once at load ([`set_error_factory`]); from then on every core
//! error reaches JavaScript as an instance of the right class, with
//! - `code`: the kind as a constant (`CREDENTIALS_NOT_FOUND`), `kind`: its stable number
//!   (shared with the C result codes);
//! - `attempts`: what each credential source said (source, outcome, message, elapsed time);
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
    crate::guard::sync(&env, || {
        if factory.get_type()? != napi::ValueType::Function {
            return Err(values::type_error(&env, "the error factory must be a function"));
        }
        let function = Function::<Object<'static>, Unknown<'static>>::from_unknown(factory)?;
        let reference = function.create_ref()?;
        FACTORY.with(|f| *f.borrow_mut() = Some(reference));
        Ok(())
    })
}

/// The `code` of a kind: its name in upper snake case (`credentials not found` becomes
/// `CREDENTIALS_NOT_FOUND`), so a new core kind needs no change here.
pub(crate) fn code_of(kind: mongoawsauth::ErrorKind) -> String {
    kind.as_str().to_ascii_uppercase().replace([' ', '-'], "_")
}

/// A core error as the JavaScript error to throw or reject with.
pub(crate) fn to_js(env: &Env, error: &CoreError) -> Error {
    match build(env, error) {
        Ok(value) => Error::from(value),
        // Only if the factory itself failed: still a readable error, never a crash.
        Err(_) => Error::new(Status::GenericFailure, error.to_string()),
    }
}

fn build<'env>(env: &'env Env, error: &CoreError) -> Result<Unknown<'env>> {
    let mut detail = Object::new(env)?;
    detail.set("code", code_of(error.kind()))?;
    detail.set("kind", error.kind().result_code())?;
    detail.set("message", error.to_string())?;
    let mut attempts = env.create_array(0)?;
    for attempt in error.attempts() {
        let mut item = Object::new(env)?;
        item.set("source", attempt.source.as_str())?;
        let (outcome, message, kind) = match &attempt.outcome {
            AttemptOutcome::Succeeded => ("succeeded", None, None),
            AttemptOutcome::NotConfigured(why) => ("not-configured", Some(why.as_str()), None),
            AttemptOutcome::Failed { kind, message } => {
                ("failed", Some(message.as_str()), Some(code_of(*kind)))
            }
        };
        item.set("outcome", outcome)?;
        if let Some(message) = message {
            item.set("message", message)?;
        }
        if let Some(kind) = kind {
            item.set("code", kind)?;
        }
        item.set("elapsedMs", attempt.elapsed.as_secs_f64() * 1000.0)?;
        attempts.insert(item)?;
    }
    detail.set("attempts", attempts)?;
    if let Some(cause) = js_cause(env, error)? {
        detail.set("cause", cause)?;
    }
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
            let plain = env.create_error(Error::new(Status::GenericFailure, error.to_string()))?;
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
