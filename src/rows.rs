//! Test rows: the corner cases (README: Command line, `cosim`), seeded random Gaussian rows and
//! attention-sink rows, as input codes of a configuration; masked elements ([`MASKED`]) among
//! both: all-masked rows, causal (suffix) and padding masks, masks at random positions.

use crate::fixfmt::MASKED;
use crate::params::UnitParams;
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};

#[derive(Clone, Debug)]
pub struct Row {
    pub kind: String,
    pub x: Vec<i64>,
}

fn row(kind: impl Into<String>, x: Vec<i64>) -> Row {
    Row { kind: kind.into(), x }
}

/// Every corner case, each as one or more rows of valid length (1..=max_len).
pub fn corner_rows(p: &UnitParams) -> Vec<Row> {
    let n = p.max_len as usize;
    let (lo, hi) = (p.input.min_code(), p.input.max_code());
    let zero = 0i64;
    let mid = hi / 3;
    let mut v = vec![];
    for &len in &[1usize, 2, 7, n] {
        for &c in &[zero, lo, hi, mid, -mid] {
            v.push(row(format!("all-equal {c} x{len}"), vec![c; len.min(n)]));
        }
    }
    // short rows with masked elements (early, so that a short bench of the first rows has
    // them): whole rows and a mix
    for &len in &[1usize, 2, 7] {
        v.push(row(format!("all masked x{len}"), vec![MASKED; len]));
    }
    v.push(row("masked pattern x7", vec![MASKED, hi, MASKED, mid, lo, MASKED, mid]));
    for &c in &[lo, hi, zero, 1, -1] {
        v.push(row(format!("length-1 {c}"), vec![c]));
    }
    // one dominant element with a huge gap, at the start, the middle and the end
    for &pos in &[0usize, n / 2, n - 1] {
        let mut x = vec![lo; n];
        x[pos] = hi;
        v.push(row(format!("dominant at {pos}"), x));
    }
    // saturated inputs at both ends
    v.push(row("alternating min/max", (0..n).map(|i| if i % 2 == 0 { lo } else { hi }).collect()));
    v.push(row("alternating max/min", (0..n).map(|i| if i % 2 == 0 { hi } else { lo }).collect()));
    // ties at the max among smaller values
    v.push(row("ties at the max", (0..n).map(|i| if i % 5 == 2 { hi } else { (hi - 1 - (i % 17) as i64).max(lo) }).collect()));
    v.push(row("two ties at the max", (0..n).map(|i| if i == 1 || i + 1 == n { mid } else { mid - 1 - (i % 9) as i64 }).collect()));
    // every element a new max (renormalization at every step), and the reverse
    v.push(row("increasing ramp", (0..n).map(|i| lo + ((i as i64 * (hi - lo)) / (n.max(2) as i64 - 1))).collect()));
    v.push(row("decreasing ramp", (0..n).map(|i| hi - ((i as i64 * (hi - lo)) / (n.max(2) as i64 - 1))).collect()));
    v.push(row("increasing by one LSB", (0..n).map(|i| (lo + i as i64).min(hi)).collect()));
    v.push(row("sawtooth 1 LSB over 64", (0..n).map(|i| (i % 64) as i64).collect()));
    // the largest sum: max_len equal maxima (sum = max_len, no renormalization)
    v.push(row("max_len equal maxima", vec![hi; n]));
    // masked elements in rows of max_len: the whole row, the first element, all but one, a
    // causal suffix, every other element, and a masked run before the row max
    v.push(row(format!("all masked x{n}"), vec![MASKED; n]));
    v.push(row("masked first element", (0..n).map(|i| if i == 0 { MASKED } else { (i % 13) as i64 - 6 }).collect()));
    v.push(row("all masked but the last", (0..n).map(|i| if i + 1 == n { mid } else { MASKED }).collect()));
    v.push(row("causal mask: second half masked", (0..n).map(|i| if 2 * i >= n && n > 1 { MASKED } else { hi - (i % 29) as i64 }).collect()));
    v.push(row("every other element masked", (0..n).map(|i| if i % 2 == 1 { MASKED } else { lo + (i % 7) as i64 }).collect()));
    v.push(row("masked run, then the max", (0..n).map(|i| if i < n / 2 { MASKED } else if i + 1 == n { hi } else { lo }).collect()));
    v.retain(|r| !r.x.is_empty() && r.x.len() <= n);
    // narrow inputs (4..6 bits) cannot hold every pattern above: saturate to the format, as
    // the quantizer does (the sawtooth's 63 exceeded 6-bit codes: fuzz seed 1)
    for r in &mut v {
        r.x.iter_mut().filter(|c| **c != MASKED).for_each(|c| *c = (*c).clamp(lo, hi));
    }
    v
}

/// Seeded random rows: lengths log-uniform in 1..=max_len; Gaussian logits with a random
/// spread (natural-log units, as attention scores), every third row with an attention sink
/// on its first element; every fourth row masked ([`with_masks`]).
pub fn random_rows(p: &UnitParams, count: usize, seed: u64) -> Vec<Row> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let n = p.max_len as f64;
    (0..count)
        .map(|i| {
            let len = (n.ln() * rng.gen::<f64>()).exp().floor().clamp(1.0, n) as usize;
            let sigma = rng.gen_range(0.5..4.0);
            let mean = rng.gen_range(-4.0..4.0);
            let g = Normal::new(mean, sigma).unwrap();
            let mut logits: Vec<f64> = (0..len).map(|_| g.sample(&mut rng)).collect();
            let kind = if i % 3 == 2 {
                logits[0] += rng.gen_range(5.0..20.0);
                "sink"
            } else {
                "gaussian"
            };
            let x = logits.iter().map(|&l| p.quantize_logit(l)).collect();
            if i % 4 == 3 {
                with_masks(&mut rng, kind, x)
            } else {
                row(kind, x)
            }
        })
        .collect()
}

/// Masks a row: a causal (suffix) mask of random length, or each element with a random
/// probability up to 0.9 (short rows are now and then masked entirely).
fn with_masks(rng: &mut impl Rng, kind: &str, mut x: Vec<i64>) -> Row {
    let n = x.len();
    if rng.gen_bool(0.5) {
        let keep = rng.gen_range(0..=n);
        x[keep..].iter_mut().for_each(|c| *c = MASKED);
        row(format!("{kind}, causal mask"), x)
    } else {
        let q = rng.gen_range(0.0..0.9);
        x.iter_mut().filter(|_| rng.gen_bool(q)).for_each(|c| *c = MASKED);
        row(format!("{kind}, masked at random"), x)
    }
}

/// Most random-row elements one run may generate: 2^28 codes (2 GiB as i64). The rows are
/// made before they are streamed, so a huge `--rows` is refused here rather than ending in an
/// out-of-memory abort (`cosim --rows 1000000000000` did).
pub const MAX_ELEMENTS: u64 = 1 << 28;
/// Most rows one run may ask for, whatever max_len.
pub const MAX_ROWS: usize = 10_000_000;

/// Mean length of a random row at `max_len` (log-uniform lengths): about (n - 1) / ln n.
fn mean_len(max_len: u32) -> f64 {
    let n = max_len.max(1) as f64;
    if n < 2.0 {
        1.0
    } else {
        (n - 1.0) / n.ln()
    }
}

/// Most rows a run may ask for at `max_len`: [`MAX_ROWS`], fewer where random rows of that
/// length would pass [`MAX_ELEMENTS`].
pub fn max_rows(max_len: u32) -> usize {
    ((MAX_ELEMENTS as f64 / mean_len(max_len)) as usize).min(MAX_ROWS)
}

/// Checks a row count given as `flag` for rows of up to `max_len` elements: 1..=[`max_rows`].
pub fn check_count(flag: &str, count: usize, max_len: u32) -> crate::error::Result<()> {
    use crate::error::Error;
    let hi = max_rows(max_len);
    if count == 0 {
        Err(Error::flag(flag, 0, format!("allowed 1 or more (at most {hi})")))
    } else if count > hi {
        Err(Error::flag(
            flag,
            count,
            format!("allowed 1..={hi} at max_len = {max_len} (random rows average {:.0} elements, at most 2^28 elements in all)", mean_len(max_len)),
        ))
    } else {
        Ok(())
    }
}

/// The default cosim mix: every corner case, then random rows up to `count` rows in all.
pub fn cosim_rows(p: &UnitParams, count: usize, seed: u64) -> Vec<Row> {
    let mut v = corner_rows(p);
    v.truncate(count);
    let rest = count - v.len();
    v.extend(random_rows(p, rest, seed));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// Regression (fuzz seed 1, 6-bit input): the sawtooth row held codes above the input
    /// format's maximum, which the golden model read as larger than the RTL's wrapped code.
    /// Every corner row of every input width stays inside the format.
    #[test]
    fn regression_fuzz_seed1_corner_rows_stay_in_the_input_format() {
        for bits in 4..=16 {
            let text = format!("base = \"2\"\nmax_len = 200\n[input]\nbits = {bits}\nfrac = 1\n[output]\nbits = 8\nfrac = 8\n");
            let p = UnitParams::new(&Config::parse(&text, "t").unwrap()).unwrap();
            for r in corner_rows(&p) {
                assert!(r.x.iter().all(|&c| c == MASKED || (p.input.min_code()..=p.input.max_code()).contains(&c)), "{bits} bits: {}", r.kind);
            }
        }
    }
}
