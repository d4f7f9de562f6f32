//! Reading a file that holds a secret (a web identity token, a container authorization token, a
//! SAML assertion): only a regular file, at most a given size, into zeroizing memory, and never
//! past the caller's deadline.
//!
//! Why each rule:
//! - Only a regular file, after following symbolic links (Kubernetes mounts projected tokens as
//!   symlinks, and every SDK follows them). A FIFO would block `open()` until a writer appears and
//!   `read()` until it writes, a character device such as `/dev/zero` never ends, a directory
//!   cannot be read: each would hang the fetch or feed it garbage.
//! - On unix the file is opened with `O_NONBLOCK`, so opening a FIFO returns at once, and the type
//!   is checked on the opened handle (`fstat`), so a file swapped between a check and the open
//!   cannot slip through. `O_NOCTTY` keeps a terminal device from becoming the process's
//!   controlling terminal.
//! - The buffer is sized from the file's length before reading and never grows by reallocation,
//!   so no copy of the secret is left behind in freed memory; it is wiped when dropped.
//! - The read runs on tokio's blocking pool and the caller awaits it, so a deadline around the
//!   fetch still fires if the file system hangs (a stuck network mount). [`MAX_WAIT`] bounds it
//!   for callers that set no deadline.
//!
//! Errors name the file and say what is wrong and what to do, never what the file contains.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use zeroize::Zeroizing;

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

    /// Reads the file on the blocking pool, within [`MAX_WAIT`] (and within whatever deadline
    /// the caller puts around the returned future: dropping it stops waiting at once).
    pub(crate) async fn read(&self) -> Result<Zeroizing<Vec<u8>>, SecretFileError> {
        let path = self.path.clone();
        let max = self.max_bytes;
        let task = tokio::task::spawn_blocking(move || read_regular(&path, max));
        match tokio::time::timeout(MAX_WAIT, task).await {
            Ok(Ok(result)) => result.map_err(|p| self.error(p)),
            Ok(Err(_join)) => Err(self.error(Problem::Cancelled)),
            Err(_elapsed) => Err(self.error(Problem::TimedOut(MAX_WAIT))),
        }
    }

    /// [`SecretFile::read`], decoded as UTF-8 text; `not_text` says what to do when it is not.
    pub(crate) async fn read_text(&self, not_text: &str) -> Result<Zeroizing<String>, SecretFileError> {
        let bytes = self.read().await?;
        match std::str::from_utf8(&bytes) {
            Ok(text) => Ok(Zeroizing::new(text.to_owned())),
            Err(_) => Err(self.error(Problem::Io(format!("it is not UTF-8 text; {not_text}")))),
        }
    }
}

/// Opens `path` without blocking, checks the opened handle is a regular file of at most `max`
/// bytes, and reads it whole.
fn read_regular(path: &Path, max: usize) -> Result<Zeroizing<Vec<u8>>, Problem> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let mut file = options.open(path).map_err(io_problem)?;
    let metadata = file.metadata().map_err(io_problem)?;
    if !metadata.is_file() {
        return Err(Problem::NotRegular(kind_of(&metadata.file_type())));
    }
    let cap = u64::try_from(max).unwrap_or(u64::MAX);
    if metadata.len() > cap {
        return Err(Problem::TooLarge(max));
    }
    // One byte more than the length, so that a file that grew since `fstat` shows as such.
    let expected = usize::try_from(metadata.len()).unwrap_or(max);
    let mut buf = Zeroizing::new(vec![0u8; expected + 1]);
    let mut filled = 0;
    let started = std::time::Instant::now();
    loop {
        if filled == buf.len() {
            if buf.len() > max {
                return Err(Problem::TooLarge(max));
            }
            // The file grew while being read: move to a buffer of the cap's size; the old one
            // is wiped when dropped, so no copy of the secret is left behind.
            let mut bigger = Zeroizing::new(vec![0u8; max + 1]);
            bigger[..filled].copy_from_slice(&buf[..filled]);
            buf = bigger;
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            // A regular file ignores O_NONBLOCK on every common file system; one that honours
            // it (some FUSE file systems) gets short pauses, within the same overall bound.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && started.elapsed() < MAX_WAIT => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(io_problem(e)),
        }
    }
    if filled > max {
        return Err(Problem::TooLarge(max));
    }
    buf.truncate(filled);
    Ok(buf)
}

fn io_problem(e: std::io::Error) -> Problem {
    match e.kind() {
        std::io::ErrorKind::NotFound => Problem::Missing,
        std::io::ErrorKind::PermissionDenied => Problem::PermissionDenied,
        std::io::ErrorKind::IsADirectory => Problem::NotRegular("a directory"),
        _ => Problem::Io(e.kind().to_string()),
    }
}

fn kind_of(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(spec(&link, 64).read_text("x").await.unwrap().as_str(), "linked");
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
        let e = spec(&file, 64).read_text("it should hold a JWT").await.unwrap_err().to_string();
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

    #[test]
    fn a_file_that_grows_past_its_stat_size_is_still_capped() {
        // `read_regular` sizes its buffer from fstat; reading more than that must not exceed
        // the cap. /proc files report a length of 0 but have content, which is exactly that.
        #[cfg(target_os = "linux")]
        {
            let read = read_regular(Path::new("/proc/self/status"), 1 << 20).unwrap();
            assert!(!read.is_empty());
            assert_eq!(read_regular(Path::new("/proc/self/status"), 8).unwrap_err(), Problem::TooLarge(8));
        }
    }
}
