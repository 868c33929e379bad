//! The generated testbench (`generate --testbench`) as a second, independent simulator check:
//! Icarus Verilog (4-state, event-driven) runs it on every example configuration (the unit,
//! and the baseline of every dense one) as generated, with the registers' `initial` blocks
//! removed (every register starts X, as in an ASIC flow, so only `aresetn` defines the state)
//! and with random power-up values; Verilator's `--binary` mode runs it unchanged too.
//! Nothing here shares code with the Verilator co-simulation harness.

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: &[&str] = &["exact8", "softermax", "precise16", "exact8_log", "softermax_log", "sparse_threshold", "sparse_topk", "sparse_topk_surv", "sparse_stat", "sparse_stat4096", "softermax_p4", "softermax_p16", "sparse_threshold_p4", "sparse_topk_p4", "sparse_stat_p16"];
const DENSE: &[&str] = &["exact8", "softermax", "precise16", "softermax_p4", "softermax_p16"];
/// Rows per bench: the short corner rows, rows of max_len (about 5 x max_len elements), and
/// the short rows with masked elements (all masked x1, x2, x7 and a mix of 7).
const ROWS: usize = 24;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require(tool: &str, version_flag: &str) {
    let ok = Command::new(tool).arg(version_flag).output().is_ok();
    assert!(ok, "`{tool}` is not installed or not on PATH: run ./quickstart.sh (it installs verilator, yosys, iverilog) and retry");
}

/// Generates `config`'s design and testbench into `dir`; returns the top module's name.
fn generate(config: &str, design: &str, dir: &Path, extra: &[&str]) -> String {
    let cfg = root().join("configs").join(format!("{config}.toml"));
    let out = Command::new(env!("CARGO_BIN_EXE_softmax-hw"))
        .args(["generate", "--config"])
        .arg(&cfg)
        .args(["--design", design, "--testbench", &ROWS.to_string(), "--out"])
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "generate {config} {design}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let module = text.lines().find_map(|l| l.strip_prefix("generate: module ")).expect("module line").trim().to_string();
    assert!(dir.join(format!("{module}_tb.v")).exists() && dir.join(format!("{module}_tb_in.hex")).exists());
    module
}

/// The registers' power-up: as generated (`initial q = 0`), no `initial` at all (X), or a
/// random value per register.
#[derive(Clone, Copy, Debug)]
enum PowerUp {
    AsGenerated,
    X,
    Random(u64),
}

/// Rewrites the `initial begin q = <value>; end` of every register (memory contents stay).
fn power_up(verilog: &str, how: PowerUp) -> String {
    let mut rng = rand::rngs::StdRng::seed_from_u64(match how {
        PowerUp::Random(s) => s,
        _ => 0,
    });
    let lines: Vec<&str> = verilog.lines().collect();
    let (mut out, mut i, mut registers) = (String::new(), 0, 0);
    while i < lines.len() {
        let reg_init = lines[i].trim() == "initial begin" && i + 2 < lines.len() && lines[i + 1].trim().starts_with("q = ") && lines[i + 2].trim() == "end";
        if !reg_init || matches!(how, PowerUp::AsGenerated) {
            out += lines[i];
            out.push('\n');
            i += 1;
            continue;
        }
        registers += 1;
        if let PowerUp::Random(_) = how {
            // q = <width>'h<value>;
            let width: u32 = lines[i + 1].trim()["q = ".len()..].split('\'').next().unwrap().parse().expect("register width");
            let value: u128 = rng.gen::<u128>() & (u128::MAX >> (128 - width.min(128)));
            out += &format!("    initial begin\n       q = {width}'h{value:x};\n    end\n");
        }
        i += 3;
    }
    assert!(matches!(how, PowerUp::AsGenerated) || registers > 10, "no register initial blocks found to rewrite");
    out
}

/// Runs the bench under Icarus with the design's registers powered up `how`; returns the
/// bench's last line.
fn icarus(dir: &Path, module: &str, how: PowerUp) -> String {
    let verilog = std::fs::read_to_string(dir.join(format!("{module}.v"))).unwrap();
    let dut = dir.join(format!("dut-{how:?}.v").replace(['(', ')'], ""));
    std::fs::write(&dut, power_up(&verilog, how)).unwrap();
    let vvp = dut.with_extension("vvp");
    let out = Command::new("iverilog").current_dir(dir).args(["-g2005", "-o"]).arg(&vvp).arg(&dut).arg(format!("{module}_tb.v")).output().unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "iverilog {module}: {}", String::from_utf8_lossy(&out.stderr));
    // a bench that hangs inside one time step never prints: bound it
    let out = Command::new("timeout").current_dir(dir).args(["600", "vvp", "-n"]).arg(&vvp).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    text.lines().rev().find(|l| l.starts_with("PASS") || l.starts_with("FAIL")).unwrap_or("no PASS/FAIL line (timeout or hang)").to_string()
}

fn expect_pass(line: &str, what: &str) {
    assert!(line.starts_with("PASS: ") && line.ends_with(" 0 mismatches"), "{what}: {line}");
}

/// Every example's design passes its generated bench under Icarus: as generated, starting X
/// and starting random (each with random stalls on both streams and theta writes).
#[test]
fn generated_testbench_passes_under_icarus_on_every_example() {
    require("iverilog", "-V");
    let mut jobs: Vec<(&str, &str)> = EXAMPLES.iter().map(|c| (*c, "unit")).collect();
    jobs.extend(DENSE.iter().map(|c| (*c, "baseline")));
    let failures: Vec<String> = jobs
        .par_iter()
        .flat_map(|&(config, design)| {
            let dir = tempfile::tempdir().unwrap();
            let module = generate(config, design, dir.path(), &[]);
            [PowerUp::AsGenerated, PowerUp::X, PowerUp::Random(7)]
                .into_iter()
                .filter_map(|how| {
                    let line = icarus(dir.path(), &module, how);
                    eprintln!("{config} {design} {how:?}: {line}");
                    let ok = line.starts_with("PASS: ") && line.ends_with(" 0 mismatches");
                    (!ok).then(|| format!("{config} {design} {how:?}: {line}"))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The bench is not a bench that cannot fail: one wrong expected bit, one missing expected
/// output, and one extra expected output each end in FAIL.
#[test]
fn generated_testbench_detects_a_wrong_vector_and_a_count_error() {
    require("iverilog", "-V");
    let dir = tempfile::tempdir().unwrap();
    let module = generate("exact8", "unit", dir.path(), &[]);
    let out_hex = dir.path().join(format!("{module}_tb_out.hex"));
    let good = std::fs::read_to_string(&out_hex).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    // flip the lowest data bit of output 3
    let mut wrong: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    let v = u32::from_str_radix(lines[3], 16).unwrap() ^ 1;
    wrong[3] = format!("{v:0w$x}", w = lines[3].len());
    std::fs::write(&out_hex, wrong.join("\n") + "\n").unwrap();
    let line = icarus(dir.path(), &module, PowerUp::AsGenerated);
    assert!(line.starts_with("FAIL") && line.contains("1 mismatches"), "{line}");
    // the unit makes one output more than the file expects (the bench's N_OUT is unchanged,
    // so the missing line reads as X: a mismatch), and one fewer
    std::fs::write(&out_hex, lines[..lines.len() - 1].join("\n") + "\n").unwrap();
    let line = icarus(dir.path(), &module, PowerUp::AsGenerated);
    assert!(line.starts_with("FAIL"), "{line}");
    let tb = dir.path().join(format!("{module}_tb.v"));
    let text = std::fs::read_to_string(&tb).unwrap();
    let n_out = text.lines().find_map(|l| l.trim().strip_prefix("localparam N_OUT = ")).unwrap().trim_end_matches(';').parse::<usize>().unwrap();
    std::fs::write(&tb, text.replace(&format!("localparam N_OUT = {n_out};"), &format!("localparam N_OUT = {};", n_out - 1))).unwrap();
    std::fs::write(&out_hex, &good).unwrap();
    let line = icarus(dir.path(), &module, PowerUp::AsGenerated);
    assert!(line.starts_with("FAIL") && line.contains(&format!("{n_out} outputs of {} expected", n_out - 1)), "{line}");
}

/// The same bench runs unchanged under Verilator's --binary mode (a dense and a sparse unit,
/// with a CSV of the user's rows appended).
#[test]
fn generated_testbench_passes_under_verilator_binary() {
    require("verilator", "--version");
    let csv = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(csv.path(), "1.5,-2,0.25,3\n-1,-1,-1\n").unwrap();
    for config in ["exact8", "sparse_topk"] {
        let dir = tempfile::tempdir().unwrap();
        let module = generate(config, "unit", dir.path(), &["--input", csv.path().to_str().unwrap()]);
        let tb = format!("{module}_tb");
        let out = Command::new("verilator")
            .current_dir(dir.path())
            .args(["--binary", "-Wno-WIDTH", "-Wno-DECLFILENAME", "--top-module", &tb, &format!("{module}.v"), &format!("{tb}.v")])
            .output()
            .unwrap();
        assert!(out.status.success(), "verilator --binary {config}: {}", String::from_utf8_lossy(&out.stderr));
        let run = Command::new(dir.path().join("obj_dir").join(format!("V{tb}"))).current_dir(dir.path()).output().unwrap();
        let text = String::from_utf8_lossy(&run.stdout);
        let line = text.lines().find(|l| l.starts_with("PASS") || l.starts_with("FAIL")).unwrap_or("no PASS/FAIL line");
        expect_pass(line, config);
    }
}
