//! The conventional softmax the unit is measured against: exact max, e^x (or 2^x) from a
//! full-precision table, the exact sum, and a true (restoring) divider per element, at the
//! same input and output formats and row length as a unit configuration.
//!
//! ```text
//!  pass 1 (L cycles):  m = max x_i (exact, signed)             row buffer <- x
//!  pass 2 (L cycles):  e_i = table(m - x_i)   (FX frac bits)   S = sum e_i (exact)
//!  pass 3 (L cycles):  y_i = min(round_half_up(e_i * 2^FO / S), y_max)
//!                      by a pipelined restoring division: q = floor(e_i * 2^(FO+1) / S),
//!                      y = (q + 1) >> 1
//! ```
//! table(d) = round(b^(-d / 2^FI) * 2^FX), b = e (base e with the in-unit multiplier) or 2
//! (base 2, or log2 e folded upstream); entries from d = LEN on are 0 and not stored.
//! FX = FO + log2(max_len) + 2 keeps the sum of the table roundings below a quarter LSB.
//! The passes recompute e_i from the stored x (no exponent buffer). The max and the sum are
//! exact, so at P lanes (the beat max a tree over the lanes, the sum per lane and then
//! over the lanes) the outputs are those of one lane.

pub mod block;
pub mod registry;

use crate::config::Log2e;
use crate::fixfmt::FixFmt;
use crate::params::UnitParams;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct BaselineParams {
    pub input: FixFmt,
    pub output: FixFmt,
    pub max_len: u32,
    pub wa: u32,
    /// elements per beat (P) and its log2, as the unit's
    pub lanes: u32,
    pub lp: u32,
    /// fraction bits of the table values
    pub fx: u32,
    /// table: e^-d or 2^-d for d = 0..len (input LSBs), FX fraction bits
    pub table: Vec<u64>,
    /// address bits of the table
    pub wta: u32,
    /// sum width: WA + 1 integer bits + FX fraction bits
    pub ws: u32,
    pub base_e: bool,
    pub prefix: String,
    pub hash: String,
}

impl BaselineParams {
    /// The baseline of a unit configuration: same formats, base and row length.
    pub fn from_unit(p: &UnitParams) -> BaselineParams {
        let fo = p.output.frac;
        let fx = fo + p.wa + 2;
        let fi = p.input.frac;
        let base_e = p.log2e == Some(Log2e::Multiplier);
        let f = |d: u64| {
            let v = d as f64 / (1u64 << fi) as f64;
            if base_e { (-v).exp() } else { (-v).exp2() }
        };
        let max_d = 1u64 << p.input.bits; // d = m - x < 2^WI
        let table: Vec<u64> =
            (0..max_d).map(|d| (f(d) * (1u64 << fx) as f64).round() as u64).take_while(|&v| v > 0).collect();
        let wta = (64 - (table.len() as u64 - 1).leading_zeros()).max(1);
        BaselineParams {
            input: p.input,
            output: p.output,
            max_len: p.max_len,
            wa: p.wa,
            lanes: p.lanes,
            lp: p.lp,
            fx,
            wta,
            ws: p.wa + 1 + fx,
            table,
            base_e,
            prefix: p.prefix.clone(),
            hash: p.config_hash(),
        }
    }

    pub fn module_name(&self) -> String {
        format!(
            "{}_base_{}_i{}f{}_o{}f{}_n{}_{}",
            self.prefix,
            if self.base_e { "e" } else { "2" },
            self.input.bits,
            self.input.frac,
            self.output.bits,
            self.output.frac,
            self.max_len,
            self.hash
        )
    }

    pub fn y_max(&self) -> u64 {
        if self.output.frac < self.output.bits {
            1u64 << self.output.frac
        } else {
            self.output.mask()
        }
    }

    /// e_i of an input code against the row max (both codes).
    pub fn exp(&self, max: i64, x: i64) -> u64 {
        let d = (max - x) as usize;
        self.table.get(d).copied().unwrap_or(0)
    }
}

/// The baseline's outputs for one row, bit-exact to `block::BaselineUnit`. Masked elements
/// output 0 and enter neither the max nor the sum; a row with every element masked is 0.
pub fn run_row(b: &BaselineParams, xs: &[i64]) -> Vec<u64> {
    use crate::fixfmt::{unmasked, unmasked_max, MASKED};
    let Some(m) = unmasked_max(xs) else { return vec![0; xs.len()] };
    let sum: u64 = unmasked(xs).map(|(_, x)| b.exp(m, x)).sum();
    xs.iter()
        .map(|&x| {
            if x == MASKED {
                return 0;
            }
            let q = ((b.exp(m, x) as u128) << (b.output.frac + 1)) / sum as u128;
            (((q + 1) >> 1) as u64).min(b.y_max())
        })
        .collect()
}

/// Cycles per row of B beats on the pass-2 side (back to back, consumer always ready):
/// 2B + overhead. Pass 2 and pass 3 each add their pipeline fill, the lanes' adder tree its
/// log2 P levels (Wait), the divider has FO + 2 stages, and the next row's handoff takes the
/// Idle cycle between rows.
pub fn row_cycles_overhead(b: &BaselineParams) -> u32 {
    block::PIPE_OVERHEAD + b.lp + b.output.frac + 2 + crate::row::HANDOFF_CYCLES
}

/// Cycles per row on the pass-1 side: L + this (WaitSum, WaitDesc and the handoff).
pub const PASS1_OVERHEAD: u32 = 2 + crate::row::HANDOFF_CYCLES;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::examples::{example, EXAMPLES};

    /// The baseline is within 1 LSB of the correctly rounded softmax (its table rounding is
    /// a quarter LSB at most; the division rounds once).
    #[test]
    fn baseline_is_faithful() {
        for name in EXAMPLES {
            let p = example(name);
            let b = BaselineParams::from_unit(&p);
            for r in crate::rows::cosim_rows(&p, 400, 9) {
                let y = run_row(&b, &r.x);
                let reference = crate::params::reference(&p, &r.x);
                for (yc, rv) in y.iter().zip(reference) {
                    let exact = (rv * (p.output.frac as f64).exp2()).min(p.output.max_code() as f64);
                    assert!((*yc as f64 - exact).abs() < 1.0, "{name} {}: {yc} vs {exact}", r.kind);
                }
            }
        }
    }

    #[test]
    fn table_is_full_precision() {
        let b = BaselineParams::from_unit(&example("exact8"));
        assert_eq!(b.table[0], 1 << b.fx);
        assert_eq!(b.fx, 8 + 10 + 2);
        // e^(-d/8) * 2^20 rounds to 0 once it is below 2^-21: from d = 8 * 21 ln 2 = 116.4 on
        assert_eq!(b.table.len(), 117);
    }
}

