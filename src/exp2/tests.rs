//! Exhaustive checks of the exponent front end: every 2^-f table input and every input code.

use super::{exp_target, front, split};
use crate::params::examples::{example, EXAMPLES};

/// Table error bounds, in LSBs of 2^-f (FU fraction bits): a LUT is correctly rounded
/// (0.5); an LPW adds its fit error, (ln 2)^2 h^2 / 16 relative for segment width h
/// (half the chord error after the minimax intercept), plus 1 LSB of slope truncation.
fn table_bound(p: &crate::params::UnitParams) -> f64 {
    match p.exp_table.kind {
        crate::lpw::TableKind::Lut => 0.5,
        crate::lpw::TableKind::Lpw => {
            let h = 1.0 / p.exp_table.entries() as f64;
            (std::f64::consts::LN_2.powi(2) * h * h / 16.0) * (1u64 << p.fu) as f64 + 1.0
        }
    }
}

#[test]
fn exp_table_exhaustive_within_bound() {
    for name in EXAMPLES {
        let p = example(name);
        let t = exp_target(&p);
        let err = p.exp_table.max_error(&t);
        assert!(err <= table_bound(&p), "{name}: {err} LSB > {}", table_bound(&p));
        // E in (0.5, 1]: never zero, never above 1.0
        for g in 0..(1u64 << p.ft) {
            let e = p.exp_table.eval(g);
            assert!(e > (1 << (p.fu - 1)) - 2 && e <= 1 << p.fu, "{name}: E({g}) = {e}");
        }
    }
}

/// For every input code: 2^(t - ceil(t)) rebuilt from (k, E) matches the real t within the
/// table bound plus the rounding of t to FT fraction bits (for the log2 e multiplier).
#[test]
fn front_exhaustive_over_input_codes() {
    for name in EXAMPLES {
        let p = example(name);
        let k0 = 1i64 << (p.wt - 1 - p.ft); // k = k0 - ceil(t)
        let lsb = (1u64 << p.fu) as f64;
        let t_round = if p.scale.is_some() { (-(p.ft as f64 + 1.0)).exp2() + 16.0 * (-16f64).exp2() * 2.0 } else { 0.0 };
        for x in p.input.min_code()..=p.input.max_code() {
            let (k, e) = front(&p, x);
            let (_, g) = split(&p, x);
            let t = p.t_real(x);
            let c = k0 - k as i64; // ceil(t) as the hardware sees it
            assert!((c as f64 - t) > -1.0 - t_round && (c as f64 - t) < 1.0 + t_round, "{name}: x={x} t={t} c={c}");
            let want = (t - c as f64).exp2() * lsb;
            let bound = table_bound(&p) + want * t_round * std::f64::consts::LN_2 * 1.01;
            assert!((e as f64 - want).abs() <= bound, "{name}: x={x} g={g} E={e} want {want}");
        }
    }
}
