//! Piecewise-linear table for a decreasing element function (used by `exp2` and `recip`).
//!
//! Input: an unsigned `in_bits`-bit code `g`. It is split into a segment index `s` (top
//! `seg_bits` bits) and an offset `l` (low `low_bits` bits). The output is
//!
//! ```text
//!   v(g) = c0[s] - ((c1[s] * l) >> shift)          all unsigned integers
//! ```
//!
//! * LPW with N = 2^seg_bits segments: `c1` is the drop over a whole segment in units of
//!   2^-(out_frac+1), `shift = low_bits + 1`, and `c0` is the minimax intercept, chosen by
//!   evaluating every input of the segment (so the table, not a formula, defines the error).
//! * LUT: a plain table of every input is stored as pairs, `seg_bits = in_bits - 1`,
//!   `low_bits = 1`, `shift = 0`, `c1 = v(2s) - v(2s+1)`: the 1-bit "interpolation" selects
//!   between the two entries exactly, so the hardware structure is shared and the values are
//!   those of the LUT.
//!
//! The tables are computed here from the target function; the rust-hdl block
//! (`block::Lpw`) is filled from these same vectors.

pub mod block;

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TableKind {
    Lut,
    Lpw,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LpwTable {
    pub kind: TableKind,
    pub in_bits: u32,
    pub seg_bits: u32,
    pub low_bits: u32,
    pub shift: u32,
    /// Width of `c0`, `c1` and the output (all values < 2^out_bits).
    pub out_bits: u32,
    pub c0: Vec<u64>,
    pub c1: Vec<u64>,
}

impl LpwTable {
    /// A LUT of every input: `target(g)` is the exact value in output LSBs, rounded to nearest.
    pub fn lut(in_bits: u32, out_bits: u32, target: impl Fn(u64) -> f64) -> Self {
        assert!(in_bits >= 2);
        let v = |g: u64| target(g).round() as u64;
        let n = 1u64 << (in_bits - 1);
        let c0: Vec<u64> = (0..n).map(|s| v(2 * s)).collect();
        let c1: Vec<u64> = (0..n).map(|s| v(2 * s) - v(2 * s + 1)).collect();
        let t = Self { kind: TableKind::Lut, in_bits, seg_bits: in_bits - 1, low_bits: 1, shift: 0, out_bits, c0, c1 };
        t.check_widths();
        t
    }

    /// An LPW with `2^seg_bits` uniform segments fitted to `target` (exact value in output
    /// LSBs, decreasing). The slope is the rounded chord drop; the intercept is the integer
    /// that minimizes the maximum error over the segment's inputs.
    pub fn lpw(in_bits: u32, seg_bits: u32, out_bits: u32, target: impl Fn(u64) -> f64) -> Self {
        assert!(seg_bits >= 1 && seg_bits < in_bits);
        let low_bits = in_bits - seg_bits;
        let shift = low_bits + 1;
        let seg_len = 1u64 << low_bits;
        let mut c0 = vec![];
        let mut c1 = vec![];
        for s in 0..(1u64 << seg_bits) {
            let g0 = s * seg_len;
            // drop over the whole segment, in units of 2^-(out_frac+1)
            let drop = ((target(g0) - target(g0 + seg_len)) * 2.0).round().max(0.0) as u64;
            // c0 - (drop*l >> shift) ~ target(g0+l)  =>  c0 ~ target + (drop*l >> shift)
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for l in 0..seg_len {
                let want = target(g0 + l) + ((drop * l) >> shift) as f64;
                lo = lo.min(want);
                hi = hi.max(want);
            }
            c0.push(((lo + hi) / 2.0).round() as u64);
            c1.push(drop);
        }
        let t = Self { kind: TableKind::Lpw, in_bits, seg_bits, low_bits, shift, out_bits, c0, c1 };
        t.check_widths();
        t
    }

    fn check_widths(&self) {
        let lim = 1u64 << self.out_bits;
        assert!(self.c0.iter().all(|&c| c < lim), "LPW intercept exceeds {} bits", self.out_bits);
        assert!(self.c1.iter().all(|&c| c < lim), "LPW slope exceeds {} bits", self.out_bits);
    }

    /// The bit-exact value computed by the hardware.
    #[inline]
    pub fn eval(&self, g: u64) -> u64 {
        let s = (g >> self.low_bits) as usize;
        let l = g & ((1u64 << self.low_bits) - 1);
        self.c0[s] - ((self.c1[s] * l) >> self.shift)
    }

    pub fn entries(&self) -> usize {
        self.c0.len()
    }

    /// Largest |eval(g) - target(g)| over every input, in output LSBs.
    pub fn max_error(&self, target: impl Fn(u64) -> f64) -> f64 {
        (0..(1u64 << self.in_bits))
            .map(|g| (self.eval(g) as f64 - target(g)).abs())
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(g: u64) -> f64 {
        // 2^(-g/64) in 12 fraction bits
        (-(g as f64) / 64.0).exp2() * 4096.0
    }

    #[test]
    fn lut_stores_every_rounded_value() {
        let t = LpwTable::lut(6, 13, f);
        for g in 0..64 {
            assert_eq!(t.eval(g), f(g).round() as u64, "g={g}");
        }
        assert!(t.max_error(f) <= 0.5);
    }

    #[test]
    fn lpw_error_shrinks_with_segments() {
        let e4 = LpwTable::lpw(6, 2, 13, f).max_error(f);
        let e16 = LpwTable::lpw(6, 4, 13, f).max_error(f);
        // chord error of 2^-x over a segment of width h: (ln2)^2 h^2/8 (relative); minimax halves it
        assert!(e4 < 4096.0 * 0.4805 * (1.0 / 64.0) / 8.0 * 16.0 + 1.5, "e4={e4}");
        assert!(e16 < e4, "e16={e16} e4={e4}");
        assert!(e16 <= 1.5, "e16={e16}");
    }
}
