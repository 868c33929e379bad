//! The golden model's error contract against the float64 softmax, measured with the
//! accuracy metrics on random and corner rows and on real attention logits.

use super::measure;
use crate::params::examples::{example, with_lanes, EXAMPLES};

/// The error contract of every example configuration: each output is one of the two output
/// codes that bracket the exact softmax of the quantized input (|y - y_ref| < 1 LSB,
/// "faithful rounding"), so it is at most 1 LSB from the correctly rounded reference.
/// Budget (derived in README "Error contract"): final rounding 0.5 LSB, plus the relative
/// errors of 2^-f (<= 2^-(FU+1) per LUT entry, LPW fit error), of the reciprocal
/// (2^-(FR+1); with recip.method = "log", ln 2 times the log2 table's error in the
/// exponent, 2^-(FT+1) plus its fit) and of the truncated sum (max_len * 2^-FD relative to d >= 1/2), which the
/// default widths keep below 0.5 LSB of a probability <= 1.
const MAX_LSB_VS_EXACT: f64 = 1.0;

#[test]
fn model_is_faithful_on_random_and_corner_rows() {
    for name in EXAMPLES {
        let p = example(name);
        let rows: Vec<Vec<i64>> = crate::rows::cosim_rows(&p, 1500, 11).into_iter().map(|r| r.x).collect();
        let e = measure(&p, &rows);
        assert!(e.max_lsb_unrounded < MAX_LSB_VS_EXACT, "{name}: max error {} LSB at row {}", e.max_lsb_unrounded, e.worst_row);
        assert!(e.max_lsb <= 1.0, "{name}");
        assert_eq!(e.argmax_flip, 0, "{name}");
    }
}

/// The contract holds at every lane count too: the lanes' partial sums are merged with the
/// same truncating shifts, one more truncation per tree level (log2 P <= 5 of them, each at
/// most 1 LSB of the sum's FD fraction bits, inside the sum's budget above).
#[test]
fn model_is_faithful_at_several_lanes() {
    for name in EXAMPLES {
        for lanes in [2, 4, 32] {
            let p = with_lanes(&example(name), lanes);
            let rows: Vec<Vec<i64>> = crate::rows::cosim_rows(&p, 800, 13).into_iter().map(|r| r.x).collect();
            let e = measure(&p, &rows);
            assert!(e.max_lsb_unrounded < MAX_LSB_VS_EXACT, "{name} at {lanes} lanes: max error {} LSB at row {}", e.max_lsb_unrounded, e.worst_row);
            assert_eq!(e.argmax_flip, 0, "{name} at {lanes} lanes");
        }
    }
}

#[test]
fn model_is_faithful_on_real_attention_logits() {
    let dir = crate::data::attention_dir();
    let sets = crate::data::prefixes(&dir);
    assert!(sets.len() >= 3, "attention data not found in {} (the in-repo data/attention, or $SOFTMAX_HW_DATA)", dir.display());
    for (name, lanes) in EXAMPLES.iter().flat_map(|&n| [(n, 1), (n, 16)]) {
        let p = with_lanes(&example(name), lanes);
        let name = format!("{name} at {lanes} lanes");
        for set in &sets {
            let rows: Vec<Vec<i64>> = crate::data::load_set(&dir, set)
                .unwrap()
                .iter()
                .map(|r| r.iter().map(|&v| p.quantize_logit(v)).collect())
                .collect();
            assert!(rows.iter().all(|r| r.len() <= p.max_len as usize));
            let e = measure(&p, &rows);
            assert!(e.max_lsb_unrounded < MAX_LSB_VS_EXACT, "{name} on {set}: {} LSB at row {}", e.max_lsb_unrounded, e.worst_row);
            assert_eq!(e.argmax_flip, 0, "{name} on {set}");
            assert_eq!(e.monotonicity_violations, 0, "{name} on {set}");
        }
    }
}

