//! Exponent front end, shared by both passes: input code x -> (k, E).
//!
//! ```text
//!  x (WI, signed)  --xb = x + 2^(WI-1)-->  tb = t + 2^(WT-1)   (t = x*log2e or x, FT frac bits)
//!                   nb = 2^WT - tb        = 2^(WT-1) - t       (WN = WT+1 bits, unsigned)
//!                   k  = nb >> FT         = 2^(WT-1-FT) - ceil(t)   (integer part, "negated max")
//!                   g  = nb mod 2^FT      = frac(-t)                 (FT bits)
//!                   E  = table(g)        ~= 2^(-g/2^FT) in (0.5, 1], FU fraction bits
//! ```
//! so 2^(t - c) = 2^(-g/2^FT) with c = ceil(t): the largest c is the smallest k, and the
//! right shift of an element by (k - k_min) is its scaling by 2^(c - c_max).

pub mod block;

use crate::params::UnitParams;

/// (k, g) of an input code, bit-exact to `block::Front`.
#[inline]
pub fn split(p: &UnitParams, x: i64) -> (u64, u64) {
    split_plus(p, x, 0)
}

/// (k, g) of nb + qn: pass 2 with recip.method = "log" adds the row's log2 of the sum's
/// mantissa (qn <= 2^FT, FT fraction bits) to -t, which scales 2^(t - c) by 1/mantissa.
#[inline]
pub fn split_plus(p: &UnitParams, x: i64, qn: u64) -> (u64, u64) {
    let wi = p.input.bits;
    let xb = (x + (1i64 << (wi - 1))) as u64; // offset binary, WI bits
    let tb = match &p.scale {
        // (xb*C + k) >> shift: WI+16-bit product, sum fits WI+16 bits (see Scale)
        Some(s) => (xb * s.c + s.k) >> s.shift,
        None => xb << (p.ft - p.input.frac),
    };
    let nb = (1u64 << p.wt) + qn - tb; // WT+1 bits, > 0 (qn <= 2^FT)
    (nb >> p.ft, nb & ((1u64 << p.ft) - 1))
}

/// (k, E) of an input code.
#[inline]
pub fn front(p: &UnitParams, x: i64) -> (u64, u64) {
    let (k, g) = split(p, x);
    (k, p.exp_table.eval(g))
}

/// The exact 2^-f that `table(g)` approximates, in units of the table's LSB.
pub fn exp_target(p: &UnitParams) -> impl Fn(u64) -> f64 + '_ {
    move |g| (-(g as f64) / (1u64 << p.ft) as f64).exp2() * (1u64 << p.fu) as f64
}

#[cfg(test)]
mod tests;
