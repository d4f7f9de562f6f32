//! Where the two shared files are: `AWS_CONFIG_FILE` (default `~/.aws/config`) and
//! `AWS_SHARED_CREDENTIALS_FILE` (default `~/.aws/credentials`).
//!
//! `~` is expanded only as the whole path or a leading `~/` (also `~\` on Windows), from `HOME`,
//! then on Windows `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`, as the AWS SDKs do. A variable set
//! to an empty string names no file at all: botocore and the Rust SDK both read nothing then, and
//! the MongoDB specification suggests `AWS_SHARED_CREDENTIALS_FILE=""` as the way to keep a
//! driver from picking up the credentials file. This is the one place where a blank variable does
//! not count as unset.

use std::fmt;
use std::path::PathBuf;

use crate::config::Env;

/// The variable naming the config file.
pub const CONFIG_FILE_VAR: &str = "AWS_CONFIG_FILE";
/// The variable naming the credentials file.
pub const CREDENTIALS_FILE_VAR: &str = "AWS_SHARED_CREDENTIALS_FILE";

/// Which of the two files.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileKind {
    /// `~/.aws/config`: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`.
    Config,
    /// `~/.aws/credentials`: `[NAME]` sections only.
    Credentials,
}

impl FileKind {
    /// The variable that names this file.
    pub fn variable(self) -> &'static str {
        match self {
            FileKind::Config => CONFIG_FILE_VAR,
            FileKind::Credentials => CREDENTIALS_FILE_VAR,
        }
    }

    /// The default path, relative to the home directory.
    fn default_relative(self) -> &'static str {
        match self {
            FileKind::Config => ".aws/config",
            FileKind::Credentials => ".aws/credentials",
        }
    }

    /// How a profile section header is written in this file.
    pub fn profile_header(self, name: &str) -> String {
        match (self, name) {
            (FileKind::Config, "default") => "[default]".to_owned(),
            (FileKind::Config, _) => format!("[profile {name}]"),
            (FileKind::Credentials, _) => format!("[{name}]"),
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Config => "config file",
            FileKind::Credentials => "credentials file",
        })
    }
}

/// Where one file is, or why there is none to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// Read this path. `from_variable` says whether the variable named it or it is the default.
    Path {
        /// The path, with `~` expanded.
        path: PathBuf,
        /// True when the file's variable named it.
        from_variable: bool,
    },
    /// The variable is set to an empty string: no file is read.
    Disabled,
    /// The path starts with `~` and no home directory is known (`HOME` is unset): no file is read.
    NoHome {
        /// The path as written.
        written: String,
    },
}

impl Location {
    /// The path to read, if any.
    pub fn path(&self) -> Option<&PathBuf> {
        match self {
            Location::Path { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// Where the config and credentials files are, given the environment. `windows` selects the
/// Windows home-directory rules (pass `cfg!(windows)`).
///
/// ```
/// use mongoawsauth::Env;
/// use mongoawsauth::shared_config::{FileKind, locate};
/// let env = Env::from_vars([("HOME", "/home/u"), ("AWS_CONFIG_FILE", "~/work/aws-config")]);
/// let config = locate(&env, FileKind::Config, false);
/// assert_eq!(config.path().unwrap().to_str(), Some("/home/u/work/aws-config"));
/// let credentials = locate(&env, FileKind::Credentials, false);
/// assert_eq!(credentials.path().unwrap().to_str(), Some("/home/u/.aws/credentials"));
/// ```
pub fn locate(env: &Env, kind: FileKind, windows: bool) -> Location {
    let (written, from_variable) = match env.get(kind.variable()) {
        Some(v) if v.is_empty() => return Location::Disabled,
        Some(v) => (v, true),
        None => (format!("~/{}", kind.default_relative()), false),
    };
    match expand_home(&written, env, windows) {
        Some(path) => Location::Path { path, from_variable },
        None => Location::NoHome { written },
    }
}

/// `written` with a leading `~` replaced by the home directory, or `None` when it needs one and
/// none is known. Only `~` alone and `~/…` (`~\…` on Windows) are expanded; `~user/…` is left as
/// written, as the SDKs do.
fn expand_home(written: &str, env: &Env, windows: bool) -> Option<PathBuf> {
    let rest = if written == "~" {
        Some("")
    } else if let Some(rest) = written.strip_prefix("~/") {
        Some(rest)
    } else if windows {
        written.strip_prefix("~\\")
    } else {
        None
    };
    let Some(rest) = rest else { return Some(PathBuf::from(written)) };
    let home = home_dir(env, windows)?;
    Some(if rest.is_empty() { home } else { home.join(rest) })
}

/// The home directory: `HOME`, then on Windows `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`.
pub fn home_dir(env: &Env, windows: bool) -> Option<PathBuf> {
    if let Some(home) = env.get_non_blank("HOME") {
        return Some(PathBuf::from(home));
    }
    if !windows {
        return None;
    }
    if let Some(profile) = env.get_non_blank("USERPROFILE") {
        return Some(PathBuf::from(profile));
    }
    match (env.get_non_blank("HOMEDRIVE"), env.get_non_blank("HOMEPATH")) {
        (Some(drive), Some(path)) => Some(PathBuf::from(format!("{drive}{path}"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path_of(vars: &[(&str, &str)], kind: FileKind, windows: bool) -> Location {
        locate(&Env::from_vars(vars.iter().copied()), kind, windows)
    }

    fn p(s: &str) -> Location {
        Location::Path { path: PathBuf::from(s), from_variable: false }
    }

    fn v(s: &str) -> Location {
        Location::Path { path: PathBuf::from(s), from_variable: true }
    }

    type Vars<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn location_table() {
        use FileKind::{Config, Credentials};
        let rows: &[(Vars<'_>, FileKind, bool, Location)] = &[
            (&[("HOME", "/h")], Config, false, p("/h/.aws/config")),
            (&[("HOME", "/h")], Credentials, false, p("/h/.aws/credentials")),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "/etc/aws")], Config, false, v("/etc/aws")),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "~/x/c")], Config, false, v("/h/x/c")),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "~")], Config, false, v("/h")),
            // `~user` and a `~` later in the path are not expanded.
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "~bob/c")], Config, false, v("~bob/c")),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "a/~/c")], Config, false, v("a/~/c")),
            (&[("HOME", "/h"), (CREDENTIALS_FILE_VAR, "")], Credentials, false, Location::Disabled),
            // A relative path stays relative (to the working directory), as in the SDKs.
            (&[(CREDENTIALS_FILE_VAR, "creds")], Credentials, false, v("creds")),
            (&[], Config, false, Location::NoHome { written: "~/.aws/config".into() }),
            (&[("HOME", " ")], Config, false, Location::NoHome { written: "~/.aws/config".into() }),
            // USERPROFILE and HOMEDRIVE+HOMEPATH only on Windows, HOME first everywhere.
            (
                &[("USERPROFILE", "C:\\Users\\u")],
                Config,
                false,
                Location::NoHome { written: "~/.aws/config".into() },
            ),
            (&[("USERPROFILE", "C:\\Users\\u")], Config, true, p("C:\\Users\\u/.aws/config")),
            (&[("HOME", "/h"), ("USERPROFILE", "C:\\Users\\u")], Config, true, p("/h/.aws/config")),
            (&[("HOMEDRIVE", "D:"), ("HOMEPATH", "\\u")], Credentials, true, p("D:\\u/.aws/credentials")),
            (
                &[("HOMEDRIVE", "D:")],
                Credentials,
                true,
                Location::NoHome { written: "~/.aws/credentials".into() },
            ),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "~\\c")], Config, true, v("/h/c")),
            (&[("HOME", "/h"), (CONFIG_FILE_VAR, "~\\c")], Config, false, v("~\\c")),
        ];
        for (vars, kind, windows, want) in rows {
            assert_eq!(&path_of(vars, *kind, *windows), want, "{vars:?} {kind:?} windows={windows}");
        }
    }

    #[test]
    fn headers_per_file() {
        assert_eq!(FileKind::Config.profile_header("default"), "[default]");
        assert_eq!(FileKind::Config.profile_header("dev"), "[profile dev]");
        assert_eq!(FileKind::Credentials.profile_header("dev"), "[dev]");
    }
}
