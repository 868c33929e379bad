//! Tests that need the external tools: Verilator co-simulation against the golden model,
//! the lint gate, Yosys and Icarus reads of every emitted module, and the `hdl/` snapshots.
//! A missing tool fails the test with a message naming it; nothing is skipped.

use softmax_hw::config::Config;
use softmax_hw::cosim::{self, RunOptions};
use softmax_hw::baseline::BaselineParams;
use softmax_hw::cosim::RowModel;
use softmax_hw::generate::{self, Design, Generated};
use softmax_hw::rows::{cosim_rows, Row};
use softmax_hw::params::UnitParams;
use std::path::{Path, PathBuf};
use std::process::Command;

const EXAMPLES: [&str; 3] = ["softermax", "exact8", "precise16"];
/// The dense examples with the log-domain normalization (recip.method = "log"); their
/// baselines are those of exact8 and softermax.
const LOG: [&str; 2] = ["exact8_log", "softermax_log"];
/// Sparse example configurations (every mode, and survivors renormalization).
const SPARSE: [&str; 5] = ["sparse_threshold", "sparse_topk", "sparse_topk_surv", "sparse_stat", "sparse_stat4096"];
/// Sparse examples at several lanes: threshold and stat_topk at 4 and 16, topk at 4.
const SPARSE_LANES: [&str; 5] = ["sparse_threshold_p4", "sparse_stat_p4", "sparse_topk_p4", "sparse_threshold_p16", "sparse_stat_p16"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &str) -> (Config, UnitParams, Generated) {
    load_design(name, Design::Unit)
}

fn load_design(name: &str, design: Design) -> (Config, UnitParams, Generated) {
    let path = root().join("configs").join(format!("{name}.toml"));
    let cfg = Config::load(Some(&path)).unwrap();
    let p = UnitParams::new(&cfg).unwrap();
    let g = generate::generate_design(&cfg, &format!("{name}.toml"), design).unwrap();
    (cfg, p, g)
}

fn require(tool: &str) {
    let ok = Command::new(tool).arg(if tool == "iverilog" { "-V" } else { "--version" }).output().is_ok();
    assert!(ok, "`{tool}` is not installed or not on PATH: run ./quickstart.sh (it installs verilator, yosys, iverilog) and retry");
}

fn binary(g: &Generated) -> PathBuf {
    require("verilator");
    cosim::build(g).unwrap_or_else(|e| panic!("{e}")).binary
}

fn check<M: RowModel>(p: &M, bin: &Path, rows: &[Row], stall: f64, seed: u64) -> cosim::Report {
    let rep = cosim::run(p, bin, rows, &RunOptions { stall, seed, vcd: None, theta: None }).unwrap();
    let details: Vec<String> = rep.first_mismatches.iter().map(|m| cosim::describe(p, m)).collect();
    assert!(rep.passed(), "{} (outputs {}):\n{}", rep.summary_line(), rep.outputs, details.join("\n"));
    assert_eq!(rep.outputs, rep.elements, "output count");
    assert_eq!(rep.row_end_cycles.len(), rows.len());
    rep
}

/// Thousands of rows per example configuration (every corner case first), without and with
/// random stalls on both streams.
#[test]
fn cosim_bit_exact_on_every_example() {
    for name in EXAMPLES.iter().chain(&LOG).copied() {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        let rows = cosim_rows(&p, 3000, 21);
        assert!(rows.iter().any(|r| r.x.len() == p.max_len as usize), "{name}: a maximum-length row");
        assert!(rows.iter().any(|r| r.x.len() == 1), "{name}: a length-1 row");
        check(&p, &bin, &rows, 0.0, 1);
        check(&p, &bin, &rows, 0.3, 2);
    }
}

/// The conventional baseline co-simulates bit-exactly against its own golden model (at one
/// lane and at the lanes examples' 4 and 16), and its cycles per row match its manifest
/// (2B + overhead on the pass-2 side, B = ceil(L/P) beats).
#[test]
fn baseline_cosim_bit_exact_on_every_example() {
    for name in EXAMPLES.iter().chain(&LANES).copied() {
        let (_, p, g) = load_design(name, Design::Baseline);
        let b = BaselineParams::from_unit(&p);
        let bin = binary(&g);
        let rows = cosim_rows(&p, if name == "precise16" { 300 } else { 1000 }, 23);
        check(&b, &bin, &rows, 0.0, 1);
        check(&b, &bin, &rows, 0.3, 2);
        for len in [1usize, 64] {
            let r = softmax_hw::bench::row_cycles(&p, &b, &bin, len, &g.manifest.timing).unwrap();
            assert_eq!(r.measured, r.manifest, "{name} baseline, L={len}");
            let lat = softmax_hw::bench::latency(&b, &bin, len).unwrap();
            let (beats, l) = (len.div_ceil(p.lanes as usize) as u64, if p.lanes > 1 { "B" } else { "L" });
            assert_eq!(format!("{l} + {}", lat - beats), g.manifest.timing.last_input_to_first_output, "{name} baseline, L={len}");
        }
    }
}

/// Example configurations at several lanes (Softermax's formats at P = 4 and 16).
const LANES: [&str; 2] = ["softermax_p4", "softermax_p16"];

/// At P lanes: beats of P elements, partial last beats (rows of every length), masked
/// elements and all-masked rows, with and without stalls on both streams; every output
/// lane's bits, its lane (element index mod P, from m_axis_tkeep's positions) and the count
/// compared. Cycles per row (ceil(L/P) + overhead) and latency as the manifest says.
#[test]
fn cosim_bit_exact_with_lanes() {
    for name in LANES {
        let (_, p, g) = load(name);
        let lanes = p.lanes as usize;
        assert!(lanes > 1, "{name}");
        let bin = binary(&g);
        let rows = cosim_rows(&p, 3000, 25);
        assert!(rows.iter().filter(|r| r.x.len() % lanes != 0).count() > 100, "{name}: partial last beats");
        assert!(rows.iter().any(|r| r.x.iter().all(|&x| x == softmax_hw::fixfmt::MASKED)), "{name}: an all-masked row");
        check(&p, &bin, &rows, 0.0, 1);
        check(&p, &bin, &rows, 0.3, 2);
        for len in [1usize, lanes - 1, lanes + 1, 64, 1000] {
            let r = softmax_hw::bench::row_cycles(&p, &p, &bin, len, &g.manifest.timing).unwrap();
            assert_eq!(r.measured, r.manifest, "{name}, L={len}");
            assert_eq!(r.bound, len.div_ceil(lanes) as u64, "{name}, L={len}");
            let lat = softmax_hw::bench::latency(&p, &bin, len).unwrap();
            assert_eq!(lat.to_string(), g.manifest.timing.last_input_to_first_output, "{name}, L={len}");
        }
    }
}

/// Real attention rows through the RTL (the smaller sets, all rows).
#[test]
fn cosim_bit_exact_on_attention_logits() {
    let dir = softmax_hw::data::attention_dir();
    for name in ["exact8", "softermax", "softermax_p16"] {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        for set in ["minilm_l6_dev", "smollm2_135m_long_dev"] {
            let rows: Vec<Row> = softmax_hw::data::load_set(&dir, set)
                .unwrap_or_else(|e| panic!("{e}"))
                .into_iter()
                .map(|r| Row { kind: set.into(), x: r.iter().map(|&v| p.quantize_logit(v)).collect() })
                .collect();
            check(&p, &bin, &rows, 0.1, 3);
        }
    }
}

/// Measured cycles per row (no stalls) equal the manifest's L + overhead (rows overlap).
#[test]
fn cycles_per_row_match_manifest() {
    for name in EXAMPLES.iter().chain(&LOG).copied() {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        for len in [1usize, 64, 1000] {
            let r = softmax_hw::bench::row_cycles(&p, &p, &bin, len.min(p.max_len as usize), &g.manifest.timing).unwrap();
            assert_eq!(r.measured, r.manifest, "{name}, L={len}");
            let lat = softmax_hw::bench::latency(&p, &bin, len.min(p.max_len as usize)).unwrap();
            assert_eq!(lat.to_string(), g.manifest.timing.last_input_to_first_output, "{name}, L={len}");
        }
    }
}

/// The longest rows a configuration may have: exact8's formats with max_len = 65536 (16
/// address bits, a 2 x 65536-word row buffer, a 45-bit sum; built on demand). Rows of 65536
/// elements, masked ones among them (every corner case first, so every full-length pattern),
/// then random rows, with stalls: every bit compared.
#[test]
fn rows_of_65536_elements_are_bit_exact() {
    let text = std::fs::read_to_string(root().join("configs/exact8.toml")).unwrap().replace("max_len = 1024", "max_len = 65536");
    let cfg = Config::parse(&text, "exact8 at 65536").unwrap();
    let p = UnitParams::new(&cfg).unwrap();
    assert_eq!(p.max_len, 65536);
    let g = generate::generate_design(&cfg, "exact8 at 65536", Design::Unit).unwrap_or_else(|e| panic!("{e}"));
    let bin = binary(&g);
    let rows = cosim_rows(&p, 48, 65);
    let full = rows.iter().filter(|r| r.x.len() == 65536).count();
    assert!(full >= 10, "{full} rows of 65536");
    assert!(rows.iter().any(|r| r.x.len() == 65536 && r.x.contains(&softmax_hw::fixfmt::MASKED)), "a masked row of 65536");
    let rep = check(&p, &bin, &rows, 0.3, 3);
    assert!(rep.elements > 10 * 65536, "{} elements", rep.elements);
}

/// A row longer than max_len is ended by the unit after max_len elements (documented); the
/// checker models it and every bit still matches.
#[test]
fn overlong_row_is_split_at_max_len() {
    let (_, p, g) = load("softermax");
    let bin = binary(&g);
    let n = p.max_len as usize;
    let rows = vec![Row { kind: "overlong".into(), x: (0..n + 5).map(|i| (i % 50) as i64 - 25).collect() }];
    let rep = check(&p, &bin, &rows, 0.2, 4);
    assert_eq!(rep.outputs, n + 5);
}

/// The checker catches a wrong model: the Softermax RTL (exact 4-entry LUT) against a model
/// whose 2^-f table is a 2-segment LPW of the same widths must report mismatches, with bits.
#[test]
fn checker_detects_a_wrong_model() {
    let (cfg, _, g) = load("softermax");
    let bin = binary(&g);
    let mut wrong = cfg.clone();
    wrong.exp.method = Some(softmax_hw::config::ExpMethod::Lpw);
    wrong.exp.segments = Some(2);
    let pw = UnitParams::new(&wrong).unwrap();
    assert_eq!(pw.widths(), UnitParams::new(&cfg).unwrap().widths());
    let rows = cosim_rows(&pw, 200, 5);
    let rep = cosim::run(&pw, &bin, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None }).unwrap();
    assert!(!rep.passed() && rep.mismatches > 0, "{}", rep.summary_line());
    let d = cosim::describe(&pw, &rep.first_mismatches[0]);
    assert!(d.contains("expected") && d.contains("got"), "{d}");
}

#[test]
fn vcd_is_written_on_request() {
    let (_, p, g) = load("softermax");
    let bin = binary(&g);
    let dir = tempfile::tempdir().unwrap();
    let vcd = dir.path().join("row.vcd");
    let rows = vec![Row { kind: "vcd".into(), x: vec![1, 2, 3, -4] }];
    let rep = cosim::run(&p, &bin, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: Some(vcd.clone()), theta: None }).unwrap();
    assert!(rep.passed());
    let text = std::fs::read_to_string(&vcd).unwrap();
    assert!(text.contains("$enddefinitions") && text.contains("m_axis_tdata"));
}

/// `verilator --lint-only -Wall` with the documented waivers, and Yosys and Icarus read every
/// emitted module without a warning.
#[test]
fn lint_yosys_and_icarus_accept_every_example() {
    for tool in ["verilator", "yosys", "iverilog"] {
        require(tool);
    }
    let dir = tempfile::tempdir().unwrap();
    let designs = EXAMPLES.iter().flat_map(|n| [(*n, Design::Unit), (*n, Design::Baseline)]).chain(SPARSE.iter().chain(&LANES).chain(&SPARSE_LANES).chain(&LOG).map(|n| (*n, Design::Unit)));
    for (name, design) in designs {
        let (_, _, g) = load_design(name, design);
        softmax_hw::lint::check(&g, dir.path()).unwrap_or_else(|e| panic!("{name} ({design:?}): {e}"));
    }
}

/// `hdl/` holds the Verilog and manifest of every example configuration; regenerating gives
/// the same bytes (and regenerating twice is deterministic).
#[test]
fn hdl_snapshots_are_current() {
    let designs = EXAMPLES.iter().flat_map(|n| [(*n, Design::Unit), (*n, Design::Baseline)]).chain(SPARSE.iter().chain(&LANES).chain(&SPARSE_LANES).chain(&LOG).map(|n| (*n, Design::Unit)));
    for (name, design) in designs {
        let (cfg, _, g) = load_design(name, design);
        let again = generate::generate_design(&cfg, &format!("{name}.toml"), design).unwrap();
        assert_eq!(g.verilog, again.verilog, "{name}: generation is not deterministic");
        let dir = tempfile::tempdir().unwrap();
        let (v, j) = generate::write(&g, dir.path()).unwrap();
        for f in [v, j] {
            let snap = root().join("hdl").join(f.file_name().unwrap());
            let want = std::fs::read_to_string(&snap).unwrap_or_else(|_| panic!("missing snapshot {}", snap.display()));
            let got = std::fs::read_to_string(&f).unwrap();
            assert!(
                want == got,
                "{} is stale: regenerate with `cargo run --release -- generate --config configs/{name}.toml --design {} --out hdl`",
                snap.display(),
                if design == Design::Unit { "unit" } else { "baseline" }
            );
        }
    }
}

/// Every sparse example (the lanes ones too: partial last beats, masked elements, all-masked
/// rows): every output bit, keep flag and kept count, without and with stalls, with run-time
/// theta writes on about a quarter of the rows. The rows must exercise
/// the selection: some elements dropped, some rows keeping everything, varying theta.
#[test]
fn sparse_cosim_bit_exact_on_every_example() {
    for name in SPARSE.iter().chain(&SPARSE_LANES).copied() {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        let mut rows = cosim_rows(&p, if name == "sparse_stat4096" { 600 } else { 1500 }, 31);
        if p.max_len <= 1024 {
            rows.push(Row { kind: "overlong".into(), x: (0..p.max_len as usize + 37).map(|i| (i % 61) as i64 - 30).collect() });
        }
        let chunks: usize = rows.iter().map(|r| r.x.len().div_ceil(p.max_len as usize)).sum();
        for (stall, seed) in [(0.0, 1), (0.3, 2)] {
            let rep = check(&p, &bin, &rows, stall, seed);
            assert_eq!(rep.row_keeps.len(), chunks, "{name}: one keep record per row the unit saw");
            let kept: usize = rep.row_keeps.iter().map(|r| r.kept as usize).sum();
            assert!(kept > 0 && kept < rep.elements, "{name}: kept {kept} of {}", rep.elements);
            assert!(rep.row_keeps.iter().any(|r| r.kept as usize == r.len && r.len > 1), "{name}: a row keeping every element");
            assert!(rep.row_keeps.iter().any(|r| r.kept > 0 && (r.kept as usize) < r.len), "{name}: a row dropping some");
            let thetas: std::collections::BTreeSet<u64> = rep.row_keeps.iter().map(|r| r.theta).collect();
            assert!(thetas.len() > 10, "{name}: run-time theta writes");
        }
    }
}

/// Real attention rows through every sparse unit.
#[test]
fn sparse_cosim_bit_exact_on_attention_logits() {
    let dir = softmax_hw::data::attention_dir();
    for name in SPARSE.iter().chain(&SPARSE_LANES).copied() {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        let rows: Vec<Row> = softmax_hw::data::load_set(&dir, "smollm2_135m_long_dev")
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|r| Row { kind: "attention".into(), x: r.iter().map(|&v| p.quantize_logit(v)).collect() })
            .collect();
        check(&p, &bin, &rows, 0.1, 3);
    }
}

/// The checker catches a wrong sparse model: the topk RTL (k = 32) against a model with
/// k = 31 must report keep and code mismatches.
#[test]
fn checker_detects_a_wrong_sparse_model() {
    let (cfg, _, g) = load("sparse_topk");
    let bin = binary(&g);
    let mut wrong = cfg.clone();
    wrong.sparse.as_mut().unwrap().k = Some(31);
    let pw = UnitParams::new(&wrong).unwrap();
    let rows = cosim_rows(&pw, 100, 5);
    let rep = cosim::run(&pw, &bin, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None }).unwrap();
    assert!(!rep.passed() && rep.mismatches > 0, "{}", rep.summary_line());
    let d = cosim::describe(&pw, &rep.first_mismatches[0]);
    assert!(d.contains("keep/kept expected"), "{d}");
}

/// Cycles per row and latency of the sparse units equal their manifests (stat_topk adds its
/// threshold unit's cycles; threshold and topk with renorm "all" cost nothing over the dense
/// unit at the same lanes, but topk at P > 1 merges the lanes' lists (k + 3 cycles after the
/// row's last beat); renorm "survivors" reads the row twice: 2L + overhead).
#[test]
fn sparse_cycles_per_row_match_manifest() {
    for name in SPARSE.iter().chain(&SPARSE_LANES).copied() {
        let (_, p, g) = load(name);
        let bin = binary(&g);
        let t = &g.manifest.timing;
        let surv = p.sparse.as_ref().unwrap().renorm == softmax_hw::config::Renorm::Survivors;
        let dense = if p.lanes > 1 { format!("exact8_p{}", p.lanes) } else { "exact8".to_string() };
        let dense = generate::generate_design(&Config { lanes: (p.lanes > 1).then_some(p.lanes), ..Config::load(Some(&root().join("configs/exact8.toml"))).unwrap() }, &dense, Design::Unit).unwrap().manifest.timing;
        if !name.starts_with("sparse_stat") && !surv && !(name.starts_with("sparse_topk") && p.lanes > 1) {
            assert_eq!((t.row_cycles.as_str(), t.last_input_to_first_output.as_str()), (dense.row_cycles.as_str(), dense.last_input_to_first_output.as_str()), "{name}: same timing as the dense unit");
        }
        for len in [1usize, 2, 64, 1000] {
            let r = softmax_hw::bench::row_cycles(&p, &p, &bin, len, t).unwrap();
            assert_eq!(r.measured, r.manifest, "{name}, L={len}");
            let lat = softmax_hw::bench::latency(&p, &bin, len).unwrap();
            let want = if surv { format!("L + {}", lat - len as u64) } else { lat.to_string() };
            assert_eq!(want, t.last_input_to_first_output, "{name}, L={len}");
        }
    }
}

/// Configurations made for the test: renormalization over the survivors where the cap binds
/// (threshold with a small k_max: the sweep must apply the same cap as the output), and with
/// stat_topk (its timing: max(2L + c, L + c1)). Bit-exact with and without stalls, with
/// theta writes and a row longer than max_len; cycles and latency as in the manifest.
#[test]
fn sparse_survivors_with_a_binding_cap_and_with_stat_topk() {
    let exact8 = std::fs::read_to_string(root().join("configs/exact8.toml")).unwrap();
    for (name, sparse) in [
        ("threshold_cap_survivors", "mode = \"threshold\"\ntheta = 8.0\nk_max = 12\nrenorm = \"survivors\""),
        ("stat_survivors", "mode = \"stat_topk\"\nk = 16\nk_max = 20\nrenorm = \"survivors\""),
    ] {
        let cfg = Config::parse(&format!("{exact8}\n[sparse]\n{sparse}\n"), name).unwrap();
        let p = UnitParams::new(&cfg).unwrap();
        let g = generate::generate_design(&cfg, &format!("{name}.toml"), Design::Unit).unwrap();
        let bin = binary(&g);
        let mut rows = cosim_rows(&p, 800, 41);
        rows.push(Row { kind: "overlong".into(), x: (0..p.max_len as usize + 37).map(|i| (i % 61) as i64 - 30).collect() });
        for (stall, seed) in [(0.0, 1), (0.3, 2)] {
            let rep = check(&p, &bin, &rows, stall, seed);
            let cap = p.sparse.as_ref().unwrap().cap;
            assert!(rep.row_keeps.iter().filter(|r| r.kept == cap && r.len > cap as usize).count() > 20, "{name}: the cap binds");
        }
        let t = &g.manifest.timing;
        for len in [1usize, 2, 30, 64, 300] {
            let r = softmax_hw::bench::row_cycles(&p, &p, &bin, len, t).unwrap();
            assert_eq!(r.measured, r.manifest, "{name}, L={len}");
            let lat = softmax_hw::bench::latency(&p, &bin, len).unwrap();
            assert_eq!(format!("L + {}", lat - len as u64), t.last_input_to_first_output, "{name}, L={len}");
        }
    }
}
