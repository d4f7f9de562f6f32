//! The file reader every source that reads a file goes through: the shared config and
//! credentials files, the SSO token cache, the web identity token file, the container
//! authorization token file and the SAML assertion file. [`Fs::real`] is the file system, with
//! the protections below; [`Fs::from_files`] a fixed set of in-memory files, so that tests never
//! touch the home directory of the machine running them.
//!
//! What the real reader guarantees, and why:
//! - Only a regular file, after following symbolic links (Kubernetes mounts projected tokens as
//!   symlinks, and every SDK follows them). A FIFO would block `open()` until a writer appears and
//!   `read()` until it writes, a character device such as `/dev/zero` never ends, a directory
//!   cannot be read: each would hang the fetch or feed it garbage.
//! - On unix the file is opened with `O_NONBLOCK`, so opening a FIFO returns at once, and the type
//!   is checked on the opened handle (`fstat`), so a file swapped between a check and the open
//!   cannot slip through. `O_NOCTTY` keeps a terminal device from becoming the process's
//!   controlling terminal.
//! - At most a given size: a mistaken path (a log file, a device) is not read into memory whole.
//! - The buffer is sized from the file's length before reading and never grows by reallocation
//!   (except once, to the cap, for a file that grew while being read), so no copy of a secret is
//!   left behind in freed memory; it is wiped when dropped.
//!
//! Reads are blocking; the sources that must not wait past a deadline run them on tokio's
//! blocking pool (the crate's `secret_file` module).

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use zeroize::Zeroizing;

/// How long a read of the real file system may keep retrying a file whose file system answers
/// "would block" (some FUSE file systems honour `O_NONBLOCK` on regular files).
const WOULD_BLOCK_PATIENCE: Duration = Duration::from_secs(5);

/// How files are read: the real file system, or a set of in-memory files.
///
/// Cheap to clone; clones of an in-memory `Fs` share their files, so a test can change a file
/// ([`Fs::write`], [`Fs::remove`]) that a source it configured reads. `Debug` shows paths only,
/// never contents.
///
/// ```
/// use mongoawsauth::config::Fs;
/// let fs = Fs::from_files([("/home/u/.aws/config", "[default]\nregion = eu-west-1\n")]);
/// let text = fs.read("/home/u/.aws/config".as_ref()).unwrap().unwrap();
/// assert!(text.starts_with(b"[default]"));
/// assert!(fs.read("/home/u/.aws/credentials".as_ref()).unwrap().is_none());
/// assert!(fs.read_capped("/home/u/.aws/config".as_ref(), 8).is_err(), "larger than 8 bytes");
/// ```
#[derive(Clone, Default)]
pub struct Fs {
    files: Option<Arc<Mutex<Files>>>,
}

type Files = HashMap<PathBuf, Zeroizing<Vec<u8>>>;

/// Why a file could not be read. `Display` says what is wrong with it, never what it holds;
/// the caller names the file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileError {
    /// The process may not read it.
    PermissionDenied,
    /// It is not a regular file; the text says what it is ("a FIFO", "a directory").
    NotRegular(&'static str),
    /// It is larger than the cap, in bytes.
    TooLarge(usize),
    /// Another I/O error, in the operating system's words for its kind.
    Io(String),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::PermissionDenied => f.write_str("permission denied"),
            FileError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            FileError::TooLarge(cap) => write!(f, "it is larger than {cap} bytes"),
            FileError::Io(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for FileError {}

impl Fs {
    /// The real file system.
    pub fn real() -> Self {
        Fs { files: None }
    }

    /// In-memory files, starting with these; every other path is missing.
    pub fn from_files<I, P, C>(files: I) -> Self
    where
        I: IntoIterator<Item = (P, C)>,
        P: Into<PathBuf>,
        C: AsRef<[u8]>,
    {
        let files = files.into_iter().map(|(p, c)| (p.into(), Zeroizing::new(c.as_ref().to_vec()))).collect();
        Fs { files: Some(Arc::new(Mutex::new(files))) }
    }

    /// Sets the contents of an in-memory file (every clone sees it), as a rotation of a token
    /// file would. The real file system is never written: that is an `Unsupported` error.
    pub fn write(&self, path: impl Into<PathBuf>, contents: impl AsRef<[u8]>) -> io::Result<()> {
        let mut files = self.in_memory("write")?;
        files.insert(path.into(), Zeroizing::new(contents.as_ref().to_vec()));
        Ok(())
    }

    /// Removes an in-memory file (every clone sees it gone). The real file system is never
    /// changed: that is an `Unsupported` error.
    pub fn remove(&self, path: &Path) -> io::Result<()> {
        self.in_memory("remove")?.remove(path);
        Ok(())
    }

    fn in_memory(&self, what: &str) -> io::Result<MutexGuard<'_, Files>> {
        match &self.files {
            Some(files) => Ok(lock(files)),
            None => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("Fs::{what} changes in-memory files only, never the real file system"),
            )),
        }
    }

    /// Whether this is the real file system (whose reads may block, and so belong on a blocking
    /// thread).
    pub fn is_real(&self) -> bool {
        self.files.is_none()
    }

    /// The bytes of `path`, at most `max_bytes` of them; `Ok(None)` when it does not exist (a
    /// dangling symbolic link included). The buffer is wiped when dropped.
    pub fn read_capped(
        &self,
        path: &Path,
        max_bytes: usize,
    ) -> Result<Option<Zeroizing<Vec<u8>>>, FileError> {
        match &self.files {
            Some(files) => match lock(files).get(path) {
                Some(bytes) if bytes.len() > max_bytes => Err(FileError::TooLarge(max_bytes)),
                found => Ok(found.cloned()),
            },
            None => read_regular(path, max_bytes),
        }
    }

    /// The bytes of a shared config or credentials file (at most
    /// [`MAX_FILE_BYTES`](crate::shared_config::files::MAX_FILE_BYTES)), `Ok(None)` when it does
    /// not exist, or the I/O error that stopped the read, whose text says what is wrong.
    pub fn read(&self, path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
        let max = crate::shared_config::files::MAX_FILE_BYTES;
        let cap = usize::try_from(max).unwrap_or(usize::MAX);
        self.read_capped(path, cap).map_err(|e| match e {
            FileError::PermissionDenied => io::Error::from(io::ErrorKind::PermissionDenied),
            FileError::NotRegular(_) => io::Error::new(io::ErrorKind::InvalidInput, e.to_string()),
            FileError::TooLarge(_) => io::Error::new(
                io::ErrorKind::InvalidData,
                format!("it is larger than {} KiB, too large for a profile file", max / 1024),
            ),
            FileError::Io(why) => io::Error::other(why),
        })
    }
}

impl fmt::Debug for Fs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.files {
            None => f.write_str("Fs::real"),
            Some(files) => {
                let files = lock(files);
                let mut paths: Vec<&PathBuf> = files.keys().collect();
                paths.sort_unstable();
                f.debug_struct("Fs::from_files").field("paths", &paths).finish()
            }
        }
    }
}

fn lock(files: &Mutex<Files>) -> MutexGuard<'_, Files> {
    // A map insert or removal cannot be left half-done by a panic elsewhere.
    files.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Opens `path` without blocking, checks the opened handle is a regular file of at most `max`
/// bytes, and reads it whole.
fn read_regular(path: &Path, max: usize) -> Result<Option<Zeroizing<Vec<u8>>>, FileError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(e)),
    };
    let metadata = file.metadata().map_err(io_error)?;
    if !metadata.is_file() {
        return Err(FileError::NotRegular(kind_of(&metadata.file_type())));
    }
    let cap = u64::try_from(max).unwrap_or(u64::MAX);
    if metadata.len() > cap {
        return Err(FileError::TooLarge(max));
    }
    // One byte more than the length, so that a file that grew since `fstat` shows as such.
    let expected = usize::try_from(metadata.len()).unwrap_or(max);
    let mut buf = Zeroizing::new(vec![0u8; expected + 1]);
    let mut filled = 0;
    let started = Instant::now();
    loop {
        if filled == buf.len() {
            if buf.len() > max {
                return Err(FileError::TooLarge(max));
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
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // A regular file ignores O_NONBLOCK on every common file system; one that honours
            // it (some FUSE file systems) gets short pauses, within a bound.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && started.elapsed() < WOULD_BLOCK_PATIENCE => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(io_error(e)),
        }
    }
    if filled > max {
        return Err(FileError::TooLarge(max));
    }
    buf.truncate(filled);
    Ok(Some(buf))
}

fn io_error(e: io::Error) -> FileError {
    match e.kind() {
        io::ErrorKind::PermissionDenied => FileError::PermissionDenied,
        io::ErrorKind::IsADirectory => FileError::NotRegular("a directory"),
        _ => FileError::Io(e.kind().to_string()),
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

    #[test]
    fn in_memory_files_are_capped_like_real_ones() {
        let fs = Fs::from_files([("/t/token", "0123456789")]);
        assert!(!fs.is_real());
        assert_eq!(fs.read_capped(Path::new("/t/token"), 10).unwrap().unwrap().as_slice(), b"0123456789");
        assert_eq!(fs.read_capped(Path::new("/t/token"), 9).unwrap_err(), FileError::TooLarge(9));
        assert_eq!(fs.read_capped(Path::new("/t/other"), 9).unwrap(), None);
        assert_eq!(FileError::NotRegular("a FIFO").to_string(), "it is a FIFO, not a regular file");
    }

    #[test]
    fn clones_of_an_in_memory_fs_share_changes_and_the_real_one_is_never_written() {
        let fs = Fs::from_files::<_, &str, &str>([]);
        let seen = fs.clone();
        fs.write("/t/token", "v1").unwrap();
        assert_eq!(seen.read_capped(Path::new("/t/token"), 64).unwrap().unwrap().as_slice(), b"v1");
        fs.write("/t/token", "v2").unwrap();
        assert_eq!(seen.read_capped(Path::new("/t/token"), 64).unwrap().unwrap().as_slice(), b"v2");
        fs.remove(Path::new("/t/token")).unwrap();
        assert_eq!(seen.read_capped(Path::new("/t/token"), 64).unwrap(), None);
        let e = Fs::real().write("/t/never", "x").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Unsupported);
        assert!(Fs::real().remove(Path::new("/t/never")).is_err());
        assert!(!Path::new("/t/never").exists());
    }

    #[test]
    fn a_file_that_grows_past_its_stat_size_is_still_capped() {
        // `read_regular` sizes its buffer from fstat; reading more than that must not exceed
        // the cap. /proc files report a length of 0 but have content, which is exactly that.
        #[cfg(target_os = "linux")]
        {
            let read = read_regular(Path::new("/proc/self/status"), 1 << 20).unwrap().unwrap();
            assert!(!read.is_empty());
            assert_eq!(read_regular(Path::new("/proc/self/status"), 8).unwrap_err(), FileError::TooLarge(8));
        }
    }
}
