//! The profiles, SSO sessions and `[services]` sections of both files, after each file's section
//! naming rules and the merge between the two files.
//!
//! Naming rules (the AWS SDKs' shared rules):
//! - config file: `[default]`, `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`; any
//!   other `[NAME]` is ignored with a warning. When the file has a `[profile default]`, it
//!   replaces every `[default]` section of that file whole.
//! - credentials file: `[NAME]` only; `[profile NAME]` there is ignored with a warning.
//! - names and keys must match `[A-Za-z0-9_\-/.%@:+]+`; a section or key that does not is ignored
//!   with a warning. Section kinds and names are case-sensitive; keys are not (lower-cased).
//! - a section repeated in one file merges, the later line winning for the same key.
//!
//! Merge: the config file is read first, then the credentials file; a profile may be in either
//! or both, and for the same key the credentials file wins (aws-config, botocore, JavaScript).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::files::Fs;
use super::location::{FileKind, Location, locate};
use super::parse::{RawSection, parse};
use super::value::{Origin, Property, SubProperty, Text};
use crate::config::Env;
use crate::error::Error;

/// One profile, SSO session or services section, merged from every place it appears.
#[derive(Clone, Debug)]
pub struct Section {
    name: String,
    properties: BTreeMap<String, Property>,
    headers: Vec<Origin>,
}

impl Section {
    fn new(name: &str) -> Self {
        Section { name: name.to_owned(), properties: BTreeMap::new(), headers: Vec::new() }
    }

    /// The section's name (`dev` for `[profile dev]`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The property `key` (lower-case), blank or not.
    pub fn get(&self, key: &str) -> Option<&Property> {
        self.properties.get(key)
    }

    /// The property `key` unless its value is blank.
    pub fn non_blank(&self, key: &str) -> Option<&Property> {
        self.get(key).filter(|p| p.non_blank().is_some())
    }

    /// Every property, by key.
    pub fn properties(&self) -> impl Iterator<Item = &Property> {
        self.properties.values()
    }

    /// Every header that contributed to this section, in reading order (config file first).
    pub fn headers(&self) -> &[Origin] {
        &self.headers
    }

    /// "[profile dev] in ~/.aws/config" and so on, one per header, for messages.
    pub fn describe(&self) -> String {
        if self.headers.is_empty() {
            return format!("profile {}", self.name);
        }
        let places: Vec<String> =
            self.headers.iter().map(|h| format!("[{}] in {}", h.section, h.path.display())).collect();
        places.join(" and ")
    }
}

/// What happened to one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStatus {
    /// Which file.
    pub kind: FileKind,
    /// Where it was looked for.
    pub location: Location,
    /// True when it was found and read.
    pub read: bool,
}

/// A section or key that was ignored, for `diagnose` (also logged as a warning).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The file.
    pub path: Arc<Path>,
    /// The line.
    pub line: usize,
    /// What was ignored and why (never a value).
    pub message: String,
}

/// Everything the two files say.
///
/// ```
/// use mongoawsauth::shared_config::SharedConfig;
/// let config = SharedConfig::from_texts(
///     Some(("/h/.aws/config".as_ref(), "[profile dev]\nregion = eu-west-1\n")),
///     Some(("/h/.aws/credentials".as_ref(), "[dev]\nregion = us-east-2\n")),
/// )?;
/// let dev = config.profile("dev").unwrap();
/// // The credentials file wins for the same key, and remembers where the value came from.
/// assert_eq!(dev.get("region").unwrap().value(), "us-east-2");
/// assert_eq!(dev.get("region").unwrap().origin().line, 2);
/// # Ok::<(), mongoawsauth::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct SharedConfig {
    files: Vec<FileStatus>,
    profiles: BTreeMap<String, Section>,
    sso_sessions: BTreeMap<String, Section>,
    services: BTreeMap<String, Section>,
    notices: Vec<Notice>,
}

impl SharedConfig {
    /// Finds, reads and parses both files (see [`locate`]). A missing file is
    /// normal; an unreadable, non-UTF-8 or malformed one is a configuration error naming the file
    /// (and the line), never quoting it.
    pub fn load(env: &Env, fs: &Fs) -> Result<SharedConfig, Error> {
        Self::load_with(env, fs, cfg!(windows))
    }

    pub(crate) fn load_with(env: &Env, fs: &Fs, windows: bool) -> Result<SharedConfig, Error> {
        let mut config = SharedConfig::default();
        for kind in [FileKind::Config, FileKind::Credentials] {
            let location = locate(env, kind, windows);
            let mut read = false;
            if let Some(path) = location.path() {
                let bytes = fs.read(path).map_err(|e| {
                    let named = match &location {
                        Location::Path { from_variable: true, .. } => format!("named by {}", kind.variable()),
                        _ => "the default location".to_owned(),
                    };
                    Error::configuration(format!(
                        "the AWS {kind} {} ({named}) could not be read: {e}: fix its permissions, or set {} \
                         to another file (an empty value reads none)",
                        path.display(),
                        kind.variable()
                    ))
                })?;
                if let Some(bytes) = bytes {
                    let text = std::str::from_utf8(&bytes).map_err(|e| {
                        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
                        Error::configuration(format!(
                            "{} line {line}: the AWS {kind} is not valid UTF-8: save it as UTF-8",
                            path.display()
                        ))
                    })?;
                    config.add(kind, path, text)?;
                    read = true;
                }
            }
            config.files.push(FileStatus { kind, location, read });
        }
        Ok(config)
    }

    /// Parses the two files' texts (either may be absent): the pure part of [`SharedConfig::load`].
    pub fn from_texts(
        config_file: Option<(&Path, &str)>,
        credentials_file: Option<(&Path, &str)>,
    ) -> Result<SharedConfig, Error> {
        let mut config = SharedConfig::default();
        for (kind, file) in [(FileKind::Config, config_file), (FileKind::Credentials, credentials_file)] {
            if let Some((path, text)) = file {
                config.add(kind, path, text)?;
                let location = Location::Path { path: path.to_owned(), from_variable: false };
                config.files.push(FileStatus { kind, location, read: true });
            }
        }
        Ok(config)
    }

    /// The profile `name`, from either file.
    pub fn profile(&self, name: &str) -> Option<&Section> {
        self.profiles.get(name)
    }

    /// The `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Section> {
        self.sso_sessions.get(name)
    }

    /// The `[services NAME]` section.
    pub fn services(&self, name: &str) -> Option<&Section> {
        self.services.get(name)
    }

    /// Every profile name, sorted.
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// What happened to each file (looked for, found or not).
    pub fn files(&self) -> &[FileStatus] {
        &self.files
    }

    /// The sections and keys that were ignored, and why.
    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }

    /// Where to look, for messages: "~/.aws/config nor ~/.aws/credentials" style list of the
    /// files that were (or would have been) read.
    pub(crate) fn file_list(&self) -> String {
        let names: Vec<String> = self
            .files
            .iter()
            .map(|f| match &f.location {
                Location::Path { path, .. } if f.read => format!("{}", path.display()),
                Location::Path { path, .. } => format!("{} (missing)", path.display()),
                Location::Disabled => format!("no {} ({} is empty)", f.kind, f.kind.variable()),
                Location::NoHome { written } => format!("{written} (HOME is unset)"),
            })
            .collect();
        if names.is_empty() { "no file".to_owned() } else { names.join(", ") }
    }

    fn notice(&mut self, path: &Arc<Path>, line: usize, message: String) {
        tracing::warn!(file = %path.display(), line, "{message}");
        self.notices.push(Notice { path: path.clone(), line, message });
    }

    fn add(&mut self, kind: FileKind, path: &Path, text: &str) -> Result<(), Error> {
        let sections = parse(text, path)?;
        let path: Arc<Path> = Arc::from(path);
        let has_prefixed_default = kind == FileKind::Config
            && sections.iter().any(|s| matches!(classify(&s.header, kind), Kind::Profile("default", true)));
        for section in sections {
            let target = match classify(&section.header, kind) {
                Kind::Ignored(why) => {
                    self.notice(&path, section.line, why);
                    continue;
                }
                Kind::Profile(_, false) if has_prefixed_default => {
                    self.notice(
                        &path,
                        section.line,
                        "[default] ignored: this file also has [profile default], which replaces it".into(),
                    );
                    continue;
                }
                Kind::Profile(name, _) => {
                    self.profiles.entry(name.to_owned()).or_insert_with(|| Section::new(name))
                }
                Kind::SsoSession(name) => {
                    self.sso_sessions.entry(name.to_owned()).or_insert_with(|| Section::new(name))
                }
                Kind::Services(name) => {
                    self.services.entry(name.to_owned()).or_insert_with(|| Section::new(name))
                }
            };
            let RawSection { header, line, properties } = section;
            let header: Arc<str> = Arc::from(header.as_str());
            let origin = |line| Origin { kind, path: path.clone(), line, section: header.clone() };
            target.headers.push(origin(line));
            let mut ignored = Vec::new();
            for raw in properties {
                if !is_identifier(&raw.key) {
                    ignored.push(raw.line);
                    continue;
                }
                let text = Text::new(&raw.key, raw.value.to_string());
                let sub_properties = match (&text, raw.sub_properties) {
                    (Text::Plain(_), Some(subs)) => {
                        subs.into_iter().map(|(key, value, line)| SubProperty { key, value, line }).collect()
                    }
                    _ => Vec::new(),
                };
                let property =
                    Property { key: raw.key.clone(), value: text, origin: origin(raw.line), sub_properties };
                target.properties.insert(raw.key, property);
            }
            for line in ignored {
                self.notice(
                    &path,
                    line,
                    "setting ignored: its name may only hold letters, digits and _-/.%@:+".into(),
                );
            }
        }
        Ok(())
    }
}

enum Kind<'a> {
    /// A profile; the flag says whether it was written with the `profile` prefix.
    Profile(&'a str, bool),
    SsoSession(&'a str),
    Services(&'a str),
    Ignored(String),
}

fn classify(header: &str, kind: FileKind) -> Kind<'_> {
    let (prefix, name) = match header.split_once([' ', '\t']) {
        Some((prefix, name)) => (Some(prefix), name.trim_matches([' ', '\t'])),
        None => (None, header),
    };
    if !is_identifier(name) {
        return Kind::Ignored(format!(
            "section [{header}] ignored: a name may only hold letters, digits and _-/.%@:+"
        ));
    }
    match (kind, prefix) {
        (FileKind::Config, None) if name == "default" => Kind::Profile(name, false),
        (FileKind::Config, None) => Kind::Ignored(format!(
            "section [{name}] ignored: in the config file a profile is written [profile {name}] (only \
             [default] has no prefix)"
        )),
        (FileKind::Config, Some("profile")) => Kind::Profile(name, true),
        (FileKind::Config, Some("sso-session")) => Kind::SsoSession(name),
        (FileKind::Config, Some("services")) => Kind::Services(name),
        (FileKind::Config, Some(other)) => Kind::Ignored(format!(
            "section [{header}] ignored: `{other}` is not a section kind this library reads"
        )),
        (FileKind::Credentials, None) => Kind::Profile(name, false),
        (FileKind::Credentials, Some(_)) => Kind::Ignored(format!(
            "section [{header}] ignored: the credentials file takes [NAME] sections only (put [{header}] in \
             the config file, or write [{name}])"
        )),
    }
}

/// The SDKs' identifier rule for section names and keys.
pub(crate) fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

#[cfg(test)]
#[path = "profile_set_tests.rs"]
mod tests;
