//! `bench`: co-simulation throughput next to Verilator's raw cycle rate for the same design,
//! and the unit's cycles per row against the bound of one beat (P elements) per cycle per
//! pass.

use crate::cosim::{self, RowModel, RunOptions};
use crate::error::{Error, Result};
use serde::Serialize;
use crate::generate::Timing;
use crate::rows::{random_rows, Row};
use crate::params::UnitParams;
use std::fmt::Write;
use std::path::Path;

#[derive(Clone, Debug, Serialize)]
pub struct RowCycles {
    pub len: usize,
    pub measured: u64,
    pub bound: u64,
    pub manifest: u64,
}

/// A co-simulation the measurement depends on must pass; a failure is a bug of the design,
/// reported as one line.
fn passed(rep: cosim::Report, what: &str) -> Result<cosim::Report> {
    if rep.passed() {
        Ok(rep)
    } else {
        Err(Error::Tool(format!("bench: the {what} failed co-simulation: {}, {} outputs (run `softmax-hw cosim` on this configuration)", rep.summary_line(), rep.outputs)))
    }
}

/// Steady-state cycles per row for rows of length `len`, back to back, no stalls, with the
/// manifest's expectation for that length.
pub fn row_cycles<M: RowModel>(p: &UnitParams, m: &M, binary: &Path, len: usize, t: &Timing) -> Result<RowCycles> {
    let rows: Vec<Row> = random_rows(p, 64, 7)
        .into_iter()
        .take(6)
        .map(|r| Row { kind: "bench".into(), x: (0..len).map(|i| r.x[i % r.x.len()]).collect() })
        .collect();
    let rep = passed(cosim::run(m, binary, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?, "rows of the cycles-per-row measurement")?;
    let e = &rep.row_end_cycles;
    let measured = e[e.len() - 1] - e[e.len() - 2];
    let beats = len.div_ceil(m.lanes() as usize) as u64;
    Ok(RowCycles { len, measured, bound: t.row_cycles_passes as u64 * beats, manifest: t.row_cycles_of(len as u64) })
}

/// Cycles from the last input handshake of a single row to its first output (from reset,
/// no stalls: its B = ceil(L/P) beats are accepted at cycles 0..B-1, outputs end at `end`).
pub fn latency<M: RowModel>(m: &M, binary: &Path, len: usize) -> Result<u64> {
    let rows = vec![Row { kind: "latency".into(), x: (0..len).map(|i| (i % 7) as i64).collect() }];
    let rep = passed(cosim::run(m, binary, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?, "latency row")?;
    let end = rep.row_end_cycles[0];
    Ok(end + 2 - 2 * len.div_ceil(m.lanes() as usize) as u64)
}

/// Cycles per row at one row length, or why it was not measured.
#[derive(Clone, Debug, Serialize)]
pub struct RowLength {
    pub len: usize,
    /// None when `len` is above max_len
    pub cycles: Option<RowCycles>,
    /// measured / bound
    pub ratio: Option<f64>,
}

/// Everything `bench` measures (the text and the `--json` report carry the same figures).
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// Verilator's eval loop without I/O, cycles per second
    pub raw_cycles_per_s: f64,
    /// co-simulation including the golden model
    pub elements_per_s: f64,
    pub cycles_per_s: f64,
    pub rows: usize,
    pub elements: usize,
    pub cycles: u64,
    pub cycles_per_element: f64,
    /// passes over a row: the bound of cycles per row is passes * ceil(L / lanes)
    pub passes: u32,
    pub lanes: u32,
    /// the manifest's cycles per row (a formula in L)
    pub manifest_row_cycles: String,
    pub row_lengths: Vec<RowLength>,
}

pub fn run<M: RowModel>(p: &UnitParams, m: &M, binary: &Path, rows: usize, t: &Timing) -> Result<BenchReport> {
    let raw = cosim::raw_rate(binary, 20_000_000, 64)?;
    let set = random_rows(p, rows, 3);
    let rep = passed(cosim::run(m, binary, &set, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?, "throughput rows")?;
    let mut row_lengths = vec![];
    for len in [64usize, 1024, 8192] {
        let cycles = (len <= p.max_len as usize).then(|| row_cycles(p, m, binary, len, t)).transpose()?;
        let ratio = cycles.as_ref().map(|r| r.measured as f64 / r.bound as f64);
        row_lengths.push(RowLength { len, cycles, ratio });
    }
    Ok(BenchReport {
        raw_cycles_per_s: raw,
        elements_per_s: rep.elements as f64 / rep.seconds,
        cycles_per_s: rep.cycles as f64 / rep.seconds,
        rows: rep.rows,
        elements: rep.elements,
        cycles: rep.cycles,
        cycles_per_element: rep.cycles as f64 / rep.elements as f64,
        passes: t.row_cycles_passes,
        lanes: t.lanes,
        manifest_row_cycles: t.row_cycles.clone(),
        row_lengths,
    })
}

impl BenchReport {
    /// The two Markdown tables `bench` prints.
    pub fn markdown(&self, max_len: u32) -> String {
        let mut s = String::new();
        let (raw, eps, cps) = (self.raw_cycles_per_s, self.elements_per_s, self.cycles_per_s);
        writeln!(s, "\n| measurement | value |").unwrap();
        writeln!(s, "|---|---|").unwrap();
        writeln!(s, "| raw Verilator eval loop (no I/O), cycles/s | {:.2} M |", raw / 1e6).unwrap();
        writeln!(s, "| co-simulation incl. golden model, elements verified/s | {:.2} M |", eps / 1e6).unwrap();
        writeln!(s, "| co-simulation, cycles/s | {:.2} M |", cps / 1e6).unwrap();
        writeln!(s, "| elements verified/s / raw cycles/s | {:.2} |", eps / raw).unwrap();
        writeln!(s, "| co-simulation cycles/s / raw cycles/s | {:.2} |", cps / raw).unwrap();
        writeln!(s, "| rows, elements, cycles per element | {}, {}, {:.2} |", self.rows, self.elements, self.cycles_per_element).unwrap();
        let passes = self.passes;
        let bound = match (passes, self.lanes) {
            (1, 1) => "bound L (1 element/cycle, passes overlapped)".to_string(),
            (1, p) => format!("bound ceil(L/{p}) ({p} elements/cycle, passes overlapped)"),
            (n, _) => format!("bound {n}L (1 element/cycle/pass)"),
        };
        writeln!(s, "\n| row length L | cycles per row (measured) | {bound} | manifest {} | measured / bound |", self.manifest_row_cycles).unwrap();
        writeln!(s, "|---|---|---|---|---|").unwrap();
        for l in &self.row_lengths {
            match (&l.cycles, l.ratio) {
                (Some(r), Some(ratio)) => writeln!(s, "| {} | {} | {} | {} | {ratio:.3} |", r.len, r.measured, r.bound, r.manifest).unwrap(),
                _ => writeln!(s, "| {} | (above max_len {max_len}) | | | |", l.len).unwrap(),
            }
        }
        s
    }
}
