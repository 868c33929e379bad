//! `sweep`: generate, co-simulate, synthesize and measure the accuracy of every variant of a
//! base configuration, in parallel, into a CSV/JSON table and SVG Pareto plots. `--shard i/n`
//! runs every n-th variant so that a batch scheduler can split a large sweep; `merge` joins
//! the shards' JSON files (and refuses shards of different sweeps).
//!
//! Each `--vary` is one axis of the product. An axis varies one key (`exp.segments=4,8,16`)
//! or several keys together, their values zipped (`output.bits,output.frac=6:6,8:8,10:10`:
//! three steps, each setting both keys). The variants are the Cartesian product of the
//! axes, the first `--vary` outermost. Every variant is built and validated (`Config`, then
//! `UnitParams`) before any work starts, so a bad key or value is one error line naming the
//! flag, not a note in the table.
//!
//! Accuracy comes from the golden model (bit-exact to the RTL) on the real attention logits;
//! co-simulation and synthesis use the variant's Verilog, whose width set is compiled in or
//! built on demand (`crate::instance::ondemand`; parallel workers share its cache). A
//! variant that fails at run time (a tool error) says so in its `note`.

use crate::config::{Base, Config, ExpCfg, ExpMethod, FormatCfg, InternalCfg, Log2e, RecipCfg, RecipMethod, Renorm, SparseCfg, SparseMode};
use crate::error::{Error, Result};
use crate::generate::{generate_design, Design};
use crate::params::UnitParams;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The syntax of `--vary`, quoted by its errors.
pub const VARY_SYNTAX: &str = "KEY=V1,V2,... or KEY1,KEY2=A1:B1,A2:B2,... (dotted config keys; the values of paired keys zipped with ':')";

/// One `--vary`: one axis of the product. `keys` are varied together; each step of the axis
/// is one tuple of `values` (one value per key).
#[derive(Clone, Debug, PartialEq)]
pub struct Vary {
    pub keys: Vec<String>,
    pub values: Vec<Vec<toml::Value>>,
}

/// A value as the user typed it (strings without quotes).
fn value_str(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

impl Vary {
    /// The axis in `--vary` syntax, normalized (no spaces, values as TOML prints them).
    pub fn spec(&self) -> String {
        let steps: Vec<String> = self.values.iter().map(|t| t.iter().map(value_str).collect::<Vec<_>>().join(":")).collect();
        format!("{}={}", self.keys.join(","), steps.join(","))
    }
}

/// Parses `KEY=V1,V2,...` or `KEY1,KEY2=A1:B1,A2:B2,...`. A value is a TOML literal (number,
/// boolean) or a bare string (`lpw`); every step must give one value per key.
pub fn parse_vary(s: &str) -> Result<Vary> {
    let bad = |why: &str| Error::flag("--vary", s, format!("{why}; allowed {VARY_SYNTAX}, e.g. exp.segments=4,8,16"));
    let (keys, vals) = s.split_once('=').ok_or_else(|| bad("no '='"))?;
    let keys: Vec<String> = keys.split(',').map(|k| k.trim().to_string()).collect();
    if keys.iter().any(|k| k.is_empty() || k.split('.').any(str::is_empty)) {
        return Err(bad("an empty key"));
    }
    if let Some(k) = keys.iter().enumerate().find_map(|(i, k)| keys[..i].contains(k).then_some(k)) {
        return Err(Error::flag("--vary", s, format!("key `{k}` twice; allowed each key in one --vary only")));
    }
    if vals.trim().is_empty() {
        return Err(bad("no values"));
    }
    let mut values = vec![];
    for step in vals.split(',') {
        let parts: Vec<&str> = step.split(':').map(str::trim).collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(bad("an empty value"));
        }
        if parts.len() != keys.len() {
            return Err(Error::flag(
                "--vary",
                s,
                format!(
                    "`{}` gives {} value{} for {} key{}; allowed one value per key, joined by ':' (e.g. {})",
                    step.trim(),
                    parts.len(),
                    if parts.len() == 1 { "" } else { "s" },
                    keys.len(),
                    if keys.len() == 1 { "" } else { "s" },
                    vec!["8"; keys.len()].join(":")
                ),
            ));
        }
        let step: Vec<toml::Value> = parts.iter().map(|v| parse_value(v)).collect();
        if values.contains(&step) {
            return Err(Error::flag("--vary", s, format!("`{}` twice; allowed each step once", parts.join(":"))));
        }
        values.push(step);
    }
    Ok(Vary { keys, values })
}

fn parse_value(v: &str) -> toml::Value {
    toml::from_str::<toml::Table>(&format!("x = {v}"))
        .ok()
        .and_then(|t| t.get("x").cloned())
        .unwrap_or_else(|| toml::Value::String(v.to_string()))
}

/// Most variants one sweep may have (the product of its axes): each is generated,
/// co-simulated and synthesized, minutes apiece, and all are validated before any work.
pub const MAX_VARIANTS: usize = 10_000;

/// Checks that shard `(i, n)` runs at least one variant of `plan` (variants i, i+n, ...).
pub fn check_shard(plan: &Plan, (i, n): (usize, usize)) -> Result<()> {
    let count = plan.variants.len();
    if i >= count {
        return Err(Error::flag(
            "--shard",
            format!("{i}/{n}"),
            format!("selects no variant: the sweep has {count} (variants i, i+n, ...); allowed i/n with i < {count}"),
        ));
    }
    Ok(())
}

/// Checks, before any work, the attention data every variant's accuracy is measured on
/// (`$SOFTMAX_HW_DATA`, else the in-repo sample): a directory of sets that load. Without
/// this an empty or wrong directory gave every point an accuracy over no rows.
pub fn check_data() -> Result<()> {
    let dir = crate::data::attention_dir();
    let sets = crate::data::prefixes(&dir);
    if sets.is_empty() {
        let what = if dir.exists() { "holds no <prefix>_logits.npy" } else { "does not exist" };
        return Err(Error::Input(format!(
            "`$SOFTMAX_HW_DATA` = {}: allowed a directory of <prefix>_logits.npy and _lengths.npy sets (unset: the in-repo sample); this {what}",
            dir.display()
        )));
    }
    for set in &sets {
        crate::data::load_set(&dir, set)?;
    }
    Ok(())
}

/// Parses `i/n` with 0 <= i < n.
pub fn parse_shard(s: &str) -> Result<(usize, usize)> {
    let bad = || Error::flag("--shard", s, "allowed i/n with 0 <= i < n, e.g. 0/4");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}

/// Every key a configuration has, dotted (`input.bits`), sorted. Read off a `Config` with
/// every field present: a field added to `Config` does not compile here until it is given.
pub fn config_keys() -> Vec<String> {
    let full = Config {
        prefix: Some("smx".into()),
        base: Some(Base::E),
        log2e: Some(Log2e::Multiplier),
        max_len: Some(1),
        lanes: Some(1),
        input: FormatCfg { bits: 0, frac: 0 },
        output: FormatCfg { bits: 0, frac: 0 },
        exp: ExpCfg { method: Some(ExpMethod::Lpw), segments: Some(0) },
        recip: RecipCfg { method: Some(RecipMethod::Lpw), segments: Some(0), index_bits: Some(0) },
        internal: InternalCfg { t_frac: Some(0), exp_frac: Some(0), sum_frac: Some(0), recip_frac: Some(0), recip_in_bits: Some(0) },
        sparse: Some(SparseCfg { mode: SparseMode::Topk, theta: Some(0.0), k: Some(0), k_max: Some(0), renorm: Some(Renorm::All) }),
    };
    fn leaves(prefix: &str, t: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in t {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(sub) => leaves(&key, sub, out),
                _ => out.push(key),
            }
        }
    }
    let mut keys = vec![];
    leaves("", &toml::Table::try_from(&full).expect("config serializes"), &mut keys);
    keys.sort();
    keys
}

/// Sets a dotted key, creating its tables (the key is one of `config_keys`).
fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap();
    let mut t = table;
    for p in parts {
        let entry = t.entry(p).or_insert_with(|| toml::Value::Table(Default::default()));
        if !entry.is_table() {
            *entry = toml::Value::Table(Default::default());
        }
        t = entry.as_table_mut().expect("a table");
    }
    t.insert(last.to_string(), value);
}

/// One variant of the product: its index, the settings of every key (in `--vary` order) and
/// its configuration.
#[derive(Clone, Debug)]
pub struct Variant {
    pub index: usize,
    pub settings: Vec<(String, String)>,
    pub config: Config,
}

/// A validated sweep: the base configuration, the axes and every variant.
#[derive(Clone, Debug)]
pub struct Plan {
    pub base: toml::Table,
    pub vary: Vec<Vary>,
    pub variants: Vec<Variant>,
}

/// The base with `settings` applied, as a `Config` and its `UnitParams` (or the error).
fn build(base: &toml::Table, settings: &[(String, toml::Value)]) -> Result<Config> {
    let mut t = base.clone();
    for (k, v) in settings {
        set_key(&mut t, k, v.clone());
    }
    let cfg: Config = toml::Value::Table(t).try_into().map_err(|e: toml::de::Error| Error::Parse(e.message().trim().replace('\n', " ")))?;
    UnitParams::new(&cfg)?;
    Ok(cfg)
}

/// Checks the axes against the configuration schema and each other, builds every variant of
/// the product (first axis outermost) and validates its `Config` and `UnitParams`. Any
/// failure is one `--vary` error naming the key and value and what is allowed; a base
/// configuration that fails on a key no `--vary` sets is reported as the config's error.
pub fn plan(base_text: &str, origin: &str, vary: &[Vary]) -> Result<Plan> {
    Config::parse(base_text, origin)?;
    let base: toml::Table = toml::from_str(base_text).map_err(|e| Error::Parse(format!("{origin}: {}", e.message())))?;
    let schema = config_keys();
    let mut seen: Vec<(&str, &Vary)> = vec![];
    for v in vary {
        for k in &v.keys {
            if !schema.contains(k) {
                let section = k.split('.').next().unwrap_or_default();
                let near: Vec<&str> = schema.iter().filter(|s| s.starts_with(&format!("{section}."))).map(String::as_str).collect();
                let allowed = if near.is_empty() { schema.join(", ") } else { near.join(", ") };
                return Err(Error::flag("--vary", v.spec(), format!("unknown key `{k}`; allowed {allowed}")));
            }
            if let Some((_, first)) = seen.iter().find(|(s, _)| s == k) {
                return Err(Error::flag("--vary", v.spec(), format!("key `{k}` is already varied by --vary {}; allowed each key in one --vary only", first.spec())));
            }
            seen.push((k, v));
        }
    }
    let sizes: Vec<usize> = vary.iter().map(|v| v.values.len()).collect();
    let count = sizes.iter().try_fold(1usize, |a, &n| a.checked_mul(n));
    if count.is_none_or(|c| c > MAX_VARIANTS) {
        let specs: Vec<String> = vary.iter().map(Vary::spec).collect();
        let product = sizes.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" x ");
        return Err(Error::flag(
            "--vary",
            specs.join(" --vary "),
            format!("{product} = {} variants; allowed at most {MAX_VARIANTS}", count.map_or("more than 2^64".into(), |c| c.to_string())),
        ));
    }
    let mut combos: Vec<Vec<(String, toml::Value)>> = vec![vec![]];
    for v in vary {
        combos = combos
            .into_iter()
            .flat_map(|c| v.values.iter().map(move |step| c.iter().cloned().chain(v.keys.iter().cloned().zip(step.iter().cloned())).collect()))
            .collect();
    }
    let built: Vec<Result<Config>> = combos.iter().map(|c| build(&base, c)).collect();
    if let Some((c, Err(e))) = combos.iter().zip(&built).find(|(_, b)| b.is_err()) {
        // a base that fails the same way in every variant: its own error, not --vary's
        if let Err(base_err) = build(&base, &[]) {
            if built.iter().all(|b| matches!(b, Err(e) if e.to_string() == base_err.to_string())) {
                return Err(base_err);
            }
        }
        return Err(variant_error(&base, c, e));
    }
    let variants = combos
        .iter()
        .zip(built)
        .enumerate()
        .map(|(index, (c, b))| Variant { index, settings: c.iter().map(|(k, v)| (k.clone(), value_str(v))).collect(), config: b.expect("checked") })
        .collect();
    Ok(Plan { base, vary: vary.to_vec(), variants })
}

/// The error of a variant that does not validate, as a `--vary` error naming the varied key
/// the error is about, else the one setting that fails alone on the base, else every
/// setting of the variant.
fn variant_error(base: &toml::Table, settings: &[(String, toml::Value)], e: &Error) -> Error {
    let shown = |s: &[(String, toml::Value)]| s.iter().map(|(k, v)| format!("{k}={}", value_str(v))).collect::<Vec<_>>().join(" ");
    let msg = Some(e.to_string());
    let culprit = match build(base, &[]) {
        Err(b) if Some(b.to_string()) == msg => None,
        _ => settings.iter().find(|s| build(base, std::slice::from_ref(*s)).err().map(|e1| e1.to_string()) == msg),
    };
    let at = culprit.map(|s| shown(std::slice::from_ref(s))).unwrap_or_else(|| shown(settings));
    match e {
        Error::Field { field, value, allowed } => match settings.iter().find(|(k, _)| k == field) {
            Some(s) => Error::flag("--vary", shown(std::slice::from_ref(s)), allowed),
            None => Error::flag("--vary", at, format!("then `{field}` = {value}: {allowed}")),
        },
        e => {
            // a setting that creates a section the base lacks ([sparse]) leaves its other
            // required fields missing: say where
            let new_section = settings.iter().filter_map(|(k, _)| k.split_once('.')).map(|(s, _)| s).find(|s| !base.contains_key(*s));
            match new_section {
                Some(s) if e.to_string().starts_with("missing field") => Error::flag("--vary", at, format!("{e} in [{s}] (the base config has no [{s}])")),
                _ => Error::flag("--vary", at, e.to_string()),
            }
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub index: usize,
    pub settings: Vec<(String, String)>,
    pub design: String,
    pub module: String,
    /// accuracy on the attention data (golden model): max and mean LSB error, argmax flips
    pub max_lsb: Option<f64>,
    pub mean_lsb: Option<f64>,
    pub argmax_flips: Option<usize>,
    /// sparse units on the attention data: share of elements kept, mean dropped mass per row
    pub kept_share: Option<f64>,
    pub dropped_mass: Option<f64>,
    /// co-simulation: rows and mismatches
    pub cosim_rows: Option<usize>,
    pub cosim_mismatches: Option<usize>,
    pub lut: Option<u64>,
    pub ff: Option<u64>,
    pub bram: Option<u64>,
    pub dsp: Option<u64>,
    pub fmax_mhz: Option<f64>,
    /// throughput at Fmax on back-to-back rows of max_len: Fmax * max_len / (cycles per row),
    /// in millions of elements per second (the manifest's cycles per row)
    #[serde(default)]
    pub melem_per_s: Option<f64>,
    pub note: String,
}

pub struct SweepOptions {
    pub target: crate::synth::Target,
    pub freq_mhz: f64,
    pub rows: usize,
    pub with_baseline: bool,
    pub workdir: PathBuf,
    pub yosys: crate::synth::tools::YosysChoice,
}

fn attention_codes(p: &UnitParams) -> Result<Vec<Vec<i64>>> {
    let dir = crate::data::attention_dir();
    let mut rows = vec![];
    for set in crate::data::prefixes(&dir) {
        for r in crate::data::load_set(&dir, &set)? {
            if r.len() <= p.max_len as usize {
                rows.push(r.iter().map(|&v| p.quantize_logit(v)).collect());
            }
        }
    }
    Ok(rows)
}

/// Runs one variant (and its baseline when asked) to the end; errors become notes.
pub fn run_point(v: &Variant, opt: &SweepOptions) -> Vec<Point> {
    let designs: &[Design] = if opt.with_baseline { &[Design::Unit, Design::Baseline] } else { &[Design::Unit] };
    designs
        .iter()
        .map(|&design| {
            let mut pt = Point { index: v.index, settings: v.settings.clone(), design: format!("{design:?}").to_lowercase(), ..Default::default() };
            if let Err(e) = run_design(&mut pt, &v.config, design, opt) {
                pt.note = e.to_string();
            }
            pt
        })
        .collect()
}

fn run_design(pt: &mut Point, cfg: &Config, design: Design, opt: &SweepOptions) -> Result<()> {
    let p = UnitParams::new(cfg)?;
    // accuracy first: it needs no compiled-in widths
    let variant = match design {
        Design::Unit => crate::accuracy::Variant::unit(&p),
        Design::Baseline => crate::accuracy::Variant::baseline(&p),
    };
    let mut m = crate::accuracy::Metrics::default();
    let codes = attention_codes(&p)?;
    for x in &codes {
        let y = variant.run(x);
        m.add(&p, x, &y, &crate::params::reference(&p, x));
    }
    let m = m.finish();
    (pt.max_lsb, pt.mean_lsb, pt.argmax_flips) = (Some(m.max_lsb), Some(m.mean_lsb), Some(m.argmax_flip));
    if p.sparse.is_some() && design == Design::Unit {
        let k = crate::sparse::report::Summary::of_rows(&p, codes.iter().map(|x| x.as_slice()));
        (pt.kept_share, pt.dropped_mass) = (Some(k.kept_share), Some(k.dropped_mass_mean));
    }
    let g = generate_design(cfg, "sweep variant", design)?;
    pt.module = g.module.clone();
    let built = crate::cosim::build(&g)?;
    let rows = crate::rows::cosim_rows(&p, opt.rows, 1 + pt.index as u64);
    let rep = match design {
        Design::Unit => crate::cosim::run(&p, &built.binary, &rows, &crate::cosim::RunOptions { stall: 0.2, seed: 1, vcd: None, theta: None })?,
        Design::Baseline => crate::cosim::run(
            &crate::baseline::BaselineParams::from_unit(&p),
            &built.binary,
            &rows,
            &crate::cosim::RunOptions { stall: 0.2, seed: 1, vcd: None, theta: None },
        )?,
    };
    (pt.cosim_rows, pt.cosim_mismatches) = (Some(rep.rows), Some(rep.mismatches + rep.elements.abs_diff(rep.outputs)));
    let work = opt.workdir.join(format!("{:04}-{}", pt.index, pt.design));
    let s = crate::synth::synthesize(
        &g.verilog,
        &g.module,
        &crate::synth::SynthOptions { target: opt.target, freq_mhz: opt.freq_mhz, seed: 1, workdir: work, yosys: opt.yosys, device: Default::default() },
    )?;
    (pt.lut, pt.ff, pt.bram, pt.dsp, pt.fmax_mhz) = (s.lut, s.ff, s.bram, s.dsp, s.fmax_mhz);
    let l = p.max_len as u64;
    pt.melem_per_s = s.fmax_mhz.map(|f| f * l as f64 / g.manifest.timing.row_cycles_of(l) as f64);
    Ok(())
}

/// One line of progress for a finished variant (when stderr is not a terminal).
fn progress_line(done: usize, total: usize, pts: &[Point], seconds: f64) -> String {
    let Some(first) = pts.first() else { return String::new() };
    let set: Vec<String> = first.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let results: Vec<String> = pts
        .iter()
        .map(|p| {
            let mut r = vec![];
            if let (Some(max), Some(mean)) = (p.max_lsb, p.mean_lsb) {
                r.push(format!("max err {max} LSB, mean {mean:.4}"));
            }
            if let Some(m) = p.cosim_mismatches {
                r.push(format!("{m} cosim mismatches"));
            }
            if let Some(l) = p.lut {
                r.push(format!("{l} LUT"));
            }
            if let Some(f) = p.fmax_mhz {
                r.push(format!("{f:.1} MHz"));
            }
            if !p.note.is_empty() {
                r.push(format!("note: {}", p.note));
            }
            format!("{}: {}", p.design, r.join(", "))
        })
        .collect();
    format!("sweep: {done}/{total} done: #{} {} ({seconds:.1} s): {}", first.index, set.join(" "), results.join("; "))
}

/// Runs the variants of this shard in parallel, with a progress bar on a terminal and one
/// line per finished variant on stderr otherwise (a log file, a batch scheduler).
pub fn run(plan: &Plan, shard: (usize, usize), opt: &SweepOptions) -> Vec<Point> {
    use std::io::IsTerminal;
    let mine: Vec<&Variant> = plan.variants.iter().filter(|v| v.index % shard.1 == shard.0).collect();
    let tty = std::io::stderr().is_terminal();
    let bar = if tty { indicatif::ProgressBar::new(mine.len() as u64) } else { indicatif::ProgressBar::hidden() };
    bar.set_style(indicatif::ProgressStyle::with_template("sweep {bar:30} {pos}/{len} variants, {elapsed}").unwrap());
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut points: Vec<Point> = mine
        .par_iter()
        .flat_map_iter(|v| {
            let t0 = std::time::Instant::now();
            let r = run_point(v, opt);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            if tty {
                bar.inc(1);
            } else {
                eprintln!("{}", progress_line(n, mine.len(), &r, t0.elapsed().as_secs_f64()));
            }
            r
        })
        .collect();
    bar.finish_and_clear();
    points.sort_by(|a, b| (a.index, &a.design).cmp(&(b.index, &b.design)));
    points
}

fn opt_str<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

pub fn csv(points: &[Point]) -> String {
    let keys: Vec<String> = points.first().map(|p| p.settings.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    let mut s = format!("index,{},design,module,max_lsb,mean_lsb,argmax_flips,kept_share,dropped_mass,cosim_rows,cosim_mismatches,lut,ff,bram,dsp,fmax_mhz,melem_per_s,note\n", keys.join(","));
    for p in points {
        let vals: Vec<&str> = p.settings.iter().map(|(_, v)| v.as_str()).collect();
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"\n",
            p.index,
            vals.join(","),
            p.design,
            p.module,
            opt_str(&p.max_lsb),
            p.mean_lsb.map(|v| format!("{v:.5}")).unwrap_or_default(),
            opt_str(&p.argmax_flips),
            p.kept_share.map(|v| format!("{v:.4}")).unwrap_or_default(),
            p.dropped_mass.map(|v| format!("{v:.3e}")).unwrap_or_default(),
            opt_str(&p.cosim_rows),
            opt_str(&p.cosim_mismatches),
            opt_str(&p.lut),
            opt_str(&p.ff),
            opt_str(&p.bram),
            opt_str(&p.dsp),
            p.fmax_mhz.map(|v| format!("{v:.1}")).unwrap_or_default(),
            p.melem_per_s.map(|v| format!("{v:.1}")).unwrap_or_default(),
            p.note.replace('"', "'")
        ));
    }
    s
}

pub fn markdown(points: &[Point]) -> String {
    // kept share and dropped mass only when some variant is sparse
    let sparse = points.iter().any(|p| p.kept_share.is_some());
    let (sh, sd) = if sparse { (" kept | dropped mass |", "---|---|") } else { ("", "") };
    let mut s = format!("| # | settings | design | max err (LSB) | mean err (LSB) |{sh} cosim mismatches | LUT | FF | BRAM | DSP | Fmax (MHz) | M elements/s | note |\n|---|---|---|---|---|{sd}---|---|---|---|---|---|---|---|\n");
    for p in points {
        let set: Vec<String> = p.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let kept = if sparse {
            format!(
                " {} | {} |",
                p.kept_share.map(|v| format!("{:.1}%", 100.0 * v)).unwrap_or_default(),
                p.dropped_mass.map(|v| format!("{v:.2e}")).unwrap_or_default()
            )
        } else {
            String::new()
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} |{kept} {} | {} | {} | {} | {} | {} | {} | {} |\n",
            p.index,
            set.join(" "),
            p.design,
            opt_str(&p.max_lsb),
            p.mean_lsb.map(|v| format!("{v:.4}")).unwrap_or_default(),
            opt_str(&p.cosim_mismatches),
            opt_str(&p.lut),
            opt_str(&p.ff),
            opt_str(&p.bram),
            opt_str(&p.dsp),
            p.fmax_mhz.map(|v| format!("{v:.1}")).unwrap_or_default(),
            p.melem_per_s.map(|v| format!("{v:.1}")).unwrap_or_default(),
            p.note
        ));
    }
    s
}

/// Scatter plot with the Pareto front (minimize x, and minimize or maximize y) highlighted.
pub fn pareto_svg(points: &[Point], title: &str, x: (&str, fn(&Point) -> Option<f64>), y: (&str, fn(&Point) -> Option<f64>), y_max_better: bool) -> String {
    use svg::node::element::{Circle, Line, Polyline, Text};
    use svg::Document;
    let pts: Vec<(f64, f64, &Point)> = points.iter().filter_map(|p| Some((x.1(p)?, y.1(p)?, p))).collect();
    let (w, h, l, b, t, r) = (720.0, 420.0, 80.0, 50.0, 40.0, 30.0);
    let mut doc = Document::new().set("viewBox", (0, 0, w, h)).set("width", w).set("height", h).set("font-family", "sans-serif").set("font-size", 12);
    doc = doc.add(Text::new(title.to_string()).set("x", l).set("y", 20));
    if pts.is_empty() {
        return doc.add(Text::new("no points with both values").set("x", l).set("y", h / 2.0)).to_string();
    }
    let (x0, x1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.0), a.1.max(p.0)));
    let (y0, y1) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    let pad = |a: f64, b: f64| if b > a { (a - (b - a) * 0.05, b + (b - a) * 0.05) } else { (a - 1.0, b + 1.0) };
    let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
    let sx = |v: f64| l + (v - x0) / (x1 - x0) * (w - l - r);
    let sy = |v: f64| h - b - (v - y0) / (y1 - y0) * (h - b - t);
    doc = doc.add(Line::new().set("x1", l).set("y1", h - b).set("x2", w - r).set("y2", h - b).set("stroke", "black"));
    doc = doc.add(Line::new().set("x1", l).set("y1", t).set("x2", l).set("y2", h - b).set("stroke", "black"));
    for k in 0..=4 {
        let xv = x0 + (x1 - x0) * k as f64 / 4.0;
        let yv = y0 + (y1 - y0) * k as f64 / 4.0;
        doc = doc.add(Text::new(format!("{xv:.0}")).set("x", sx(xv)).set("y", h - b + 16.0).set("text-anchor", "middle"));
        let ylabel = if yv.abs() >= 10.0 { format!("{yv:.1}") } else if yv.abs() >= 0.1 || yv == 0.0 { format!("{yv:.3}") } else { format!("{yv:.2e}") };
        doc = doc.add(Text::new(ylabel).set("x", l - 6.0).set("y", sy(yv) + 4.0).set("text-anchor", "end"));
    }
    doc = doc.add(Text::new(x.0.to_string()).set("x", (l + w - r) / 2.0).set("y", h - 12.0).set("text-anchor", "middle"));
    doc = doc.add(Text::new(y.0.to_string()).set("x", l + 8.0).set("y", t + 4.0));
    // Pareto front: sorted by x, keep points that improve y
    let mut sorted = pts.clone();
    sorted.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(if y_max_better { b.1.partial_cmp(&a.1).unwrap() } else { a.1.partial_cmp(&b.1).unwrap() }));
    let mut front = vec![];
    let mut best = if y_max_better { f64::NEG_INFINITY } else { f64::INFINITY };
    for p in &sorted {
        if (y_max_better && p.1 > best) || (!y_max_better && p.1 < best) {
            best = p.1;
            front.push(*p);
        }
    }
    let line: Vec<String> = front.iter().map(|p| format!("{},{}", sx(p.0), sy(p.1))).collect();
    doc = doc.add(Polyline::new().set("points", line.join(" ")).set("fill", "none").set("stroke", "#d62728"));
    for (xv, yv, p) in &pts {
        let color = if p.design == "baseline" { "#ff7f0e" } else { "#1f77b4" };
        doc = doc.add(Circle::new().set("cx", sx(*xv)).set("cy", sy(*yv)).set("r", 4).set("fill", color));
        let label: Vec<String> = p.settings.iter().map(|(_, v)| v.clone()).collect();
        let label = if p.design == "baseline" { format!("{} base", label.join("/")) } else { label.join("/") };
        doc = doc.add(Text::new(label).set("x", sx(*xv) + 6.0).set("y", sy(*yv) - 6.0).set("font-size", 10));
    }
    doc.to_string()
}

/// What makes shards parts of one sweep: `merge` joins only tables whose descriptions are
/// equal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepInfo {
    /// the base configuration, normalized (TOML without comments, keys sorted)
    pub base: String,
    /// the axes in `--vary` syntax, normalized
    pub vary: Vec<String>,
    /// variants of the whole sweep (every shard)
    pub variants: usize,
    pub target: String,
    pub freq_mhz: f64,
    pub rows: usize,
    pub baseline: bool,
    /// which Yosys synthesized (tables written before the choice existed: the system's)
    #[serde(default = "system_yosys")]
    pub yosys: crate::synth::tools::YosysChoice,
}

fn system_yosys() -> crate::synth::tools::YosysChoice {
    crate::synth::tools::YosysChoice::System
}

impl SweepInfo {
    pub fn new(plan: &Plan, opt: &SweepOptions) -> SweepInfo {
        SweepInfo {
            base: toml::to_string(&plan.base).expect("toml"),
            vary: plan.vary.iter().map(Vary::spec).collect(),
            variants: plan.variants.len(),
            target: opt.target.as_str().to_string(),
            freq_mhz: opt.freq_mhz,
            rows: opt.rows,
            baseline: opt.with_baseline,
            yosys: opt.yosys,
        }
    }

    /// The first difference from `other`, named by the flag that sets it.
    fn difference(&self, other: &SweepInfo) -> Option<String> {
        let flags = |s: &SweepInfo| s.vary.iter().map(|v| format!("--vary {v}")).collect::<Vec<_>>().join(" ");
        if self.base != other.base {
            Some("its base config (--config) differs".into())
        } else if self.vary != other.vary {
            Some(format!("{} instead of {}", flags(other), flags(self)))
        } else if self.target != other.target {
            Some(format!("--target {} instead of {}", other.target, self.target))
        } else if self.freq_mhz != other.freq_mhz {
            Some(format!("--freq {} instead of {}", other.freq_mhz, self.freq_mhz))
        } else if self.rows != other.rows {
            Some(format!("--rows {} instead of {}", other.rows, self.rows))
        } else if self.baseline != other.baseline {
            Some(format!("--baseline {} instead of {}", other.baseline, self.baseline))
        } else if self.yosys != other.yosys {
            Some(format!("--yosys {:?} instead of {:?}", other.yosys, self.yosys).to_lowercase())
        } else {
            (self != other).then(|| "its description differs".into())
        }
    }
}

/// table.json: the sweep's description and its points (of one shard, or merged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub sweep: SweepInfo,
    pub points: Vec<Point>,
}

impl Table {
    /// Variants of the sweep that have no point here (shards not merged, or not run).
    pub fn missing(&self) -> Vec<usize> {
        (0..self.sweep.variants).filter(|i| !self.points.iter().any(|p| p.index == *i)).collect()
    }
}

/// Checks that `dir` can take the outputs (a directory, or a path where one can be made) and
/// creates it; run after every other check so that a refused command leaves nothing behind.
pub fn prepare_out(dir: &Path) -> Result<()> {
    crate::output::check_dir("--out", dir)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::flag("--out", dir.display(), format!("allowed a directory that can be created ({e})")))
}

/// Writes table.csv, table.json, table.md, pareto_area_error.svg, pareto_fmax_area.svg,
/// pareto_throughput_area.svg.
pub fn write_outputs(table: &Table, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let points = &table.points;
    let files = [
        ("table.csv", csv(points)),
        ("table.json", serde_json::to_string_pretty(table).expect("json") + "\n"),
        ("table.md", markdown(points)),
        (
            "pareto_area_error.svg",
            pareto_svg(points, "area vs accuracy (blue: unit, orange: baseline; red: Pareto front)", ("LUTs", |p| p.lut.map(|v| v as f64)), ("mean error (LSB)", |p| p.mean_lsb), false),
        ),
        (
            "pareto_fmax_area.svg",
            pareto_svg(points, "Fmax vs area (red: Pareto front)", ("LUTs", |p| p.lut.map(|v| v as f64)), ("Fmax (MHz)", |p| p.fmax_mhz), true),
        ),
        (
            "pareto_throughput_area.svg",
            pareto_svg(
                points,
                "throughput vs area, rows of max_len back to back (red: Pareto front)",
                ("LUTs", |p| p.lut.map(|v| v as f64)),
                ("M elements/s at Fmax", |p| p.melem_per_s),
                true,
            ),
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        crate::output::write_atomically(&path, text)?;
    }
    Ok(())
}

/// Joins the table.json files of shards of one sweep. A file of another sweep (base config,
/// axes or options differ), a variant outside the sweep, or a variant present twice with
/// different content is refused with one line naming the file; a variant present twice
/// identically (a shard given twice) is kept once.
pub fn merge(files: &[PathBuf]) -> Result<Table> {
    let mut first: Option<(&PathBuf, SweepInfo)> = None;
    let mut points: Vec<(Point, &PathBuf)> = vec![];
    for f in files {
        let bad = |why: String| Error::Input(format!("{}: {why}", f.display()));
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(format!("{e} (allowed a table.json written by sweep)")))?;
        if value.is_array() {
            return Err(bad("a list of points without the sweep's description (written before merge checked shards); allowed a table.json written by this version of sweep: re-run the shard".into()));
        }
        let t: Table = serde_json::from_value(value).map_err(|e| bad(format!("{e} (allowed a table.json written by sweep)")))?;
        // the description as sweep writes it: a table.json edited by hand (variants = 2^64 - 1
        // hung listing the missing variants) is refused
        let s = &t.sweep;
        if !(1..=MAX_VARIANTS).contains(&s.variants) {
            return Err(bad(format!("`sweep.variants` = {}: allowed 1..={MAX_VARIANTS} (a table.json written by sweep)", s.variants)));
        }
        if s.target.parse::<crate::synth::Target>().is_err() || s.target != s.target.trim().to_ascii_lowercase() {
            return Err(bad(format!("`sweep.target` = {:?}: allowed ice40, ecp5, xc7 or generic (a table.json written by sweep)", s.target)));
        }
        crate::synth::check_freq("sweep.freq_mhz", s.freq_mhz).map_err(|e| bad(format!("{e} (a table.json written by sweep)")))?;
        if s.rows == 0 || s.rows > crate::rows::MAX_ROWS {
            return Err(bad(format!("`sweep.rows` = {}: allowed 1..={} (a table.json written by sweep)", s.rows, crate::rows::MAX_ROWS)));
        }
        match &first {
            None => first = Some((f, t.sweep.clone())),
            Some((f0, s0)) => {
                if let Some(d) = s0.difference(&t.sweep) {
                    return Err(bad(format!("not a shard of the sweep in {}: {d}; allowed shards of one sweep (the same --config, --vary, --target, --freq, --rows, --baseline)", f0.display())));
                }
            }
        }
        for p in t.points {
            if p.index >= t.sweep.variants {
                return Err(bad(format!("variant {} is outside the sweep (allowed 0..{})", p.index, t.sweep.variants)));
            }
            match points.iter().find(|(q, _)| q.index == p.index && q.design == p.design) {
                Some((q, _)) if *q == p => {}
                Some((_, g)) => {
                    return Err(bad(format!(
                        "variant {} ({}) differs from the one in {}; allowed a variant in two files only with identical content",
                        p.index,
                        p.design,
                        g.display()
                    )))
                }
                None => points.push((p, f)),
            }
        }
    }
    let mut points: Vec<Point> = points.into_iter().map(|(p, _)| p).collect();
    points.sort_by(|a, b| (a.index, &a.design).cmp(&(b.index, &b.design)));
    let (_, sweep) = first.ok_or_else(|| Error::Input("merge: no table.json given".into()))?;
    Ok(Table { sweep, points })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// exact8: input Q(7,3), output UQ(0,8), exp and recip LPW, no [internal] or [sparse]
    const BASE: &str = crate::config::DEFAULT_CONFIG;

    fn err(r: Result<impl std::fmt::Debug>) -> String {
        r.unwrap_err().to_string()
    }

    #[test]
    fn vary_parses_one_key_and_paired_keys() {
        let v = parse_vary("exp.segments=4, 8,16").unwrap();
        assert_eq!(v.keys, vec!["exp.segments"]);
        let i = toml::Value::Integer;
        assert_eq!(v.values, vec![vec![i(4)], vec![i(8)], vec![i(16)]]);
        let m = parse_vary("recip.method=lpw,newton").unwrap();
        assert_eq!(m.values[1], vec![toml::Value::String("newton".into())]);
        let p = parse_vary("output.bits, output.frac = 6:6, 8:7,10:10").unwrap();
        assert_eq!(p.keys, vec!["output.bits", "output.frac"]);
        assert_eq!(p.values, vec![vec![i(6), i(6)], vec![i(8), i(7)], vec![i(10), i(10)]]);
        assert_eq!(p.spec(), "output.bits,output.frac=6:6,8:7,10:10");
        let f = parse_vary("sparse.theta,recip.method=4.5:lut,6:newton").unwrap();
        assert_eq!(f.values[0], vec![toml::Value::Float(4.5), toml::Value::String("lut".into())]);
        assert_eq!(f.spec(), "sparse.theta,recip.method=4.5:lut,6:newton");
    }

    #[test]
    fn vary_syntax_errors_name_the_flag_and_the_syntax() {
        let syntax = format!("allowed {VARY_SYNTAX}, e.g. exp.segments=4,8,16");
        for (bad, why) in [
            ("exp.segments", "no '='"),
            ("=4", "an empty key"),
            ("exp.=4", "an empty key"),
            ("a,,b=1:2", "an empty key"),
            ("exp.segments=", "no values"),
            ("exp.segments=4,,8", "an empty value"),
            ("output.bits,output.frac=6:", "an empty value"),
        ] {
            assert_eq!(err(parse_vary(bad)), format!("`--vary` = {bad}: {why}; {syntax}"));
        }
        assert_eq!(
            err(parse_vary("output.bits,output.frac=6:6,8")),
            "`--vary` = output.bits,output.frac=6:6,8: `8` gives 1 value for 2 keys; allowed one value per key, joined by ':' (e.g. 8:8)"
        );
        assert_eq!(err(parse_vary("max_len=64:128")), "`--vary` = max_len=64:128: `64:128` gives 2 values for 1 key; allowed one value per key, joined by ':' (e.g. 8)");
        assert_eq!(err(parse_vary("exp.segments=8,16,8")), "`--vary` = exp.segments=8,16,8: `8` twice; allowed each step once");
        assert_eq!(err(parse_vary("recip.method,recip.segments=lpw:8,lpw : 8")), "`--vary` = recip.method,recip.segments=lpw:8,lpw : 8: `lpw:8` twice; allowed each step once");
        assert_eq!(err(parse_vary("max_len,max_len=1:2")), "`--vary` = max_len,max_len=1:2: key `max_len` twice; allowed each key in one --vary only");
    }

    #[test]
    fn shard_parses_or_explains() {
        assert_eq!(parse_shard("1/3").unwrap(), (1, 3));
        for bad in ["3/3", "1/0", "a/2", "2"] {
            assert!(err(parse_shard(bad)).contains("allowed i/n with 0 <= i < n"), "{bad}");
        }
    }

    #[test]
    fn config_keys_are_the_schema() {
        let keys = config_keys();
        for k in ["prefix", "max_len", "lanes", "input.bits", "output.frac", "exp.segments", "recip.index_bits", "internal.recip_in_bits", "sparse.k_max", "sparse.renorm"] {
            assert!(keys.contains(&k.to_string()), "{k}");
        }
        assert_eq!(keys.len(), 24, "{keys:?}");
        assert!(!keys.contains(&"input".to_string()), "tables are not keys");
    }

    fn plan_of(flags: &[&str]) -> Result<Plan> {
        let vary: Vec<Vary> = flags.iter().map(|f| parse_vary(f).unwrap()).collect();
        plan(BASE, "base.toml", &vary)
    }

    #[test]
    fn variants_are_the_product_of_the_axes_in_a_fixed_order() {
        let p = plan_of(&["exp.segments=2,4", "output.frac=7,8"]).unwrap();
        assert_eq!(p.variants.len(), 4);
        assert_eq!(p.variants[3].settings, vec![("exp.segments".to_string(), "4".to_string()), ("output.frac".to_string(), "8".to_string())]);
        assert_eq!((p.variants[3].config.exp.segments, p.variants[3].config.output.frac), (Some(4), 8));
        // paired keys are one axis: 3 steps x 2 = 6 variants, the first axis outermost
        let p = plan_of(&["output.bits,output.frac=6:6,8:8,10:9", "recip.method=lpw,newton"]).unwrap();
        let got: Vec<(usize, u32, u32, String)> =
            p.variants.iter().map(|v| (v.index, v.config.output.bits, v.config.output.frac, v.settings[2].1.clone())).collect();
        let want = [(6, 6, "lpw"), (6, 6, "newton"), (8, 8, "lpw"), (8, 8, "newton"), (10, 9, "lpw"), (10, 9, "newton")];
        assert_eq!(got, want.iter().enumerate().map(|(i, &(b, f, m))| (i, b, f, m.to_string())).collect::<Vec<_>>());
        assert_eq!(p.variants[5].settings.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["output.bits", "output.frac", "recip.method"]);
        // a key under a section the base lacks creates it
        let p = plan_of(&["internal.exp_frac=10,12"]).unwrap();
        assert_eq!(p.variants[1].config.internal.exp_frac, Some(12));
    }

    #[test]
    fn bad_axes_are_refused_before_any_work() {
        let e = |flags: &[&str]| err(plan_of(flags));
        assert!(e(&["colour=1,2"]).starts_with("`--vary` = colour=1,2: unknown key `colour`; allowed base, exp.method, "), "{}", e(&["colour=1,2"]));
        assert_eq!(e(&["input.sign=1"]), "`--vary` = input.sign=1: unknown key `input.sign`; allowed input.bits, input.frac");
        assert_eq!(e(&["input=1"]), "`--vary` = input=1: unknown key `input`; allowed input.bits, input.frac");
        assert!(e(&["max_len.x=1"]).starts_with("`--vary` = max_len.x=1: unknown key `max_len.x`; allowed base, "));
        assert_eq!(e(&["max_len=32", "max_len=16"]), "`--vary` = max_len=16: key `max_len` is already varied by --vary max_len=32; allowed each key in one --vary only");
        assert_eq!(
            e(&["output.bits,max_len=8:32", "exp.segments=4", "max_len=16"]),
            "`--vary` = max_len=16: key `max_len` is already varied by --vary output.bits,max_len=8:32; allowed each key in one --vary only"
        );
        // values the configuration rejects: the key and value, and what is allowed
        assert_eq!(e(&["input.bits=8,20"]), "`--vary` = input.bits=20: allowed 4..=16");
        assert_eq!(e(&["exp.segments=4", "max_len=64,0"]), "`--vary` = max_len=0: allowed 1..=65536");
        assert_eq!(e(&["exp.segments=3"]), "`--vary` = exp.segments=3: allowed a power of two in 2..=512 (2^(internal.t_frac - 1) with t_frac = 10)");
        assert_eq!(e(&["output.bits,output.frac=8:8,10:8"]), "`--vary` = output.frac=8: allowed 9 (1.0 representable) or 10 (1.0 saturates to the top code) for output.bits = 10");
        assert_eq!(e(&["max_len=long"]), "`--vary` = max_len=long: invalid type: string \"long\", expected u32");
        assert_eq!(e(&["recip.method=lpw,cordic"]), "`--vary` = recip.method=cordic: unknown variant `cordic`, expected one of `lut`, `lpw`, `newton`, `log`");
        // a value that breaks a key it does not set
        assert_eq!(
            e(&["exp.segments=4", "output.bits=8,6"]),
            "`--vary` = output.bits=6: then `output.frac` = 8: allowed 5 (1.0 representable) or 6 (1.0 saturates to the top code) for output.bits = 6"
        );
        assert_eq!(e(&["sparse.k=8"]), "`--vary` = sparse.k=8: missing field `mode` in [sparse] (the base config has no [sparse])");
        assert_eq!(
            e(&["sparse.mode=topk", "sparse.k=8", "sparse.k_max=16"]),
            "`--vary` = sparse.k_max=16: not used with sparse.mode = \"topk\" (exactly k are kept)"
        );
        // an error no single setting causes names every setting of the variant
        let base: toml::Table = toml::from_str(BASE).unwrap();
        let both = [("exp.segments".to_string(), toml::Value::Integer(4)), ("recip.segments".to_string(), toml::Value::Integer(8))];
        assert_eq!(
            variant_error(&base, &both, &Error::field("internal.t_frac", 1, "allowed 2..=16")).to_string(),
            "`--vary` = exp.segments=4 recip.segments=8: then `internal.t_frac` = 1: allowed 2..=16"
        );
    }

    #[test]
    fn a_bad_base_is_the_configs_error_unless_a_vary_fixes_it() {
        let bad = BASE.replace("frac = 8", "frac = 5");
        let v = |f: &str| vec![parse_vary(f).unwrap()];
        assert!(err(plan(&bad, "b.toml", &v("exp.segments=4,8"))).starts_with("config: `output.frac` = 5: allowed 7"));
        assert_eq!(plan(&bad, "b.toml", &v("output.frac=7,8")).unwrap().variants.len(), 2);
        assert_eq!(err(plan(&bad, "b.toml", &v("output.frac=7,6"))), "`--vary` = output.frac=6: allowed 7 (1.0 representable) or 8 (1.0 saturates to the top code) for output.bits = 8");
        assert_eq!(err(plan("max_len = 64\n", "b.toml", &v("exp.segments=4"))), "b.toml:1: missing field `input`");
    }

    fn point(i: usize) -> Point {
        Point { index: i, settings: vec![("exp.segments".into(), format!("{}", 4 << i))], design: "unit".into(), lut: Some(100 + i as u64), mean_lsb: Some(0.1 / (i + 1) as f64), ..Default::default() }
    }

    fn info() -> SweepInfo {
        let plan = plan_of(&["exp.segments=4,8,16"]).unwrap();
        let opt = SweepOptions { target: crate::synth::Target::Ecp5, freq_mhz: 100.0, rows: 300, with_baseline: false, workdir: "w".into(), yosys: Default::default() };
        SweepInfo::new(&plan, &opt)
    }

    fn write_table(dir: &Path, name: &str, sweep: SweepInfo, points: Vec<Point>) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, serde_json::to_string(&Table { sweep, points }).unwrap()).unwrap();
        path
    }

    #[test]
    fn merge_joins_shards_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = write_table(dir.path(), "a.json", info(), vec![point(2), point(0)]);
        let b = write_table(dir.path(), "b.json", info(), vec![point(1)]);
        let m = merge(&[a.clone(), b, a.clone()]).unwrap();
        assert_eq!(m.points.iter().map(|p| p.index).collect::<Vec<_>>(), vec![0, 1, 2]);
        assert_eq!(m.sweep, info());
        assert!(m.missing().is_empty());
        assert_eq!(merge(&[a]).unwrap().missing(), vec![1]);
        write_outputs(&m, dir.path()).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("pareto_area_error.svg")).unwrap();
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(std::fs::read_to_string(dir.path().join("table.csv")).unwrap().lines().count() == 4);
        let again: Table = serde_json::from_str(&std::fs::read_to_string(dir.path().join("table.json")).unwrap()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn merge_refuses_shards_of_other_sweeps_and_conflicting_variants() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display();
        let a = write_table(dir.path(), "a.json", info(), vec![point(0)]);
        let e = |name: &str, sweep: SweepInfo, points: Vec<Point>| err(merge(&[a.clone(), write_table(dir.path(), name, sweep, points)]));
        let rest = "allowed shards of one sweep (the same --config, --vary, --target, --freq, --rows, --baseline)";
        let other_base = SweepInfo { base: "max_len = 128\n".into(), ..info() };
        assert_eq!(e("b.json", other_base, vec![point(1)]), format!("{d}/b.json: not a shard of the sweep in {d}/a.json: its base config (--config) differs; {rest}"));
        let other_vary = SweepInfo { vary: vec!["recip.segments=4,8,16".into()], ..info() };
        assert_eq!(
            e("c.json", other_vary, vec![point(1)]),
            format!("{d}/c.json: not a shard of the sweep in {d}/a.json: --vary recip.segments=4,8,16 instead of --vary exp.segments=4,8,16; {rest}")
        );
        assert_eq!(e("t.json", SweepInfo { target: "ice40".into(), ..info() }, vec![]), format!("{d}/t.json: not a shard of the sweep in {d}/a.json: --target ice40 instead of ecp5; {rest}"));
        let changed = Point { lut: Some(7), ..point(0) };
        assert_eq!(
            e("d.json", info(), vec![changed]),
            format!("{d}/d.json: variant 0 (unit) differs from the one in {d}/a.json; allowed a variant in two files only with identical content")
        );
        assert_eq!(e("o.json", info(), vec![point(3)]), format!("{d}/o.json: variant 3 is outside the sweep (allowed 0..3)"));
        // a list of points from before the sweep's description was written
        std::fs::write(dir.path().join("old.json"), serde_json::to_string(&vec![point(1)]).unwrap()).unwrap();
        assert!(err(merge(&[a.clone(), dir.path().join("old.json")])).starts_with(&format!("{d}/old.json: a list of points without the sweep's description")));
    }

    #[test]
    fn progress_line_names_the_variant_and_its_results() {
        let p = Point { max_lsb: Some(1.0), mean_lsb: Some(0.00125), cosim_mismatches: Some(0), fmax_mhz: Some(88.26), ..point(1) };
        assert_eq!(progress_line(2, 3, &[p], 12.34), "sweep: 2/3 done: #1 exp.segments=8 (12.3 s): unit: max err 1 LSB, mean 0.0013, 0 cosim mismatches, 101 LUT, 88.3 MHz");
        let n = Point { note: "not compiled in".into(), ..point(0) };
        assert_eq!(progress_line(1, 3, &[n], 1.0), "sweep: 1/3 done: #0 exp.segments=4 (1.0 s): unit: 100 LUT, note: not compiled in");
    }
}
