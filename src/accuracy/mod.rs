//! Accuracy against the exact softmax (README: Error contract, Accuracy).
//!
//! The reference is the float64 softmax of the *quantized* input codes in the configured
//! base; errors are in output LSBs against that reference rounded to the output format (the
//! best any unit can output; an ideal unit shows 0 there and at most 0.5 against the unrounded
//! value). The same metrics against the softmax of the unquantized logits show what input
//! quantization costs. Every model here is the bit-exact golden model of some hardware.

use crate::lpw::LpwTable;
use crate::params::reference;
use crate::unit::model::run_row;
use crate::params::UnitParams;
use serde::Serialize;

/// A design whose outputs are measured: the configured unit, or a variant of it.
pub struct Variant {
    pub name: String,
    pub params: UnitParams,
    pub kind: Kind,
}

pub enum Kind {
    /// the golden model of `params`
    Unit,
    /// the conventional baseline of the same formats (its own bit-exact golden model)
    Baseline(crate::baseline::BaselineParams),
    /// outputs the correctly rounded reference: the best any unit with this output format
    /// can do (TV, KL and sum errors are not zero there)
    Ideal,
}

impl Variant {
    pub fn unit(p: &UnitParams) -> Variant {
        Variant { name: "unit".into(), params: p.clone(), kind: Kind::Unit }
    }
    pub fn baseline(p: &UnitParams) -> Variant {
        let b = crate::baseline::BaselineParams::from_unit(p);
        Variant { name: "baseline (exact max, exp table, divider)".into(), params: dense(p), kind: Kind::Baseline(b) }
    }
    pub fn ideal(p: &UnitParams) -> Variant {
        Variant { name: "ideal (correctly rounded)".into(), params: dense(p), kind: Kind::Ideal }
    }
    /// The variants every accuracy report shows side by side; a sparse unit also shows the
    /// dense unit of the same formats.
    pub fn all(p: &UnitParams) -> Vec<Variant> {
        let mut v = vec![Variant::unit(p)];
        if let Some(sp) = &p.sparse {
            v[0].name = format!("sparse unit ({})", crate::params::sparse::mode_name(sp.mode));
            v.push(Variant { name: "dense unit".into(), params: dense(p), kind: Kind::Unit });
        }
        v.extend([Variant::baseline(p), Variant::pow2(p), Variant::ideal(p)]);
        v
    }
    /// Output codes of a row of input codes.
    pub fn run(&self, x: &[i64]) -> Vec<u64> {
        match &self.kind {
            // a sparse unit: its actual outputs (0 where dropped) against the dense reference
            Kind::Unit => match &self.params.sparse {
                None => run_row(&self.params, x).y,
                Some(sp) => crate::sparse::model::run_row(sp, &self.params, x, sp.theta).y,
            },
            Kind::Baseline(b) => crate::baseline::run_row(b, x),
            Kind::Ideal => crate::params::reference_codes(&self.params, x).into_iter().map(|c| c as u64).collect(),
        }
    }
    /// The same unit with a pure power-of-two exponent: 2^-f replaced by 1 (shift only, as
    /// in the ITA softmax), i.e. every t rounded up to its integer ceiling.
    /// With recip.method = "log" the table also carries the division, so the variant keeps
    /// the default reciprocal (an LPW table and a multiply).
    pub fn pow2(p: &UnitParams) -> Variant {
        let mut q = dense(p);
        if p.log_norm() {
            let mut c = q.resolved.clone();
            c.recip = crate::config::RecipCfg::default();
            (c.internal.recip_frac, c.internal.recip_in_bits) = (None, None);
            q = UnitParams::new(&c).expect("the same configuration with the default reciprocal is valid");
        }
        let one = 1u64 << p.fu;
        q.exp_table = LpwTable { c0: vec![one; q.exp_table.entries()], c1: vec![0; q.exp_table.entries()], ..q.exp_table.clone() };
        Variant { name: "pow2 (shift-only exponent)".into(), params: q, kind: Kind::Unit }
    }
}

/// The dense unit of a configuration (its `[sparse]` section dropped).
fn dense(p: &UnitParams) -> UnitParams {
    UnitParams { sparse: None, ..p.clone() }
}

/// Metrics of a set of rows against one reference.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Metrics {
    pub rows: usize,
    pub elements: usize,
    /// max |y - round(y_ref)| in output LSBs
    pub max_lsb: f64,
    /// mean |y - round(y_ref)| in output LSBs
    pub mean_lsb: f64,
    /// max |y - y_ref| in output LSBs (unrounded reference; an ideal unit reaches 0.5)
    pub max_lsb_unrounded: f64,
    /// fractions of outputs with |y - y_ref| (unrounded) within 0.5, 1 and 2 LSB
    pub within_half: f64,
    pub within_1: f64,
    pub within_2: f64,
    /// mean over rows of KL(y_ref || y'), y' = y with zeros raised to half an LSB, renormalized
    pub kl_mean: f64,
    /// mean and max over rows of the total variation 0.5 * sum |y - y_ref|
    pub tv_mean: f64,
    pub tv_max: f64,
    /// rows whose output argmax (unique) equals the reference argmax
    pub argmax_agree: usize,
    /// rows whose output has several maxima, one of them the reference argmax
    pub argmax_tie: usize,
    /// rows whose output maxima do not include the reference argmax
    pub argmax_flip: usize,
    /// max and mean of |sum(y) - 1|
    pub sum_err_max: f64,
    pub sum_err_mean: f64,
    /// adjacent pairs (sorted by input) with x_i > x_j and y_i < y_j, and rows with any
    pub monotonicity_violations: usize,
    pub monotonicity_rows: usize,
    /// row and element of the largest unrounded error
    pub worst_row: usize,
    pub worst_element: usize,
    /// histogram of y - round(y_ref) in LSBs, from -HIST_HALF to +HIST_HALF (clamped)
    pub hist: Vec<u64>,
    #[serde(skip)]
    sum_abs: f64,
    #[serde(skip)]
    n_half: usize,
    #[serde(skip)]
    n_1: usize,
    #[serde(skip)]
    n_2: usize,
    #[serde(skip)]
    kl_sum: f64,
    #[serde(skip)]
    tv_sum: f64,
    #[serde(skip)]
    sum_err_sum: f64,
}

pub const HIST_HALF: i64 = 8;

impl Metrics {
    /// Adds one row: output codes `y` of a unit, reference probabilities `r`, input codes `x`.
    pub fn add(&mut self, p: &UnitParams, x: &[i64], y: &[u64], r: &[f64]) {
        if self.hist.is_empty() {
            self.hist = vec![0; (2 * HIST_HALF + 1) as usize];
        }
        let scale = (p.output.frac as f64).exp2();
        let top = p.output.max_code() as f64;
        self.rows += 1;
        self.elements += y.len();
        let (mut sum, mut tv, mut kl_norm) = (0.0, 0.0, 0.0);
        let floor = 0.5 / scale;
        for (i, (&yc, &rv)) in y.iter().zip(r).enumerate() {
            let exact = (rv * scale).min(top);
            let e = yc as f64 - exact.round_ties_even();
            let eu = (yc as f64 - exact).abs();
            self.max_lsb = self.max_lsb.max(e.abs());
            if eu > self.max_lsb_unrounded {
                self.max_lsb_unrounded = eu;
                (self.worst_row, self.worst_element) = (self.rows - 1, i);
            }
            self.sum_abs += e.abs();
            self.n_half += (eu <= 0.5 + 1e-9) as usize;
            self.n_1 += (eu <= 1.0 + 1e-9) as usize;
            self.n_2 += (eu <= 2.0 + 1e-9) as usize;
            self.hist[(e.round() as i64).clamp(-HIST_HALF, HIST_HALF) as usize + HIST_HALF as usize] += 1;
            let yv = yc as f64 / scale;
            sum += yv;
            tv += (yv - rv).abs();
            kl_norm += yv.max(floor);
        }
        let kl: f64 = y.iter().zip(r).filter(|(_, &rv)| rv > 0.0).map(|(&yc, &rv)| rv * (rv / ((yc as f64 / scale).max(floor) / kl_norm)).ln()).sum();
        self.kl_sum += kl;
        self.tv_sum += tv / 2.0;
        self.tv_max = self.tv_max.max(tv / 2.0);
        // the reference sums to 1, or to 0 in a row with every element masked
        let se = (sum - if r.iter().any(|&v| v > 0.0) { 1.0 } else { 0.0 }).abs();
        self.sum_err_sum += se;
        self.sum_err_max = self.sum_err_max.max(se);
        let ymax = *y.iter().max().unwrap();
        let rarg = (0..r.len()).fold(0, |b, i| if r[i] > r[b] { i } else { b });
        let n_max = y.iter().filter(|&&v| v == ymax).count();
        if y[rarg] != ymax {
            self.argmax_flip += 1;
        } else if n_max > 1 {
            self.argmax_tie += 1;
        } else {
            self.argmax_agree += 1;
        }
        let mut order: Vec<usize> = (0..x.len()).collect();
        order.sort_by_key(|&i| x[i]);
        let v = order.windows(2).filter(|w| x[w[1]] > x[w[0]] && y[w[1]] < y[w[0]]).count();
        self.monotonicity_violations += v;
        self.monotonicity_rows += (v > 0) as usize;
    }

    pub fn finish(mut self) -> Metrics {
        let n = self.elements.max(1) as f64;
        let rows = self.rows.max(1) as f64;
        self.mean_lsb = self.sum_abs / n;
        self.within_half = self.n_half as f64 / n;
        self.within_1 = self.n_1 as f64 / n;
        self.within_2 = self.n_2 as f64 / n;
        self.kl_mean = self.kl_sum / rows;
        self.tv_mean = self.tv_sum / rows;
        self.sum_err_mean = self.sum_err_sum / rows;
        self
    }
}

/// Softmax of real-valued logits (natural-log units) in the configured base: what the unit
/// would compute with no input quantization. Base 2 reads the logits as base-2 exponents.
pub fn reference_unquantized(p: &UnitParams, logits: &[f64]) -> Vec<f64> {
    let t: Vec<f64> = match p.base {
        crate::config::Base::Two => logits.to_vec(),
        crate::config::Base::E => logits.iter().map(|v| v * std::f64::consts::LOG2_E).collect(),
    };
    crate::params::softmax2(&t)
}

/// Metrics of the unit on rows of input codes against the reference of the quantized input.
pub fn measure(p: &UnitParams, rows: &[Vec<i64>]) -> Metrics {
    let mut m = Metrics::default();
    for x in rows {
        m.add(p, x, &run_row(p, x).y, &reference(p, x));
    }
    m.finish()
}
pub mod report;

#[cfg(test)]
mod tests;
