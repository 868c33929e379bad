//! Writing output files: whole or not at all, with the permissions a plain file would get.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Longest name of one path component on Linux file systems (NAME_MAX).
pub const NAME_MAX: usize = 255;

/// Writes `bytes` to `path` atomically: into a temporary file beside it, then renamed over
/// it, so a failure leaves no partial file. The file gets the mode a newly created file
/// gets (0666 less the umask), not the temporary file's 0600. An existing path that is not
/// a regular file or a directory (`/dev/null`, a FIFO, a terminal) is written in place: a
/// rename would replace the device with a plain file (as root, `--json /dev/null` did).
pub fn write_atomically(path: &Path, bytes: impl AsRef<[u8]>) -> Result<()> {
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| Error::io(path, e))?;
        return f.write_all(bytes.as_ref()).and_then(|_| f.flush()).map_err(|e| Error::io(path, e));
    }
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

/// The first component of `path` longer than [`NAME_MAX`] bytes, if any.
fn long_component(path: &Path) -> Option<String> {
    path.components().map(|c| c.as_os_str()).find(|c| c.len() > NAME_MAX).map(|c| c.to_string_lossy().into_owned())
}

/// Checks, before any work, that an output file can be written at `path` (given as `flag`):
/// not a directory, in an existing directory that takes new files. Nothing is left behind.
/// `-` (standard output) passes when `stdout_ok` and is refused otherwise (it would make a
/// file named `-`). A name ending in `/`, a name longer than the file system allows and a
/// symbolic-link loop are refused here rather than after the work.
pub fn check_file(flag: &str, path: &Path, stdout_ok: bool) -> Result<()> {
    if is_stdout(path) {
        return match stdout_ok {
            true => Ok(()),
            false => Err(Error::flag(flag, "-", "allowed a file name (this flag cannot write to standard output; ./- names a file called -)")),
        };
    }
    let refuse = |why: String| Error::flag(flag, path.display(), why);
    if path.is_dir() {
        return Err(refuse("allowed a file; this is a directory".into()));
    }
    let text = path.as_os_str().to_string_lossy();
    if text.ends_with('/') || text.ends_with("/.") || path.file_name().is_none() {
        return Err(refuse("allowed a file name; this ends in a directory (`/`, `.` or `..`)".into()));
    }
    if let Some(c) = long_component(path) {
        return Err(refuse(format!("allowed names of at most {NAME_MAX} bytes; {}... has {}", c.chars().take(16).collect::<String>(), c.len())));
    }
    if let Err(e) = std::fs::metadata(path) {
        // a dangling link is replaced by the file; a loop cannot be written through
        if path.symlink_metadata().is_ok() && e.kind() != std::io::ErrorKind::NotFound {
            return Err(refuse(format!("allowed a file; this is a symbolic link that cannot be followed ({e})")));
        }
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
    if let Some(c) = long_component(dir) {
        return Err(refuse(format!("allowed names of at most {NAME_MAX} bytes; {}... has {}", c.chars().take(16).collect::<String>(), c.len())));
    }
    let existing = dir.ancestors().filter(|a| !a.as_os_str().is_empty()).find(|a| a.exists()).unwrap_or(Path::new("."));
    if !existing.is_dir() {
        return Err(refuse(format!("allowed a directory that can be created; {} is a file", existing.display())));
    }
    tempfile::tempfile_in(existing).map_err(|e| refuse(format!("allowed a writable directory ({}: {e})", existing.display())))?;
    Ok(())
}

/// What identifies the file a path names: its resolved path (the directory resolved, then
/// the name, for a file yet to be made). None for standard output and for paths that are not
/// regular files or cannot be resolved (two outputs to /dev/null are fine).
fn identity(path: &Path) -> Option<PathBuf> {
    if is_stdout(path) {
        return None;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => path.canonicalize().ok(),
        Ok(_) => None,
        Err(_) => {
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(dir.canonicalize().ok()?.join(path.file_name()?))
        }
    }
}

/// Checks, before any work, that no two output flags name the same file and that no output
/// is one of the input files (it would be overwritten: `--json x.npy`). `outputs` and
/// `inputs` are (flag, path) pairs; absent flags are None.
pub fn check_distinct(outputs: &[(&str, Option<&Path>)], inputs: &[(&str, Option<&Path>)]) -> Result<()> {
    let outs: Vec<(&str, &Path, PathBuf)> = outputs.iter().filter_map(|(f, p)| p.and_then(|p| Some((*f, p, identity(p)?)))).collect();
    for (i, (flag, path, id)) in outs.iter().enumerate() {
        if let Some((first, _, _)) = outs[..i].iter().find(|(_, _, other)| other == id) {
            return Err(Error::flag(flag, path.display(), format!("allowed a file other than the {first} file (both would write it)")));
        }
        if let Some((input, ipath)) = inputs.iter().filter_map(|(f, p)| p.filter(|p| p.is_file()).map(|p| (*f, p))).find(|(_, p)| identity(p).as_ref() == Some(id)) {
            return Err(Error::flag(flag, path.display(), format!("allowed a file other than the {input} file {} (it would be overwritten)", ipath.display())));
        }
    }
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
