//! Golden model against the float64 softmax and hand-checked vectors.

use super::model::run_row;
use crate::params::examples::{example, EXAMPLES};
use crate::params::reference;
use crate::accuracy::measure;

/// The error contract of every example configuration: each output is one of the two output
/// codes that bracket the exact softmax of the quantized input (|y - y_ref| < 1 LSB,
/// "faithful rounding"), so it is at most 1 LSB from the correctly rounded reference.
/// Budget (derived in README "Error contract"): final rounding 0.5 LSB, plus the relative
/// errors of 2^-f (<= 2^-(FU+1) per LUT entry, LPW fit error), of the reciprocal
/// (2^-(FR+1)) and of the truncated sum (max_len * 2^-FD relative to d >= 1/2), which the
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

#[test]
fn model_is_faithful_on_real_attention_logits() {
    let dir = crate::data::attention_dir();
    let sets = crate::data::prefixes(&dir);
    assert!(sets.len() >= 3, "attention data not found in {} (the in-repo data/attention, or $SOFTMAX_HW_DATA)", dir.display());
    for name in EXAMPLES {
        let p = example(name);
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

/// Vectors checked by hand for Softermax's formats (input Q(6,2), output UQ(1,7), base 2).
#[test]
fn hand_checked_softermax_vectors() {
    let p = example("softermax");
    // one element: y = 1.0 = 128/128
    assert_eq!(run_row(&p, &[5]).y, vec![128]);
    assert_eq!(run_row(&p, &[-128]).y, vec![128]);
    // two equal elements: 0.5 each = 64
    assert_eq!(run_row(&p, &[3, 3]).y, vec![64, 64]);
    // x = [0, -1] (codes 0, -4): 2/3, 1/3 -> 85.33, 42.67 -> 85, 43
    assert_eq!(run_row(&p, &[0, -4]).y, vec![85, 43]);
    // x = [0.5, 0]: 2^0.5/(1+2^0.5) = 0.5858 -> 74.98 -> 75; 0.4142 -> 53.02 -> 53
    assert_eq!(run_row(&p, &[2, 0]).y, vec![75, 53]);
    // four equal: 0.25 = 32
    assert_eq!(run_row(&p, &[-7; 4]).y, vec![32; 4]);
    // a gap of 9 (x = 9 vs 0): 2^-9 / (1 + 2^-9) * 128 = 0.249 -> 0; the max -> 127.75 -> 128
    assert_eq!(run_row(&p, &[36, 0]).y, vec![128, 0]);
}

/// The row with the largest sum: max_len equal maxima fill every integer bit of the sum.
#[test]
fn largest_sum_is_exact() {
    for name in EXAMPLES {
        let p = example(name);
        let x = vec![p.input.max_code(); p.max_len as usize];
        let r = run_row(&p, &x);
        let ref_code = p.output.quantize(reference(&p, &x)[0]);
        assert!((r.y[0] as i64 - ref_code).abs() <= 1, "{name}: {} vs {ref_code}", r.y[0]);
    }
}
