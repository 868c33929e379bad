//! Binary fixed-point formats and the quantization of real values into them.
//!
//! A format is (signed, total bits, fraction bits). A code is the integer `c`;
//! its real value is `c / 2^frac`. Signed codes are two's complement.

use serde::{Deserialize, Serialize};

/// A masked input element (minus infinity: a causal or padding mask inside a row), as the
/// row models take it among the input codes. It outputs exactly 0 (keep flag 0) and enters
/// neither the max, the sum nor the sparse statistics; the hardware gets it as
/// `s_axis_tuser` = 1 beside a don't-care `s_axis_tdata`.
pub const MASKED: i64 = i64::MIN;

/// The unmasked elements of a row with their indices.
pub fn unmasked(xs: &[i64]) -> impl Iterator<Item = (usize, i64)> + Clone + '_ {
    xs.iter().copied().enumerate().filter(|&(_, x)| x != MASKED)
}

/// The largest unmasked element of a row (None: every element masked).
pub fn unmasked_max(xs: &[i64]) -> Option<i64> {
    unmasked(xs).map(|(_, x)| x).max()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixFmt {
    pub signed: bool,
    pub bits: u32,
    pub frac: u32,
}

impl FixFmt {
    pub fn signed(bits: u32, frac: u32) -> Self {
        Self { signed: true, bits, frac }
    }
    pub fn unsigned(bits: u32, frac: u32) -> Self {
        Self { signed: false, bits, frac }
    }
    /// Integer bits including the sign bit (may be negative for all-fraction formats).
    pub fn int_bits(&self) -> i64 {
        self.bits as i64 - self.frac as i64
    }
    pub fn min_code(&self) -> i64 {
        if self.signed {
            -(1i64 << (self.bits - 1))
        } else {
            0
        }
    }
    pub fn max_code(&self) -> i64 {
        if self.signed {
            (1i64 << (self.bits - 1)) - 1
        } else {
            (1i64 << self.bits) - 1
        }
    }
    pub fn lsb(&self) -> f64 {
        (-(self.frac as f64)).exp2()
    }
    pub fn to_real(&self, code: i64) -> f64 {
        code as f64 * self.lsb()
    }
    /// Round to nearest, ties to even, then saturate to the format's range.
    /// `-inf` is a masked element ([`MASKED`]); NaN is not allowed.
    pub fn quantize(&self, v: f64) -> i64 {
        assert!(!v.is_nan(), "quantize: NaN");
        if v == f64::NEG_INFINITY {
            return MASKED;
        }
        let scaled = (v * (self.frac as f64).exp2()).round_ties_even();
        scaled.clamp(self.min_code() as f64, self.max_code() as f64) as i64
    }
    /// The code as the raw bit pattern of the port (two's complement for signed formats).
    pub fn to_bits(&self, code: i64) -> u64 {
        (code as u64) & self.mask()
    }
    /// Inverse of `to_bits`: sign-extends signed formats.
    pub fn from_bits(&self, raw: u64) -> i64 {
        let raw = raw & self.mask();
        if self.signed && (raw >> (self.bits - 1)) & 1 == 1 {
            raw as i64 - (1i64 << self.bits)
        } else {
            raw as i64
        }
    }
    pub fn mask(&self) -> u64 {
        if self.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        }
    }
    /// `Q(int,frac)` notation as in the Softermax paper: integer bits include the sign.
    pub fn q_name(&self) -> String {
        format!("{}Q({},{})", if self.signed { "" } else { "U" }, self.int_bits(), self.frac)
    }
    /// The code printed as a binary string of `bits` digits.
    pub fn bit_string(&self, code: i64) -> String {
        format!("{:0width$b}", self.to_bits(code), width = self.bits as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixed::types::extra::{U2, U7};
    use fixed::{FixedI8, FixedU8};

    /// The `fixed` crate is an independent oracle for the Softermax formats: round to nearest
    /// (ties to even) and saturation must agree on a dense sweep of reals.
    #[test]
    fn quantize_matches_fixed_crate_for_softermax_formats() {
        let q62 = FixFmt::signed(8, 2);
        let q17 = FixFmt::unsigned(8, 7);
        let mut v = -40.0;
        while v < 40.0 {
            let a = q62.quantize(v);
            let b = FixedI8::<U2>::saturating_from_num(v).to_bits() as i64;
            assert_eq!(a, b, "Q(6,2) at {v}");
            let c = q17.quantize(v / 16.0);
            let d = FixedU8::<U7>::saturating_from_num(v / 16.0).to_bits() as i64;
            assert_eq!(c, d, "UQ(1,7) at {}", v / 16.0);
            v += 0.0078125 / 3.0;
        }
    }

    #[test]
    fn bits_round_trip_and_saturation() {
        let f = FixFmt::signed(10, 3);
        for c in f.min_code()..=f.max_code() {
            assert_eq!(f.from_bits(f.to_bits(c)), c);
        }
        assert_eq!(f.quantize(f64::NEG_INFINITY), MASKED);
        assert_eq!(f.quantize(-1e300), f.min_code());
        assert_eq!(f.quantize(1e9), f.max_code());
        assert_eq!(f.quantize(0.0625), 0); // 0.5 LSB ties to even (0)
        assert_eq!(f.quantize(0.1875), 2); // 1.5 LSB ties to even (2)
        assert_eq!(f.q_name(), "Q(7,3)");
        assert_eq!(f.bit_string(-1), "1111111111");
    }
}
