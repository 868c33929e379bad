//! Exhaustive checks of the reciprocal: every table input, and sums over their range.

use super::{exact, normalize, recip};
use crate::config::RecipMethod;
use crate::params::{log_target, recip_target};
use crate::params::examples::{example, EXAMPLES};

/// Relative error bound of r against 1/m for the exact mantissa m, in units of 2^-FR:
/// truncating m to RN bits costs up to 2^-RN relative (halved by centring the target),
/// the table adds its fit error; Newton squares the seed error and adds ~2 LSB of
/// truncation.
/// With recip.method = "log" the same holds for log2(m) (slope at most log2 e, so the
/// truncation costs log2(e) 2^-(RN+1)).
fn bound_lsb(p: &crate::params::UnitParams) -> f64 {
    let fr = (1u64 << p.fr) as f64;
    let rn = p.recip_table.in_bits;
    let trunc = fr * (-(rn as f64) - 1.0).exp2();
    let seed = p.recip_table.max_error(recip_target(rn, p.fr)) + trunc + 0.5;
    match p.recip_method {
        RecipMethod::Newton => (seed / fr).powi(2) * fr + 3.0,
        RecipMethod::Log => p.recip_table.max_error(log_target(rn, p.fr)) + trunc * std::f64::consts::LOG2_E + 0.5,
        _ => seed,
    }
}

#[test]
fn recip_exhaustive_over_table_inputs() {
    for name in EXAMPLES {
        let p = example(name);
        let rn = p.recip_table.in_bits;
        let bound = bound_lsb(&p);
        let fr = (1u64 << p.fr) as f64;
        // every table input i, at the low end, the centre and the high end of its interval
        for i in 0..(1u64 << rn) {
            for frac in [0u64, 1 << 20, (1 << 21) - 1] {
                // d with FD fraction bits whose mantissa is 1.i (RN bits) followed by frac
                let m = (1u64 << 40) | (i << (40 - rn)) | (frac >> (21 - (40 - rn).min(21)));
                let d = m >> (40 - p.fd.min(40));
                if d == 0 {
                    continue;
                }
                let r = recip(&p, d);
                // 1/m, or log2(m) = -log2(1/m) with recip.method = "log"
                let want = if p.log_norm() { -exact(&p, d).log2() } else { exact(&p, d) } * fr;
                assert!((r.r as f64 - want).abs() <= bound, "{name}: i={i} d={d} r={} want {want} bound {bound}", r.r);
                assert!(r.r <= 1 << p.fr);
            }
        }
    }
}

#[test]
fn recip_exponent_covers_every_sum() {
    for name in EXAMPLES {
        let p = example(name);
        // d from just above 1/2 to max_len exactly
        let lo = 1u64 << (p.fd - 1);
        let hi = (p.max_len as u64) << p.fd;
        for d in [lo, lo + 1, 1 << p.fd, (1 << p.fd) + 1, hi - 1, hi] {
            let (m64, eb) = normalize(&p, d);
            assert!(m64 >> 63 == 1);
            let v = (m64 as f64 / (1u64 << 63) as f64) * ((eb as f64) - 1.0).exp2();
            assert!((v - d as f64 / (1u64 << p.fd) as f64).abs() < 1e-9 * v, "{name}: d={d}");
            assert!(eb <= p.wa as u64 + 1);
        }
    }
}
