//! `sweep`: generate, co-simulate, synthesize and measure the accuracy of every variant of a
//! base configuration (the Cartesian product of `--vary key=v1,v2,...`), in parallel, into a
//! CSV/JSON table and SVG Pareto plots. `--shard i/n` runs every n-th variant so that a
//! batch scheduler can split a large sweep; `merge` joins the shards' JSON files.
//!
//! Accuracy comes from the golden model (bit-exact to the RTL) on the real attention logits
//! and needs no compiled-in widths; co-simulation and synthesis need the variant's width set
//! in the registry, and a variant without one says so in its `note` (with the line to add).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::generate::{generate_design, Design};
use crate::params::UnitParams;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Vary {
    pub key: String,
    pub values: Vec<toml::Value>,
}

/// Parses `key=v1,v2,...`; values are TOML literals (numbers, booleans) or bare strings.
pub fn parse_vary(s: &str) -> Result<Vary> {
    let (key, vals) = s
        .split_once('=')
        .ok_or_else(|| Error::flag("--vary", s, "allowed key=v1,v2,... with a dotted config key, e.g. exp.segments=4,8,16"))?;
    let values: Vec<toml::Value> = vals
        .split(',')
        .map(|v| {
            let v = v.trim();
            toml::from_str::<toml::Table>(&format!("x = {v}"))
                .ok()
                .and_then(|t| t.get("x").cloned())
                .unwrap_or_else(|| toml::Value::String(v.to_string()))
        })
        .collect();
    if key.trim().is_empty() || values.is_empty() || vals.trim().is_empty() {
        return Err(Error::flag("--vary", s, "allowed key=v1,v2,... with at least one value"));
    }
    Ok(Vary { key: key.trim().to_string(), values })
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

fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts: Vec<&str> = key.split('.').collect();
    let last = parts.pop().unwrap();
    let mut t = table;
    for p in parts {
        t = t.entry(p).or_insert_with(|| toml::Value::Table(Default::default())).as_table_mut().expect("config tables");
    }
    t.insert(last.to_string(), value);
}

/// Every variant (index, settings, config text) of the product, in a fixed order.
pub fn variants(base_text: &str, vary: &[Vary]) -> Result<Vec<(usize, Vec<(String, String)>, String)>> {
    let base: toml::Table = toml::from_str(base_text).map_err(|e| Error::Parse(format!("sweep base config: {}", e.message())))?;
    let mut combos: Vec<Vec<(String, toml::Value)>> = vec![vec![]];
    for v in vary {
        combos = combos
            .into_iter()
            .flat_map(|c| v.values.iter().map(move |x| [c.clone(), vec![(v.key.clone(), x.clone())]].concat()))
            .collect();
    }
    Ok(combos
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut t = base.clone();
            for (k, v) in &c {
                set_key(&mut t, k, v.clone());
            }
            let settings = c.iter().map(|(k, v)| (k.clone(), v.to_string().trim_matches('"').to_string())).collect();
            (i, settings, toml::to_string(&t).expect("toml"))
        })
        .collect())
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
    pub note: String,
}

pub struct SweepOptions {
    pub target: crate::synth::Target,
    pub freq_mhz: f64,
    pub rows: usize,
    pub with_baseline: bool,
    pub workdir: PathBuf,
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
pub fn run_point(index: usize, settings: &[(String, String)], text: &str, opt: &SweepOptions) -> Vec<Point> {
    let designs: &[Design] = if opt.with_baseline { &[Design::Unit, Design::Baseline] } else { &[Design::Unit] };
    designs
        .iter()
        .map(|&design| {
            let mut pt = Point { index, settings: settings.to_vec(), design: format!("{design:?}").to_lowercase(), ..Default::default() };
            if let Err(e) = run_design(&mut pt, text, design, opt) {
                pt.note = e.to_string();
            }
            pt
        })
        .collect()
}

fn run_design(pt: &mut Point, text: &str, design: Design, opt: &SweepOptions) -> Result<()> {
    let cfg = Config::parse(text, "variant")?;
    let p = UnitParams::new(&cfg)?;
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
    let g = generate_design(&cfg, "sweep variant", design)?;
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
        &crate::synth::SynthOptions { target: opt.target, freq_mhz: opt.freq_mhz, seed: 1, workdir: work },
    )?;
    (pt.lut, pt.ff, pt.bram, pt.dsp, pt.fmax_mhz) = (s.lut, s.ff, s.bram, s.dsp, s.fmax_mhz);
    Ok(())
}

/// Runs the variants of this shard in parallel with a progress bar.
pub fn run(base_text: &str, vary: &[Vary], shard: (usize, usize), opt: &SweepOptions) -> Result<Vec<Point>> {
    let all = variants(base_text, vary)?;
    let mine: Vec<_> = all.into_iter().filter(|(i, _, _)| i % shard.1 == shard.0).collect();
    let bar = indicatif::ProgressBar::new(mine.len() as u64);
    bar.set_style(indicatif::ProgressStyle::with_template("sweep {bar:30} {pos}/{len} variants, {elapsed}").unwrap());
    let mut points: Vec<Point> = mine
        .par_iter()
        .flat_map_iter(|(i, s, t)| {
            let r = run_point(*i, s, t, opt);
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    points.sort_by(|a, b| (a.index, &a.design).cmp(&(b.index, &b.design)));
    Ok(points)
}

fn opt_str<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

pub fn csv(points: &[Point]) -> String {
    let keys: Vec<String> = points.first().map(|p| p.settings.iter().map(|(k, _)| k.clone()).collect()).unwrap_or_default();
    let mut s = format!("index,{},design,module,max_lsb,mean_lsb,argmax_flips,kept_share,dropped_mass,cosim_rows,cosim_mismatches,lut,ff,bram,dsp,fmax_mhz,note\n", keys.join(","));
    for p in points {
        let vals: Vec<&str> = p.settings.iter().map(|(_, v)| v.as_str()).collect();
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},\"{}\"\n",
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
            p.note.replace('"', "'")
        ));
    }
    s
}

pub fn markdown(points: &[Point]) -> String {
    // kept share and dropped mass only when some variant is sparse
    let sparse = points.iter().any(|p| p.kept_share.is_some());
    let (sh, sd) = if sparse { (" kept | dropped mass |", "---|---|") } else { ("", "") };
    let mut s = format!("| # | settings | design | max err (LSB) | mean err (LSB) |{sh} cosim mismatches | LUT | FF | BRAM | DSP | Fmax (MHz) | note |\n|---|---|---|---|---|{sd}---|---|---|---|---|---|---|\n");
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
            "| {} | {} | {} | {} | {} |{kept} {} | {} | {} | {} | {} | {} | {} |\n",
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

/// Writes table.csv, table.json, table.md, pareto_area_error.svg, pareto_fmax_area.svg.
pub fn write_outputs(points: &[Point], dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let files = [
        ("table.csv", csv(points)),
        ("table.json", serde_json::to_string_pretty(points).expect("json") + "\n"),
        ("table.md", markdown(points)),
        (
            "pareto_area_error.svg",
            pareto_svg(points, "area vs accuracy (blue: unit, orange: baseline; red: Pareto front)", ("LUTs", |p| p.lut.map(|v| v as f64)), ("mean error (LSB)", |p| p.mean_lsb), false),
        ),
        (
            "pareto_fmax_area.svg",
            pareto_svg(points, "Fmax vs area (red: Pareto front)", ("LUTs", |p| p.lut.map(|v| v as f64)), ("Fmax (MHz)", |p| p.fmax_mhz), true),
        ),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

/// Joins shard JSON files (each a list of points).
pub fn merge(files: &[PathBuf]) -> Result<Vec<Point>> {
    let mut all: Vec<Point> = vec![];
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| Error::io(f, e))?;
        let pts: Vec<Point> = serde_json::from_str(&text).map_err(|e| Error::Input(format!("{}: {e} (allowed a table.json written by sweep)", f.display())))?;
        all.extend(pts);
    }
    all.sort_by(|a, b| (a.index, &a.design).cmp(&(b.index, &b.design)));
    all.dedup_by(|a, b| a.index == b.index && a.design == b.design);
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vary_and_shard_parse_or_explain() {
        let v = parse_vary("exp.segments=4, 8,16").unwrap();
        assert_eq!(v.key, "exp.segments");
        assert_eq!(v.values, vec![toml::Value::Integer(4), toml::Value::Integer(8), toml::Value::Integer(16)]);
        let m = parse_vary("recip.method=lpw,newton").unwrap();
        assert_eq!(m.values[1], toml::Value::String("newton".into()));
        for bad in ["exp.segments", "=4", "exp.segments="] {
            let e = parse_vary(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("`--vary` = {bad}: allowed key=v1,v2")), "{e}");
        }
        assert_eq!(parse_shard("1/3").unwrap(), (1, 3));
        for bad in ["3/3", "1/0", "a/2", "2"] {
            assert!(parse_shard(bad).unwrap_err().to_string().contains("allowed i/n with 0 <= i < n"), "{bad}");
        }
    }

    #[test]
    fn variants_are_the_product_in_a_fixed_order() {
        let base = "max_len = 64\n[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";
        let vary = [parse_vary("exp.segments=2,4").unwrap(), parse_vary("output.frac=7,8").unwrap()];
        let v = variants(base, &vary).unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(v[3].1, vec![("exp.segments".to_string(), "4".to_string()), ("output.frac".to_string(), "8".to_string())]);
        let cfg = Config::parse(&v[3].2, "variant").unwrap();
        assert_eq!((cfg.exp.segments, cfg.output.frac), (Some(4), 8));
    }

    #[test]
    fn merge_joins_shards_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = |i: usize| Point { index: i, design: "unit".into(), lut: Some(100 + i as u64), mean_lsb: Some(0.1 / (i + 1) as f64), ..Default::default() };
        std::fs::write(dir.path().join("a.json"), serde_json::to_string(&vec![p(2), p(0)]).unwrap()).unwrap();
        std::fs::write(dir.path().join("b.json"), serde_json::to_string(&vec![p(1)]).unwrap()).unwrap();
        let m = merge(&[dir.path().join("a.json"), dir.path().join("b.json")]).unwrap();
        assert_eq!(m.iter().map(|p| p.index).collect::<Vec<_>>(), vec![0, 1, 2]);
        write_outputs(&m, dir.path()).unwrap();
        let svg = std::fs::read_to_string(dir.path().join("pareto_area_error.svg")).unwrap();
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(std::fs::read_to_string(dir.path().join("table.csv")).unwrap().lines().count() == 4);
    }
}
