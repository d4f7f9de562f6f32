//! Reading a file that holds a secret (a web identity token, a container authorization token, a
//! SAML assertion) through the injected [`Fs`]: only a regular file, at most a given size, into
//! zeroizing memory, and never past the caller's deadline.
//!
//! The file rules (regular files only, opened without blocking, size cap, no stray copy of the
//! secret) are the real reader's, described in [`Fs`]. This module adds the wait: a read of the
//! real file system runs on tokio's blocking pool and the caller awaits it, so a deadline around
//! the fetch still fires if the file system hangs (a stuck network mount). [`MAX_WAIT`] bounds
//! it for callers that set no deadline. An in-memory [`Fs`] is read in place.
//!
//! Errors name the file and say what is wrong and what to do, never what the file contains.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::config::{FileError, Fs};

/// The longest a read may take when the caller's own deadline is later (or absent): a local
/// file of a few kilobytes that takes longer is on a file system that is not answering.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(5);

/// One secret-bearing file to read.
#[derive(Debug, Clone)]
pub(crate) struct SecretFile {
    /// The path, as configured (symbolic links are followed).
    pub(crate) path: PathBuf,
    /// How messages name it, before the path: "the web identity token file".
    pub(crate) label: String,
    /// Where the path came from, shown after it in parentheses (an environment variable), or
    /// empty.
    pub(crate) origin: String,
    /// The largest content accepted, in bytes.
    pub(crate) max_bytes: usize,
    /// What to do when the file does not exist.
    pub(crate) missing_hint: String,
}

/// Why a secret file could not be read. `Display` names the file and the problem, never its
/// content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretFileError {
    name: String,
    problem: Problem,
    missing_hint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Missing,
    PermissionDenied,
    /// Not a regular file; the text names what it is ("a FIFO", "a directory").
    NotRegular(&'static str),
    TooLarge(usize),
    Io(String),
    TimedOut(Duration),
    Cancelled,
}

impl SecretFileError {
    /// Whether the file does not exist (some callers treat that differently).
    #[cfg(test)]
    fn is_missing(&self) -> bool {
        self.problem == Problem::Missing
    }
}

impl fmt::Display for SecretFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = &self.name;
        match &self.problem {
            Problem::Missing => write!(f, "{name} does not exist: {}", self.missing_hint),
            Problem::PermissionDenied => {
                write!(
                    f,
                    "{name} cannot be read by this process (permission denied): check its owner and mode"
                )
            }
            Problem::NotRegular(what) => write!(
                f,
                "{name} is {what}, not a regular file: point the setting at the file that holds the \
                 secret itself (a symbolic link to a regular file is fine)"
            ),
            Problem::TooLarge(cap) => write!(
                f,
                "{name} is larger than {cap} bytes, more than any such secret: check that the setting \
                 names the right file"
            ),
            Problem::Io(why) => {
                write!(f, "{name} could not be read ({why}): check that it is a readable file")
            }
            Problem::TimedOut(limit) => write!(
                f,
                "{name} could not be read within {} s: check the file system it is on (a hung network \
                 mount?)",
                limit.as_secs()
            ),
            Problem::Cancelled => {
                write!(f, "reading {name} was cancelled because the runtime is shutting down")
            }
        }
    }
}

impl std::error::Error for SecretFileError {}

impl SecretFile {
    fn name(&self) -> String {
        if self.origin.is_empty() {
            format!("{} {}", self.label, self.path.display())
        } else {
            format!("{} {} ({})", self.label, self.path.display(), self.origin)
        }
    }

    fn error(&self, problem: Problem) -> SecretFileError {
        SecretFileError { name: self.name(), problem, missing_hint: self.missing_hint.clone() }
    }

    /// Reads the file from the real file system: [`SecretFile::read_in`] with [`Fs::real`].
    #[cfg(test)]
    pub(crate) async fn read(&self) -> Result<Zeroizing<Vec<u8>>, SecretFileError> {
        self.read_in(&Fs::real()).await
    }

    /// Reads the file through `fs`: on the blocking pool for the real file system, within
    /// [`MAX_WAIT`] (and within whatever deadline the caller puts around the returned future:
    /// dropping it stops waiting at once).
    pub(crate) async fn read_in(&self, fs: &Fs) -> Result<Zeroizing<Vec<u8>>, SecretFileError> {
        let read = if fs.is_real() {
            let (fs, path, max) = (fs.clone(), self.path.clone(), self.max_bytes);
            let task = tokio::task::spawn_blocking(move || fs.read_capped(&path, max));
            match tokio::time::timeout(MAX_WAIT, task).await {
                Ok(Ok(read)) => read,
                Ok(Err(_join)) => return Err(self.error(Problem::Cancelled)),
                Err(_elapsed) => return Err(self.error(Problem::TimedOut(MAX_WAIT))),
            }
        } else {
            fs.read_capped(&self.path, self.max_bytes)
        };
        match read {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(self.error(Problem::Missing)),
            Err(e) => Err(self.error(Problem::from(e))),
        }
    }

    /// [`SecretFile::read_in`], decoded as UTF-8 text; `not_text` says what to do when it is
    /// not.
    pub(crate) async fn read_text_in(
        &self,
        fs: &Fs,
        not_text: &str,
    ) -> Result<Zeroizing<String>, SecretFileError> {
        let bytes = self.read_in(fs).await?;
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(Zeroizing::new(text.to_owned())),
            Err(_) => Err(self.error(Problem::Io(format!("it is not UTF-8 text; {not_text}")))),
        }
    }
}

impl From<FileError> for Problem {
    fn from(e: FileError) -> Problem {
        match e {
            FileError::PermissionDenied => Problem::PermissionDenied,
            FileError::NotRegular(what) => Problem::NotRegular(what),
            FileError::TooLarge(cap) => Problem::TooLarge(cap),
            FileError::Io(why) => Problem::Io(why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    struct Dir(PathBuf);

    impl Dir {
        fn new(tag: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("mongoawsauth-secret-file-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Dir(dir)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn spec(path: &Path, max_bytes: usize) -> SecretFile {
        SecretFile {
            path: path.to_owned(),
            label: "the test token file".into(),
            origin: "TEST_TOKEN_FILE".into(),
            max_bytes,
            missing_hint: "create it".into(),
        }
    }

    #[tokio::test]
    async fn regular_files_and_symlinks_to_them_are_read() {
        let dir = Dir::new("regular");
        let file = dir.0.join("token");
        std::fs::write(&file, "secret-value\n").unwrap();
        assert_eq!(spec(&file, 64).read().await.unwrap().as_slice(), b"secret-value\n");
        assert_eq!(spec(&file, 13).read().await.unwrap().len(), 13, "exactly the cap is fine");
        std::fs::write(&file, "").unwrap();
        assert!(spec(&file, 64).read().await.unwrap().is_empty());
        #[cfg(unix)]
        {
            std::fs::write(&file, "linked").unwrap();
            let link = dir.0.join("link");
            std::os::unix::fs::symlink(&file, &link).unwrap();
            assert_eq!(spec(&link, 64).read_text_in(&Fs::real(), "x").await.unwrap().as_str(), "linked");
        }
    }

    #[tokio::test]
    async fn what_is_not_a_readable_regular_file_is_named() {
        let dir = Dir::new("refused");
        let file = dir.0.join("token");
        std::fs::write(&file, "x".repeat(65)).unwrap();
        let e = spec(&file, 64).read().await.unwrap_err().to_string();
        assert!(e.contains("is larger than 64 bytes") && e.contains("(TEST_TOKEN_FILE)"), "{e}");
        let e = spec(&dir.0, 64).read().await.unwrap_err().to_string();
        assert!(e.contains("is a directory, not a regular file"), "{e}");
        let missing = spec(&dir.0.join("missing"), 64).read().await.unwrap_err();
        assert!(missing.is_missing());
        assert!(missing.to_string().ends_with("does not exist: create it"), "{missing}");
        std::fs::write(&file, b"\xff\xfe").unwrap();
        let e =
            spec(&file, 64).read_text_in(&Fs::real(), "it should hold a JWT").await.unwrap_err().to_string();
        assert!(e.contains("not UTF-8 text; it should hold a JWT"), "{e}");
        #[cfg(unix)]
        {
            let e = spec(Path::new("/dev/zero"), 64).read().await.unwrap_err().to_string();
            assert!(e.contains("is a character device, not a regular file"), "{e}");
            let fifo = dir.0.join("fifo");
            assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
            let started = std::time::Instant::now();
            let e = spec(&fifo, 64).read().await.unwrap_err().to_string();
            assert!(e.contains("is a FIFO, not a regular file"), "{e}");
            assert!(e.contains(fifo.to_str().unwrap()), "{e}");
            assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
            // A dangling symlink is a missing file.
            let link = dir.0.join("dangling");
            std::os::unix::fs::symlink(dir.0.join("nowhere"), &link).unwrap();
            assert!(spec(&link, 64).read().await.unwrap_err().is_missing());
        }
    }

    #[tokio::test]
    async fn an_injected_reader_is_read_in_place_with_the_same_rules() {
        let fs = Fs::from_files([("/var/run/token", "in-memory-secret"), ("/var/run/big", "0123456789")]);
        let read = spec(Path::new("/var/run/token"), 64).read_text_in(&fs, "x").await.unwrap();
        assert_eq!(read.as_str(), "in-memory-secret");
        let e = spec(Path::new("/var/run/big"), 4).read_in(&fs).await.unwrap_err().to_string();
        assert!(e.contains("is larger than 4 bytes"), "{e}");
        assert!(!e.contains("0123"), "the contents are never shown: {e}");
        let missing = spec(Path::new("/var/run/other"), 64).read_in(&fs).await.unwrap_err();
        assert!(missing.is_missing(), "{missing}");
    }
}
