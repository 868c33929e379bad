//! The lint gate every emitted module passes: `verilator --lint-only -Wall` with the
//! documented waivers (WIDTH, DECLFILENAME: see the Verilog header), a Yosys read with
//! `hierarchy -check; proc; check -assert`, and an Icarus compile, all without a warning;
//! and no output port assigned twice in one pass of a combinational block (`twice_assigned`).

use crate::error::{Error, Result};
use crate::generate::Generated;
use std::path::Path;
use std::process::Command;

/// The Verilator lint flags (the waivers are documented in every generated file's header).
pub const VERILATOR_LINT: [&str; 4] = ["--lint-only", "-Wall", "-Wno-WIDTH", "-Wno-DECLFILENAME"];

/// How long one tool may take on one module before the gate gives up (a 65,536-entry ROM
/// kept Yosys busy for more than 25 minutes: fuzz seed 114).
pub const TOOL_SECONDS: u64 = 600;

fn run(tool: &str, args: &[String]) -> Result<String> {
    run_in(tool, args, Path::new("."))
}

/// Runs `tool` with `args` in `cwd`, stopped after TOOL_SECONDS; Ok with its stdout and
/// stderr when it exits with status 0.
pub(crate) fn run_in(tool: &str, args: &[String], cwd: &Path) -> Result<String> {
    let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
    let (out_path, err_path) = (dir.path().join("out"), dir.path().join("err"));
    let io = |p: &Path| std::fs::File::create(p).map_err(|e| Error::io(p, e));
    let mut child = Command::new(tool).current_dir(cwd).args(args).stdout(io(&out_path)?).stderr(io(&err_path)?).spawn().map_err(|e| {
        Error::Tool(format!("`{tool}` could not be run ({e}): install it (./quickstart.sh or scripts/install-deps.sh installs verilator, yosys, iverilog)"))
    })?;
    let t0 = std::time::Instant::now();
    let status = loop {
        match child.try_wait().map_err(|e| Error::Tool(format!("{tool}: {e}")))? {
            Some(s) => break s,
            None if t0.elapsed().as_secs() >= TOOL_SECONDS => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Error::Tool(format!("{tool} did not finish within {TOOL_SECONDS} s (stopped)")));
            }
            None => std::thread::sleep(std::time::Duration::from_millis(50)),
        }
    };
    let text = std::fs::read_to_string(&out_path).unwrap_or_default() + &std::fs::read_to_string(&err_path).unwrap_or_default();
    if !status.success() {
        let first = text.lines().find(|l| l.contains("ERROR") || l.contains("Error") || l.starts_with('%')).or_else(|| text.lines().find(|l| !l.trim().is_empty()));
        return Err(Error::Tool(format!("{tool} failed: {}", first.unwrap_or("no output").trim())));
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
    if let Some(w) = twice_assigned(&g.verilog).first() {
        return Err(Error::Tool(format!("{}: {w}", g.module)));
    }
    let iv = run("iverilog", &["-o".into(), "/dev/null".into(), "-s".into(), g.module.clone(), vs])?;
    if !iv.trim().is_empty() {
        return Err(Error::Tool(format!("{}: iverilog: {}", g.module, iv.lines().next().unwrap_or(""))));
    }
    Ok(())
}

/// Output ports that a module's `always @(*)` block assigns more than once on its straight
/// path (a default, then an override). An event-driven simulator sees the first value too and
/// wakes the blocks that read the port; two such blocks can wake each other forever within one
/// time step (Icarus hung on the Newton reciprocal this way). Locals may be assigned twice.
pub fn twice_assigned(verilog: &str) -> Vec<String> {
    let mut found = vec![];
    for module in verilog.split("\nmodule ").skip(1) {
        let name = module.split(['(', ' ']).next().unwrap_or("");
        let outputs: Vec<&str> = module
            .lines()
            .filter_map(|l| l.trim().strip_prefix("output reg "))
            .filter_map(|l| l.trim_end_matches(';').split_whitespace().last())
            .collect();
        let Some(body) = module.split("always @(*) begin\n").nth(1) else { continue };
        let body = body.split("\n    end").next().unwrap_or("");
        for out in outputs {
            // statements of the block itself are indented 8 spaces; deeper ones are branches
            let n = body.lines().filter(|l| l.strip_prefix("        ").is_some_and(|s| !s.starts_with(' ') && s.starts_with(&format!("{out} = ")))).count();
            if n > 1 {
                found.push(format!("output `{out}` of module {name} is assigned {n} times in its combinational block"));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    /// The check finds a default-then-override of an output and ignores locals and branches.
    #[test]
    fn twice_assigned_outputs_are_found() {
        let v = "\nmodule m(a,r);\n    input wire a;\n    output reg r;\n    reg l;\n    always @(*) begin\n        l = a;\n        l = ~a;\n        r = a;\n        if (a) begin\n            r = 1'b0;\n        end\n    end\nendmodule\n";
        assert!(super::twice_assigned(v).is_empty());
        let bad = v.replace("        if (a)", "        r = l;\n        if (a)");
        assert_eq!(super::twice_assigned(&bad), vec!["output `r` of module m is assigned 2 times in its combinational block".to_string()]);
    }
}
