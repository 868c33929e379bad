//! Golden model: hand-checked vectors and the largest sum (its error contract against the
//! float64 softmax is tested with the accuracy metrics, `accuracy/tests.rs`).

use super::model::run_row;
use crate::params::examples::{example, EXAMPLES};
use crate::params::reference;

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

/// A masked element outputs 0 and changes nothing else: the unmasked outputs of a row are
/// those of the row with its masked elements removed (pass 1 sees the unmasked elements in
/// the same order), for the unit and the baseline; an all-masked row outputs 0 everywhere.
#[test]
fn masked_elements_are_as_if_removed() {
    use crate::fixfmt::MASKED;
    for name in EXAMPLES {
        let p = example(name);
        let b = crate::baseline::BaselineParams::from_unit(&p);
        let rows = crate::rows::cosim_rows(&p, 600, 3);
        let mut masked = 0;
        for r in &rows {
            let kept: Vec<i64> = r.x.iter().copied().filter(|&x| x != MASKED).collect();
            masked += r.x.len() - kept.len();
            if kept.is_empty() {
                assert!(run_row(&p, &r.x).y.iter().chain(&crate::baseline::run_row(&b, &r.x)).all(|&v| v == 0), "{name} {}: all masked", r.kind);
                continue;
            }
            for (y, y_kept) in [(run_row(&p, &r.x).y, run_row(&p, &kept).y), (crate::baseline::run_row(&b, &r.x), crate::baseline::run_row(&b, &kept))] {
                let unmasked: Vec<u64> = y.iter().zip(&r.x).filter(|(_, &x)| x != MASKED).map(|(&v, _)| v).collect();
                assert_eq!(unmasked, y_kept, "{name} {}", r.kind);
                assert!(y.iter().zip(&r.x).all(|(&v, &x)| x != MASKED || v == 0), "{name} {}: masked outputs 0", r.kind);
            }
        }
        assert!(masked > 1000, "{name}: the co-simulation rows mask elements ({masked})");
    }
}

/// At P lanes, pass 1 is P single-lane sums, lane j over the elements j, j+P, ..., merged
/// pairwise in a tree (README: Lanes): checked against the one-lane model run on each lane's
/// elements, merged by hand, for P = 2 and 4 on the co-simulation rows (masks included).
#[test]
fn lanes_sum_each_lane_and_merge_in_a_tree() {
    use crate::unnormed::{merge, row_sum};
    let one = example("exact8");
    let at = |lanes| crate::params::UnitParams::new(&crate::config::Config { lanes: Some(lanes), ..one.resolved.clone() }).unwrap();
    let (p2, p4) = (at(2), at(4));
    let lane_sum = |xs: &[i64], j: usize, n: usize| {
        let sub: Vec<i64> = xs.iter().skip(j).step_by(n).copied().collect();
        // an empty or all-masked lane has no sum (the hardware's d = 0)
        Some(row_sum(&one, &sub)).filter(|s| s.d != 0)
    };
    let mut differ = 0;
    for r in crate::rows::cosim_rows(&one, 400, 5) {
        let x = &r.x;
        let want2 = merge(lane_sum(x, 0, 2), lane_sum(x, 1, 2)).unwrap_or(crate::unnormed::RowSum { k_min: 0, d: 0 });
        assert_eq!(row_sum(&p2, x), want2, "{}", r.kind);
        let want4 = merge(merge(lane_sum(x, 0, 4), lane_sum(x, 1, 4)), merge(lane_sum(x, 2, 4), lane_sum(x, 3, 4))).unwrap_or(crate::unnormed::RowSum { k_min: 0, d: 0 });
        assert_eq!(row_sum(&p4, x), want4, "{}", r.kind);
        differ += (row_sum(&p4, x) != row_sum(&one, x)) as usize;
    }
    // the truncating shifts make the order matter: some rows' sums differ from one lane's
    assert!(differ > 10, "{differ} rows differ");
}
