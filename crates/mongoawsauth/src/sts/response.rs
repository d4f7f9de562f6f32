//! Reading STS answers: credentials from a success body, or the code and message of an error
//! body, in either of the forms STS speaks.
//!
//! - XML (the query protocol's default): `<{Action}Response><{Action}Result><Credentials>` with an
//!   ISO 8601 `Expiration`; errors as `<ErrorResponse><Error><Code>…`.
//! - JSON (`Accept: application/json`, as the MongoDB spec asks):
//!   `{"{Action}Response":{"{Action}Result":{"Credentials":{…}}}}` with `Expiration` in seconds
//!   since the epoch, possibly fractional; errors under an `"Error"` key.
//!
//! The form is sniffed from the body, not trusted from `Content-Type`. Errors are found at any
//! depth (some servers send a bare `<Error>` root). Parse failures describe what is missing or
//! malformed and never quote a value: a half-read body may hold a secret.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::{Zeroize as _, Zeroizing};

use super::request::Action;

/// Temporary credentials as STS issued them.
pub(crate) struct Issued {
    pub(crate) access_key_id: String,
    pub(crate) secret_access_key: Zeroizing<String>,
    pub(crate) session_token: Zeroizing<String>,
    pub(crate) expiration: SystemTime,
    /// `AssumedRoleUser/Arn`, when present: the identity the server will see (not a secret).
    pub(crate) assumed_role_arn: Option<String>,
}

impl std::fmt::Debug for Issued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issued")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &crate::credentials::REDACTED)
            .field("session_token", &crate::credentials::REDACTED)
            .field("expiration", &crate::time_fmt::iso8601(self.expiration))
            .field("assumed_role_arn", &self.assumed_role_arn)
            .finish()
    }
}

/// An error STS reported: its code (`InvalidIdentityToken`, `Throttling`…) and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ServiceError {
    pub(crate) code: String,
    pub(crate) message: String,
}

/// A parsed JSON answer whose strings (the issued secret key and session token, or an echoed
/// secret in an error) are wiped when it is dropped, on every path out of the parser.
struct WipedJson(serde_json::Value);

impl WipedJson {
    fn parse(body: &[u8]) -> Option<WipedJson> {
        serde_json::from_slice(body).ok().map(WipedJson)
    }
}

impl Drop for WipedJson {
    fn drop(&mut self) {
        wipe_strings(&mut self.0);
    }
}

/// Zeroes every string value of a JSON tree (keys are field names, not secrets).
fn wipe_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) => s.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(wipe_strings),
        _ => {}
    }
}

enum Form {
    Xml,
    Json,
}

/// The body without a UTF-8 byte order mark.
fn without_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(body)
}

fn sniff(body: &[u8]) -> Option<Form> {
    match without_bom(body).iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'<') => Some(Form::Xml),
        Some(b'{') => Some(Form::Json),
        _ => None,
    }
}

/// The STS error in `body`, if it is an error body in either form.
pub(crate) fn service_error(body: &[u8]) -> Option<ServiceError> {
    let body = without_bom(body);
    match sniff(body)? {
        Form::Xml => {
            let text = std::str::from_utf8(body).ok()?;
            let doc = roxmltree::Document::parse(text).ok()?;
            let error = doc.descendants().find(|n| n.is_element() && n.tag_name().name() == "Error")?;
            let child = |name: &str| {
                error
                    .children()
                    .find(|c| c.is_element() && c.tag_name().name() == name)
                    .and_then(|c| c.text())
                    .map(|t| t.trim().to_owned())
            };
            let code = child("Code").filter(|c| !c.is_empty())?;
            Some(ServiceError { code, message: child("Message").unwrap_or_default() })
        }
        Form::Json => {
            let parsed = WipedJson::parse(body)?;
            let value = &parsed.0;
            json_error(value, 0).or_else(|| {
                // The JSON protocols' shape, in case a proxy or a future STS answers with it.
                let code = value.get("__type")?.as_str()?;
                let code = code.rsplit('#').next().unwrap_or(code).trim();
                let message =
                    ["message", "Message"].iter().find_map(|k| value.get(*k)?.as_str()).unwrap_or("");
                (!code.is_empty())
                    .then(|| ServiceError { code: code.to_owned(), message: message.to_owned() })
            })
        }
    }
}

fn json_error(value: &serde_json::Value, depth: usize) -> Option<ServiceError> {
    if depth > 8 {
        return None;
    }
    match value {
        serde_json::Value::Object(map) => {
            if let Some(error) = map.get("Error").and_then(|e| e.as_object())
                && let Some(code) = error.get("Code").and_then(|c| c.as_str()).map(str::trim)
                && !code.is_empty()
            {
                let message = error.get("Message").and_then(|m| m.as_str()).unwrap_or("");
                return Some(ServiceError { code: code.to_owned(), message: message.trim().to_owned() });
            }
            map.values().find_map(|v| json_error(v, depth + 1))
        }
        serde_json::Value::Array(items) => items.iter().find_map(|v| json_error(v, depth + 1)),
        _ => None,
    }
}

/// The credentials in a success body for `action`, or a description of what is wrong with it.
pub(crate) fn credentials(action: Action, body: &[u8]) -> Result<Issued, String> {
    let body = without_bom(body);
    match sniff(body) {
        Some(Form::Xml) => from_xml(action, body),
        Some(Form::Json) => from_json(action, body),
        None => Err("the body is neither XML nor JSON".to_owned()),
    }
}

fn from_xml(action: Action, body: &[u8]) -> Result<Issued, String> {
    let text = std::str::from_utf8(body).map_err(|_| "the XML body is not UTF-8".to_owned())?;
    let doc = roxmltree::Document::parse(text).map_err(|_| "the XML body is malformed".to_owned())?;
    let response = format!("{action}Response");
    let result = format!("{action}Result");
    let root = doc.root_element();
    if root.tag_name().name() != response {
        return Err(format!("the XML body is not an {response}"));
    }
    fn child<'a, 'input>(
        node: roxmltree::Node<'a, 'input>,
        name: &str,
    ) -> Option<roxmltree::Node<'a, 'input>> {
        node.children().find(|c| c.is_element() && c.tag_name().name() == name)
    }
    let result_node = child(root, &result).ok_or_else(|| format!("the answer has no {result}"))?;
    let creds = child(result_node, "Credentials").ok_or_else(|| format!("{result} has no Credentials"))?;
    let field = |name: &str| -> Result<String, String> {
        child(creds, name)
            .and_then(|n| n.text())
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| format!("Credentials has no {name}"))
    };
    let expiration = parse_expiration_text(&field("Expiration")?)?;
    let assumed_role_arn = child(result_node, "AssumedRoleUser")
        .and_then(|u| child(u, "Arn"))
        .and_then(|n| n.text())
        .map(|t| t.trim().to_owned());
    Ok(Issued {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: Zeroizing::new(field("SecretAccessKey")?),
        session_token: Zeroizing::new(field("SessionToken")?),
        expiration,
        assumed_role_arn,
    })
}

fn from_json(action: Action, body: &[u8]) -> Result<Issued, String> {
    let parsed = WipedJson::parse(body).ok_or_else(|| "the JSON body is malformed".to_owned())?;
    let value = &parsed.0;
    let response = format!("{action}Response");
    let result = format!("{action}Result");
    // The real nesting first; the MongoDB spec's simplified `{"Credentials": …}` as a fallback.
    let result_node = value.get(&response).and_then(|r| r.get(&result)).unwrap_or(value);
    let creds = result_node
        .get("Credentials")
        .filter(|c| c.is_object())
        .ok_or_else(|| format!("the answer has no {response}.{result}.Credentials object"))?;
    let field = |name: &str| -> Result<String, String> {
        match creds.get(name) {
            Some(serde_json::Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            Some(serde_json::Value::String(_)) | None | Some(serde_json::Value::Null) => {
                Err(format!("Credentials has no {name}"))
            }
            Some(_) => Err(format!("Credentials.{name} is not a string")),
        }
    };
    let expiration = match creds.get("Expiration") {
        Some(serde_json::Value::Number(n)) => {
            epoch_seconds(n.as_f64().ok_or("Credentials.Expiration is not a number of seconds")?)?
        }
        Some(serde_json::Value::String(s)) => parse_expiration_text(s)?,
        None | Some(serde_json::Value::Null) => return Err("Credentials has no Expiration".to_owned()),
        Some(_) => return Err("Credentials.Expiration is neither a number nor a string".to_owned()),
    };
    let assumed_role_arn = result_node
        .get("AssumedRoleUser")
        .and_then(|u| u.get("Arn"))
        .and_then(|a| a.as_str())
        .map(str::to_owned);
    Ok(Issued {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: Zeroizing::new(field("SecretAccessKey")?),
        session_token: Zeroizing::new(field("SessionToken")?),
        expiration,
        assumed_role_arn,
    })
}

/// ISO 8601 (RFC 3339) as the XML form sends it, or seconds since the epoch as text.
fn parse_expiration_text(text: &str) -> Result<SystemTime, String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.into());
    }
    match text.parse::<f64>() {
        Ok(secs) => epoch_seconds(secs),
        Err(_) => Err("Credentials.Expiration is not an ISO 8601 time".to_owned()),
    }
}

/// Seconds since the epoch, possibly fractional; refuses values no credential expiry can have.
fn epoch_seconds(secs: f64) -> Result<SystemTime, String> {
    // 9999-12-31: anything later (or negative, NaN, infinite) is garbage, not an expiry.
    const MAX: f64 = 253_402_300_799.0;
    if !(secs.is_finite() && (0.0..=MAX).contains(&secs)) {
        return Err("Credentials.Expiration is out of range".to_owned());
    }
    Ok(UNIX_EPOCH + Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEB: Action = Action::AssumeRoleWithWebIdentity;
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
    const TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLETOKEN+/=";

    fn xml(expiration: &str) -> String {
        format!(
            r#"<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:app</SubjectFromWebIdentityToken>
    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Role/app1</Arn><AssumedRoleId>AROA:app1</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <SessionToken>{TOKEN}</SessionToken>
      <SecretAccessKey>{SECRET}</SecretAccessKey>
      <Expiration>{expiration}</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>"#
        )
    }

    fn json(expiration: serde_json::Value) -> Vec<u8> {
        serde_json::json!({
            "AssumeRoleWithSAMLResponse": {
                "AssumeRoleWithSAMLResult": {
                    "AssumedRoleUser": {"Arn": "arn:aws:sts::1:assumed-role/R/u", "AssumedRoleId": "x"},
                    "Credentials": {
                        "AccessKeyId": "ASIAJSON",
                        "SecretAccessKey": SECRET,
                        "SessionToken": TOKEN,
                        "Expiration": expiration,
                    }
                },
                "ResponseMetadata": {"RequestId": "r"}
            }
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn parsed_json_strings_are_wiped() {
        let mut value = serde_json::from_slice(&json(serde_json::json!(1))).unwrap();
        wipe_strings(&mut value);
        let text = value.to_string();
        assert!(
            !text.contains(SECRET) && !text.contains(TOKEN) && text.contains("\"SecretAccessKey\":\"\""),
            "{text}"
        );
        // What reaches the caller is zeroizing storage.
        let issued = credentials(Action::AssumeRoleWithSaml, &json(serde_json::json!(2e9))).unwrap();
        let _: (&Zeroizing<String>, &Zeroizing<String>) = (&issued.secret_access_key, &issued.session_token);
    }

    #[test]
    fn xml_success() {
        let issued = credentials(WEB, xml("2014-10-24T23:00:23Z").as_bytes()).unwrap();
        assert_eq!(issued.access_key_id, "ASIAEXAMPLE");
        assert_eq!(issued.secret_access_key.as_str(), SECRET);
        assert_eq!(issued.session_token.as_str(), TOKEN);
        assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_secs(1_414_191_623));
        assert_eq!(
            issued.assumed_role_arn.as_deref(),
            Some("arn:aws:sts::123456789012:assumed-role/Role/app1")
        );
        let shown = format!("{issued:?}");
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
        // Fractional seconds in the ISO form too.
        let issued = credentials(WEB, xml("2014-10-24T23:00:23.500Z").as_bytes()).unwrap();
        assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_millis(1_414_191_623_500));
    }

    #[test]
    fn json_success_with_epoch_seconds() {
        let saml = Action::AssumeRoleWithSaml;
        let issued = credentials(saml, &json(serde_json::json!(1_414_191_623))).unwrap();
        assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_secs(1_414_191_623));
        assert_eq!(issued.access_key_id, "ASIAJSON");
        assert_eq!(issued.assumed_role_arn.as_deref(), Some("arn:aws:sts::1:assumed-role/R/u"));
        let issued = credentials(saml, &json(serde_json::json!(1_414_191_623.25))).unwrap();
        assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_millis(1_414_191_623_250));
        let issued = credentials(saml, &json(serde_json::json!("2014-10-24T23:00:23Z"))).unwrap();
        assert_eq!(issued.expiration, UNIX_EPOCH + Duration::from_secs(1_414_191_623));
        // The spec's simplified shape.
        let simple = serde_json::json!({"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "s",
            "SessionToken": "t", "Expiration": 2e9}});
        assert!(credentials(WEB, simple.to_string().as_bytes()).is_ok());
        // The wrong action's nesting is not accepted as this action's answer.
        assert!(credentials(WEB, &json(serde_json::json!(1))).is_err());
    }

    #[test]
    fn missing_fields_and_garbage_are_described_without_values() {
        let no_secret =
            xml("2014-10-24T23:00:23Z").replace(&format!("<SecretAccessKey>{SECRET}</SecretAccessKey>"), "");
        let bad_expiry = xml("tomorrow");
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (no_secret.into_bytes(), "no SecretAccessKey"),
            (bad_expiry.into_bytes(), "not an ISO 8601 time"),
            (xml("2014").replace("</Credentials>", "").into_bytes(), "malformed"),
            (b"<Other/>".to_vec(), "not an AssumeRoleWithWebIdentityResponse"),
            (b"hello".to_vec(), "neither XML nor JSON"),
            (b"".to_vec(), "neither XML nor JSON"),
            (b"{\"a\":".to_vec(), "malformed"),
            (b"{}".to_vec(), "no AssumeRoleWithWebIdentityResponse"),
            (json(serde_json::json!(-5)), "out of range"),
            (json(serde_json::json!(1e300)), "out of range"),
            (json(serde_json::json!(true)), "neither a number nor a string"),
            (json(serde_json::Value::Null), "no Expiration"),
        ];
        for (body, want) in cases {
            let action =
                if body.starts_with(b"{\"AssumeRoleWithSAML") { Action::AssumeRoleWithSaml } else { WEB };
            let err = credentials(action, &body).unwrap_err();
            assert!(err.contains(want), "{err} (wanted {want})");
            assert!(!err.contains(SECRET) && !err.contains(TOKEN));
        }
    }

    #[test]
    fn errors_in_both_forms_at_any_depth() {
        let xml_error = r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>No OpenIDConnect provider found</Message></Error>
  <RequestId>r</RequestId></ErrorResponse>"#;
        let bare = "<Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>";
        let json_error = r#"{"Error":{"Code":"IDPCommunicationError","Message":"try again","Type":"Sender"},"RequestId":"r"}"#;
        let nested = r#"{"ErrorResponse":{"Error":{"Code":"AccessDenied","Message":"no"}}}"#;
        let typed = r##"{"__type":"com.amazonaws.sts#ExpiredTokenException","message":"old"}"##;
        for (body, code, message) in [
            (xml_error, "InvalidIdentityToken", "No OpenIDConnect provider found"),
            (bare, "Throttling", "Rate exceeded"),
            (json_error, "IDPCommunicationError", "try again"),
            (nested, "AccessDenied", "no"),
            (typed, "ExpiredTokenException", "old"),
        ] {
            let e = service_error(body.as_bytes()).unwrap_or_else(|| panic!("{body}"));
            assert_eq!((e.code.as_str(), e.message.as_str()), (code, message));
        }
        for not_error in
            ["", "garbage", "<a><Error>no code</Error></a>", "{\"Error\":\"x\"}", "<!DOCTYPE x><a/>"]
        {
            assert_eq!(service_error(not_error.as_bytes()), None, "{not_error}");
        }
        assert_eq!(service_error(xml("2014-10-24T23:00:23Z").as_bytes()), None);
    }
}
