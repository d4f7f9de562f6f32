//! `application/x-www-form-urlencoded` decoding, for STS action parameters.

use percent_encoding::percent_decode_str;

/// Decodes `a=1&b=x+y` into pairs; `+` is a space, invalid UTF-8 is replaced.
pub(crate) fn parse_form(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert_eq!(
            parse_form("Action=GetCallerIdentity&Version=2011-06-15&R=a%3Ab+c&&x"),
            [
                ("Action".into(), "GetCallerIdentity".into()),
                ("Version".into(), "2011-06-15".into()),
                ("R".into(), "a:b c".into()),
                ("x".into(), String::new()),
            ]
        );
        assert!(parse_form("%ff=%").len() == 1);
    }
}
