//! Writing output files: whole or not at all, with the permissions a plain file would get.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed over
/// it, so a failure leaves no partial file. The file gets the mode a newly created file
/// gets (0666 less the umask), not the temporary file's 0600.
pub fn write_atomically(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut b = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut f = b.tempfile_in(dir).map_err(|e| Error::io(path, e))?;
    f.write_all(bytes.as_ref()).map_err(|e| Error::io(path, e))?;
    f.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
}

/// The path that stands for standard output in `--json -`.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Checks, before any work, that an output file can be written at `path` (given as `flag`):
/// not a directory, in an existing directory that takes new files. Nothing is left behind.
/// `-` (standard output) passes when `stdout_ok`.
pub fn check_file(flag: &str, path: &Path, stdout_ok: bool) -> Result<()> {
    if stdout_ok && is_stdout(path) {
        return Ok(());
    }
    let refuse = |why: String| Error::flag(flag, path.display(), why);
    if path.is_dir() {
        return Err(refuse("allowed a file; this is a directory".into()));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        let what = if dir.exists() { "is not a directory" } else { "does not exist" };
        return Err(refuse(format!("allowed a file in an existing directory; {} {what}", dir.display())));
    }
    tempfile::tempfile_in(dir).map_err(|e| refuse(format!("allowed a file in a writable directory ({e})")))?;
    Ok(())
}

/// Checks, before any work, that `dir` (given as `flag`) is a writable directory or can be
/// created as one: it is a directory, or does not exist and its nearest existing ancestor is a
/// writable directory. Nothing is created.
pub fn check_dir(flag: &str, dir: &Path) -> Result<()> {
    let refuse = |why: String| Error::flag(flag, dir.display(), why);
    if dir.exists() && !dir.is_dir() {
        return Err(refuse("allowed a directory; this is a file".into()));
    }
    let existing = dir.ancestors().filter(|a| !a.as_os_str().is_empty()).find(|a| a.exists()).unwrap_or(Path::new("."));
    if !existing.is_dir() {
        return Err(refuse(format!("allowed a directory that can be created; {} is a file", existing.display())));
    }
    tempfile::tempfile_in(existing).map_err(|e| refuse(format!("allowed a writable directory ({}: {e})", existing.display())))?;
    Ok(())
}

/// Writes `value` as pretty JSON to `path`, or to standard output when `path` is `-`.
pub fn write_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).expect("report serializes") + "\n";
    if is_stdout(path) {
        print!("{text}");
        Ok(())
    } else {
        write_atomically(path, text)
    }
}
