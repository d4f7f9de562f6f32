//! The world the credential sources read, injected so that tests never touch the process
//! environment: [`Env`] for environment variables. (Files, clock and endpoint base URLs join it
//! as the sources that need them arrive.)

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// Environment variables as the credential sources see them.
///
/// [`Env::real`] reads the process environment on every lookup (so rotated credentials are seen
/// at the next authentication, as the spec requires); [`Env::from_vars`] is a fixed map, for
/// tests and for hosts that keep their configuration elsewhere. `Debug` shows variable names
/// only, never values.
#[derive(Clone, Default)]
pub struct Env {
    map: Option<Arc<HashMap<String, String>>>,
}

impl Env {
    /// The process environment, read at each lookup.
    pub fn real() -> Self {
        Env { map: None }
    }

    /// A fixed set of variables; everything else is unset.
    pub fn from_vars<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env { map: Some(Arc::new(vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect())) }
    }

    /// The value of `name`, or `None` when it is unset or not valid UTF-8.
    pub fn get(&self, name: &str) -> Option<String> {
        match &self.map {
            Some(map) => map.get(name).cloned(),
            None => match std::env::var(name) {
                Ok(v) => Some(v),
                Err(std::env::VarError::NotPresent) => None,
                Err(std::env::VarError::NotUnicode(_)) => {
                    tracing::warn!(
                        variable = name,
                        "ignoring an environment variable that is not valid UTF-8"
                    );
                    None
                }
            },
        }
    }

    /// The value of `name` unless it is unset or blank (empty or whitespace only).
    pub fn get_non_blank(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.trim().is_empty())
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.map {
            None => f.write_str("Env::real"),
            Some(map) => {
                let mut names: Vec<&str> = map.keys().map(String::as_str).collect();
                names.sort_unstable();
                f.debug_struct("Env::from_vars").field("names", &names).finish()
            }
        }
    }
}
