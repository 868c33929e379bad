//! Error of the golden model (bit-exact to the RTL) against the float64 softmax of the
//! quantized input (ALGORITHMS.md section 6), in output LSBs.

use crate::unit::model::{reference, run_row};
use crate::unit::params::UnitParams;

#[derive(Clone, Debug, Default)]
pub struct Errors {
    pub rows: usize,
    pub elements: usize,
    /// max |y - round(y_ref)| in output LSBs (an ideal unit reaches 0)
    pub max_lsb_vs_rounded: f64,
    /// max |y - y_ref| in output LSBs (an ideal unit reaches 0.5)
    pub max_lsb_vs_exact: f64,
    pub sum_abs_lsb_vs_exact: f64,
    /// rows whose argmax differs from the reference's, ties in the output excluded
    pub argmax_flips: usize,
    /// max |sum(y) - 1|
    pub max_sum_error: f64,
    /// worst row (index) and element for max_lsb_vs_rounded
    pub worst: (usize, usize),
}

impl Errors {
    pub fn mean_lsb_vs_exact(&self) -> f64 {
        self.sum_abs_lsb_vs_exact / self.elements.max(1) as f64
    }
}

/// Measures rows of input codes.
pub fn measure(p: &UnitParams, rows: &[Vec<i64>]) -> Errors {
    let scale = (p.output.frac as f64).exp2();
    let top = p.output.max_code() as f64;
    let mut e = Errors::default();
    for (ri, x) in rows.iter().enumerate() {
        let y = run_row(p, x).y;
        let r = reference(p, x);
        e.rows += 1;
        e.elements += x.len();
        let mut sum = 0.0;
        for (i, (&yc, &rv)) in y.iter().zip(&r).enumerate() {
            let exact = (rv * scale).min(top); // the best code, before rounding, saturated
            let d_exact = (yc as f64 - exact).abs();
            let d_round = (yc as f64 - exact.round_ties_even()).abs();
            if d_round > e.max_lsb_vs_rounded {
                e.max_lsb_vs_rounded = d_round;
                e.worst = (ri, i);
            }
            e.max_lsb_vs_exact = e.max_lsb_vs_exact.max(d_exact);
            e.sum_abs_lsb_vs_exact += d_exact;
            sum += yc as f64 / scale;
        }
        e.max_sum_error = e.max_sum_error.max((sum - 1.0).abs());
        let ymax = *y.iter().max().unwrap();
        let ref_arg = (0..r.len()).fold(0, |b, i| if r[i] > r[b] { i } else { b });
        // a flip: the reference's argmax is not among the unit's maximal outputs
        if y[ref_arg] != ymax {
            e.argmax_flips += 1;
        }
    }
    e
}
