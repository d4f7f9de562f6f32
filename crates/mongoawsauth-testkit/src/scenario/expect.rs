//! What a scenario's resolution must end in.

use serde_json::Value;

/// A successful login and what it must show.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedLogin {
    /// The name of the source that supplied the credentials.
    pub source: Option<String>,
    /// The exact ARN the fake mongod authenticated (placeholders allowed).
    pub arn: Option<String>,
    /// A prefix of that ARN, for sessions with generated names (placeholders allowed).
    pub arn_prefix: Option<String>,
    /// The access key id of the credentials (placeholders allowed).
    pub access_key_id: Option<String>,
    /// Whether the credentials carry a session token.
    pub temporary: Option<bool>,
}

/// The end of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Credentials were found and a login with them through the fake mongod succeeded.
    Login(ExpectedLogin),
    /// The resolution failed.
    Error {
        /// Substrings the error's message must contain (placeholders allowed).
        contains: Vec<String>,
        /// The error kind, as the C and binding faces name it (`configuration`,
        /// `credentials_not_found`, ...), when the scenario pins it.
        kind: Option<String>,
    },
}

impl Expect {
    /// Reads `{"login": {...}}` or `{"error": {"contains": [...], "kind": "..."}}`.
    pub(crate) fn from_json(v: &Value) -> Result<Expect, String> {
        let object = v.as_object().ok_or("\"expect\" must be an object")?;
        let str_field = |o: &serde_json::Map<String, Value>, k: &str| -> Result<Option<String>, String> {
            match o.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(format!("expect: {k} must be a string")),
            }
        };
        match (object.get("login"), object.get("error")) {
            (Some(login), None) => {
                let o = login.as_object().ok_or("expect.login must be an object")?;
                for k in o.keys() {
                    if !["source", "arn", "arn_prefix", "access_key_id", "temporary"].contains(&k.as_str()) {
                        return Err(format!("expect.login: unknown key {k:?}"));
                    }
                }
                let temporary = match o.get("temporary") {
                    None => None,
                    Some(Value::Bool(b)) => Some(*b),
                    Some(_) => return Err("expect.login.temporary must be a boolean".into()),
                };
                Ok(Expect::Login(ExpectedLogin {
                    source: str_field(o, "source")?,
                    arn: str_field(o, "arn")?,
                    arn_prefix: str_field(o, "arn_prefix")?,
                    access_key_id: str_field(o, "access_key_id")?,
                    temporary,
                }))
            }
            (None, Some(error)) => {
                let o = error.as_object().ok_or("expect.error must be an object")?;
                let contains = match o.get("contains") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|i| i.as_str().map(str::to_owned).ok_or("expect.error.contains: strings"))
                        .collect::<Result<Vec<_>, _>>()?,
                    Some(Value::String(s)) => vec![s.clone()],
                    _ => return Err("expect.error.contains (a string or a list) is required".into()),
                };
                Ok(Expect::Error { contains, kind: str_field(o, "kind")? })
            }
            _ => Err("expect: exactly one of \"login\" or \"error\"".into()),
        }
    }
}
