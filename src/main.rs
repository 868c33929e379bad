//! softmax-hw command line. Every user error is one line on stderr and exit status 1.

use clap::{Parser, Subcommand};
use rayon::prelude::*;
use softmax_hw::config::Config;
use softmax_hw::cosim;
use softmax_hw::error::{Error, Result};
use softmax_hw::generate::{self, Design};
use softmax_hw::params::UnitParams;
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
        #[arg(long, value_name = "N")]
        testbench: Option<usize>,
        /// Testbench: seed of the random rows, the stalls and the theta writes
        #[arg(long, default_value_t = 1, requires = "testbench")]
        seed: u64,
        /// Testbench: probability of a stall on each stream per cycle (0 <= P < 1)
        #[arg(long, default_value_t = 0.3, requires = "testbench")]
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
        /// Output CSV (default: stdout)
        #[arg(long)]
        output: Option<PathBuf>,
        /// Print raw output codes instead of their real values
        #[arg(long)]
        codes: bool,
        /// Sparse configurations: write per-row kept counts and dropped mass as CSV
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Co-simulate the Verilog with Verilator against the golden model, every output bit
    Cosim {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// Number of rows: every corner case, then seeded random rows (ignored with --input)
        #[arg(long, default_value_t = 2000)]
        rows: usize,
        /// Seed of the random rows and of the stalls
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Stream the rows of this CSV instead
        #[arg(long)]
        input: Option<PathBuf>,
        /// Probability of a stall on the input valid and on the output ready, each cycle
        #[arg(long, default_value_t = 0.0)]
        stall: f64,
        /// Where a failing row's VCD is kept
        #[arg(long, default_value = "target/cosim-failures")]
        vcd_dir: PathBuf,
        /// The softmax unit, or the conventional baseline with the same formats
        #[arg(long, value_enum, default_value_t = Design::Unit)]
        design: Design,
        /// Sparse configurations: write the RTL's per-row kept counts and dropped mass as CSV
        #[arg(long)]
        report: Option<PathBuf>,
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
        /// Random rows for the throughput measurement
        #[arg(long, default_value_t = 2000)]
        rows: usize,
        /// The softmax unit, or the conventional baseline with the same formats
        #[arg(long, value_enum, default_value_t = Design::Unit)]
        design: Design,
    },
    /// Synthesize the unit and its baseline (Yosys, nextpnr) and report area and Fmax side by side
    Synth {
        /// TOML configuration (default: the built-in exact8 configuration, configs/exact8.toml)
        #[arg(long)]
        config: Option<PathBuf>,
        /// ice40, ecp5, xc7, generic, or all
        #[arg(long, default_value = "all")]
        target: String,
        /// Clock constraint for place and route, MHz
        #[arg(long, default_value_t = 100.0)]
        freq: f64,
        /// Placer seed
        #[arg(long, default_value_t = 1)]
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
        /// Synthesis target: ice40, ecp5, xc7 or generic
        #[arg(long, default_value = "ecp5")]
        target: String,
        /// Clock constraint for place and route, MHz
        #[arg(long, default_value_t = 100.0)]
        freq: f64,
        /// Co-simulation rows per variant (1 or more)
        #[arg(long, default_value_t = 300)]
        rows: usize,
        /// Also run each variant's conventional baseline
        #[arg(long)]
        baseline: bool,
        /// Run only variants i, i+n, i+2n, ... (i/n), for batch schedulers; join with `merge`
        #[arg(long, default_value = "0/1")]
        shard: String,
        /// Output directory: table.csv, table.json, table.md and two Pareto plots (SVG)
        #[arg(long, default_value = "target/sweep")]
        out: PathBuf,
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
        #[arg(long, default_value_t = 20)]
        configs: u64,
        /// seed of the first configuration (configuration i uses seed + i)
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// co-simulated rows per design (corner rows first)
        #[arg(long, default_value_t = 300)]
        rows: usize,
        /// probability of a stall on each stream per cycle
        #[arg(long, default_value_t = 0.3)]
        stall: f64,
        /// largest max_len drawn (1..=65536)
        #[arg(long, default_value_t = 8192)]
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
    },
}

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
        .ok_or_else(|| Error::flag("--target", t, "allowed ice40, ecp5, xc7, generic (synth also takes all)"))
}

/// Per-row lines (the first 10) and the aggregate of sparse selection; the full per-row CSV
/// goes to `csv` when given. Empty for dense configurations.
fn sparse_report(p: &UnitParams, rows: &[(u64, softmax_hw::sparse::report::RowStat)], tag: &str, csv: Option<&Path>) -> Result<String> {
    use softmax_hw::sparse::report::{csv_line, row_line, Summary, CSV_HEADER};
    let Some(sp) = &p.sparse else { return Ok(String::new()) };
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
    Ok(text)
}

fn run(cli: Cli) -> Result<i32> {
    match cli.cmd {
        Cmd::Generate { config, out, design, testbench, seed, stall, input } => {
            let (cfg, p, source) = load(&config)?;
            if !(0.0..1.0).contains(&stall) {
                return Err(Error::flag("--stall", stall, "allowed 0 <= P < 1"));
            }
            if design == Design::Baseline && p.sparse.is_some() {
                return Err(Error::flag("--design", "baseline", "allowed only with a dense configuration (the baseline has no sparse selection)"));
            }
            let mut rows = match testbench {
                Some(0) if input.is_none() => return Err(Error::flag("--testbench", 0, "allowed 1 or more rows (or 0 with --input)")),
                Some(n) => softmax_hw::rows::cosim_rows(&p, n, seed),
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
        Cmd::Golden { config, input, output, codes, report } => {
            let (_, p, _) = load(&config)?;
            if report.is_some() && p.sparse.is_none() {
                return Err(Error::flag("--report", report.unwrap().display(), "allowed only with a [sparse] configuration"));
            }
            let origin = input.display().to_string();
            let rows = softmax_hw::csvio::quantize_rows(&p, &softmax_hw::csvio::read_rows(&input)?, &origin)?;
            let mut text = String::new();
            let mut sparse_rows = vec![];
            for r in &rows {
                let y = match &p.sparse {
                    None => softmax_hw::unit::model::run_row(&p, r).y,
                    Some(sp) => {
                        let s = softmax_hw::sparse::model::run_row(sp, &p, r, sp.theta);
                        sparse_rows.push((sp.theta, softmax_hw::sparse::report::row_stat(&p, r, &s.keep, &s.y)));
                        s.y
                    }
                };
                let fields: Vec<String> = if codes {
                    y.iter().map(|c| c.to_string()).collect()
                } else {
                    y.iter().map(|&c| p.output.to_real(c as i64).to_string()).collect()
                };
                text.push_str(&fields.join(","));
                text.push('\n');
            }
            let sparse_text = sparse_report(&p, &sparse_rows, "golden", report.as_deref())?;
            match output {
                Some(path) => softmax_hw::output::write_atomically(&path, &text)?,
                None => print!("{text}"),
            }
            eprint!("{sparse_text}");
            eprintln!("golden: {} rows, {} elements, module {}", rows.len(), rows.iter().map(|r| r.len()).sum::<usize>(), p.module_name());
            Ok(0)
        }
        Cmd::Cosim { config, rows, seed, input, stall, vcd_dir, design, report } => {
            if !(0.0..1.0).contains(&stall) {
                return Err(Error::flag("--stall", stall, "allowed 0 <= P < 1"));
            }
            let (cfg, p, source) = load(&config)?;
            if design == Design::Baseline && p.sparse.is_some() {
                return Err(Error::flag("--design", "baseline", "allowed only with a dense configuration (the baseline has no sparse selection)"));
            }
            if report.is_some() && p.sparse.is_none() {
                return Err(Error::flag("--report", report.unwrap().display(), "allowed only with a [sparse] configuration"));
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
                    if rows == 0 {
                        return Err(Error::flag("--rows", 0, "allowed 1 or more"));
                    }
                    softmax_hw::rows::cosim_rows(&p, rows, seed)
                }
            };
            let g = generate::generate_design(&cfg, &source, design)?;
            let built = cosim::build(&g)?;
            println!(
                "cosim: module {} ({}), {}",
                g.module,
                source,
                if built.cached { "cached Verilator build".to_string() } else { format!("Verilator build {:.1} s", built.build_seconds) }
            );
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
            println!(
                "cosim: stall {stall}, seed {seed}: {} cycles, {:.2} s, {:.2} M elements verified/s",
                rep.cycles,
                rep.seconds,
                rep.elements as f64 / rep.seconds / 1e6
            );
            for m in &rep.first_mismatches {
                println!("cosim: MISMATCH {}", describe(m));
            }
            if let Some(m) = rep.first_mismatches.first() {
                std::fs::create_dir_all(&vcd_dir).map_err(|e| Error::io(&vcd_dir, e))?;
                let vcd = vcd_dir.join(format!("{}_row{}.vcd", g.module, m.row));
                let one = [row_set[m.row].clone()];
                // sparse units: replay the theta the row ran with
                let writes = cosim::theta_writes(&p, &row_set, seed);
                let theta = Some(cosim::replay_writes(&p, &writes, m.row));
                let again = model(&one, &cosim::RunOptions { stall, seed, vcd: Some(vcd.clone()), theta })?;
                println!("cosim: VCD of failing row {} ({} mismatches when run alone): {}", m.row, again.mismatches, vcd.display());
            }
            if rep.outputs != rep.elements {
                println!("cosim: COUNT MISMATCH: sent {} elements, received {} outputs", rep.elements, rep.outputs);
            }
            if p.sparse.is_some() && rep.passed() {
                // kept counts and dropped mass of what the RTL output (hardware rows)
                let chunks: Vec<&[i64]> = row_set.iter().flat_map(|r| r.x.chunks(p.max_len as usize)).collect();
                let stats: Vec<(u64, softmax_hw::sparse::report::RowStat)> = rep
                    .row_keeps
                    .iter()
                    .zip(&chunks)
                    .map(|(k, x)| (k.theta, softmax_hw::sparse::report::row_stat(&p, x, &k.keep, &k.y)))
                    .collect();
                print!("{}", sparse_report(&p, &stats, "cosim", report.as_deref())?);
            }
            println!("{}", rep.summary_line());
            Ok(if rep.passed() { 0 } else { 1 })
        }
        Cmd::Accuracy { config, data, lengths, index, json, plot } => {
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
        Cmd::Bench { config, rows, design } => {
            let (cfg, p, source) = load(&config)?;
            let g = generate::generate_design(&cfg, &source, design)?;
            let built = cosim::build(&g)?;
            println!("bench: module {} ({source})", g.module);
            let t = &g.manifest.timing;
            let report = match design {
                Design::Unit => softmax_hw::bench::run(&p, &p, &built.binary, rows, t)?,
                Design::Baseline => softmax_hw::bench::run(&p, &softmax_hw::baseline::BaselineParams::from_unit(&p), &built.binary, rows, t)?,
            };
            print!("{report}");
            Ok(0)
        }
        Cmd::Synth { config, target, freq, seed, json, no_baseline, workdir } => {
            use softmax_hw::synth::{synthesize, SynthOptions, Target};
            let targets: Vec<Target> = if target == "all" { Target::ALL.to_vec() } else { vec![parse_target(&target)?] };
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
            if !(freq.is_finite() && freq > 0.0) {
                return Err(Error::flag("--freq", freq, "allowed a positive number of MHz"));
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
                    let opt = SynthOptions { target: *t, freq_mhz: freq, seed, workdir: workdir.join(&g.module) };
                    match synthesize(&g.verilog, &g.module, &opt) {
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
                softmax_hw::output::write_atomically(path, &(serde_json::to_string_pretty(&v).expect("json") + "\n"))?;
            }
            if !rows.is_empty() {
                print!("{}", softmax_hw::synth::markdown_table(&rows));
            }
            for f in &failed {
                println!("\ndoes not fit: {f}");
            }
            if cfg.sparse.is_some() {
                println!("{}", softmax_hw::synth::added_area(&rows, "(sparse unit)", "(dense unit)"));
            }
            Ok(0)
        }
        Cmd::Sweep { config, vary, target, freq, rows, baseline, shard, out } => {
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
            if !(freq.is_finite() && freq > 0.0) {
                return Err(Error::flag("--freq", freq, "allowed a positive number of MHz"));
            }
            let opt = sweep::SweepOptions { target: parse_target(&target)?, freq_mhz: freq, rows, with_baseline: baseline, workdir: out.join("work") };
            let vary: Vec<sweep::Vary> = vary.iter().map(|v| sweep::parse_vary(v)).collect::<Result<_>>()?;
            let plan = sweep::plan(&text, &origin, &vary)?;
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
            if !(0.0..1.0).contains(&stall) {
                return Err(Error::flag("--stall", stall, "allowed 0 <= P < 1"));
            }
            if rows == 0 {
                return Err(Error::flag("--rows", 0, "allowed 1 or more"));
            }
            if !(1..=65536).contains(&max_len) {
                return Err(Error::flag("--max-len", max_len, "allowed 1..=65536"));
            }
            if configs == 0 {
                return Err(Error::flag("--configs", 0, "allowed 1 or more"));
            }
            std::fs::create_dir_all(&out).map_err(|e| Error::io(&out, e))?;
            let failed = std::sync::Mutex::new(Vec::new());
            let done = std::sync::atomic::AtomicU64::new(0);
            (seed..seed + configs).into_par_iter().for_each(|s| {
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
                            if c.sparse { "" } else { " + baseline" },
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
            println!("fuzz: {configs} configurations (seeds {seed}..={}), {} failed{}", seed + configs - 1, failed.len(),
                if failed.is_empty() { String::new() } else { format!(": seeds {failed:?} (TOML in {})", out.display()) });
            Ok(if failed.is_empty() { 0 } else { 1 })
        }
        Cmd::Widths { config } => {
            let (_, p, _) = load(&config)?;
            for design in [Design::Unit, Design::Baseline] {
                let kind = softmax_hw::instance::Kind::of(&p, design);
                let key = kind.key(&p);
                let how = match softmax_hw::instance::compiled(kind, &key) {
                    Some(i) => format!("compiled in ({})", i.id),
                    None => "built on demand at first use (README: Any configuration)".to_string(),
                };
                println!("{:8} {}: {how}", kind.name(), serde_json::to_string(&key).unwrap());
            }
            println!("unit widths: {}", serde_json::to_string(&p.widths()).unwrap());
            Ok(0)
        }
    }
}

fn main() {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
