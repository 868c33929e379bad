//! Pass 2, the normalization datapath, one element per cycle:
//!
//! ```text
//!   (k, E) = front(x)                       E: FU frac bits, recomputed from the stored x
//!   s = min(k - k_min, 63) + eb + (FU + FR - FO - 1)     >= 1
//!   P = E * r                                (FU+FR frac bits, WE+WR bits)
//!   y = min(((P >> (s-1)) + 1) >> 1, y_max)  (round half up, once; saturate to 1.0)
//! ```
//! which is y = E * 2^-(k-k_min) * r * 2^-(eb-1) = 2^(t - c_max) / d rounded to FO bits.
//!
//! With recip.method = "log", r ~= log2(mantissa of d) (FT fraction bits) joins the exponent
//! and there is no product:
//!
//! ```text
//!   (k, E) = front(x) with nb + r            E = 2^-frac((nb + r)/2^FT), k its integer part
//!   s = min(k - k_min, 63) + eb + (FU - FO - 1)
//!   y = min(((E >> (s-1)) + 1) >> 1, y_max)
//! ```
//!
//! [`run_row`] is the dense datapath's row model (pass 1, the reciprocal, pass 2): the
//! golden model of the unit without selection, which the sparse model builds on. It lives
//! here, below both `unit` (the top) and `sparse`, so that neither imports the other's.

pub mod block;

use crate::params::{UnitParams, SHIFT_SAT};
use crate::recip::Recip;
use crate::unnormed::RowSum;

/// Output code of one element, bit-exact to `block::Normalize` (0 for a masked one).
#[inline]
pub fn element(p: &UnitParams, x: i64, k_min: u64, r: &Recip) -> u64 {
    if x == crate::fixfmt::MASKED {
        return 0;
    }
    // log: r is log2 of the sum's mantissa, added to -t; else a reciprocal mantissa, multiplied
    let (k, g) = crate::exp2::split_plus(p, x, if p.log_norm() { r.r } else { 0 });
    let e = p.exp_table.eval(g);
    let s = (k - k_min).min(SHIFT_SAT) + r.eb + p.out_shift0() as u64;
    let prod = if p.log_norm() { e } else { e * r.r }; // < 2^50
    let y1 = if s - 1 >= 64 { 0 } else { prod >> (s - 1) };
    ((y1 + 1) >> 1).min(p.y_max())
}

/// Everything the dense datapath computes for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowResult {
    pub sum: RowSum,
    pub recip: Recip,
    /// output codes, one per input
    pub y: Vec<u64>,
}

/// Runs one row (1..=max_len input codes) through pass 1, the reciprocal and pass 2,
/// bit-exact to the emitted Verilog of the unit without selection. A row with every element
/// masked outputs 0 everywhere (its sum is 0 and its reciprocal, here `Recip::NONE`, is not used).
pub fn run_row(p: &UnitParams, xs: &[i64]) -> RowResult {
    assert!(!xs.is_empty() && xs.len() <= p.max_len as usize, "row length {} outside 1..={}", xs.len(), p.max_len);
    let sum = crate::unnormed::row_sum(p, xs);
    let recip = crate::recip::recip_of_sum(p, sum.d);
    let y = xs.iter().map(|&x| element(p, x, sum.k_min, &recip)).collect();
    RowResult { sum, recip, y }
}
