//! Splitting and parsing an HTTP/1.1 message head (start line and header fields).

/// Position just past the `\r\n\r\n` ending the head, if the buffer holds a whole head.
pub(super) fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|p| p + 4)
}

/// Parses the head into its start line and header fields. Returns `None` for anything that is
/// not valid HTTP/1.1: non-UTF-8, a bad field name, a line without `:`, or obsolete line folding
/// (RFC 9112 §5.2 lets a server reject it).
pub(super) fn parse_head(head: &[u8]) -> Option<(String, Vec<(String, String)>)> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.strip_suffix("\r\n\r\n")?.split("\r\n");
    let start = lines.next()?.to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        let token = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !token {
            return None;
        }
        headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
    }
    Some((start, headers))
}

/// The single value of header `name`, or an error if it is repeated with different values.
pub(super) fn single<'a>(headers: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, ()> {
    let mut found: Option<&str> = None;
    for (n, v) in headers {
        if n.eq_ignore_ascii_case(name) {
            match found {
                Some(prev) if prev != v => return Err(()),
                _ => found = Some(v),
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let (start, h) = parse_head(b"POST / HTTP/1.1\r\nHost: a\r\nX: b \r\n\r\n").unwrap();
        assert_eq!(start, "POST / HTTP/1.1");
        assert_eq!(h, [("Host".into(), "a".into()), ("X".into(), "b".into())]);
        assert!(parse_head(b"POST / HTTP/1.1\r\nHost a\r\n\r\n").is_none());
        assert!(parse_head(b"POST / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n").is_none());
        assert!(parse_head(b"POST / HTTP/1.1\r\nX y: a\r\n\r\n").is_none());
        assert!(parse_head(b"\xff\r\n\r\n").is_none());
        assert_eq!(head_end(b"a\r\n\r\nb"), Some(5));
        assert_eq!(single(&h, "x"), Ok(Some("b")));
    }
}
