//! Kept counts and dropped probability mass of sparse selection, per row and aggregated.
//! Used by `golden` (model outputs), `cosim` (the RTL's outputs) and `accuracy`.
//!
//! * dropped mass D = sum of p_i over dropped elements, p the float64 dense softmax of the
//!   row's quantized input (what the selection throws away);
//! * TV = 0.5 * sum |y_i - y_dense_i|: total variation between the sparse unit's outputs and
//!   the dense unit's outputs (same formats), the change the selection makes in hardware:
//!   about D / 2 with renorm "all" (dropped outputs go to 0, the rest stay), about D with
//!   renorm "survivors" (the kept outputs also grow by 1 / (1 - D)).

use crate::params::sparse::{mode_name, SparseParams};
use crate::params::UnitParams;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct RowStat {
    pub len: usize,
    pub kept: u32,
    pub dropped_mass: f64,
    pub tv: f64,
}

/// Statistics of one row from its input codes, keep flags and output codes.
pub fn row_stat(p: &UnitParams, x: &[i64], keep: &[bool], y: &[u64]) -> RowStat {
    let r = crate::params::reference(p, x);
    let dropped_mass = r.iter().zip(keep).filter(|(_, &k)| !k).map(|(v, _)| v).sum::<f64>() + 0.0; // no -0.0
    let dense = crate::normalize::run_row(p, x).y;
    let tv = 0.5 * y.iter().zip(&dense).map(|(&a, &b)| p.output.to_real(a as i64 - b as i64).abs()).sum::<f64>();
    RowStat { len: x.len(), kept: keep.iter().filter(|&&k| k).count() as u32, dropped_mass, tv }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub mode: String,
    pub rows: usize,
    pub elements: usize,
    pub kept: u64,
    pub kept_mean: f64,
    pub kept_min: u32,
    pub kept_max: u32,
    /// kept / elements
    pub kept_share: f64,
    pub dropped_mass_mean: f64,
    pub dropped_mass_max: f64,
    pub tv_mean: f64,
    pub tv_max: f64,
    /// stat_topk and topk: the target k, and over rows longer than k: mean, min and max kept
    pub k: Option<u32>,
    pub rows_longer_than_k: usize,
    pub kept_long_mean: f64,
    pub kept_long_min: u32,
    pub kept_long_max: u32,
    /// the cap k_max and the rows that reached it
    pub cap: u32,
    pub rows_at_cap: usize,
}

impl Summary {
    pub fn new(sp: &SparseParams) -> Summary {
        Summary {
            mode: mode_name(sp.mode).into(),
            k: (sp.k > 0).then_some(sp.k),
            cap: sp.cap,
            kept_min: u32::MAX,
            kept_long_min: u32::MAX,
            ..Default::default()
        }
    }

    pub fn add(&mut self, s: &RowStat) {
        self.rows += 1;
        self.elements += s.len;
        self.kept += s.kept as u64;
        self.kept_min = self.kept_min.min(s.kept);
        self.kept_max = self.kept_max.max(s.kept);
        self.dropped_mass_mean += s.dropped_mass;
        self.dropped_mass_max = self.dropped_mass_max.max(s.dropped_mass);
        self.tv_mean += s.tv;
        self.tv_max = self.tv_max.max(s.tv);
        if self.k.is_some_and(|k| s.len > k as usize) {
            self.rows_longer_than_k += 1;
            self.kept_long_mean += s.kept as f64;
            self.kept_long_min = self.kept_long_min.min(s.kept);
            self.kept_long_max = self.kept_long_max.max(s.kept);
        }
        self.rows_at_cap += (self.has_cap() && s.kept == self.cap && s.len > self.cap as usize) as usize;
    }

    /// topk keeps exactly k: it has no separate cap.
    pub fn has_cap(&self) -> bool {
        self.mode != mode_name(crate::config::SparseMode::Topk)
    }

    /// The summary of the golden model on rows of input codes (theta at its reset value).
    pub fn of_rows<'a>(p: &UnitParams, rows: impl IntoIterator<Item = &'a [i64]>) -> Summary {
        let sp = p.sparse.as_ref().expect("sparse parameters");
        let mut s = Summary::new(sp);
        for x in rows {
            let r = super::model::run_row(sp, p, x, sp.theta);
            s.add(&row_stat(p, x, &r.keep, &r.y));
        }
        s.finish()
    }

    pub fn finish(mut self) -> Summary {
        let rows = self.rows.max(1) as f64;
        self.kept_mean = self.kept as f64 / rows;
        self.kept_share = self.kept as f64 / self.elements.max(1) as f64;
        self.dropped_mass_mean /= rows;
        self.tv_mean /= rows;
        self.kept_long_mean /= self.rows_longer_than_k.max(1) as f64;
        if self.rows == 0 {
            self.kept_min = 0;
        }
        if self.rows_longer_than_k == 0 {
            self.kept_long_min = 0;
        }
        self
    }

    /// One line: counts, dropped mass and TV, and kept against k.
    pub fn line(&self) -> String {
        let mut s = format!(
            "{} rows, {} elements: kept {} ({:.1}%), per row mean {:.1} min {} max {}; dropped mass mean {:.2e} max {:.2e}; TV to the dense unit mean {:.2e} max {:.2e}",
            self.rows,
            self.elements,
            self.kept,
            100.0 * self.kept_share,
            self.kept_mean,
            self.kept_min,
            self.kept_max,
            self.dropped_mass_mean,
            self.dropped_mass_max,
            self.tv_mean,
            self.tv_max
        );
        if let Some(k) = self.k {
            s.push_str(&format!(
                "; rows longer than k = {k}: {}, kept mean {:.1} ({:.2} k) min {} max {}",
                self.rows_longer_than_k,
                self.kept_long_mean,
                self.kept_long_mean / k as f64,
                self.kept_long_min,
                self.kept_long_max
            ));
        }
        if self.has_cap() {
            s.push_str(&format!("; rows at the cap {}: {}", self.cap, self.rows_at_cap));
        }
        s
    }
}

/// Per-row CSV: row, length, theta (input units), kept, dropped mass, TV.
pub const CSV_HEADER: &str = "row,len,theta,kept,dropped_mass,tv\n";

pub fn csv_line(p: &UnitParams, i: usize, theta: u64, s: &RowStat) -> String {
    format!("{},{},{},{},{:.6e},{:.6e}\n", i + 1, s.len, theta as f64 * p.input.lsb(), s.kept, s.dropped_mass, s.tv)
}

/// One human-readable line per row.
pub fn row_line(p: &UnitParams, i: usize, theta: u64, s: &RowStat) -> String {
    let sp = p.sparse.as_ref().expect("sparse parameters");
    let vs_k = if sp.k > 0 { format!(" (k = {})", sp.k) } else { String::new() };
    format!(
        "row {}: L = {}, theta = {}, kept {}{vs_k}, dropped mass {:.3e}, TV {:.3e}",
        i + 1,
        s.len,
        theta as f64 * p.input.lsb(),
        s.kept,
        s.dropped_mass,
        s.tv
    )
}
