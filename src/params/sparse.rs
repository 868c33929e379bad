//! Resolved sparse-selection parameters: validated once, shared by the golden model
//! (`sparse::model`), the rust-hdl blocks and the manifest.

use crate::config::{Renorm, SparseCfg, SparseMode};
use crate::error::{Error, Result};
use crate::fixfmt::FixFmt;
use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// Fraction bits of the stat_topk quantile z = PhiInv(1 - k/L) in its table.
pub const Z_FRAC: u32 = 12;
/// Width of a table entry: signed, |z| < 8 (|z| <= 4.27 for L <= 2^16).
pub const Z_BITS: u32 = 16;
/// Largest k of the exact top-k (one insertion register per kept element).
pub const TOPK_MAX: u32 = 256;

#[derive(Clone, Debug, Serialize)]
pub struct SparseParams {
    pub mode: SparseMode,
    pub renorm: Renorm,
    /// Reset value of the theta register, in input LSBs. `theta_off` (2^WI - 1) disables the
    /// max-relative floor: every x is within 2^WI - 1 of the row max.
    pub theta: u64,
    pub theta_off: u64,
    /// stat_topk: target kept count; topk: exact kept count; threshold: 0.
    pub k: u32,
    /// Hard cap on the kept count: survivors in index order, the row max's first occurrence
    /// always among them (`model::apply_cap`). max_len when there is no cap.
    pub cap: u32,
    /// stat_topk: z_q[L] = round(PhiInv(1 - k/L) * 2^Z_FRAC) for L in 0..=max_len
    /// (0 where L <= k: every element is kept).
    pub z: Vec<i64>,
    /// Width of the compared values: x and the thresholds in WI + 2 bits (offset binary in
    /// the hardware), so max - theta never wraps.
    pub wx: u32,
}

impl SparseParams {
    /// Checks a `[sparse]` section against the unit's input format and row length.
    /// Returns the parameters and the resolved section (every default filled in).
    pub fn new(c: &SparseCfg, input: FixFmt, max_len: u32, wa: u32) -> Result<(SparseParams, SparseCfg)> {
        let wi = input.bits;
        let theta_off = (1u64 << wi) - 1;
        let theta_max_real = theta_off as f64 * input.lsb();
        let theta = match c.theta {
            None if c.mode == SparseMode::Threshold => {
                return Err(Error::field("sparse.theta", "(missing)", "required with sparse.mode = \"threshold\": a real >= 0 in input units"))
            }
            None => theta_off,
            Some(t) if !(t >= 0.0 && t <= theta_max_real) => {
                return Err(Error::field("sparse.theta", crate::error::real(t), format!("allowed 0 <= theta <= {theta_max_real} (input units; 2^input.bits - 1 LSBs)")))
            }
            Some(t) => (t / input.lsb()).round() as u64,
        };
        let need_k = matches!(c.mode, SparseMode::StatTopk | SparseMode::Topk);
        let k = match (c.k, need_k) {
            (None, true) => return Err(Error::field("sparse.k", "(missing)", format!("required with sparse.mode = \"{}\": 1..={max_len}", mode_name(c.mode)))),
            (Some(k), false) => return Err(Error::field("sparse.k", k, "allowed only with sparse.mode = \"stat_topk\" or \"topk\"")),
            (None, false) => 0,
            (Some(k), true) => {
                let hi = if c.mode == SparseMode::Topk { max_len.min(TOPK_MAX) } else { max_len };
                if k == 0 || k > hi {
                    let why = if c.mode == SparseMode::Topk && max_len > TOPK_MAX { format!(" (topk holds at most {TOPK_MAX})") } else { " (max_len)".into() };
                    return Err(Error::field("sparse.k", k, format!("allowed 1..={hi}{why}")));
                }
                k
            }
        };
        let cap = match (c.mode, c.k_max) {
            (SparseMode::Topk, Some(m)) => return Err(Error::field("sparse.k_max", m, "not used with sparse.mode = \"topk\" (exactly k are kept)")),
            (SparseMode::Topk, None) => k,
            (_, Some(m)) if m < k.max(1) || m > max_len => {
                let range = if k > 0 { "k..=max_len" } else { "1..=max_len" };
                return Err(Error::field("sparse.k_max", m, format!("allowed {}..={max_len} ({range})", k.max(1))))
            }
            (_, Some(m)) => m,
            (SparseMode::StatTopk, None) => (2 * k).min(max_len),
            (SparseMode::Threshold, None) => max_len,
        };
        let renorm = c.renorm.unwrap_or(Renorm::All);
        // stat_topk widths: input.bits <= 16 and max_len <= 2^16 keep L*S2 and S1^2 within
        // 64 bits (2 (WI + WA) - 2 <= 62) and |N| within WI + WA + 17 <= 49 bits
        debug_assert!(wi + wa <= 32);
        let z = match c.mode {
            SparseMode::StatTopk => z_table(k, max_len),
            _ => vec![],
        };
        let resolved = SparseCfg {
            mode: c.mode,
            theta: (theta != theta_off || c.theta.is_some()).then(|| theta as f64 * input.lsb()),
            k: need_k.then_some(k),
            k_max: (c.mode != SparseMode::Topk).then_some(cap),
            renorm: Some(renorm),
        };
        Ok((SparseParams { mode: c.mode, renorm, theta, theta_off, k, cap, z, wx: wi + 2 }, resolved))
    }

    /// Short tag of the mode for module names.
    pub fn tag(&self) -> String {
        let mode = match self.mode {
            SparseMode::Threshold => "thr".into(),
            SparseMode::StatTopk => format!("stk{}", self.k),
            SparseMode::Topk => format!("tk{}", self.k),
        };
        match self.renorm {
            Renorm::All => mode,
            Renorm::Survivors => mode + "s",
        }
    }
}

pub fn mode_name(m: SparseMode) -> &'static str {
    match m {
        SparseMode::Threshold => "threshold",
        SparseMode::StatTopk => "stat_topk",
        SparseMode::Topk => "topk",
    }
}

/// z_q[L] = round(PhiInv(1 - k/L) * 2^Z_FRAC) for every row length L > k (0 otherwise).
pub fn z_table(k: u32, max_len: u32) -> Vec<i64> {
    let n = Normal::standard();
    let lim = (1i64 << (Z_BITS - 1)) - 1;
    (0..=max_len)
        .map(|l| if l <= k { 0 } else { (n.inverse_cdf(1.0 - k as f64 / l as f64) * (1u64 << Z_FRAC) as f64).round() as i64 })
        .map(|z| z.clamp(-lim, lim))
        .collect()
}
