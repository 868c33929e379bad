//! Sparse selection: parameter checks, the model against its float64 / sort-based
//! references, and the statistical top-k's kept count on Gaussian rows.

use super::model::{descriptor, keep_flags, reference_keep, run_row, stat_threshold_real};
use crate::params::sparse::{z_table, SparseParams, Z_FRAC};
use crate::config::{Config, SparseCfg, SparseMode};
use crate::fixfmt::MASKED;
use crate::params::UnitParams;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

fn params(sparse: &str, max_len: u32) -> crate::error::Result<UnitParams> {
    let text = format!(
        "base = \"e\"\nlog2e = \"multiplier\"\nmax_len = {max_len}\n[input]\nbits = 10\nfrac = 3\n[output]\nbits = 8\nfrac = 8\n[exp]\nmethod = \"lpw\"\nsegments = 16\n[sparse]\n{sparse}\n"
    );
    UnitParams::new(&Config::parse(&text, "t.toml")?)
}

fn sp(p: &UnitParams) -> &SparseParams {
    p.sparse.as_ref().unwrap()
}

/// Gaussian rows of input codes (logit std `s`), with ties from the quantization.
fn gaussian_rows(p: &UnitParams, n: usize, len: std::ops::RangeInclusive<usize>, s: f64, seed: u64) -> Vec<Vec<i64>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let d = Normal::new(0.0, s).unwrap();
    (0..n)
        .map(|_| {
            let l = rng.gen_range(len.clone());
            (0..l).map(|_| p.quantize_logit(d.sample(&mut rng))).collect()
        })
        .collect()
}

#[test]
fn bad_sparse_parameters_are_one_line_errors() {
    let cases = [
        ("mode = \"topk\"\nk = 0", "`sparse.k` = 0: allowed 1..=64"),
        ("mode = \"stat_topk\"\nk = 65", "`sparse.k` = 65: allowed 1..=64"),
        ("mode = \"threshold\"\ntheta = -1.0", "`sparse.theta` = -1: allowed 0 <= theta"),
        ("mode = \"stat_topk\"\nk = 16\nk_max = 8", "`sparse.k_max` = 8: allowed 16..=64"),
        ("mode = \"threshold\"", "`sparse.theta` = (missing): required"),
        ("mode = \"threshold\"\ntheta = 2.0\nk = 4", "`sparse.k` = 4: allowed only with"),
        ("mode = \"topk\"\nk = 4\nk_max = 8", "`sparse.k_max` = 8: not used with"),
        ("mode = \"topk\"", "`sparse.k` = (missing): required"),
        ("mode = \"threshold\"\ntheta = 200.0", "`sparse.theta` = 200: allowed 0 <= theta <= 127.875"),
        ("mode = \"threshold\"\ntheta = nan", "`sparse.theta` = NaN"),
    ];
    for (section, want) in cases {
        let e = params(section, 64).unwrap_err().to_string();
        assert!(!e.contains('\n') && e.contains(want), "{section:?}: {e}");
    }
    // unknown mode and unknown keys fail at parse time with the line
    let e = params("mode = \"top\"", 64).unwrap_err().to_string();
    assert!(e.contains("unknown variant `top`"), "{e}");
    let e = params("mode = \"topk\"\nkk = 3", 64).unwrap_err().to_string();
    assert!(e.contains("unknown field `kk`"), "{e}");
}

#[test]
fn resolved_sparse_config_round_trips() {
    for s in ["mode = \"threshold\"\ntheta = 6.0", "mode = \"stat_topk\"\nk = 16", "mode = \"topk\"\nk = 8"] {
        let p = params(s, 256).unwrap();
        let again = UnitParams::new(&p.resolved).unwrap();
        assert_eq!(again.resolved_toml(), p.resolved_toml(), "{s}");
        assert_eq!(again.module_name(), p.module_name());
    }
    let p = params("mode = \"stat_topk\"\nk = 16", 256).unwrap();
    assert_eq!(sp(&p).cap, 32, "default k_max = 2k");
    assert_eq!(sp(&p).theta, sp(&p).theta_off, "no floor by default");
}

/// threshold and topk keep exactly what their definitions (and a stable sort) keep.
#[test]
fn threshold_and_topk_match_their_reference_exactly() {
    let pt = params("mode = \"threshold\"\ntheta = 4.0\nk_max = 200", 256).unwrap();
    let pk = params("mode = \"topk\"\nk = 24", 256).unwrap();
    let rows = gaussian_rows(&pt, 400, 1..=256, 2.0, 3);
    let mut dropped = 0;
    for x in &rows {
        for theta in [0, 8, 32, sp(&pt).theta, sp(&pt).theta_off] {
            let d = descriptor(sp(&pt), &pt, x, theta);
            let k = keep_flags(sp(&pt), x, &d);
            assert_eq!(k, reference_keep(sp(&pt), x, theta));
            // the floor, and the cap in index order with a place kept for the max
            let xmax = *x.iter().max().unwrap();
            let am = x.iter().position(|&v| v == xmax).unwrap();
            for (i, &xi) in x.iter().enumerate() {
                let others = (0..i).filter(|&j| k[j] && j != am).count() as u32;
                assert_eq!(k[i], xi + theta as i64 >= xmax && (i == am || others + 1 < sp(&pt).cap));
            }
            dropped += k.iter().filter(|&&b| !b).count();
        }
        let r = run_row(sp(&pk), &pk, x, sp(&pk).theta);
        assert_eq!(r.keep, reference_keep(sp(&pk), x, sp(&pk).theta));
        assert_eq!(r.kept as usize, x.len().min(24));
        // ties to the lowest index: a dropped element is never above a kept one, and an equal
        // dropped one comes after every equal kept one
        for (i, &a) in x.iter().enumerate() {
            for (j, &b) in x.iter().enumerate() {
                if r.keep[i] && !r.keep[j] {
                    assert!(a > b || (a == b && i < j), "row {x:?}: kept {i}, dropped {j}");
                }
            }
        }
        // dropped elements output 0, kept ones their dense code
        let dense = crate::normalize::run_row(&pk, x).y;
        for i in 0..x.len() {
            assert_eq!(r.y[i], if r.keep[i] { dense[i] } else { 0 });
        }
    }
    assert!(dropped > 1000, "the rows exercise the threshold");
}

/// stat_topk against the real-valued rule mean + std * PhiInv(1 - k/L): decisions agree for
/// every element farther than delta from the real threshold, where
///   delta = (2^-(FZ+1) * sqrt(V) + |z| + 1) / L + 1e-9 * |threshold|    (input LSBs)
/// bounds the effect of quantizing z to FZ bits (half an LSB of z times sqrt(V)) and of
/// flooring the square root (less than 1, times |z|), V = L*S2 - S1^2, with 1 / L and a
/// relative 1e-9 of margin for the float64 reference's own rounding.
#[test]
fn stat_topk_matches_the_real_valued_rule_within_its_bound() {
    let p = params("mode = \"stat_topk\"\nk = 32\nk_max = 1024", 1024).unwrap();
    let s = sp(&p);
    // Gaussian rows, then the corner and random rows of co-simulation (all-equal rows put every
    // element exactly on the threshold, so only the Gaussian rows count for the share below)
    let gauss = gaussian_rows(&p, 300, 1..=1024, 2.5, 9);
    let corner: Vec<Vec<i64>> = crate::rows::cosim_rows(&p, 300, 4).into_iter().map(|r| r.x).collect();
    let (mut near, mut total) = (0usize, 0usize);
    for (gi, x) in gauss.iter().chain(&corner).enumerate() {
        let counted = gi < gauss.len();
        let d = descriptor(s, &p, x, s.theta);
        let k = keep_flags(s, x, &d);
        let r = reference_keep(s, x, s.theta);
        let Some(thr) = stat_threshold_real(s, x) else {
            assert!(k.iter().zip(x).all(|(&b, &xi)| b == (xi != MASKED)), "L <= k keeps every unmasked element");
            continue;
        };
        let xs: Vec<i64> = crate::fixfmt::unmasked(x).map(|(_, v)| v).collect();
        let l = xs.len() as f64;
        let s1: f64 = xs.iter().map(|&v| v as f64).sum();
        let s2: f64 = xs.iter().map(|&v| (v * v) as f64).sum();
        let v = l * s2 - s1 * s1;
        let z = s.z[xs.len()] as f64 / (1u64 << Z_FRAC) as f64;
        let delta = ((0.5f64).powi(Z_FRAC as i32 + 1) * v.sqrt() + z.abs() + 1.0) / l + 1e-9 * thr.abs();
        let xmax = *xs.iter().max().unwrap() as f64;
        for (i, &xi) in x.iter().enumerate() {
            if xi == MASKED {
                assert!(!k[i] && !r[i], "a masked element is never kept");
                continue;
            }
            total += counted as usize;
            if ((xi as f64) - thr.min(xmax)).abs() <= delta {
                near += counted as usize;
            } else {
                assert_eq!(k[i], r[i], "row of {}: x = {xi}, real threshold {thr}, delta {delta}", x.len());
            }
        }
    }
    assert!(near * 100 < total, "{near} of {total} Gaussian-row elements within delta");
}

/// On Gaussian rows (the distribution Spark's rule assumes) the kept count concentrates
/// around k: mean within 10% of k over 200 rows of 4096, each row within k +- 5 sqrt(k).
#[test]
fn stat_topk_keeps_about_k_on_gaussian_rows() {
    let p = params("mode = \"stat_topk\"\nk = 256\nk_max = 4096", 4096).unwrap();
    let rows = gaussian_rows(&p, 200, 4096..=4096, 3.0, 17);
    let mut sum = 0.0;
    for x in &rows {
        let kept = run_row(sp(&p), &p, x, sp(&p).theta).kept as f64;
        assert!((kept - 256.0).abs() < 5.0 * 16.0, "kept {kept}");
        sum += kept;
    }
    let mean = sum / rows.len() as f64;
    assert!((mean / 256.0 - 1.0).abs() < 0.1, "mean kept {mean}");
}

#[test]
fn cap_keeps_the_first_survivors_in_index_order_and_the_max() {
    let p = params("mode = \"threshold\"\ntheta = 100.0\nk_max = 5", 64).unwrap();
    let x: Vec<i64> = (0..20).map(|i| (i * 7 % 11) as i64).collect();
    let r = run_row(sp(&p), &p, &x, sp(&p).theta);
    assert_eq!(r.keep, (0..20).map(|i| i < 5).collect::<Vec<_>>());
    assert_eq!(r.kept, 5);
    // the max comes after k_max survivors: it keeps its reserved place
    let x = vec![1, 1, 1, 1, 1, 1, 9, 1];
    let p3 = params("mode = \"threshold\"\ntheta = 100.0\nk_max = 3", 64).unwrap();
    let r = run_row(sp(&p3), &p3, &x, sp(&p3).theta);
    assert_eq!(r.keep, vec![true, true, false, false, false, false, true, false]);
}

#[test]
fn z_table_is_the_normal_quantile() {
    let z = z_table(100, 4096);
    assert_eq!(z[..=100], vec![0; 101][..], "L <= k: unused");
    assert_eq!(z[200], 0, "PhiInv(0.5) = 0");
    assert!(z[101..].windows(2).all(|w| w[0] <= w[1]), "increasing in L");
    // PhiInv(1 - 100/4096) = 1.9704 (tables)
    assert!((z[4096] as f64 / 4096.0 - 1.9704).abs() < 1e-3, "{}", z[4096]);
    let c = SparseCfg { mode: SparseMode::StatTopk, theta: None, k: Some(100), k_max: None, renorm: None };
    let (s, _) = SparseParams::new(&c, crate::fixfmt::FixFmt::signed(10, 3), 4096, 12).unwrap();
    assert_eq!(s.z, z);
}

/// renorm = survivors: the kept outputs are exactly what the dense unit outputs for the row
/// of kept elements alone (the softmax over the survivors), dropped ones are 0; with renorm =
/// all they are the dense outputs of the whole row.
#[test]
fn survivors_are_the_dense_unit_on_the_kept_elements() {
    for mode in ["mode = \"topk\"\nk = 16", "mode = \"threshold\"\ntheta = 3.0\nk_max = 40", "mode = \"stat_topk\"\nk = 20"] {
        let ps = params(&format!("{mode}\nrenorm = \"survivors\""), 256).unwrap();
        let pa = params(mode, 256).unwrap();
        assert_ne!(ps.module_name(), pa.module_name());
        for x in gaussian_rows(&ps, 200, 1..=256, 2.0, 5) {
            let s = run_row(sp(&ps), &ps, &x, sp(&ps).theta);
            let a = run_row(sp(&pa), &pa, &x, sp(&pa).theta);
            assert_eq!(s.keep, a.keep, "same selection");
            let kept: Vec<i64> = x.iter().zip(&s.keep).filter(|(_, &k)| k).map(|(&v, _)| v).collect();
            let dense_kept = crate::normalize::run_row(&ps, &kept).y;
            let got: Vec<u64> = s.y.iter().zip(&s.keep).filter(|(_, &k)| k).map(|(&y, _)| y).collect();
            assert_eq!(got, dense_kept, "{mode}");
            assert!(s.y.iter().zip(&s.keep).all(|(&y, &k)| k || y == 0));
        }
    }
}

/// Every sparse mode treats a masked element as absent: never kept, output 0, and the keep
/// flags and outputs of the other elements are those of the row without it (the row max,
/// S1, S2, L and the ranking see the unmasked elements only, in the same order).
#[test]
fn masked_elements_are_as_if_removed() {
    for mode in ["mode = \"threshold\"\ntheta = 4.0", "mode = \"topk\"\nk = 8", "mode = \"topk\"\nk = 8\nrenorm = \"survivors\"", "mode = \"stat_topk\"\nk = 16\nk_max = 32"] {
        let p = params(mode, 256).unwrap();
        let s = sp(&p);
        for r in crate::rows::cosim_rows(&p, 400, 5) {
            let kept: Vec<i64> = r.x.iter().copied().filter(|&x| x != MASKED).collect();
            let full = run_row(s, &p, &r.x, s.theta);
            assert!(full.y.iter().zip(&full.keep).zip(&r.x).all(|((&y, &k), &x)| x != MASKED || (y == 0 && !k)), "{mode} {}", r.kind);
            if kept.is_empty() {
                assert_eq!(full.kept, 0, "{mode} {}: an all-masked row keeps nothing", r.kind);
                continue;
            }
            let alone = run_row(s, &p, &kept, s.theta);
            let pick = |v: &[u64]| -> Vec<u64> { v.iter().zip(&r.x).filter(|(_, &x)| x != MASKED).map(|(&y, _)| y).collect() };
            assert_eq!(pick(&full.y), alone.y, "{mode} {}", r.kind);
            assert_eq!(full.kept, alone.kept, "{mode} {}", r.kind);
        }
    }
}
