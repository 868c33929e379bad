//! Golden model of the whole unit: bit-exact to the emitted Verilog, row by row.

use crate::params::UnitParams;
use crate::recip::Recip;
use crate::unnormed::RowSum;

/// Everything the unit computes for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowResult {
    pub sum: RowSum,
    pub recip: Recip,
    /// output codes, one per input
    pub y: Vec<u64>,
}

/// Runs one row (1..=max_len input codes) through pass 1, the reciprocal and pass 2.
pub fn run_row(p: &UnitParams, xs: &[i64]) -> RowResult {
    assert!(!xs.is_empty() && xs.len() <= p.max_len as usize, "row length {} outside 1..={}", xs.len(), p.max_len);
    let sum = crate::unnormed::row_sum(p, xs);
    let recip = crate::recip::recip(p, sum.d);
    let y = xs.iter().map(|&x| crate::normalize::element(p, x, sum.k_min, &recip)).collect();
    RowResult { sum, recip, y }
}
