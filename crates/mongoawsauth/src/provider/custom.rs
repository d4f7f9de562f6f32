//! A credential source written by the application: the Rust spelling of the MongoDB spec's
//! `AWS_CREDENTIAL_PROVIDER` mechanism property.
//!
//! Reads nothing itself. The callback is called on every credential request; caching is its own
//! business, as the spec leaves it. A sync callback runs on tokio's blocking pool, so a callback
//! that does I/O never stalls the async runtime. A panicking callback becomes an error.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::credentials::Credentials;
use crate::error::{Error, ErrorKind};

use super::{ProvideCredentials, ProvideFuture, ProviderError};

/// The name this source reports unless given another.
pub const NAME: &str = "custom";

type SyncFn = dyn Fn() -> Result<Credentials, Error> + Send + Sync;
type AsyncFn = dyn Fn() -> Pin<Box<dyn Future<Output = Result<Credentials, Error>> + Send>> + Send + Sync;

#[derive(Clone)]
enum Callback {
    Sync(Arc<SyncFn>),
    Async(Arc<AsyncFn>),
}

/// A credential source backed by an application callback.
#[derive(Clone)]
pub struct CustomProvider {
    name: String,
    callback: Callback,
}

impl CustomProvider {
    /// Wraps a blocking callback. The chain asks it before every other source, on every login;
    /// an error from it is the login's error (the chain does not fall through to other sources).
    ///
    /// ```
    /// use mongoawsauth::provider::custom::CustomProvider;
    /// use mongoawsauth::{Authenticator, Credentials, Options};
    ///
    /// let vault = CustomProvider::from_fn(|| {
    ///     Credentials::builder("vault")
    ///         .access_key_id("AKIAEXAMPLE")
    ///         .secret_access_key("example-secret")
    ///         .build()
    /// })
    /// .named("vault");
    /// let auth = Authenticator::new(Options::new().with_custom_provider(vault))?;
    /// # drop(auth);
    /// # Ok::<(), mongoawsauth::Error>(())
    /// ```
    pub fn from_fn<F>(f: F) -> Self
    where
        F: Fn() -> Result<Credentials, Error> + Send + Sync + 'static,
    {
        CustomProvider { name: NAME.to_owned(), callback: Callback::Sync(Arc::new(f)) }
    }

    /// Wraps an async callback.
    pub fn from_async_fn<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Credentials, Error>> + Send + 'static,
    {
        CustomProvider { name: NAME.to_owned(), callback: Callback::Async(Arc::new(move || Box::pin(f()))) }
    }

    /// Renames the source in diagnostics (default `"custom"`).
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    async fn call(&self) -> Result<Credentials, ProviderError> {
        let joined = match &self.callback {
            Callback::Sync(f) => {
                let f = Arc::clone(f);
                tokio::task::spawn_blocking(move || f()).await
            }
            Callback::Async(f) => {
                // Abort the task if this call is dropped (a deadline passed), so a hung
                // callback does not keep running for every login that timed out.
                let mut task = AbortOnDrop(tokio::spawn(f()));
                (&mut task.0).await
            }
        };
        match joined {
            Ok(Ok(credentials)) => Ok(credentials),
            Ok(Err(e)) => Err(ProviderError::Failed(
                Error::new(
                    ErrorKind::CredentialsProvider,
                    format!("the custom credential provider returned an error: {}", e.message()),
                )
                // The callback's own error (and through it the host's exception) stays reachable,
                // so a binding can give its caller the original as the cause.
                .with_cause(e),
            )),
            Err(join) if join.is_panic() => Err(ProviderError::Failed(Error::new(
                ErrorKind::CredentialsProvider,
                "the custom credential provider panicked; fix the callback so it returns an error \
                 instead",
            ))),
            Err(_) => Err(ProviderError::Failed(Error::new(
                ErrorKind::Runtime,
                "the custom credential provider was cancelled because the runtime is shutting down",
            ))),
        }
    }
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl ProvideCredentials for CustomProvider {
    fn name(&self) -> &str {
        &self.name
    }

    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.call())
    }
}

impl fmt::Debug for CustomProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.callback {
            Callback::Sync(_) => "sync",
            Callback::Async(_) => "async",
        };
        f.debug_struct("CustomProvider").field("name", &self.name).field("callback", &kind).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Result<Credentials, Error> {
        Credentials::new(Some("AKIA1"), Some("secret"), None, None, "mine")
    }

    #[tokio::test]
    async fn sync_and_async_callbacks() {
        let c = CustomProvider::from_fn(creds).provide_credentials().await.unwrap();
        assert_eq!(c.source(), "mine");
        let c = CustomProvider::from_async_fn(|| async { creds() }).provide_credentials().await.unwrap();
        assert_eq!(c.access_key_id(), "AKIA1");
    }

    #[tokio::test]
    async fn errors_and_panics_become_failures() {
        let p = CustomProvider::from_fn(|| Err(Error::new(ErrorKind::CredentialsProvider, "vault down")));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(!err.is_not_configured());
        assert!(err.to_string().contains("vault down"));
        let cause = err.error().cause().and_then(|c| c.downcast_ref::<Error>()).unwrap();
        assert_eq!(cause.message(), "vault down");
        let p = CustomProvider::from_fn(|| panic!("boom"));
        let err = p.provide_credentials().await.unwrap_err();
        assert!(err.to_string().contains("panicked"));
        let p = CustomProvider::from_async_fn(|| async { panic!("boom") });
        let err = p.provide_credentials().await.unwrap_err();
        assert!(err.to_string().contains("panicked"));
    }
}
