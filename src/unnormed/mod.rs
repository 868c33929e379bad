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
//! With P lanes every lane keeps its own (k_min, d) and the lanes are merged at the row's
//! end ([`row_sum`]). Masked elements are skipped: "first element" is the row's first unmasked one, and a row
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

/// Combines two partial sums of one row, `None` being an empty one (no unmasked element):
/// the smaller k is kept and the other sum is shifted to it (truncating, saturated at 63).
/// One online step is `merge(acc, element)`; the lanes' sums are merged the same way.
pub fn merge(a: Option<RowSum>, b: Option<RowSum>) -> Option<RowSum> {
    match (a, b) {
        (None, s) | (s, None) => s,
        (Some(a), Some(b)) if b.k_min < a.k_min => Some(RowSum { k_min: b.k_min, d: (a.d >> (a.k_min - b.k_min).min(SHIFT_SAT)) + b.d }),
        (Some(a), Some(b)) => Some(RowSum { k_min: a.k_min, d: a.d + (b.d >> (b.k_min - a.k_min).min(SHIFT_SAT)) }),
    }
}

/// Pass 1 over a whole row, bit-exact to `block::Unnormed` and the lane merge tree
/// (`block::Merge`). With P lanes, lane j sums the elements j, j+P, j+2P, ... online; the P
/// partial sums are then merged pairwise in a tree, lanes (2i, 2i+1) first, then their
/// results in the same order, down to one. At P = 1 this is the plain online sum.
pub fn row_sum(p: &UnitParams, xs: &[i64]) -> RowSum {
    let align = p.fd - p.fu;
    let lanes = p.lanes as usize;
    let mut acc: Vec<Option<RowSum>> = vec![None; lanes];
    for (i, x) in crate::fixfmt::unmasked(xs) {
        let (k, e) = crate::exp2::front(p, x);
        acc[i % lanes] = merge(acc[i % lanes], Some(RowSum { k_min: k, d: e << align }));
    }
    while acc.len() > 1 {
        acc = acc.chunks(2).map(|c| merge(c[0], c[1])).collect();
    }
    acc[0].unwrap_or(RowSum { k_min: 0, d: 0 })
}
