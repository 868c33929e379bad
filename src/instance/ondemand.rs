//! On-demand width sets: a configuration whose widths are not compiled into this binary
//! (`crate::instance::COMPILED`) gets its own small emitter crate, built once by cargo and
//! cached.
//!
//! The crate is one line of `main` that instantiates the kind's macro
//! (`softmax_hw::unit_instance!(...)`, the same macro the compiled-in table uses) against
//! this library as a path dependency, with the library's `Cargo.lock`, offline. Every such
//! crate builds in one shared target directory, so the dependencies compile once. The
//! emitter binary is cached by a hash of the kind, the widths, the library's source and the
//! cargo/rustc versions; a later use only runs it (the resolved configuration on stdin, the
//! Verilog on stdout). Parallel users of the cache (sweep workers, several processes) take a
//! per-width-set file lock, and cargo locks its target directory, so a set is built once and
//! never half-written (the binary is copied to a temporary name and renamed).
//!
//! Layout under `$SOFTMAX_HW_CACHE/ondemand/` (default: `target/softmax-hw-cache/ondemand/`
//! of the source tree):
//! `crates/<kind>-<hash>/` (the crate and its `build.log`), `target/` (cargo's shared target
//! directory), `bin/<kind>-<hash>` (the emitters), `locks/`.

use crate::error::{Error, Result};
use crate::instance::Kind;
use crate::params::UnitParams;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The cargo profile of the emitter crates: the emitter runs for milliseconds, so compile
/// time is what counts (measured in the README, "Any configuration").
const PROFILE: &str = "\
[profile.release]
opt-level = 1
debug = false
incremental = false
";

/// The softmax-hw source tree the emitter crates depend on: `$SOFTMAX_HW_SRC`, else the
/// tree this binary was built from.
pub fn source_dir() -> Result<PathBuf> {
    let dir = std::env::var_os("SOFTMAX_HW_SRC").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("name = \"softmax-hw\"") || !dir.join("src/lib.rs").is_file() {
        return Err(Error::Tool(format!(
            "on-demand width sets need the softmax-hw source tree, not found at {}: set SOFTMAX_HW_SRC to a checkout of softmax-hw {}",
            dir.display(),
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(dir)
}

fn tool_version(var: &str, default: &str) -> Result<String> {
    let prog = std::env::var(var).unwrap_or_else(|_| default.to_string());
    let out = Command::new(&prog).arg("-V").output();
    match out {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout).trim().to_string()),
        _ => Err(Error::Tool(format!(
            "`{prog}` not found: this width set is not compiled into softmax-hw and is built on demand, which needs Rust (cargo and rustc; install from https://rustup.rs)"
        ))),
    }
}

/// The cargo program (cargo sets `$CARGO` for the processes it runs).
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Hash of the library's source: every file under `src/`, `Cargo.toml` and `Cargo.lock`.
pub fn source_hash(dir: &Path) -> Result<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let path = e.map_err(|e| Error::io(dir, e))?.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut files = vec![dir.join("Cargo.toml"), dir.join("Cargo.lock")];
    walk(&dir.join("src"), &mut files)?;
    files.sort();
    let mut h = Sha256::new();
    for f in &files {
        h.update(f.strip_prefix(dir).unwrap_or(f).to_string_lossy().as_bytes());
        h.update([0]);
        h.update(std::fs::read(f).map_err(|e| Error::io(f, e))?);
        h.update([0]);
    }
    Ok(hex(&h.finalize()[..8]))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

fn widths_text(key: &[usize]) -> String {
    format!("[{}]", key.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", "))
}

/// Where the emitters live: `$SOFTMAX_HW_CACHE/ondemand` when set (made absolute), else
/// `target/softmax-hw-cache/ondemand` in the source tree (not the working directory, so
/// that every process shares one cache).
pub fn cache_root(src: &Path) -> PathBuf {
    match std::env::var_os("SOFTMAX_HW_CACHE") {
        Some(c) => {
            let root = PathBuf::from(c).join("ondemand");
            std::path::absolute(&root).unwrap_or(root)
        }
        None => src.join("target/softmax-hw-cache/ondemand"),
    }
}

/// An emitter binary, and whether this call built it.
pub struct Emitter {
    pub path: PathBuf,
    pub built_seconds: Option<f64>,
}

/// The emitter of one kind and width set: from the cache, or built now (printing what it
/// does and how long it took on stderr).
pub fn emitter(kind: Kind, key: &[usize]) -> Result<Emitter> {
    let src = source_dir()?;
    let cargo_v = tool_version("CARGO", "cargo")?;
    let rustc_v = tool_version("RUSTC", "rustc")?;
    let mut h = Sha256::new();
    for part in [kind.name(), &widths_text(key), &source_hash(&src)?, &cargo_v, &rustc_v, PROFILE, &src.display().to_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let tag = format!("{}-{}", kind.name(), hex(&h.finalize()[..8]));
    let root = cache_root(&src);
    let bin = root.join("bin").join(format!("{tag}{}", std::env::consts::EXE_SUFFIX));
    if bin.is_file() {
        return Ok(Emitter { path: bin, built_seconds: None });
    }
    for d in ["bin", "locks", "crates"] {
        std::fs::create_dir_all(root.join(d)).map_err(|e| Error::io(root.join(d), e))?;
    }
    // one builder per width set; the others wait here and then find the binary
    let lock_path = root.join("locks").join(format!("{tag}.lock"));
    let lock = std::fs::File::create(&lock_path).map_err(|e| Error::io(&lock_path, e))?;
    lock.lock().map_err(|e| Error::io(&lock_path, e))?;
    if bin.is_file() {
        return Ok(Emitter { path: bin, built_seconds: None });
    }
    let t0 = Instant::now();
    eprintln!(
        "on-demand: the {} width set {} is not compiled into softmax-hw; building its emitter with cargo (once, cached in {})",
        kind.name(),
        widths_text(key),
        root.display()
    );
    let dir = root.join("crates").join(&tag);
    write_crate(&dir, &tag, kind, key, &src)?;
    let log_path = dir.join("build.log");
    let log = std::fs::File::create(&log_path).map_err(|e| Error::io(&log_path, e))?;
    let status = Command::new(cargo())
        .args(["build", "--release", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(root.join("target"))
        .env_remove("CARGO_TARGET_DIR")
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| Error::Tool(format!("on-demand build: cannot run `{}`: {e} (install Rust from https://rustup.rs)", cargo())))?;
    if !status.success() {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let first = text.lines().find(|l| l.starts_with("error")).unwrap_or("cargo failed").trim().to_string();
        return Err(Error::Tool(format!(
            "on-demand build of the {} width set {} failed: {first} (full log: {}; cargo runs offline, so the dependencies must be in cargo's cache: `cargo fetch` in {} once)",
            kind.name(),
            widths_text(key),
            log_path.display(),
            src.display()
        )));
    }
    let built = root.join("target/release").join(format!("{tag}{}", std::env::consts::EXE_SUFFIX));
    let tmp = bin.with_extension("tmp");
    std::fs::copy(&built, &tmp).map_err(|e| Error::io(&built, e))?;
    std::fs::rename(&tmp, &bin).map_err(|e| Error::io(&bin, e))?;
    let secs = t0.elapsed().as_secs_f64();
    eprintln!("on-demand: built the {} width set {} in {secs:.1} s", kind.name(), widths_text(key));
    Ok(Emitter { path: bin, built_seconds: Some(secs) })
}

/// The emitter crate of one width set: Cargo.toml (path dependency on the library, its
/// Cargo.lock copied so the versions are the library's), and a one-line main.
fn write_crate(dir: &Path, tag: &str, kind: Kind, key: &[usize], src: &Path) -> Result<()> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| Error::io(dir, e))?;
    let manifest = format!(
        "# Generated by softmax-hw: the on-demand emitter of one width set. Do not edit.\n\
         [package]\nname = \"{tag}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nsoftmax-hw = {{ path = {path:?} }}\n\n{PROFILE}\n[workspace]\n",
        path = src.display().to_string()
    );
    let list = key.iter().map(|w| w.to_string()).collect::<Vec<_>>().join(", ");
    let main = format!(
        "// Generated by softmax-hw: the on-demand emitter of the {kind} width set [{list}]. Do not edit.\n\
         fn main() {{\n    softmax_hw::instance::emitter_main(\n        softmax_hw::instance::Kind::{variant:?},\n        &[{list}],\n        softmax_hw::{mac}!({list}),\n    )\n}}\n",
        kind = kind.name(),
        variant = kind,
        mac = kind.macro_name()
    );
    let files = [(dir.join("Cargo.toml"), manifest), (dir.join("src/main.rs"), main)];
    for (path, text) in files {
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    let lock = src.join("Cargo.lock");
    std::fs::copy(&lock, dir.join("Cargo.lock")).map_err(|e| Error::io(&lock, e))?;
    Ok(())
}

/// Emits the Verilog body of `p`'s design through the on-demand emitter of its width set.
pub fn emit(kind: Kind, key: &[usize], p: &UnitParams, name: &str) -> Result<String> {
    let e = emitter(kind, key)?;
    let mut child = Command::new(&e.path)
        .arg(name)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| Error::Tool(format!("on-demand emitter {}: {err}", e.path.display())))?;
    child.stdin.take().expect("piped stdin").write_all(p.resolved_toml().as_bytes()).map_err(|err| Error::io(&e.path, err))?;
    let out = child.wait_with_output().map_err(|err| Error::io(&e.path, err))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stderr);
        let msg = msg.lines().find(|l| l.starts_with("error: ")).or_else(|| msg.lines().find(|l| !l.trim().is_empty())).unwrap_or("no message");
        let msg = msg.trim_start_matches("error: ");
        return Err(Error::Tool(format!("on-demand emitter {} failed: {msg}", e.path.display())));
    }
    String::from_utf8(out.stdout).map_err(|_| Error::Tool(format!("on-demand emitter {}: output is not UTF-8", e.path.display())))
}
