//! Golden model of sparse selection: bit-exact to the emitted Verilog.
//!
//! Per row, at the end of pass 1, a descriptor (floor, t, i_max) is computed; pass 2 keeps
//! element i (input code x_i, index i) iff
//!
//! ```text
//!   x_i >= floor                            floor = max(x) - theta   (theta register)
//!   and (x_i > t or (x_i == t and i <= i_max))
//!   and (it is the first occurrence of the row max, or fewer than `cap` - 1 earlier
//!   elements other than that were kept): the cap never drops the max
//! ```
//! threshold: t below every code (rule always true), so only the floor applies.
//! stat_topk: t = ceil((S1 * 2^FZ + z_q[L] * isqrt(L*S2 - S1^2)) / (L * 2^FZ)), clamped to
//!   [min code, max code + 1], with S1 = sum x, S2 = sum x^2: x >= mean + z * std (population
//!   std) in exact integer arithmetic, z_q from the table; t below every code when L <= k;
//!   t at most max(x), so the row max always passes the rule (a bimodal row can put
//!   mean + z*std above its max).
//! topk: (t, i_max) = the k-th largest (x, -i) of the row (ties go to the lowest index); t
//!   below every code when L <= k.
//! Dropped elements output 0. Renormalization `all`: survivors keep their dense output code.
//! `survivors`: pass 1's online max and sum run again over the kept elements only, in index
//! order (k_min_s, d_s), and pass 2 uses k_min_s and 1/d_s: the softmax of the survivors.
//! At least one element is always kept (the first survivor of the rule: the row max passes
//! the floor and the rule, and the cap is at least 1), so d_s >= 1/2.
//! Masked elements ([`MASKED`]) are never kept and enter none of max(x), S1, S2, L (the
//! count of unmasked elements) or the ranking; indices stay those of the whole row. A row
//! with every element masked keeps nothing and outputs 0 everywhere.

use crate::params::sparse::{SparseParams, Z_FRAC};
use crate::config::{Renorm, SparseMode};
use crate::fixfmt::{unmasked, unmasked_max, MASKED};
use crate::params::UnitParams;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    pub floor: i64,
    pub t: i64,
    pub i_max: u64,
}

/// Everything the sparse unit outputs for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SparseRow {
    pub desc: Descriptor,
    /// output codes (0 where dropped)
    pub y: Vec<u64>,
    pub keep: Vec<bool>,
    /// kept count of the row
    pub kept: u32,
}

/// Below every input code (and below every floor): the rule of a mode that keeps all.
pub fn t_none(sp: &SparseParams) -> i64 {
    -(1i64 << (sp.wx - 1))
}

/// stat_topk threshold of a row (see the module comment), bit-exact.
pub fn stat_threshold(sp: &SparseParams, p: &UnitParams, xs: &[i64]) -> i64 {
    let l = unmasked(xs).count() as i128;
    if l <= sp.k as i128 {
        return t_none(sp);
    }
    let s1: i128 = unmasked(xs).map(|(_, x)| x as i128).sum();
    let s2: i128 = unmasked(xs).map(|(_, x)| (x as i128) * (x as i128)).sum();
    let v = l * s2 - s1 * s1; // >= 0 (Cauchy-Schwarz), exact
    let r = (v as u128).isqrt() as i128;
    let n = (s1 << Z_FRAC) + sp.z[l as usize] as i128 * r;
    let d = l << Z_FRAC;
    let t = n.div_euclid(d) + (n.rem_euclid(d) != 0) as i128; // ceil(n / d)
    t.clamp(p.input.min_code() as i128, p.input.max_code() as i128 + 1) as i64
}

/// Descriptor of a row with `theta` (input LSBs) in the theta register.
/// A row with every element masked gets the floor of its mode's "keep all" rule at t_none
/// (no element passes: each is masked).
pub fn descriptor(sp: &SparseParams, p: &UnitParams, xs: &[i64], theta: u64) -> Descriptor {
    let Some(xmax) = unmasked_max(xs) else {
        return Descriptor { floor: t_none(sp), t: t_none(sp), i_max: u64::MAX };
    };
    let floor = xmax - theta as i64;
    let all = Descriptor { floor, t: t_none(sp), i_max: u64::MAX };
    match sp.mode {
        SparseMode::Threshold => all,
        SparseMode::StatTopk => Descriptor { t: stat_threshold(sp, p, xs).min(xmax), ..all },
        SparseMode::Topk => {
            let ranked = by_rank(xs);
            if ranked.len() <= sp.k as usize {
                return all;
            }
            let kth = ranked[sp.k as usize - 1];
            Descriptor { floor, t: xs[kth], i_max: kth as u64 }
        }
    }
}

/// Indices of a row's unmasked elements from the largest value down; equal values keep
/// index order (stable).
fn by_rank(xs: &[i64]) -> Vec<usize> {
    let mut order: Vec<usize> = unmasked(xs).map(|(i, _)| i).collect();
    order.sort_by(|&a, &b| xs[b].cmp(&xs[a]));
    order
}

/// Index of the first occurrence of the row max among the unmasked elements (None: all masked).
pub fn argmax(xs: &[i64]) -> Option<usize> {
    let m = unmasked_max(xs)?;
    unmasked(xs).find(|&(_, x)| x == m).map(|(i, _)| i)
}

/// Applies the cap in index order: the row max's first occurrence is always kept (it always
/// passes the rule), any other survivor while fewer than cap - 1 others were kept, so at
/// most `cap` are kept and the max never falls to the cap.
pub fn apply_cap(sp: &SparseParams, xs: &[i64], raw: impl Iterator<Item = bool>) -> Vec<bool> {
    let am = argmax(xs);
    let mut others = 0u32;
    raw.enumerate()
        .map(|(i, r)| {
            let keep = r && (Some(i) == am || others + 1 < sp.cap);
            others += (keep && Some(i) != am) as u32;
            keep
        })
        .collect()
}

/// Keep flags of a row under a descriptor, with the cap applied in index order.
pub fn keep_flags(sp: &SparseParams, xs: &[i64], d: &Descriptor) -> Vec<bool> {
    apply_cap(sp, xs, xs.iter().enumerate().map(|(i, &x)| x != MASKED && x >= d.floor && (x > d.t || (x == d.t && i as u64 <= d.i_max))))
}

/// Runs one row through the sparse unit (dense model, then selection).
pub fn run_row(sp: &SparseParams, p: &UnitParams, xs: &[i64], theta: u64) -> SparseRow {
    let desc = descriptor(sp, p, xs, theta);
    let keep = keep_flags(sp, xs, &desc);
    let y = match sp.renorm {
        Renorm::All => {
            let dense = crate::normalize::run_row(p, xs);
            dense.y.iter().zip(&keep).map(|(&y, &k)| if k { y } else { 0 }).collect()
        }
        Renorm::Survivors => {
            let kept: Vec<i64> = xs.iter().zip(&keep).filter(|(_, &k)| k).map(|(&x, _)| x).collect();
            let sum = crate::unnormed::row_sum(p, &kept);
            let recip = crate::recip::recip_of_sum(p, sum.d);
            xs.iter().zip(&keep).map(|(&x, &k)| if k { crate::normalize::element(p, x, sum.k_min, &recip) } else { 0 }).collect()
        }
    };
    let kept = keep.iter().filter(|&&k| k).count() as u32;
    SparseRow { desc, y, keep, kept }
}

/// Float64 reference of the selection: the kept set by the real-valued rule (stat_topk:
/// x >= mean + std * PhiInv(1 - k/L) with no quantization of z, the square root or the
/// division), cap applied in index order. Exact for threshold and topk.
pub fn reference_keep(sp: &SparseParams, xs: &[i64], theta: u64) -> Vec<bool> {
    let Some(xmax) = unmasked_max(xs) else { return vec![false; xs.len()] };
    let floor = xmax - theta as i64;
    let rule: Box<dyn Fn(usize, i64) -> bool> = match sp.mode {
        SparseMode::Threshold => Box::new(|_, _| true),
        SparseMode::StatTopk => match stat_threshold_real(sp, xs) {
            None => Box::new(|_, _| true),
            Some(thr) => Box::new(move |_, x| x as f64 >= thr.min(xmax as f64)),
        },
        SparseMode::Topk => {
            let top: std::collections::HashSet<usize> = by_rank(xs).into_iter().take(sp.k as usize).collect();
            Box::new(move |i, _| top.contains(&i))
        }
    };
    apply_cap(sp, xs, xs.iter().enumerate().map(|(i, &x)| x != MASKED && x >= floor && rule(i, x)))
}

/// The real-valued stat_topk threshold mean + std * z of a row (input codes), for reports.
pub fn stat_threshold_real(sp: &SparseParams, xs: &[i64]) -> Option<f64> {
    let n = unmasked(xs).count();
    if n <= sp.k as usize {
        return None;
    }
    let l = n as f64;
    let mean = unmasked(xs).map(|(_, x)| x as f64).sum::<f64>() / l;
    let var = unmasked(xs).map(|(_, x)| (x as f64 - mean).powi(2)).sum::<f64>() / l;
    let z = statrs::distribution::ContinuousCDF::inverse_cdf(&statrs::distribution::Normal::standard(), 1.0 - sp.k as f64 / l);
    Some(mean + var.sqrt() * z)
}
