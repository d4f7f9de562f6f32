//! Reading the shared config files through an injected reader, so that tests use in-memory files
//! (or a temporary directory) and never the home directory of the machine running them.
//!
//! A missing file is normal (most machines have no `~/.aws/credentials`); anything else that stops
//! a read (permissions, a directory where a file should be, a file too large to be a profile
//! file) is reported, naming the path and never the contents.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use zeroize::Zeroizing;

/// The largest shared config or credentials file read. Real files are a few kilobytes; the cap
/// keeps a mistaken path (a log file, a device) from being read into memory whole.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// How the shared config files are read: the real file system, or a fixed set of in-memory files.
///
/// `Debug` shows paths only, never contents.
///
/// ```
/// use mongoawsauth::shared_config::Fs;
/// let fs = Fs::from_files([("/home/u/.aws/config", "[default]\nregion = eu-west-1\n")]);
/// let text = fs.read("/home/u/.aws/config".as_ref()).unwrap().unwrap();
/// assert!(text.starts_with(b"[default]"));
/// assert!(fs.read("/home/u/.aws/credentials".as_ref()).unwrap().is_none());
/// ```
#[derive(Clone, Default)]
pub struct Fs {
    files: Option<Arc<HashMap<PathBuf, Zeroizing<Vec<u8>>>>>,
}

impl Fs {
    /// The real file system.
    pub fn real() -> Self {
        Fs { files: None }
    }

    /// A fixed set of files; every other path is missing.
    pub fn from_files<I, P, C>(files: I) -> Self
    where
        I: IntoIterator<Item = (P, C)>,
        P: Into<PathBuf>,
        C: AsRef<[u8]>,
    {
        let files = files.into_iter().map(|(p, c)| (p.into(), Zeroizing::new(c.as_ref().to_vec()))).collect();
        Fs { files: Some(Arc::new(files)) }
    }

    /// The bytes of `path`, `Ok(None)` when it does not exist, or the I/O error that stopped the
    /// read. The buffer is zeroized when dropped: a credentials file holds secret keys.
    pub fn read(&self, path: &Path) -> io::Result<Option<Zeroizing<Vec<u8>>>> {
        if let Some(files) = &self.files {
            return Ok(files.get(path).cloned());
        }
        let file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if !meta.is_file() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "it is not a regular file"));
        }
        let mut buf = Zeroizing::new(Vec::with_capacity(meta.len().min(MAX_FILE_BYTES) as usize));
        file.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf)?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("it is larger than {} KiB, too large for a profile file", MAX_FILE_BYTES / 1024),
            ));
        }
        Ok(Some(buf))
    }
}

impl fmt::Debug for Fs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.files {
            None => f.write_str("Fs::real"),
            Some(files) => {
                let mut paths: Vec<&PathBuf> = files.keys().collect();
                paths.sort_unstable();
                f.debug_struct("Fs::from_files").field("paths", &paths).finish()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_reads_a_file_and_reports_missing_as_none() {
        let dir = std::env::temp_dir().join(format!("mongoawsauth-fs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("config");
        std::fs::write(&file, "[default]\n").unwrap();
        let fs = Fs::real();
        assert_eq!(fs.read(&file).unwrap().unwrap().as_slice(), b"[default]\n");
        assert!(fs.read(&dir.join("absent")).unwrap().is_none());
        // A directory where the file should be is an error, not "missing".
        let e = fs.read(&dir).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
        std::fs::write(&file, vec![b'#'; MAX_FILE_BYTES as usize + 1]).unwrap();
        assert!(fs.read(&file).unwrap_err().to_string().contains("too large"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_shows_paths_not_contents() {
        let fs = Fs::from_files([("/h/.aws/credentials", "aws_secret_access_key = SECRETVALUE")]);
        let text = format!("{fs:?}");
        assert!(text.contains("/h/.aws/credentials"), "{text}");
        assert!(!text.contains("SECRETVALUE"), "{text}");
    }
}
