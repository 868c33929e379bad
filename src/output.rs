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
