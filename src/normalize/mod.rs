//! Pass 2, the normalization datapath, one element per cycle:
//!
//! ```text
//!   (k, E) = front(x)                       E: FU frac bits, recomputed from the stored x
//!   s = min(k - k_min, 63) + eb + (FU + FR - FO - 1)     >= 1
//!   P = E * r                                (FU+FR frac bits, WE+WR bits)
//!   y = min(((P >> (s-1)) + 1) >> 1, y_max)  (round half up, once; saturate to 1.0)
//! ```
//! which is y = E * 2^-(k-k_min) * r * 2^-(eb-1) = 2^(t - c_max) / d rounded to FO bits.

pub mod block;

use crate::recip::Recip;
use crate::params::{UnitParams, SHIFT_SAT};

/// Output code of one element, bit-exact to `block::Normalize`.
#[inline]
pub fn element(p: &UnitParams, x: i64, k_min: u64, r: &Recip) -> u64 {
    let (k, e) = crate::exp2::front(p, x);
    let s = (k - k_min).min(SHIFT_SAT) + r.eb + p.out_shift0() as u64;
    let prod = e * r.r; // < 2^50
    let y1 = if s - 1 >= 64 { 0 } else { prod >> (s - 1) };
    ((y1 + 1) >> 1).min(p.y_max())
}
