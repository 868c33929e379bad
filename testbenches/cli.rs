//! The command line as a user runs it: outputs, and one-line errors for bad input with a
//! non-zero exit and no partial output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_softmax-hw"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str], cwd: &Path) -> Output {
    exe().args(args).current_dir(cwd).output().unwrap()
}

/// Runs `generate` on a config text and expects exactly one error line with `needle`, exit
/// status 1 and an empty output directory.
fn expect_config_error(text: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, text).unwrap();
    let out = run(
        &["generate", "--config", "bad.toml", "--out", "gen"],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected, got:\n{err}");
    assert!(err.contains(needle), "{err:?} should contain {needle:?}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!dir.path().join("gen").exists(), "no partial output");
}

const GOOD: &str =
    "base = \"2\"\nmax_len = 64\n[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";

#[test]
fn bad_configurations_get_one_line_errors() {
    expect_config_error(
        &GOOD.replace("max_len = 64", "max_len = 64\ncolour = 3"),
        "bad.toml:3: unknown field `colour`",
    );
    expect_config_error(
        &GOOD.replace("frac = 2", "frac = 2\nsign = true"),
        "unknown field `sign`, expected `bits` or `frac`",
    );
    expect_config_error(
        &GOOD.replace("bits = 8\nfrac = 2", "bits = 20\nfrac = 2"),
        "`input.bits` = 20: allowed 4..=16",
    );
    expect_config_error(
        &GOOD.replace("bits = 8\nfrac = 7", "bits = 3\nfrac = 2"),
        "`output.bits` = 3: allowed 4..=16",
    );
    expect_config_error(
        &GOOD.replace("max_len = 64", "max_len = 0"),
        "`max_len` = 0: allowed 1..=65536",
    );
    expect_config_error(
        &GOOD.replace("frac = 7", "frac = 3"),
        "`output.frac` = 3: allowed 7 (1.0 representable) or 8",
    );
    expect_config_error(
        &GOOD.replace("frac = 2", "frac = 8"),
        "`input.frac` = 8: allowed 0..=7",
    );
    expect_config_error(
        &GOOD.replace("base = \"2\"", "base = \"e\""),
        "`log2e` = (missing): required with base = \"e\"",
    );
    expect_config_error(
        &GOOD.replace("base = \"2\"", "log2e = \"upstream\""),
        "`log2e` = upstream: allowed only with base = \"e\"",
    );
    expect_config_error(
        &format!("{GOOD}[exp]\nmethod = \"lpw\"\nsegments = 3\n"),
        "`exp.segments` = 3: allowed a power of two",
    );
    expect_config_error(
        &format!("{GOOD}[recip]\nmethod = \"cordic\"\n"),
        "unknown variant `cordic`, expected one of `lut`, `lpw`, `newton`",
    );
    expect_config_error(
        &GOOD.replace("max_len = 64", "max_len = \"long\""),
        "bad.toml:2: `max_len`: invalid type: string \"long\", expected u32",
    );
    expect_config_error("[input]\nbits = 8\nfrac = 2\n", "missing field `output`");
}

#[test]
fn missing_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["generate", "--config", "nope.toml", "--out", "gen"],
        vec!["golden", "--input", "nope.csv", "--output", "gen.csv"],
        vec!["cosim", "--config", "nope.toml"],
    ] {
        let out = run(&args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("nope.") && err.contains("No such file"),
            "{err}"
        );
        assert!(!dir.path().join("gen").exists() && !dir.path().join("gen.csv").exists());
    }
}

#[test]
fn generate_writes_verilog_and_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let out = run(
        &[
            "generate",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            "gen",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("generate: Verilog  gen/smx_b2_i8f2_o8f7_n1024_"),
        "{stdout}"
    );
    let files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("gen"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    let v = files
        .iter()
        .find(|f| f.extension().unwrap() == "v")
        .unwrap();
    let j = files
        .iter()
        .find(|f| f.extension().unwrap() == "json")
        .unwrap();
    let text = std::fs::read_to_string(v).unwrap();
    assert!(text.starts_with("// Generated by softmax-hw"));
    assert!(text.contains("//   softmax-hw generate --config softermax.toml"));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(j).unwrap()).unwrap();
    let module = m["module"].as_str().unwrap();
    assert!(text.contains(&format!("module {module}(")));
    assert_eq!(m["formats"]["input"]["q"], "Q(6,2)");
    assert_eq!(m["formats"]["output"]["q"], "UQ(1,7)");
    assert_eq!(m["timing"]["row_cycles"], "L + 10");
    assert_eq!(m["resolved_config"]["recip"]["segments"], 8);
    let ports: Vec<(&str, u64)> = m["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["width"].as_u64().unwrap()))
        .collect();
    assert!(
        ports.contains(&("s_axis_tdata", 8))
            && ports.contains(&("m_axis_tdata", 8))
            && ports.contains(&("m_axis_tready", 1))
    );
    // the default configuration without --config
    let out = run(&["generate", "--out", "def"], dir.path());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("smx_be_mul_i10f3_o8f8_n1024_"));
}

#[test]
fn golden_prints_exact_values_and_codes() {
    let dir = tempfile::tempdir().unwrap();
    // natural-log logits; the Softermax config reads them as base-2 logits in Q(6,2)
    std::fs::write(
        dir.path().join("rows.csv"),
        "0, -1\n0.5,0\n# a comment\n\n7\n",
    )
    .unwrap();
    let cfg = root().join("configs/softermax.toml");
    let cfg = cfg.to_str().unwrap();
    let out = run(
        &["golden", "--config", cfg, "--input", "rows.csv"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0.6640625,0.3359375\n0.5859375,0.4140625\n1\n"
    );
    let out = run(
        &[
            "golden", "--config", cfg, "--input", "rows.csv", "--codes", "--output", "y.csv",
        ],
        dir.path(),
    );
    assert!(out.status.success());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("y.csv")).unwrap(),
        "85,43\n75,53\n128\n"
    );
}

#[test]
fn golden_rejects_bad_rows_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let cfg = cfg.to_str().unwrap();
    std::fs::write(dir.path().join("bad.csv"), "1,2\n3,x,4\n").unwrap();
    let out = run(
        &[
            "golden", "--config", cfg, "--input", "bad.csv", "--output", "y.csv",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        err.trim(),
        "error: bad.csv:2: field 2 = \"x\": allowed a finite decimal real (|x| < 1.8e308), or -inf"
    );
    assert!(!dir.path().join("y.csv").exists());
    let long = vec!["0"; 1025].join(",");
    std::fs::write(dir.path().join("long.csv"), format!("1\n{long}\n")).unwrap();
    let out = run(
        &[
            "golden", "--config", cfg, "--input", "long.csv", "--output", "y.csv",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("long.csv: row 2 has 1025 elements: allowed 1..=1024"),
        "{err}"
    );
    assert!(!dir.path().join("y.csv").exists());
}

#[test]
fn cosim_cli_prints_the_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    std::fs::write(dir.path().join("rows.csv"), "0,-1,2.5\n-30,30\n1\n").unwrap();
    let out = exe()
        .args([
            "cosim",
            "--config",
            cfg.to_str().unwrap(),
            "--input",
            "rows.csv",
            "--stall",
            "0.3",
        ])
        .current_dir(dir.path())
        .env("SOFTMAX_HW_CACHE", root().join("target/softmax-hw-cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().last().unwrap(),
        "cosim: 3 rows, 6 elements, 0 mismatches"
    );
    let out = run(
        &["cosim", "--config", cfg.to_str().unwrap(), "--stall", "1.5"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stderr).trim(), "error: `--stall` = 1.5: allowed 0 <= P < 1, at most 0.999 (the streams move about once in 1/(1 - P) cycles)");
}

#[test]
fn accuracy_reports_every_attention_set() {
    let dir = tempfile::tempdir().unwrap();
    // the in-repo sample (data/attention): its row counts are checked below
    let data = root().join("data/attention");
    let cfg = root().join("configs/exact8.toml");
    let out = run(
        &[
            "accuracy",
            "--config",
            cfg.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--json",
            "acc.json",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for set in ["minilm_l6_dev", "smollm2_135m_dev", "smollm2_135m_long_dev"] {
        let unit = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {set} |")) && l.contains("| unit |"))
            .unwrap_or_else(|| panic!("{stdout}"));
        // the 8-bit exact-softmax target: within 1 LSB of the correctly rounded softmax, no argmax flip
        let cols: Vec<&str> = unit.split('|').map(str::trim).collect();
        assert_eq!(cols[4], "1", "{unit}");
        assert!(cols[8].ends_with("/ 0"), "{unit}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("acc.json")).unwrap())
            .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
    // one file with an index: per-layer table, JSON and SVG
    let f = |s: &str| {
        data.join(format!("minilm_l6_dev_{s}.npy"))
            .to_str()
            .unwrap()
            .to_string()
    };
    let out = run(
        &[
            "accuracy",
            "--config",
            cfg.to_str().unwrap(),
            "--data",
            &f("logits"),
            "--lengths",
            &f("lengths"),
            "--index",
            &f("index"),
            "--json",
            "one.json",
            "--plot",
            "one.svg",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("| L05 | 52 |"), "{stdout}");
    assert!(std::fs::read_to_string(dir.path().join("one.svg"))
        .unwrap()
        .starts_with("<svg"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("one.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["variants"][0]["per_head"].as_object().unwrap().len(),
        72
    );
    // a bad data file: one line, no output
    std::fs::write(dir.path().join("x.txt"), "1,2").unwrap();
    let out = run(
        &["accuracy", "--data", "x.txt", "--json", "bad.json"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: `--data` = x.txt: allowed a .npy (rows x max_len, float32) or .csv file"
    );
    assert!(!dir.path().join("bad.json").exists());
}

/// A two-variant sweep split into two shards, then merged: every point is co-simulated
/// bit-exactly and synthesized.
#[test]
fn sweep_shards_and_merge() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/exact8.toml");
    for shard in ["0/2", "1/2"] {
        let out = exe()
            .args([
                "sweep",
                "--config",
                cfg.to_str().unwrap(),
                "--vary",
                "exp.segments=8,16",
                "--target",
                "ice40",
                "--rows",
                "60",
            ])
            .args(["--shard", shard, "--out", &format!("s{}", &shard[..1])])
            .current_dir(dir.path())
            .env("SOFTMAX_HW_CACHE", root().join("target/softmax-hw-cache"))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stdout.contains("sweep: 1 points"), "{stdout}");
        // not a terminal: one progress line per finished variant
        let segments = if shard == "0/2" { 8 } else { 16 };
        let progress: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("sweep: 1/1 done: #"))
            .collect();
        assert_eq!(progress.len(), 1, "{stderr}");
        assert!(
            progress[0].contains(&format!("exp.segments={segments} ("))
                && progress[0].contains("0 cosim mismatches"),
            "{stderr}"
        );
    }
    let out = run(
        &["merge", "--out", "m", "s0/table.json", "s1/table.json"],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("| 0 |") || l.starts_with("| 1 |"))
        .collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    for r in rows {
        let c: Vec<&str> = r.split('|').map(str::trim).collect();
        assert_eq!(c[6], "0", "cosim mismatches: {r}");
        assert!(c[7].parse::<u64>().unwrap() > 100, "LUTs: {r}");
        assert!(c[11].parse::<f64>().unwrap() > 5.0, "Fmax: {r}");
    }
    assert!(dir.path().join("m/pareto_fmax_area.svg").exists());
    let out = run(
        &["sweep", "--vary", "exp.segments", "--out", "bad"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(!dir.path().join("bad").exists());
}

/// Runs `sweep` (with `--out out` unless `args` give one) expecting exit status 1, one `error:` line that starts with
/// `start` and contains `needle`, and no output directory.
fn expect_sweep_error(args: &[&str], start: &str, needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a-file"), "").unwrap();
    let out_flag: &[&str] = if args.contains(&"--out") {
        &[]
    } else {
        &["--out", "out"]
    };
    let out = run(&[args, out_flag].concat(), dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{args:?}: one line expected, got:\n{err}"
    );
    assert!(
        err.starts_with(&format!("error: {start}")) && err.contains(needle),
        "{args:?}: {err:?} should start with {start:?} and contain {needle:?}"
    );
    assert!(
        out.stdout.is_empty(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !dir.path().join("out").exists(),
        "{args:?}: no output directory"
    );
    assert!(
        !dir.path().join("target").exists(),
        "{args:?}: no work started"
    );
    assert!(dir.path().join("a-file").is_file());
}

/// Every `--vary` (the axes and every variant they make), `--rows` and `--out` are checked
/// before any variant runs (issues 9 and 10).
#[test]
fn sweep_refuses_bad_flags_before_any_work() {
    let cfg = root().join("configs/exact8.toml");
    let cfg = cfg.to_str().unwrap();
    let sweep = |more: &[&'static str]| [&["sweep", "--config", cfg][..], more].concat();
    let vary = "`--vary` = ";
    expect_sweep_error(
        &sweep(&["--vary", "colour=1,2"]),
        vary,
        "colour=1,2: unknown key `colour`; allowed base, exp.method, ",
    );
    expect_sweep_error(
        &sweep(&["--vary", "input.sign=0,1"]),
        vary,
        "input.sign=0,1: unknown key `input.sign`; allowed input.bits, input.frac",
    );
    expect_sweep_error(
        &sweep(&["--vary", "exp.segments=4,8", "--vary", "input.bits=8,20"]),
        vary,
        "input.bits=20: allowed 4..=16",
    );
    expect_sweep_error(
        &sweep(&["--vary", "output.bits=8,6"]),
        vary,
        "output.bits=6: then `output.frac` = 8: allowed 5 (1.0 representable) or 6",
    );
    expect_sweep_error(
        &sweep(&["--vary", "max_len=long"]),
        vary,
        "max_len=long: invalid type: string \"long\", expected u32",
    );
    expect_sweep_error(
        &sweep(&["--vary", "sparse.k=8,32"]),
        vary,
        "sparse.k=8: missing field `mode` in [sparse] (the base config has no [sparse])",
    );
    // the same key twice, in two flags or in one
    expect_sweep_error(
        &sweep(&["--vary", "max_len=512", "--vary", "max_len=2048"]),
        vary,
        "max_len=2048: key `max_len` is already varied by --vary max_len=512",
    );
    expect_sweep_error(
        &sweep(&[
            "--vary",
            "output.bits,output.frac=8:8",
            "--vary",
            "output.frac=7",
        ]),
        vary,
        "output.frac=7: key `output.frac` is already varied by --vary output.bits,output.frac=8:8",
    );
    expect_sweep_error(
        &sweep(&["--vary", "max_len,max_len=1:2"]),
        vary,
        "key `max_len` twice; allowed each key in one --vary only",
    );
    // paired keys with a step of the wrong size
    expect_sweep_error(
        &sweep(&["--vary", "output.bits,output.frac=6:6,8"]),
        vary,
        "`8` gives 1 value for 2 keys; allowed one value per key, joined by ':'",
    );
    expect_sweep_error(
        &sweep(&["--vary", "output.bits,output.frac=6:6:6"]),
        vary,
        "`6:6:6` gives 3 values for 2 keys",
    );
    expect_sweep_error(
        &sweep(&["--vary", "exp.segments=4,,8"]),
        vary,
        "an empty value; allowed KEY=V1,V2,... or KEY1,KEY2=A1:B1,A2:B2,...",
    );
    // --rows 0 co-simulates nothing, and --out must be a directory
    expect_sweep_error(
        &sweep(&["--vary", "exp.segments=8", "--rows", "0"]),
        "`--rows` = 0: allowed 1 or more",
        "",
    );
    expect_sweep_error(
        &sweep(&["--vary", "exp.segments=8", "--freq", "0"]),
        "`--freq` = 0: allowed a positive number of MHz",
        "",
    );
    expect_sweep_error(
        &[
            sweep(&["--vary", "exp.segments=8"]),
            vec!["--out", "a-file"],
        ]
        .concat(),
        "`--out` = a-file: allowed a directory; this is a file",
        "",
    );
    expect_sweep_error(
        &[
            sweep(&["--vary", "exp.segments=8"]),
            vec!["--out", "a-file/sub"],
        ]
        .concat(),
        "`--out` = a-file/sub: allowed a directory that can be created",
        "",
    );
}

/// `merge` joins shards of one sweep only: a shard of another sweep (other base config or
/// axes), or a variant in two shards with different results, is refused naming the file.
#[test]
fn merge_refuses_shards_of_unrelated_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let info = |base: &str, vary: &str| serde_json::json!({"base": base, "vary": [vary], "variants": 2, "target": "ecp5", "freq_mhz": 100.0, "rows": 300, "baseline": false});
    let point = |i: usize, vary: &str, lut: u64| {
        let (k, v) = vary.split_once('=').unwrap();
        let v = v.split(',').nth(i).unwrap();
        serde_json::json!({"index": i, "settings": [[k, v]], "design": "unit", "module": "m", "max_lsb": 1.0, "mean_lsb": 0.001, "argmax_flips": 0,
            "kept_share": null, "dropped_mass": null, "cosim_rows": 300, "cosim_mismatches": 0, "lut": lut, "ff": 1, "bram": 1, "dsp": 1, "fmax_mhz": 90.0, "note": ""})
    };
    let write = |name: &str, base: &str, vary: &str, points: Vec<serde_json::Value>| {
        std::fs::create_dir_all(dir.path().join(name)).unwrap();
        let t = serde_json::json!({"sweep": info(base, vary), "points": points});
        std::fs::write(dir.path().join(name).join("table.json"), t.to_string()).unwrap();
    };
    let (seg, rec) = ("exp.segments=8,16", "recip.segments=8,16");
    write("s0", "max_len = 1024\n", seg, vec![point(0, seg, 800)]);
    write("s1", "max_len = 1024\n", seg, vec![point(1, seg, 850)]);
    write(
        "other_vary",
        "max_len = 1024\n",
        rec,
        vec![point(1, rec, 900)],
    );
    write(
        "other_base",
        "max_len = 2048\n",
        seg,
        vec![point(1, seg, 900)],
    );
    write(
        "conflict",
        "max_len = 1024\n",
        seg,
        vec![point(0, seg, 801)],
    );
    let out = run(
        &[
            "merge",
            "--out",
            "m",
            "s0/table.json",
            "s1/table.json",
            "s0/table.json",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("merge: 2 points from 3 files; table and plots in m"),
        "{stdout}"
    );
    let out = run(&["merge", "--out", "m1", "s1/table.json"], dir.path());
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("merge: 1 points from 1 files (missing variants 0 of the sweep's 2)"));
    let one = "allowed shards of one sweep (the same --config, --vary, --target, --freq, --rows, --baseline)";
    for (file, needle) in [
        ("other_vary", format!("other_vary/table.json: not a shard of the sweep in s0/table.json: --vary recip.segments=8,16 instead of --vary exp.segments=8,16; {one}")),
        ("other_base", format!("other_base/table.json: not a shard of the sweep in s0/table.json: its base config (--config) differs; {one}")),
        ("conflict", "conflict/table.json: variant 0 (unit) differs from the one in s0/table.json; allowed a variant in two files only with identical content".into()),
    ] {
        let out = run(&["merge", "--out", "bad", "s0/table.json", &format!("{file}/table.json")], dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.trim(), format!("error: {needle}"));
        assert!(!dir.path().join("bad").exists(), "no output directory");
    }
}

/// Bad `[sparse]` parameters: one line naming the field, the value and what is allowed,
/// exit status 1, nothing written; the same for `golden` and `cosim`.
#[test]
fn bad_sparse_parameters_get_one_line_errors() {
    let exact8 = std::fs::read_to_string(root().join("configs/exact8.toml")).unwrap();
    let sparse = |s: &str| format!("{exact8}\n[sparse]\n{s}\n");
    expect_config_error(
        &sparse("mode = \"topk\"\nk = 0"),
        "config: `sparse.k` = 0: allowed 1..=256 (topk holds at most 256)",
    );
    expect_config_error(
        &sparse("mode = \"stat_topk\"\nk = 2000"),
        "config: `sparse.k` = 2000: allowed 1..=1024 (max_len)",
    );
    expect_config_error(
        &sparse("mode = \"threshold\"\ntheta = -0.5"),
        "config: `sparse.theta` = -0.5: allowed 0 <= theta <= 127.875",
    );
    expect_config_error(
        &sparse("mode = \"stat_topk\"\nk = 64\nk_max = 32"),
        "config: `sparse.k_max` = 32: allowed 64..=1024 (k..=max_len)",
    );
    expect_config_error(
        &sparse("mode = \"threshold\""),
        "config: `sparse.theta` = (missing): required with sparse.mode = \"threshold\"",
    );
    expect_config_error(
        &sparse("mode = \"topk\"\nk = 8\nk_max = 16"),
        "config: `sparse.k_max` = 16: not used with sparse.mode = \"topk\"",
    );
    expect_config_error(
        &sparse("mode = \"sort\""),
        "unknown variant `sort`, expected one of `threshold`, `stat_topk`, `topk`",
    );
    expect_config_error(
        &sparse("mode = \"topk\"\nk = 8\nrenorm = \"some\""),
        "unknown variant `some`, expected `all` or `survivors`",
    );
    // golden and cosim refuse the same configuration before writing anything
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        sparse("mode = \"topk\"\nk = 0"),
    )
    .unwrap();
    std::fs::write(dir.path().join("rows.csv"), "1,2\n").unwrap();
    for args in [
        vec![
            "golden", "--config", "bad.toml", "--input", "rows.csv", "--output", "y.csv",
            "--report", "r.csv",
        ],
        vec![
            "cosim", "--config", "bad.toml", "--rows", "10", "--report", "r.csv",
        ],
    ] {
        let out = run(&args, dir.path());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(
            err.trim(),
            "error: config: `sparse.k` = 0: allowed 1..=256 (topk holds at most 256)"
        );
        assert!(!dir.path().join("y.csv").exists() && !dir.path().join("r.csv").exists());
    }
    // a sparse-only flag on a dense configuration
    let out = run(
        &["golden", "--input", "rows.csv", "--report", "r.csv"],
        dir.path(),
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: `--report` = r.csv: allowed only with a [sparse] configuration"
    );
}

/// `golden` on a sparse configuration: dropped elements are 0, per-row kept counts and
/// dropped mass on stderr and in the --report CSV.
#[test]
fn golden_reports_kept_counts_of_a_sparse_unit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rows.csv"), "0,-1,-10,2\n5\n").unwrap();
    let cfg = root().join("configs/sparse_threshold.toml");
    let out = run(
        &[
            "golden",
            "--config",
            cfg.to_str().unwrap(),
            "--input",
            "rows.csv",
            "--codes",
            "--report",
            "r.csv",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // theta = 6: -10 is more than 6 below the max 2 and is dropped
    let y: Vec<Vec<u64>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(y[0][2], 0);
    assert!(y[0][0] > 0 && y[0][1] > 0 && y[0][3] > 0);
    assert!(
        err.contains("golden: row 1: L = 4, theta = 6, kept 3, dropped mass"),
        "{err}"
    );
    assert!(
        err.contains("golden: sparse threshold: 2 rows, 5 elements: kept 4 (80.0%)"),
        "{err}"
    );
    let csv = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert!(
        csv.starts_with("row,len,theta,kept,dropped_mass,tv\n1,4,6,3,"),
        "{csv}"
    );
}

/// Written files get the mode a plain new file gets (0666 less the umask), like `generate`'s,
/// not a temporary file's 0600 (issue: `golden --output`, `accuracy --json/--plot` were 0600).
#[cfg(unix)]
#[test]
fn written_files_get_the_umask_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("rows.csv"), "0, -1\n0.5,0\n").unwrap();
    let plain = std::fs::metadata(p.join("rows.csv"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let cfg = root().join("configs/softermax.toml");
    let cfg = cfg.to_str().unwrap();
    let data = root().join("data/attention/minilm_l6_dev_logits.npy");
    for args in [
        vec![
            "golden", "--config", cfg, "--input", "rows.csv", "--output", "y.csv",
        ],
        vec![
            "accuracy",
            "--config",
            cfg,
            "--data",
            data.to_str().unwrap(),
            "--json",
            "a.json",
            "--plot",
            "a.svg",
        ],
        vec!["generate", "--config", cfg, "--out", "gen"],
    ] {
        let out = run(&args, p);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let gen = std::fs::read_dir(p.join("gen"))
        .unwrap()
        .map(|e| e.unwrap().path());
    for f in [p.join("y.csv"), p.join("a.json"), p.join("a.svg")]
        .into_iter()
        .chain(gen)
    {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode,
            plain,
            "{}: mode {mode:o}, a plain new file gets {plain:o}",
            f.display()
        );
    }
}

/// `cosim` with the shared Verilator cache (every example configuration is built once).
fn cosim(args: &[&str], cwd: &Path) -> Output {
    exe()
        .arg("cosim")
        .args(args)
        .current_dir(cwd)
        .env("SOFTMAX_HW_CACHE", root().join("target/softmax-hw-cache"))
        .output()
        .unwrap()
}

fn json_file(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `cosim --json FILE` and `--json -`: the figures of the run, against what was sent (the
/// CSV's rows and elements, the module the library names); with `-` stdout is JSON only.
#[test]
fn cosim_json_reports_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let cfg = cfg.to_str().unwrap();
    std::fs::write(
        dir.path().join("rows.csv"),
        "0,-1,2.5\n-30,30\n1\n4,4,4,4\n",
    )
    .unwrap();
    let out = cosim(
        &[
            "--config", cfg, "--input", "rows.csv", "--stall", "0.2", "--json", "c.json",
        ],
        dir.path(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().last().unwrap(),
        "cosim: 4 rows, 10 elements, 0 mismatches"
    );
    let j = json_file(&dir.path().join("c.json"));
    let p = softmax_hw::params::UnitParams::new(
        &softmax_hw::config::Config::load(Some(Path::new(cfg))).unwrap(),
    )
    .unwrap();
    assert_eq!(j["module"], p.module_name());
    assert_eq!(
        (
            j["rows"].as_u64(),
            j["elements"].as_u64(),
            j["outputs"].as_u64()
        ),
        (Some(4), Some(10), Some(10))
    );
    assert_eq!(
        (j["mismatches"].as_u64(), j["passed"].as_bool()),
        (Some(0), Some(true))
    );
    assert_eq!(
        (
            j["stall"].as_f64(),
            j["seed"].as_u64(),
            j["design"].as_str()
        ),
        (Some(0.2), Some(1), Some("unit"))
    );
    // 10 elements need at least 10 input and 10 output cycles
    assert!(j["cycles"].as_u64().unwrap() >= 20, "{j}");
    assert_eq!(j["first_mismatches"].as_array().unwrap().len(), 0);
    // generated rows: the row count is --rows; stdout is the JSON and nothing else
    let out = cosim(
        &[
            "--config", cfg, "--rows", "37", "--seed", "5", "--json", "-",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    assert_eq!(
        (
            j["rows"].as_u64(),
            j["seed"].as_u64(),
            j["mismatches"].as_u64()
        ),
        (Some(37), Some(5), Some(0))
    );
    assert_eq!(j["outputs"], j["elements"]);
    let rows = softmax_hw::rows::cosim_rows(&p, 37, 5);
    assert_eq!(
        j["elements"].as_u64().unwrap(),
        rows.iter().map(|r| r.x.len() as u64).sum::<u64>()
    );
}

/// Issue 10: `cosim --stall 0.999` reported a count mismatch: the harness gave up waiting
/// for outputs after a fixed number of idle cycles once the input had ended, fewer than the
/// gaps a 0.999 stall makes between output handshakes. A long last row (800 outputs after
/// the input ends) made that near certain.
#[test]
fn cosim_stall_0_999_is_bit_exact() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let long: Vec<String> = (0..800)
        .map(|i| ((i * 7 % 23) as f64 / 2.0 - 5.0).to_string())
        .collect();
    std::fs::write(
        dir.path().join("rows.csv"),
        format!("1,2,3\n0.5,-0.5\n{}\n", long.join(",")),
    )
    .unwrap();
    for (stall, source, rows, elements) in [
        ("0.99", ["--rows", "30"], 30, None),
        ("0.999", ["--input", "rows.csv"], 3, Some(805)),
    ] {
        let out = cosim(
            &[
                &[
                    "--config",
                    cfg.to_str().unwrap(),
                    "--stall",
                    stall,
                    "--json",
                    "-",
                ],
                &source[..],
            ]
            .concat(),
            dir.path(),
        );
        assert!(
            out.status.success(),
            "--stall {stall}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(j["rows"].as_u64(), Some(rows));
        if let Some(n) = elements {
            assert_eq!(j["elements"].as_u64(), Some(n));
        }
        assert_eq!(
            (j["mismatches"].as_u64(), j["passed"].as_bool()),
            (Some(0), Some(true)),
            "--stall {stall}: {j}"
        );
        assert_eq!(j["outputs"], j["elements"], "--stall {stall}");
        // the stalls happened: an element waits about 1 / (1 - stall) cycles on each side
        let (cycles, elements) = (
            j["cycles"].as_u64().unwrap() as f64,
            j["elements"].as_u64().unwrap() as f64,
        );
        let wait = 1.0 / (1.0 - stall.parse::<f64>().unwrap());
        assert!(
            cycles > 0.5 * wait * elements,
            "--stall {stall}: {cycles} cycles for {elements} elements"
        );
    }
}

/// A design that loses outputs (a stand-in harness that streams none back) is an error: one
/// line on stderr naming the counts, exit status 1, and the JSON says so.
#[cfg(unix)]
#[test]
fn cosim_count_mismatch_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");
    let cfg =
        softmax_hw::config::Config::load(Some(&root().join("configs/softermax.toml"))).unwrap();
    let g = softmax_hw::generate::generate_design(
        &cfg,
        "softermax.toml",
        softmax_hw::generate::Design::Unit,
    )
    .unwrap();
    let (_, binary) = softmax_hw::cosim::cache_entry(&g, &cache).unwrap();
    std::fs::create_dir_all(binary.parent().unwrap()).unwrap();
    // reads every input, answers with the trailer record only (u32 0, u32 0x80000000, u64 0)
    std::fs::write(&binary, "#!/bin/sh\ncat > /dev/null\nprintf '\\000\\000\\000\\000\\000\\000\\000\\200\\000\\000\\000\\000\\000\\000\\000\\000'\n").unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.path().join("rows.csv"), "0,1,2\n3\n").unwrap();
    let cfg = root().join("configs/softermax.toml");
    let out = exe()
        .args([
            "cosim",
            "--config",
            cfg.to_str().unwrap(),
            "--input",
            "rows.csv",
            "--json",
            "c.json",
            "--vcd-dir",
            "vcd",
        ])
        .current_dir(dir.path())
        .env("SOFTMAX_HW_CACHE", &cache)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim(), "error: cosim: count mismatch: sent 4 elements in 2 rows, received 0 outputs (the design lost or added outputs)");
    let j = json_file(&dir.path().join("c.json"));
    assert_eq!(
        (
            j["outputs"].as_u64(),
            j["elements"].as_u64(),
            j["passed"].as_bool()
        ),
        (Some(0), Some(4), Some(false))
    );
    assert!(
        !dir.path().join("vcd").exists(),
        "no VCD without a value mismatch"
    );
}

/// `bench --json`: the measurements, checked against the manifest and the row count.
#[test]
fn bench_json_reports_the_measurements() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let out = exe()
        .args([
            "bench",
            "--config",
            cfg.to_str().unwrap(),
            "--rows",
            "40",
            "--json",
            "-",
        ])
        .current_dir(dir.path())
        .env("SOFTMAX_HW_CACHE", root().join("target/softmax-hw-cache"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let c = softmax_hw::config::Config::load(Some(&cfg)).unwrap();
    let g = softmax_hw::generate::generate_design(
        &c,
        "softermax.toml",
        softmax_hw::generate::Design::Unit,
    )
    .unwrap();
    let t = &g.manifest.timing;
    assert_eq!(j["module"], g.module.as_str());
    assert_eq!(j["rows"].as_u64(), Some(40));
    assert!(
        j["raw_cycles_per_s"].as_f64().unwrap() > 0.0
            && j["elements_per_s"].as_f64().unwrap() > 0.0
    );
    assert_eq!(j["manifest_row_cycles"], t.row_cycles.as_str());
    let lens: Vec<u64> = j["row_lengths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["len"].as_u64().unwrap())
        .collect();
    assert_eq!(lens, [64, 1024, 8192]);
    for l in j["row_lengths"].as_array().unwrap() {
        let len = l["len"].as_u64().unwrap();
        if len > 1024 {
            assert!(l["cycles"].is_null(), "above max_len: {l}");
            continue;
        }
        // back to back, rows take what the manifest says; the bound is one element per cycle per pass
        assert_eq!(
            l["cycles"]["measured"].as_u64(),
            Some(t.row_cycles_of(len)),
            "{l}"
        );
        assert_eq!(
            l["cycles"]["bound"].as_u64(),
            Some(t.row_cycles_passes as u64 * len),
            "{l}"
        );
    }
    // text mode: the tables, no JSON
    let out = exe()
        .args([
            "bench",
            "--config",
            cfg.to_str().unwrap(),
            "--rows",
            "40",
            "--json",
            "b.json",
        ])
        .current_dir(dir.path())
        .env("SOFTMAX_HW_CACHE", root().join("target/softmax-hw-cache"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("| row length L |") && !stdout.contains('{'),
        "{stdout}"
    );
    assert_eq!(
        json_file(&dir.path().join("b.json"))["rows"].as_u64(),
        Some(40)
    );
}

/// `widths`: text without JSON on stdout; `--json` gives the widths the library computes.
#[test]
fn widths_json_matches_the_params() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("small.toml"), GOOD).unwrap();
    for (cfg, compiled) in [
        (root().join("configs/exact8.toml"), true),
        (dir.path().join("small.toml"), false),
    ] {
        let c = cfg.to_str().unwrap();
        let out = run(&["widths", "--config", c], dir.path());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !stdout.contains('{') && !stdout.contains('['),
            "JSON mixed into the text: {stdout}"
        );
        let p = softmax_hw::params::UnitParams::new(
            &softmax_hw::config::Config::load(Some(&cfg)).unwrap(),
        )
        .unwrap();
        let w = p.widths();
        assert!(
            stdout.contains(&format!("unit widths: wi={} wt={} ft={}", w.wi, w.wt, w.ft)),
            "{stdout}"
        );
        let out = run(&["widths", "--config", c, "--json", "-"], dir.path());
        let j: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(j["unit_widths"], serde_json::to_value(w).unwrap());
        assert_eq!(j["unit_widths"]["wo"].as_u64(), Some(p.output.bits as u64));
        assert_eq!(j["module"], p.module_name());
        let d = j["designs"].as_array().unwrap();
        assert_eq!(
            (d[0]["design"].as_str(), d[1]["design"].as_str()),
            (Some("unit"), Some("baseline"))
        );
        assert_eq!(d[0]["widths"], serde_json::to_value(w.to_vec()).unwrap());
        assert_eq!(d[0]["compiled_in"].is_string(), compiled, "{j}");
        let file = dir.path().join("w.json");
        assert!(
            run(&["widths", "--config", c, "--json", "w.json"], dir.path())
                .status
                .success()
        );
        assert_eq!(json_file(&file), j);
    }
}

/// `synth` prints each tool step on stderr as it starts and ends, with its time, and
/// `--json` holds the report the table shows.
#[test]
fn synth_reports_each_step_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = root().join("configs/softermax.toml");
    let out = run(
        &[
            "synth",
            "--config",
            cfg.to_str().unwrap(),
            "--target",
            "ice40",
            "--no-baseline",
            "--workdir",
            "w",
            "--json",
            "s.json",
        ],
        dir.path(),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let steps: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("(unit) on ice40: "))
        .map(|l| l.split("(unit) on ice40: ").nth(1).unwrap())
        .collect();
    assert_eq!(steps.len(), 4, "{err}");
    assert!(
        steps[0].starts_with("Yosys synth_ice40 of smx_b2_i8f2_o8f7_n1024_")
            && steps[0].ends_with(": started"),
        "{err}"
    );
    assert!(
        steps[1].contains(": done in ") && steps[1].ends_with(" s"),
        "{err}"
    );
    assert_eq!(
        steps[2], "nextpnr-ice40 place and route at 100 MHz: started",
        "{err}"
    );
    assert!(
        steps[3].starts_with("nextpnr-ice40 place and route at 100 MHz: done in "),
        "{err}"
    );
    let j = json_file(&dir.path().join("s.json"));
    let r = &j[0]["report"];
    assert_eq!(r["target"], "ice40");
    assert!(
        r["lut"].as_u64().unwrap() > 100 && r["fmax_mhz"].as_f64().unwrap() > 5.0,
        "{j}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("| {} |", r["lut"])),
        "the table shows the JSON's LUTs: {stdout}"
    );
}

/// `golden --keep`: each row's keep flags and kept count; with `threshold` (theta = 6, no
/// cap reached) an element is kept exactly when it is within 6 of its row's max.
#[test]
fn golden_writes_keep_flags() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [
        vec![0.0, -1.0, -10.0, 2.0],
        vec![5.0],
        vec![-7.5, 0.0, -6.0, -6.125, 3.0, -3.0, -3.0],
    ];
    let text: Vec<String> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|v: &f64| v.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    std::fs::write(dir.path().join("rows.csv"), text.join("\n") + "\n").unwrap();
    let cfg = root().join("configs/sparse_threshold.toml");
    let out = run(
        &[
            "golden",
            "--config",
            cfg.to_str().unwrap(),
            "--input",
            "rows.csv",
            "--codes",
            "--keep",
            "k.csv",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keep = std::fs::read_to_string(dir.path().join("k.csv")).unwrap();
    let mut lines = keep.lines();
    assert_eq!(lines.next(), Some("row,len,kept,keep"));
    let codes: Vec<Vec<u64>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.split(',').map(|v| v.parse().unwrap()).collect())
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let max = r.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let flags: String = r
            .iter()
            .map(|&x| if x >= max - 6.0 { '1' } else { '0' })
            .collect();
        let kept = flags.matches('1').count();
        assert_eq!(
            lines.next(),
            Some(format!("{},{},{kept},{flags}", i + 1, r.len()).as_str()),
            "{keep}"
        );
        // a dropped element outputs 0
        for (c, f) in codes[i].iter().zip(flags.chars()) {
            assert!(f == '1' || *c == 0, "row {}: {:?} {flags}", i + 1, codes[i]);
        }
    }
    assert_eq!(lines.next(), None);
}

/// The subcommands and, for each, the flags its `--help` lists (each with a description).
fn help_flags() -> Vec<(String, Vec<String>)> {
    let dir = tempfile::tempdir().unwrap();
    let top = String::from_utf8(run(&["--help"], dir.path()).stdout).unwrap();
    let cmds: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .filter(|c| c != "help")
        .collect();
    assert!(cmds.len() >= 10, "{top}");
    cmds.into_iter()
        .map(|c| {
            // -h: the summary, one line per flag
            let help = String::from_utf8(run(&[&c, "-h"], dir.path()).stdout).unwrap();
            let mut flags = vec![];
            for l in help
                .lines()
                .map(str::trim_start)
                .filter(|l| l.starts_with("--") || l.starts_with("-h"))
            {
                let flag = l
                    .split([' ', ','])
                    .find(|w| w.starts_with("--"))
                    .unwrap()
                    .to_string();
                if flag == "--help" {
                    continue;
                }
                // the description follows the flag and its value name on the same line
                let rest = l.trim_start_matches(&flag).trim_start();
                let rest = if rest.starts_with('<') {
                    rest.split_once('>').map_or("", |(_, r)| r)
                } else {
                    rest
                };
                assert!(
                    !rest.trim().is_empty() && !rest.trim().starts_with('['),
                    "`{c} {flag}` has no description in --help:\n{help}"
                );
                flags.push(flag);
            }
            (c, flags)
        })
        .collect()
}

/// Whether `line` holds `flag` as a whole flag (`--rows` is not found in `--rows-x`).
fn has_flag(line: &str, flag: &str) -> bool {
    line.match_indices(flag).any(|(i, _)| {
        !line[i + flag.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// The README's command list names every flag of every subcommand (from its `--help`), so
/// it cannot fall behind the binary.
#[test]
fn readme_lists_every_flag_of_every_subcommand() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    // the first code block of the "Command line" section
    let list: Vec<&str> = readme
        .lines()
        .skip_while(|l| *l != "## Command line")
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    let mut missing = vec![];
    for (cmd, flags) in help_flags() {
        let prefix = format!("softmax-hw {cmd} ");
        let line = list
            .iter()
            .find(|l| l.starts_with(&prefix))
            .unwrap_or_else(|| panic!("README.md has no `{prefix}...` line in its command list"));
        missing.extend(
            flags
                .iter()
                .filter(|f| !has_flag(line, f))
                .map(|f| format!("{cmd} {f}")),
        );
    }
    assert!(
        missing.is_empty(),
        "README.md's command list lacks: {}",
        missing.join(", ")
    );
}
