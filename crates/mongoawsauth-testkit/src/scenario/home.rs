//! The private home directory a scenario runs with.

use std::io;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A fresh directory under the system temporary directory, readable only by this user,
/// removed on drop.
#[derive(Debug)]
pub struct PrivateHome {
    path: PathBuf,
}

impl PrivateHome {
    /// Creates an empty home for the scenario `tag`.
    pub fn new(tag: &str) -> io::Result<Self> {
        let unique = crate::random::string_from(b"0123456789abcdef", 16);
        let path = std::env::temp_dir().join(format!("mongoawsauth-scenario-{tag}-{unique}"));
        std::fs::create_dir_all(&path)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(PrivateHome { path })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies `source` into the home, resolving placeholders in every file and keeping each
    /// file's permissions (helper programs stay executable).
    pub fn copy_from(&self, source: &Path, values: &Value) -> Result<(), String> {
        copy_tree(source, &self.path, values)
    }
}

fn copy_tree(from: &Path, to: &Path, values: &Value) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: {e}", from.display()))?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_tree(&src, &dst, values)?;
            continue;
        }
        let text = std::fs::read_to_string(&src).map_err(|e| format!("{}: {e}", src.display()))?;
        let text = super::substitute(&text, values).map_err(|e| format!("{}: {e}", src.display()))?;
        let permissions =
            std::fs::metadata(&src).map_err(|e| format!("{}: {e}", src.display()))?.permissions();
        write_keeping_mode(&dst, &text, permissions).map_err(|e| format!("{}: {e}", dst.display()))?;
    }
    Ok(())
}

/// Writes a copied file with the source's permissions. A helper program is written by a child
/// process (see [`crate::files`]), so that running it right after cannot fail with "Text file
/// busy".
fn write_keeping_mode(dst: &Path, text: &str, permissions: std::fs::Permissions) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = permissions.mode() & 0o7777;
        if mode & 0o111 != 0 {
            return crate::files::write_executable(dst, text, mode);
        }
    }
    std::fs::write(dst, text)?;
    std::fs::set_permissions(dst, permissions)
}

impl Drop for PrivateHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
