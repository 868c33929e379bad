//! The golden model over many rows at once: what `softmax-hw golden` prints and what the
//! Python binding (`python/`) returns. Each row is quantized to the input format, run
//! through the dense row model ([`crate::unit::model::run_row`]) or, with a `[sparse]`
//! section, the sparse one ([`crate::sparse::model::run_row`]) with its own theta, and the
//! rows run in parallel (rayon). Bit-exact to the Verilog: the same functions are the
//! specification co-simulation checks the RTL against.

use crate::error::{Error, Result};
use crate::fixfmt::MASKED;
use crate::params::UnitParams;
use rayon::prelude::*;

/// Everything the unit outputs for one row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowOut {
    /// output codes, one per input element (0 for a masked one)
    pub y: Vec<u64>,
    /// sparse units: the keep flag of each element (`m_axis_tuser`); dense units: empty
    pub keep: Vec<bool>,
    /// sparse units: the row's kept count (`m_axis_kept` with `tlast`); dense units: 0
    pub kept: u32,
}

/// Runs one row of input codes (1..=max_len, [`MASKED`] for a masked element). `theta` is
/// the theta register in input LSBs (sparse units; `None`: the configuration's reset value).
pub fn run_codes(p: &UnitParams, xs: &[i64], theta: Option<u64>) -> RowOut {
    match &p.sparse {
        None => RowOut { y: crate::unit::model::run_row(p, xs).y, keep: vec![], kept: 0 },
        Some(sp) => {
            let s = crate::sparse::model::run_row(sp, p, xs, theta.unwrap_or(sp.theta));
            RowOut { y: s.y, keep: s.keep, kept: s.kept }
        }
    }
}

/// Quantizes a row of natural-log logits (`-inf`: masked) and counts the inputs that
/// saturated to the input format's range (a finite logit outside it).
pub fn quantize(p: &UnitParams, logits: impl IntoIterator<Item = f64>, codes: &mut Vec<i64>) -> u32 {
    codes.clear();
    let (lo, hi) = (p.input.min_code(), p.input.max_code());
    let mut saturated = 0;
    for v in logits {
        let c = p.quantize_logit(v);
        // the quantizer clamps: a code at the range's end that the unclamped value passes
        if c != MASKED && ((c == hi && p.quantize_unclamped(v) > hi as f64) || (c == lo && p.quantize_unclamped(v) < lo as f64)) {
            saturated += 1;
        }
        codes.push(c);
    }
    saturated
}

/// A value of a per-row theta in input units, checked and converted to input LSBs (the
/// `theta` port's code). `what` names it in the error (`theta[3]`, `--theta`).
pub fn theta_code(p: &UnitParams, theta: f64, what: &str) -> Result<u64> {
    let Some(sp) = &p.sparse else {
        return Err(Error::Input(format!("{what} = {}: allowed only with a [sparse] configuration (the dense unit has no theta port)", crate::error::real(theta))));
    };
    let max = sp.theta_off as f64 * p.input.lsb();
    if !(theta >= 0.0 && theta <= max) {
        return Err(Error::Input(format!(
            "{what} = {}: allowed 0 <= theta <= {max} (input units; 2^input.bits - 1 LSBs)",
            crate::error::real(theta)
        )));
    }
    Ok((theta / p.input.lsb()).round() as u64)
}

/// Rows of logits as one flat row-major buffer (`rows` x `width`), each row valid in its
/// first `lengths[i]` elements (default: all `width`).
pub struct Batch<'a> {
    pub logits: &'a [f32],
    pub width: usize,
    pub lengths: Option<&'a [usize]>,
    /// per-row theta in input LSBs (sparse units), from [`theta_code`]
    pub theta: Option<&'a [u64]>,
}

/// What [`run_batch`] writes, row-major like the input: codes and keep flags are 0 past a
/// row's length; `kept` and `saturated` per row.
pub struct BatchOut<'a> {
    pub codes: &'a mut [u32],
    pub values: &'a mut [f32],
    pub keep: &'a mut [bool],
    pub kept: &'a mut [u32],
    pub saturated: &'a mut [u32],
}

impl Batch<'_> {
    pub fn rows(&self) -> usize {
        if self.width == 0 {
            0
        } else {
            self.logits.len() / self.width
        }
    }

    /// Checks shapes, lengths against `max_len` and the values (NaN and +inf are refused),
    /// before any row runs, so that a bad batch writes nothing.
    pub fn check(&self, p: &UnitParams) -> Result<()> {
        let rows = self.rows();
        if self.width == 0 || self.logits.len() != rows * self.width {
            return Err(Error::Input(format!("scores: {} values do not make rows of {} elements", self.logits.len(), self.width)));
        }
        if let Some(l) = self.lengths {
            if l.len() != rows {
                return Err(Error::Input(format!("lengths: {} entries for {rows} rows: allowed one per row", l.len())));
            }
            if let Some(i) = l.iter().position(|&n| n > self.width) {
                return Err(Error::Input(format!("lengths[{i}] = {}: allowed 0..={} (the row width)", l[i], self.width)));
            }
        }
        if let Some(t) = self.theta {
            if t.len() != rows {
                return Err(Error::Input(format!("theta: {} entries for {rows} rows: allowed one per row", t.len())));
            }
        }
        for i in 0..rows {
            let n = self.len(i);
            if n > p.max_len as usize {
                return Err(Error::Input(format!("row {i} has {n} elements: allowed 0..={} (max_len of the configuration)", p.max_len)));
            }
            let row = &self.logits[i * self.width..i * self.width + n];
            if let Some(j) = row.iter().position(|v| v.is_nan() || *v == f32::INFINITY) {
                return Err(Error::Input(format!("scores[{i}, {j}] = {}: allowed a finite real, or -inf (masked)", row[j])));
            }
        }
        Ok(())
    }

    fn len(&self, i: usize) -> usize {
        self.lengths.map_or(self.width, |l| l[i])
    }
}

/// Runs every row of `batch` in parallel (rayon's pool) and writes `out`. A row of length 0
/// (no element: no row in the hardware) outputs nothing. Call [`Batch::check`] first.
pub fn run_batch(p: &UnitParams, batch: &Batch, out: BatchOut) {
    let w = batch.width;
    let lsb = p.output.lsb() as f32;
    out.codes
        .par_chunks_mut(w)
        .zip(out.values.par_chunks_mut(w))
        .zip(out.keep.par_chunks_mut(w))
        .zip(out.kept.par_iter_mut())
        .zip(out.saturated.par_iter_mut())
        .enumerate()
        .for_each_init(Vec::new, |codes, (i, ((((c, v), k), kept), sat))| {
            let n = batch.len(i);
            c.fill(0);
            v.fill(0.0);
            k.fill(false);
            *kept = 0;
            *sat = 0;
            if n == 0 {
                return;
            }
            *sat = quantize(p, batch.logits[i * w..i * w + n].iter().map(|&x| x as f64), codes);
            let r = run_codes(p, codes, batch.theta.map(|t| t[i]));
            for j in 0..n {
                c[j] = r.y[j] as u32;
                v[j] = r.y[j] as f32 * lsb;
            }
            if !r.keep.is_empty() {
                k[..n].copy_from_slice(&r.keep);
            }
            *kept = r.kept;
        });
}
