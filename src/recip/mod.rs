//! Reciprocal of the row sum, once per row:
//!
//! ```text
//!   d (WD bits, FD frac)  --leading one at p-->  d = m * 2^(p-FD),  m in [1,2)
//!   i  = top RN fraction bits of m          (truncated)
//!   r0 = table(i) ~= 1/m                     (FR frac bits; LUT or LPW, see crate::lpw)
//!   newton:  h = m_hi * r0                   (m_hi: m truncated to MH = FR+2 frac bits)
//!            q = (2 - h) >> FR               (MH frac bits, exact subtraction)
//!            r = min((r0 * q) >> MH, 1.0)    (FR frac bits)
//!   eb = p - FD + 1  in [0, WA+1]            (exponent of d plus one, so that eb >= 0)
//! ```
//! 1/d = r * 2^-(eb-1).
//!
//! recip.method = "log" keeps the normalization and the exponent and replaces the table:
//! r = table(~i) ~= log2(m) with FT fraction bits (FR = FT), so 1/d = 2^-(r/2^FT) * 2^-(eb-1)
//! and pass 2 adds r to the exponent instead of multiplying by a reciprocal.

pub mod block;

use crate::config::RecipMethod;
use crate::params::UnitParams;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recip {
    /// reciprocal mantissa, FR fraction bits, in (0.5, 1]; with recip.method = "log",
    /// log2 of the mantissa, FR = FT fraction bits, in [0, 1]
    pub r: u64,
    /// exponent of d plus one
    pub eb: u64,
}

/// Mantissa of d left-aligned in 64 bits (MSB at bit 63) and the exponent plus one.
#[inline]
pub fn normalize(p: &UnitParams, d: u64) -> (u64, u64) {
    assert!(d > 0);
    let msb = 63 - d.leading_zeros() as u64;
    (d << (63 - msb), msb + 1 - p.fd as u64)
}

impl Recip {
    /// The reciprocal of an all-masked row's sum (d = 0): never used, every output is 0.
    pub const NONE: Recip = Recip { r: 0, eb: 0 };
}

/// [`recip`] of a row sum, [`Recip::NONE`] for the 0 of an all-masked row.
pub fn recip_of_sum(p: &UnitParams, d: u64) -> Recip {
    if d == 0 {
        Recip::NONE
    } else {
        recip(p, d)
    }
}

/// Bit-exact to `block::Recip`.
pub fn recip(p: &UnitParams, d: u64) -> Recip {
    let (m64, eb) = normalize(p, d);
    let rn = p.recip_table.in_bits;
    let i = (m64 >> (63 - rn)) & ((1u64 << rn) - 1);
    // log: the table falls with its input, so it takes the complement (`params::log_target`)
    let i = if p.log_norm() { i ^ ((1u64 << rn) - 1) } else { i };
    let r0 = p.recip_table.eval(i);
    let r = match p.recip_method {
        RecipMethod::Newton => newton(p, m64, r0),
        _ => r0,
    };
    Recip { r, eb }
}

/// One Newton-Raphson step r0 * (2 - m*r0) on the left-aligned mantissa.
#[inline]
pub fn newton(p: &UnitParams, m64: u64, r0: u64) -> u64 {
    let (fr, mh) = (p.fr, p.newton_mh);
    let m_hi = (m64 >> (63 - mh)) as u128; // MH+1 bits: 1.xxx with MH frac bits
    let h = m_hi * r0 as u128; // MH+FR frac bits, < 2.0
    let q = ((1u128 << (mh + fr + 1)) - h) >> fr; // 2 - h, MH frac bits
    let r1 = ((r0 as u128 * q) >> mh) as u64; // FR frac bits
    r1.min(1u64 << fr)
}

/// The exact reciprocal mantissa 1/m of a sum, for error checks.
pub fn exact(p: &UnitParams, d: u64) -> f64 {
    let (m64, _) = normalize(p, d);
    (1u64 << 63) as f64 / m64 as f64
}

#[cfg(test)]
mod tests;
