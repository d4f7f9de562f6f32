//! Reading the shared config files through the injected reader ([`Fs`], shared with every
//! other source that reads a file), so that tests use in-memory files and never the home
//! directory of the machine running them.
//!
//! A missing file is normal (most machines have no `~/.aws/credentials`); anything else that stops
//! a read (permissions, a directory where a file should be, a file too large to be a profile
//! file) is reported, naming the path and never the contents.

/// The largest shared config or credentials file read. Real files are a few kilobytes; the cap
/// keeps a mistaken path (a log file, a device) from being read into memory whole.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

/// The reader, which every file-reading source shares; it lives with the rest of the injected
/// world in [`crate::config`].
pub use crate::config::Fs;

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
