//! The lint gate every emitted module passes: `verilator --lint-only -Wall` with the
//! documented waivers (WIDTH, DECLFILENAME: see the Verilog header), a Yosys read with
//! `hierarchy -check; proc; check -assert`, and an Icarus compile, all without a warning.

use crate::error::{Error, Result};
use crate::generate::Generated;
use std::path::Path;
use std::process::Command;

/// The Verilator lint flags (the waivers are documented in every generated file's header).
pub const VERILATOR_LINT: [&str; 4] = ["--lint-only", "-Wall", "-Wno-WIDTH", "-Wno-DECLFILENAME"];

fn run(tool: &str, args: &[String]) -> Result<String> {
    let out = Command::new(tool).args(args).output().map_err(|e| {
        Error::Tool(format!("`{tool}` could not be run ({e}): install it (./quickstart.sh or scripts/install-deps.sh installs verilator, yosys, iverilog)"))
    })?;
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(Error::Tool(format!("{tool} failed: {}", text.lines().find(|l| !l.trim().is_empty()).unwrap_or("no output"))));
    }
    Ok(text)
}

/// Runs the three checks on `g`, writing its Verilog into `dir`. The first finding of the
/// first tool that complains is the error.
pub fn check(g: &Generated, dir: &Path) -> Result<()> {
    let v = dir.join(format!("{}.v", g.module));
    std::fs::write(&v, &g.verilog).map_err(|e| Error::io(&v, e))?;
    let vs = v.display().to_string();
    let mut args: Vec<String> = VERILATOR_LINT.iter().map(|s| s.to_string()).collect();
    args.extend(["--top-module".into(), g.module.clone(), vs.clone()]);
    let lint = run("verilator", &args)?;
    if !lint.trim().is_empty() {
        return Err(Error::Tool(format!("{}: verilator lint: {}", g.module, lint.lines().next().unwrap_or(""))));
    }
    let ys = run("yosys", &["-p".into(), format!("read_verilog {vs}; hierarchy -check -top {}; proc; check -assert", g.module)])?;
    if let Some(w) = ys.lines().find(|l| l.contains("Warning")) {
        return Err(Error::Tool(format!("{}: yosys: {w}", g.module)));
    }
    let iv = run("iverilog", &["-o".into(), "/dev/null".into(), "-s".into(), g.module.clone(), vs])?;
    if !iv.trim().is_empty() {
        return Err(Error::Tool(format!("{}: iverilog: {}", g.module, iv.lines().next().unwrap_or(""))));
    }
    Ok(())
}
