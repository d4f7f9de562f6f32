//! The line grammar of the AWS profile files, as the AWS SDKs share it (the cross-SDK profile
//! parser test suite that the Rust, Java and JavaScript SDKs run):
//!
//! - only space and tab are whitespace;
//! - a line that is empty, or whose first character is `#` or `;`, is skipped;
//! - `[...]` starts a section; on that line `#` or `;` starts a comment anywhere;
//! - `key = value` (split at the first `=`): key and value trimmed, the key lower-cased; in a
//!   value, `#` or `;` starts a comment only after whitespace (`a = b ;c` is `b`, `a = b;c` is
//!   `b;c`), so URLs and keys with those characters survive;
//! - a line that starts with whitespace continues the property above it: appended to its value
//!   after a `\n`; when that property's own value is empty, each continuation line must be a
//!   `key = value` sub-property (`s3 =\n  max_concurrent_requests = 10`).
//!
//! A property before any section, a line that is not `key = value`, a continuation with no
//! property above it and a header without its closing `]` are errors naming the file and line.
//! No error quotes the line: it may hold a secret.
//!
//! Where botocore (Python's `configparser`) reads differently, this parser follows the shared
//! rules, with one exception: an indented comment line inside a sub-property block is skipped
//! (botocore skips it; the Rust SDK rejects the file), because refusing a file the AWS CLI accepts
//! would stop a login for no benefit. The other differences are listed in docs/configuration.md.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::Error;

const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// One section as written, before the file's naming rules are applied.
#[derive(Debug)]
pub(crate) struct RawSection {
    /// The text between the brackets, trimmed of whitespace (comment removed).
    pub(crate) header: String,
    pub(crate) line: usize,
    pub(crate) properties: Vec<RawProperty>,
}

/// One property as written. The value is zeroized on drop: it may be a secret.
pub(crate) struct RawProperty {
    pub(crate) key: String,
    pub(crate) value: Zeroizing<String>,
    pub(crate) line: usize,
    /// `Some` when the first line's value was empty: the nested `key = value` lines.
    pub(crate) sub_properties: Option<Vec<(String, String, usize)>>,
}

impl std::fmt::Debug for RawProperty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawProperty")
            .field("key", &self.key)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// Parses one file's text. `path` is only used in error messages.
pub(crate) fn parse(text: &str, path: &Path) -> Result<Vec<RawSection>, Error> {
    let err =
        |line: usize, what: &str| Error::configuration(format!("{} line {line}: {what}", path.display()));
    // A UTF-8 byte order mark (Windows editors write one) is not part of the first header.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<RawSection> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let header = strip_comment(line, false);
            let Some(inner) = header.strip_prefix('[').and_then(|h| h.strip_suffix(']')) else {
                return Err(err(
                    number,
                    "a section header must end with ']' (only a comment may follow it): write \
                     [profile NAME] or [NAME]",
                ));
            };
            sections.push(RawSection {
                header: inner.trim_matches(WHITESPACE).to_owned(),
                line: number,
                properties: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(err(
                number,
                "a setting comes before any section header: put it under [default] or [profile NAME]",
            ));
        };
        if line.starts_with(WHITESPACE) {
            let Some(property) = section.properties.last_mut() else {
                return Err(err(
                    number,
                    "an indented line continues a setting, but none comes before it in this section: \
                     remove the indentation or the line",
                ));
            };
            let trimmed = line.trim_matches(WHITESPACE);
            match &mut property.sub_properties {
                Some(subs) => {
                    if trimmed.starts_with(COMMENT) {
                        continue;
                    }
                    let (key, value) = split_property(trimmed).map_err(|what| {
                        err(number, &format!("a nested setting {what}: write it as `name = value`"))
                    })?;
                    subs.push((key, value.to_owned(), number));
                }
                None => {
                    property.value.push('\n');
                    property.value.push_str(trimmed);
                }
            }
            continue;
        }
        let (key, value) = split_property(line)
            .map_err(|what| err(number, &format!("a setting {what}: write it as `name = value`")))?;
        let sub_properties = value.is_empty().then(Vec::new);
        section.properties.push(RawProperty {
            key,
            value: Zeroizing::new(value.to_owned()),
            line: number,
            sub_properties,
        });
    }
    Ok(sections)
}

/// Splits `key = value` after removing a trailing comment; the key is lower-cased.
fn split_property(line: &str) -> Result<(String, &str), &'static str> {
    let line = strip_comment(line, true);
    let (key, value) = line.split_once('=').ok_or("has no '='")?;
    let key = key.trim_matches(WHITESPACE);
    if key.is_empty() {
        return Err("has no name before '='");
    }
    Ok((key.to_ascii_lowercase(), value.trim_matches(WHITESPACE)))
}

/// Trims `line` and cuts it at the first comment character (only one preceded by whitespace
/// when `need_whitespace`).
fn strip_comment(line: &str, need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut previous_whitespace = false;
    for (index, c) in line.char_indices() {
        if COMMENT.contains(&c) && (previous_whitespace || !need_whitespace) {
            return line[..index].trim_matches(WHITESPACE);
        }
        previous_whitespace = WHITESPACE.contains(&c);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Vec<RawSection> {
        parse(text, Path::new("/h/.aws/config")).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    /// Sections as (header, [(key, value)]) for compact assertions.
    fn flat(text: &str) -> Vec<(String, Vec<(String, String)>)> {
        parse_ok(text)
            .into_iter()
            .map(|s| {
                let props = s.properties.iter().map(|p| (p.key.clone(), p.value.to_string())).collect();
                (s.header, props)
            })
            .collect()
    }

    fn one(header: &str, props: &[(&str, &str)]) -> Vec<(String, Vec<(String, String)>)> {
        vec![(header.to_owned(), props.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())]
    }

    #[test]
    fn grammar_table() {
        type Props<'a> = &'a [(&'a str, &'a str)];
        let rows: &[(&str, &str, Props<'_>)] = &[
            ("[default]\nregion = eu-west-1", "default", &[("region", "eu-west-1")]),
            ("[default]\nregion=eu-west-1", "default", &[("region", "eu-west-1")]),
            ("[ profile  dev ]\na = b", "profile  dev", &[("a", "b")]),
            ("[default] # a comment\na = b", "default", &[("a", "b")]),
            ("[default];comment\na = b", "default", &[("a", "b")]),
            ("[default]\n# whole line\n; whole line\na = b", "default", &[("a", "b")]),
            // Inline comments in values need whitespace before them.
            ("[default]\na = b ;c", "default", &[("a", "b")]),
            ("[default]\na = b #c", "default", &[("a", "b")]),
            ("[default]\na = b;c", "default", &[("a", "b;c")]),
            ("[default]\na = b#c", "default", &[("a", "b#c")]),
            ("[default]\na = http://h/#frag", "default", &[("a", "http://h/#frag")]),
            // Only the first '=' splits: base64 padding survives.
            ("[default]\nk = YWJj==", "default", &[("k", "YWJj==")]),
            // Keys are lower-cased, values keep their case.
            (
                "[default]\nAWS_Access_Key_ID = AKIDEXAMPLE",
                "default",
                &[("aws_access_key_id", "AKIDEXAMPLE")],
            ),
            // Blank values are kept (they count as unset later).
            ("[default]\nregion =", "default", &[("region", "")]),
            ("[default]\nregion =    ", "default", &[("region", "")]),
            // Continuations join with \n.
            ("[default]\na = b\n  c\n\td", "default", &[("a", "b\nc\nd")]),
            ("[default]\na = b\n  # c", "default", &[("a", "b\n# c")]),
            // Blank lines between continuations do not end the property.
            ("[default]\na = b\n\n  c", "default", &[("a", "b\nc")]),
            // Whitespace other than space and tab is not whitespace here.
            ("[default]\na = b\u{a0}", "default", &[("a", "b\u{a0}")]),
            ("\u{feff}[default]\na = b", "default", &[("a", "b")]),
            ("[default]\r\na = b\r\n", "default", &[("a", "b")]),
            ("[default]\na = 🐱 b", "default", &[("a", "🐱 b")]),
        ];
        for (text, header, props) in rows {
            assert_eq!(flat(text), one(header, props), "{text:?}");
        }
    }

    #[test]
    fn sub_properties_are_parsed_and_keep_their_lines() {
        let sections = parse_ok(
            "[services s]\nsts =\n  endpoint_url = http://127.0.0.1:1\n  # note\n  Region = x\ns3 = v\n",
        );
        let sts = &sections[0].properties[0];
        assert_eq!(sts.key, "sts");
        assert_eq!(
            sts.sub_properties.as_deref(),
            Some(
                &[
                    ("endpoint_url".to_owned(), "http://127.0.0.1:1".to_owned(), 3),
                    ("region".to_owned(), "x".to_owned(), 5)
                ][..]
            )
        );
        assert!(sections[0].properties[1].sub_properties.is_none());
    }

    #[test]
    fn errors_name_the_file_and_line_never_the_text() {
        let rows: &[(&str, usize, &str)] = &[
            ("aws_secret_access_key = SECRET1", 1, "before any section"),
            ("[default]\nSECRET2", 2, "has no '='"),
            ("[default]\n= SECRET3", 2, "no name"),
            ("[default\nk = v", 1, "must end with ']'"),
            ("[default]x\nk = v", 1, "must end with ']'"),
            ("[default]\n  SECRET4 = v", 2, "none comes before it"),
            ("[default]\ns3 =\n  SECRET5\n", 3, "nested setting has no '='"),
            ("  SECRET6 = x", 1, "before any section"),
        ];
        for (text, line, what) in rows {
            let e = parse(text, Path::new("/h/.aws/credentials")).unwrap_err();
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("/h/.aws/credentials line {line}: ")), "{msg}");
            assert!(msg.contains(what), "{msg}");
            assert!(!msg.contains("SECRET"), "{msg}");
        }
    }

    #[test]
    fn strip_comment_rules() {
        assert_eq!(strip_comment("name = value # Comment with # sign", true), "name = value");
        assert_eq!(strip_comment("name = value#Comment # sign", true), "name = value#Comment");
        assert_eq!(strip_comment("name = value#Comment # sign", false), "name = value");
        assert_eq!(strip_comment("a =\t;c", true), "a =");
    }
}
