//! Splitting a `credential_process` value into a program and its arguments, without a shell.
//!
//! botocore splits the value with Python's `shlex` in POSIX mode and runs the words directly
//! (on Windows it uses the rules of the C runtime's command-line parser instead). We follow it:
//! quoting works as in a POSIX shell, but nothing is expanded (`$HOME`, `~`, `*` and backquotes
//! stay literal) and nothing is interpreted (`|`, `;`, `&&`, `>` are ordinary characters). A user
//! who needs a pipeline writes `sh -c '…'` explicitly, which every SDK runs the same way.

use std::fmt;

/// Why a command could not be split. Messages never quote the command (its arguments may carry
/// a secret).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SplitError {
    /// The value is empty or only whitespace.
    Empty,
    /// A `'` or `"` is never closed.
    UnclosedQuote(char),
    /// The value ends with a lone backslash.
    TrailingBackslash,
}

impl fmt::Display for SplitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SplitError::Empty => f.write_str("is empty"),
            SplitError::UnclosedQuote(q) => write!(f, "has a {q} that is never closed"),
            SplitError::TrailingBackslash => f.write_str("ends with a lone backslash"),
        }
    }
}

/// Splits `command` with the POSIX quoting rules `shlex.split` uses: whitespace separates words;
/// inside `'…'` every character is literal; inside `"…"` a backslash escapes only `"` and `\`;
/// elsewhere a backslash escapes any character; quoted parts join the word around them.
pub(crate) fn split_posix(command: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    // A word exists once anything (even an empty `''`) was seen, so `''` is an empty argument.
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::UnclosedQuote('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::UnclosedQuote('"')),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::UnclosedQuote('"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(SplitError::TrailingBackslash),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.first().is_none_or(|w| w.is_empty()) {
        return Err(SplitError::Empty);
    }
    Ok(words)
}

/// Splits `command` with the rules Windows programs apply to their command line (the ones
/// botocore follows there): whitespace separates words, `"` toggles quoting, and backslashes are
/// literal except before a `"`, where `2n` backslashes give `n` and a quote that toggles, and
/// `2n+1` give `n` and a literal `"`. Single quotes are ordinary, so `C:\Program Files` paths
/// keep their backslashes.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn split_windows(command: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let mut count = 1;
                while chars.peek() == Some(&'\\') {
                    chars.next();
                    count += 1;
                }
                in_word = true;
                if chars.peek() == Some(&'"') {
                    word.extend(std::iter::repeat_n('\\', count / 2));
                    if count % 2 == 1 {
                        chars.next();
                        word.push('"');
                    }
                } else {
                    word.extend(std::iter::repeat_n('\\', count));
                }
            }
            '"' => {
                in_word = true;
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if quoted {
        return Err(SplitError::UnclosedQuote('"'));
    }
    if in_word {
        words.push(word);
    }
    if words.first().is_none_or(|w| w.is_empty()) {
        return Err(SplitError::Empty);
    }
    Ok(words)
}

/// Splits with the rules of the platform this library runs on.
pub(crate) fn split(command: &str) -> Result<Vec<String>, SplitError> {
    if cfg!(windows) { split_windows(command) } else { split_posix(command) }
}

/// The program's file name without its directory, for messages and logs: never its arguments,
/// which may carry a secret.
pub(crate) fn program_label(program: &str) -> String {
    let name = program.rsplit(['/', '\\']).next().unwrap_or(program);
    let name: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
    if name.is_empty() { "(unnamed program)".to_owned() } else { name }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn posix(s: &str) -> Vec<String> {
        split_posix(s).unwrap()
    }

    #[test]
    fn posix_words_quotes_and_escapes() {
        assert_eq!(posix("/opt/bin/helper --role dev"), ["/opt/bin/helper", "--role", "dev"]);
        assert_eq!(posix("  a \t b\n c  "), ["a", "b", "c"]);
        assert_eq!(posix(r#""/opt/my tools/helper" 'two words' "#), ["/opt/my tools/helper", "two words"]);
        assert_eq!(posix(r#"a"b c"d"#), ["ab cd"]);
        assert_eq!(posix(r#"x '' "" y"#), ["x", "", "", "y"]);
        assert_eq!(posix(r#""a\"b" "c\\d" "e\f""#), [r#"a"b"#, r"c\d", r"e\f"]);
        assert_eq!(posix(r"a\ b c\'d"), ["a b", "c'd"]);
        assert_eq!(posix(r#"'it''s' 'a\b' '"'"#), ["its", r"a\b", "\""]);
    }

    #[test]
    fn posix_expands_and_interprets_nothing() {
        assert_eq!(
            posix("helper $HOME ~ * `id` a|b ; c && d > e"),
            ["helper", "$HOME", "~", "*", "`id`", "a|b", ";", "c", "&&", "d", ">", "e"]
        );
    }

    #[test]
    fn posix_errors() {
        assert_eq!(split_posix(""), Err(SplitError::Empty));
        assert_eq!(split_posix("   \t"), Err(SplitError::Empty));
        assert_eq!(split_posix("'' arg"), Err(SplitError::Empty));
        assert_eq!(split_posix("helper 'secret"), Err(SplitError::UnclosedQuote('\'')));
        assert_eq!(split_posix("helper \"secret"), Err(SplitError::UnclosedQuote('"')));
        assert_eq!(split_posix("helper \"secret\\"), Err(SplitError::UnclosedQuote('"')));
        assert_eq!(split_posix("helper \\"), Err(SplitError::TrailingBackslash));
        // The message never quotes the command.
        assert!(!split_posix("helper 'hunter2").unwrap_err().to_string().contains("hunter2"));
    }

    #[test]
    fn windows_rules() {
        let w = |s: &str| split_windows(s).unwrap();
        assert_eq!(
            w(r#""C:\Program Files\helper.exe" --x 'a b'"#),
            [r"C:\Program Files\helper.exe", "--x", "'a", "b'"]
        );
        assert_eq!(w(r#"a\\\"b c\\"d e" f\g"#), [r#"a\"b"#, r"c\d e", r"f\g"]);
        assert_eq!(w(r#"x "" y"#), ["x", "", "y"]);
        assert_eq!(split_windows(r#"a "b"#), Err(SplitError::UnclosedQuote('"')));
        assert_eq!(split_windows(" "), Err(SplitError::Empty));
    }

    #[test]
    fn labels_name_the_program_only() {
        assert_eq!(program_label("/usr/local/bin/aws-vault"), "aws-vault");
        assert_eq!(program_label(r"C:\Tools\helper.exe"), "helper.exe");
        assert_eq!(program_label("helper"), "helper");
        assert_eq!(program_label("/dir/"), "(unnamed program)");
        assert_eq!(program_label("a\u{7}b"), "ab");
    }
}
