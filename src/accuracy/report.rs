//! `accuracy`: datasets (.npy with lengths and index, or CSV), the per-variant report, its
//! Markdown table, JSON and SVG histogram.

use super::{reference_unquantized, Metrics, Variant, HIST_HALF};
use crate::error::{Error, Result};
use crate::params::reference;
use crate::params::UnitParams;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Dataset {
    pub name: String,
    /// rows of logits, natural-log units
    pub rows: Vec<Vec<f64>>,
    /// (layer, head) of each row, from the index file
    pub layer_head: Option<Vec<(i32, i32)>>,
}

impl Dataset {
    /// `.npy` logits (with an optional lengths and index file) or `.csv` rows.
    pub fn load(data: &Path, lengths: Option<&Path>, index: Option<&Path>) -> Result<Dataset> {
        let name = data.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let rows = match data.extension().and_then(|e| e.to_str()) {
            Some("npy") => crate::data::load_rows(data, lengths)?,
            Some("csv") => {
                if let Some(l) = lengths {
                    return Err(Error::flag("--lengths", l.display(), "allowed only with .npy data"));
                }
                crate::csvio::read_rows(data)?
            }
            _ => return Err(Error::flag("--data", data.display(), "allowed a .npy (rows x max_len, float32) or .csv file")),
        };
        // only a .npy row whose first element is -inf (no --lengths) can be empty
        if let Some(i) = rows.iter().position(|r| r.is_empty()) {
            return Err(Error::Input(format!(
                "{}: row {} has length 0 (without --lengths a row ends at its first -inf; allowed 1 or more elements)",
                data.display(),
                i + 1
            )));
        }
        let layer_head = match index {
            None => None,
            Some(ix) => {
                let v = crate::data::load_index(ix)?;
                if v.len() != rows.len() {
                    return Err(Error::Input(format!("{}: {} index rows for {} data rows", ix.display(), v.len(), rows.len())));
                }
                Some(v.iter().map(|r| (r[1], r[2])).collect())
            }
        };
        Ok(Dataset { name, rows, layer_head })
    }
}

#[derive(Serialize)]
pub struct VariantReport {
    pub name: String,
    /// against the float64 softmax of the quantized input (the contract)
    pub vs_quantized: Metrics,
    /// against the float64 softmax of the unquantized logits
    pub vs_unquantized: Metrics,
    /// against the quantized-input reference, per layer and per (layer, head)
    pub per_layer: BTreeMap<String, Metrics>,
    pub per_head: BTreeMap<String, Metrics>,
}

#[derive(Serialize)]
pub struct Report {
    pub module: String,
    pub dataset: String,
    pub rows: usize,
    pub elements: usize,
    pub output: String,
    pub variants: Vec<VariantReport>,
    /// sparse units: kept counts and dropped mass (theta at its configured value)
    pub sparse: Option<crate::sparse::report::Summary>,
}

pub fn run(p: &UnitParams, ds: &Dataset) -> Result<Report> {
    if let Some(i) = ds.rows.iter().position(|r| r.len() > p.max_len as usize) {
        return Err(Error::Input(format!(
            "{}: row {} has {} elements: allowed 1..={} (max_len of the configuration)",
            ds.name,
            i + 1,
            ds.rows[i].len(),
            p.max_len
        )));
    }
    let codes: Vec<Vec<i64>> = ds.rows.iter().map(|r| r.iter().map(|&v| p.quantize_logit(v)).collect()).collect();
    let mut variants = vec![];
    for v in Variant::all(p) {
        let q = &v.params;
        let (mut vq, mut vu) = (Metrics::default(), Metrics::default());
        let mut per_layer: BTreeMap<String, Metrics> = BTreeMap::new();
        let mut per_head: BTreeMap<String, Metrics> = BTreeMap::new();
        for (i, (x, logits)) in codes.iter().zip(&ds.rows).enumerate() {
            let y = v.run(x);
            let r = reference(q, x);
            vq.add(q, x, &y, &r);
            vu.add(q, x, &y, &reference_unquantized(q, logits));
            if let Some(lh) = &ds.layer_head {
                let (l, h) = lh[i];
                per_layer.entry(format!("L{l:02}")).or_default().add(q, x, &y, &r);
                per_head.entry(format!("L{l:02}H{h:02}")).or_default().add(q, x, &y, &r);
            }
        }
        variants.push(VariantReport {
            name: v.name,
            vs_quantized: vq.finish(),
            vs_unquantized: vu.finish(),
            per_layer: per_layer.into_iter().map(|(k, m)| (k, m.finish())).collect(),
            per_head: per_head.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        });
    }
    let sparse = p.sparse.is_some().then(|| crate::sparse::report::Summary::of_rows(p, codes.iter().map(|x| x.as_slice())));
    Ok(Report {
        sparse,
        module: p.module_name(),
        dataset: ds.name.clone(),
        rows: codes.len(),
        elements: codes.iter().map(|r| r.len()).sum(),
        output: p.output.q_name(),
        variants,
    })
}

fn pct(x: f64) -> String {
    format!("{:.2}%", 100.0 * x)
}

fn metrics_row(name: &str, reference: &str, m: &Metrics) -> String {
    format!(
        "| {name} | {reference} | {:.0} | {:.4} | {:.3} | {} | {} | {} | {:.2e} | {:.2e} / {:.2e} | {} / {} / {} | {:.2e} | {} |\n",
        m.max_lsb,
        m.mean_lsb,
        m.max_lsb_unrounded,
        pct(m.within_half),
        pct(m.within_1),
        pct(m.within_2),
        m.kl_mean,
        m.tv_mean,
        m.tv_max,
        m.argmax_agree,
        m.argmax_tie,
        m.argmax_flip,
        m.sum_err_max,
        m.monotonicity_violations
    )
}

pub const TABLE_HEADER: &str = "| design | reference | max err (LSB) | mean err (LSB) | max vs unrounded (LSB) | within 0.5 | within 1 | within 2 | KL mean | TV mean / max | argmax agree / tie / flip | max abs(sum-1) | monotonicity violations |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

/// One summary line per design (quantized-input reference) for tables over several datasets.
pub const SUMMARY_HEADER: &str = "| dataset | rows | design | max err (LSB) | mean err (LSB) | max vs unrounded (LSB) | within 1 LSB | argmax agree / tie / flip | TV mean | max err vs unquantized (LSB) |\n|---|---|---|---|---|---|---|---|---|---|\n";

pub fn summary_rows(r: &Report) -> String {
    let mut s = String::new();
    for v in &r.variants {
        let m = &v.vs_quantized;
        s.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.4} | {:.3} | {} | {} / {} / {} | {:.2e} | {:.0} |\n",
            r.dataset.trim_end_matches("_logits.npy"),
            r.rows,
            v.name,
            m.max_lsb,
            m.mean_lsb,
            m.max_lsb_unrounded,
            pct(m.within_1),
            m.argmax_agree,
            m.argmax_tie,
            m.argmax_flip,
            m.tv_mean,
            v.vs_unquantized.max_lsb
        ));
    }
    s
}

/// Sparse selection summary over several datasets.
pub const SPARSE_HEADER: &str = "| dataset | rows | mode | kept (share) | kept per row mean / min / max | kept vs k (rows longer than k) | rows at k_max | dropped mass mean / max | TV to the dense unit mean / max |\n|---|---|---|---|---|---|---|---|---|\n";

pub fn sparse_row(r: &Report) -> String {
    let Some(s) = &r.sparse else { return String::new() };
    let vs_k = match s.k {
        Some(k) if s.rows_longer_than_k > 0 => format!("{:.1} = {:.2} k ({} rows, {}..{})", s.kept_long_mean, s.kept_long_mean / k as f64, s.rows_longer_than_k, s.kept_long_min, s.kept_long_max),
        Some(_) => "no row longer than k".into(),
        None => "-".into(),
    };
    format!(
        "| {} | {} | {} | {} ({:.1}%) | {:.1} / {} / {} | {vs_k} | {} | {:.2e} / {:.2e} | {:.2e} / {:.2e} |\n",
        r.dataset.trim_end_matches("_logits.npy"),
        s.rows,
        s.mode,
        s.kept,
        100.0 * s.kept_share,
        s.kept_mean,
        s.kept_min,
        s.kept_max,
        if s.has_cap() { s.rows_at_cap.to_string() } else { "-".into() },
        s.dropped_mass_mean,
        s.dropped_mass_max,
        s.tv_mean,
        s.tv_max
    )
}

pub fn markdown(r: &Report) -> String {
    let mut s = format!(
        "accuracy: {} on {} ({} rows, {} elements, output {})\n\n",
        r.module, r.dataset, r.rows, r.elements, r.output
    );
    if r.sparse.is_some() {
        s.push_str("sparse selection (theta at its configured value; dropped mass against the float64 dense softmax, TV against the dense unit's outputs):\n\n");
        s.push_str(SPARSE_HEADER);
        s.push_str(&sparse_row(r));
        s.push('\n');
    }
    s.push_str(TABLE_HEADER);
    for v in &r.variants {
        s.push_str(&metrics_row(&v.name, "quantized input", &v.vs_quantized));
        s.push_str(&metrics_row(&v.name, "unquantized logits", &v.vs_unquantized));
    }
    if let Some(unit) = r.variants.first().filter(|v| !v.per_layer.is_empty()) {
        s.push_str("\nper layer (unit, quantized-input reference; per head in --json):\n\n");
        s.push_str("| layer | rows | max err (LSB) | mean err (LSB) | TV mean | argmax flips |\n|---|---|---|---|---|---|\n");
        for (k, m) in &unit.per_layer {
            s.push_str(&format!("| {k} | {} | {:.0} | {:.4} | {:.2e} | {} |\n", m.rows, m.max_lsb, m.mean_lsb, m.tv_mean, m.argmax_flip));
        }
        let worst = unit.per_head.iter().max_by(|a, b| a.1.max_lsb.partial_cmp(&b.1.max_lsb).unwrap()).unwrap();
        s.push_str(&format!("\nworst head: {} (max {:.0} LSB over {} rows)\n", worst.0, worst.1.max_lsb, worst.1.rows));
    }
    s
}

/// SVG histogram of y - round(y_ref) in output LSBs (log-scaled share of outputs), one bar
/// series per design.
pub fn svg_histogram(r: &Report) -> String {
    use svg::node::element::{Line, Rectangle, Text};
    use svg::Document;
    let (w, h, left, bottom, top) = (760.0, 360.0, 70.0, 50.0, 40.0);
    let bins = (2 * HIST_HALF + 1) as usize;
    let bw = (w - left - 20.0) / bins as f64;
    let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
    let mut doc = Document::new().set("viewBox", (0, 0, w, h)).set("width", w).set("height", h).set("font-family", "sans-serif").set("font-size", 12);
    doc = doc.add(Text::new(format!("{} on {} ({} rows)", r.module, r.dataset, r.rows)).set("x", left).set("y", 16));
    doc = doc.add(Text::new("output error in LSBs against the correctly rounded softmax of the quantized input").set("x", left).set("y", 31));
    let plot_h = h - bottom - top;
    // log10 share from 1e-7 (bottom) to 1 (top)
    let y_of = |share: f64| top + plot_h * (1.0 - ((share.max(1e-7)).log10() + 7.0) / 7.0);
    for d in 0..=7 {
        let y = top + plot_h * d as f64 / 7.0;
        doc = doc.add(Line::new().set("x1", left).set("x2", w - 20.0).set("y1", y).set("y2", y).set("stroke", "#ddd"));
        doc = doc.add(Text::new(if d == 0 { "1".to_string() } else { format!("1e-{d}") }).set("x", 10).set("y", y + 4.0));
    }
    let nv = r.variants.len() as f64;
    for (vi, v) in r.variants.iter().enumerate() {
        let total = v.vs_quantized.elements.max(1) as f64;
        for (b, &c) in v.vs_quantized.hist.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let x = left + b as f64 * bw + vi as f64 * bw / nv;
            let y = y_of(c as f64 / total);
            doc = doc.add(Rectangle::new().set("x", x).set("y", y).set("width", bw / nv - 1.0).set("height", top + plot_h - y).set("fill", colors[vi % colors.len()]));
        }
        doc = doc.add(Rectangle::new().set("x", w - 250.0).set("y", top + 8.0 + 16.0 * vi as f64).set("width", 10).set("height", 10).set("fill", colors[vi % colors.len()]));
        doc = doc.add(Text::new(v.name.clone()).set("x", w - 235.0).set("y", top + 17.0 + 16.0 * vi as f64));
    }
    for b in 0..bins {
        let e = b as i64 - HIST_HALF;
        let label = if e == -HIST_HALF { format!("<={e}") } else if e == HIST_HALF { format!(">={e}") } else { e.to_string() };
        doc = doc.add(Text::new(label).set("x", left + b as f64 * bw + bw / 2.0).set("y", h - bottom + 16.0).set("text-anchor", "middle"));
    }
    doc = doc.add(Text::new("error in output LSBs (share of outputs, log scale)").set("x", w / 2.0).set("y", h - 12.0).set("text-anchor", "middle"));
    doc.to_string()
}
