//! Writing the helper programs a test then runs.
//!
//! A test process that writes a script and then executes it can fail with `ETXTBSY` ("Text file
//! busy") when another of its threads spawns a program at the same moment: between `fork` and
//! `exec`, that child holds a copy of every descriptor of the process, the script's writable one
//! included, and the kernel refuses to execute a file open for writing. Tests run on many
//! threads, and the library under test spawns `credential_process` programs from its own, so
//! the race is real. [`write_executable`] avoids it by letting a short-lived `sh` write the file:
//! this process never holds a writable descriptor of it.

use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// Writes `contents` to `path` with permissions `mode` (e.g. `0o700`), without this process
/// ever opening the file for writing.
pub fn write_executable(path: &Path, contents: impl AsRef<[u8]>, mode: u32) -> io::Result<()> {
    let mut child = Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("umask 077 && cat > \"$1\" && chmod {mode:o} \"$1\""))
        .arg("sh")
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    // When `sh` fails before reading (no such directory), this write meets a closed pipe; the
    // exit status and stderr below say why, so they are reported in preference.
    let written = child.stdin.take().expect("stdin is piped").write_all(contents.as_ref());
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(io::Error::other(format!(
            "writing {} failed ({}): {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    written.map_err(|e| io::Error::new(e.kind(), format!("writing {}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_holds_the_text_with_the_mode_asked_for() {
        let dir = std::env::temp_dir().join(format!("mongoawsauth-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("it's a \"helper\" $HOME");
        write_executable(&path, "#!/bin/sh\necho 'ok'\n", 0o750).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "#!/bin/sh\necho 'ok'\n");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o7777, 0o750);
        let out = Command::new(&path).output().unwrap();
        assert_eq!(out.stdout, b"ok\n");
        let missing = write_executable(&dir.join("no/such/dir/x"), "x", 0o700).unwrap_err();
        assert!(missing.to_string().contains("no/such/dir/x"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
