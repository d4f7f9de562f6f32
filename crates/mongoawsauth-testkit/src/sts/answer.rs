//! Rendering nested STS answers in either form STS speaks: XML (the default) or JSON (when the
//! request says `Accept: application/json`), where `Expiration` is ISO 8601 in XML and seconds
//! since the epoch (a double) in JSON.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::http::{HttpRequest, HttpResponse};

use super::xml::escape;

const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The form of an STS answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `text/xml`, STS's default.
    Xml,
    /// `application/json`, sent when the request accepts it.
    Json,
}

impl ResponseFormat {
    /// The form STS would answer `req` in.
    pub(crate) fn for_request(req: &HttpRequest) -> Self {
        let json = req.header("accept").is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
        if json { ResponseFormat::Json } else { ResponseFormat::Xml }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            ResponseFormat::Xml => "text/xml",
            ResponseFormat::Json => "application/json",
        }
    }

    /// A response with this form's content type.
    pub(crate) fn response(self, status: u16, body: String) -> HttpResponse {
        HttpResponse::new(status, self.content_type(), body.into_bytes())
    }
}

/// One node of an answer.
pub(crate) enum Node {
    Text(String),
    Time(OffsetDateTime),
    Group(Vec<(&'static str, Node)>),
}

/// `{action}Response` / `{action}Result` holding `result`, plus `ResponseMetadata`.
pub(crate) fn success(
    format: ResponseFormat,
    action: &str,
    result: Vec<(&'static str, Node)>,
    request_id: &str,
) -> String {
    match format {
        ResponseFormat::Xml => {
            let mut out = format!("<{action}Response xmlns=\"{NAMESPACE}\">\n  <{action}Result>\n");
            for (name, node) in &result {
                write_xml(&mut out, name, node, 2);
            }
            out.push_str(&format!(
                "  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n"
            ));
            out
        }
        ResponseFormat::Json => {
            let result = to_json(&Node::Group(result));
            serde_json::json!({
                format!("{action}Response"): {
                    format!("{action}Result"): result,
                    "ResponseMetadata": {"RequestId": request_id},
                }
            })
            .to_string()
        }
    }
}

/// An error answer: `<ErrorResponse><Error>…` or `{"Error":{…}}`.
pub(crate) fn error(
    format: ResponseFormat,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
) -> String {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    match format {
        ResponseFormat::Xml => format!(
            "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
            escape(code),
            escape(message)
        ),
        ResponseFormat::Json => serde_json::json!({
            "Error": {"Type": kind, "Code": code, "Message": message},
            "RequestId": request_id,
        })
        .to_string(),
    }
}

fn iso8601(t: OffsetDateTime) -> String {
    t.replace_nanosecond(0).unwrap_or(t).format(&Rfc3339).unwrap_or_default()
}

fn write_xml(out: &mut String, name: &str, node: &Node, depth: usize) {
    let pad = "  ".repeat(depth);
    match node {
        Node::Text(text) => out.push_str(&format!("{pad}<{name}>{}</{name}>\n", escape(text))),
        Node::Time(t) => out.push_str(&format!("{pad}<{name}>{}</{name}>\n", iso8601(*t))),
        Node::Group(children) => {
            out.push_str(&format!("{pad}<{name}>\n"));
            for (child, node) in children {
                write_xml(out, child, node, depth + 1);
            }
            out.push_str(&format!("{pad}</{name}>\n"));
        }
    }
}

fn to_json(node: &Node) -> serde_json::Value {
    match node {
        Node::Text(text) => text.clone().into(),
        // A double, as real STS sends it; always with a fraction part so that clients that only
        // read integers are caught.
        Node::Time(t) => (t.unix_timestamp() as f64 + 0.5).into(),
        Node::Group(children) => {
            serde_json::Value::Object(children.iter().map(|(k, v)| ((*k).to_owned(), to_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result() -> Vec<(&'static str, Node)> {
        vec![
            ("AssumedRoleUser", Node::Group(vec![("Arn", Node::Text("arn:a<b".into()))])),
            (
                "Credentials",
                Node::Group(vec![
                    ("AccessKeyId", Node::Text("ASIA1".into())),
                    ("Expiration", Node::Time(OffsetDateTime::from_unix_timestamp(1_414_191_623).unwrap())),
                ]),
            ),
        ]
    }

    #[test]
    fn both_forms() {
        let x = success(ResponseFormat::Xml, "AssumeRoleWithSAML", result(), "rid");
        assert!(x.starts_with("<AssumeRoleWithSAMLResponse xmlns="));
        assert!(x.contains("<Arn>arn:a&lt;b</Arn>"));
        assert!(x.contains("<Expiration>2014-10-24T23:00:23Z</Expiration>"));
        let j: serde_json::Value =
            serde_json::from_str(&success(ResponseFormat::Json, "AssumeRoleWithSAML", result(), "rid"))
                .unwrap();
        let creds = &j["AssumeRoleWithSAMLResponse"]["AssumeRoleWithSAMLResult"]["Credentials"];
        assert_eq!(creds["Expiration"].as_f64(), Some(1_414_191_623.5));
        assert_eq!(j["AssumeRoleWithSAMLResponse"]["ResponseMetadata"]["RequestId"], "rid");
        let e: serde_json::Value =
            serde_json::from_str(&error(ResponseFormat::Json, 400, "Throttling", "slow", "r")).unwrap();
        assert_eq!(
            (e["Error"]["Code"].as_str(), e["Error"]["Type"].as_str()),
            (Some("Throttling"), Some("Sender"))
        );
        let x = error(ResponseFormat::Xml, 503, "ServiceUnavailable", "a&b", "r");
        assert!(x.contains("<Type>Receiver</Type>") && x.contains("<Message>a&amp;b</Message>"));
    }
}
