//! STS's XML answer shapes (query protocol, namespace `https://sts.amazonaws.com/doc/2011-06-15/`).

const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// Escapes text for an XML element body.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape`] for the five predefined entities (enough for STS answers).
pub(crate) fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `<{action}Response><{action}Result>{result}</…><ResponseMetadata>…` where `fields` are
/// already-escaped child elements.
pub(crate) fn success(action: &str, fields: &[(&str, &str)], request_id: &str) -> String {
    let mut result = String::new();
    for (name, value) in fields {
        result.push_str(&format!("    <{name}>{}</{name}>\n", escape(value)));
    }
    format!(
        "<{action}Response xmlns=\"{NAMESPACE}\">\n  <{action}Result>\n{result}  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n"
    )
}

/// `<ErrorResponse><Error><Type>Sender</Type><Code>…` as STS sends for client errors.
pub(crate) fn error(code: &str, message: &str, request_id: &str) -> String {
    format!(
        "<ErrorResponse xmlns=\"{NAMESPACE}\">\n  <Error>\n    <Type>Sender</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{request_id}</RequestId>\n</ErrorResponse>\n",
        escape(code),
        escape(message)
    )
}

/// The text of the first `<name>…</name>` element in `xml`, unescaped.
pub(crate) fn element(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&close)?;
    Some(unescape(xml[start..start + len].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let x = success("GetCallerIdentity", &[("Arn", "arn:a<&>")], "id");
        assert!(x.contains("<Arn>arn:a&lt;&amp;&gt;</Arn>"));
        assert_eq!(element(&x, "Arn").unwrap(), "arn:a<&>");
        assert_eq!(element(&x, "RequestId").unwrap(), "id");
        let e = error("SignatureDoesNotMatch", "a 'b'", "id");
        assert_eq!(element(&e, "Code").unwrap(), "SignatureDoesNotMatch");
        assert_eq!(element(&e, "Message").unwrap(), "a 'b'");
        assert!(element("<Arn>x", "Arn").is_none());
    }
}
