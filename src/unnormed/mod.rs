//! Pass 1, the unnormed-softmax datapath (Softermax, Stevens et al. DAC 2021; online
//! normalization, Milakov & Gimelshein arXiv:1805.02867), one element per cycle:
//!
//! ```text
//!   first element:  k_min = k_0;            d = E_0 << (FD-FU)
//!   k_j <  k_min:   d = (d >> (k_min-k_j)) + (E_j << (FD-FU));  k_min = k_j   (max grew)
//!   k_j >= k_min:   d = d + ((E_j << (FD-FU)) >> (k_j-k_min))
//! ```
//! d is unsigned with FD fraction bits and WA+1 integer bits (d <= row length). Shifts
//! truncate (floor) and saturate at 63, beyond every operand's width. The row buffer keeps
//! the raw input codes; pass 2 recomputes the exponent against the final max.
//! Masked elements are skipped: "first element" is the row's first unmasked one, and a row
//! with every element masked ends with d = 0 (k_min = 0 in the model; the hardware's k_min
//! is then a don't-care: every output of such a row is 0).

pub mod block;

use crate::params::{UnitParams, SHIFT_SAT};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowSum {
    /// smallest k of the row (the row max's integer ceiling, negated and offset)
    pub k_min: u64,
    /// running sum, FD fraction bits
    pub d: u64,
}

/// Pass 1 over a whole row, bit-exact to `block::Unnormed`.
pub fn row_sum(p: &UnitParams, xs: &[i64]) -> RowSum {
    let align = p.fd - p.fu;
    let mut acc: Option<RowSum> = None;
    for (_, x) in crate::fixfmt::unmasked(xs) {
        let (k, e) = crate::exp2::front(p, x);
        let u = e << align;
        acc = Some(match acc {
            None => RowSum { k_min: k, d: u },
            Some(RowSum { k_min, d }) if k < k_min => RowSum { k_min: k, d: (d >> (k_min - k).min(SHIFT_SAT)) + u },
            Some(RowSum { k_min, d }) => RowSum { k_min, d: d + (u >> (k - k_min).min(SHIFT_SAT)) },
        });
    }
    acc.unwrap_or(RowSum { k_min: 0, d: 0 })
}
