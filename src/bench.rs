//! `bench`: co-simulation throughput next to Verilator's raw cycle rate for the same design,
//! and the unit's cycles per row against the bound of one element per cycle per pass.

use crate::cosim::{self, RowModel, RunOptions};
use crate::error::Result;
use crate::generate::Timing;
use crate::rows::{random_rows, Row};
use crate::params::UnitParams;
use std::fmt::Write;
use std::path::Path;

pub struct RowCycles {
    pub len: usize,
    pub measured: u64,
    pub bound: u64,
    pub manifest: u64,
}

/// Steady-state cycles per row for rows of length `len`, back to back, no stalls, with the
/// manifest's expectation for that length.
pub fn row_cycles<M: RowModel>(p: &UnitParams, m: &M, binary: &Path, len: usize, t: &Timing) -> Result<RowCycles> {
    let rows: Vec<Row> = random_rows(p, 64, 7)
        .into_iter()
        .take(6)
        .map(|r| Row { kind: "bench".into(), x: (0..len).map(|i| r.x[i % r.x.len()]).collect() })
        .collect();
    let rep = cosim::run(m, binary, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?;
    assert!(rep.passed(), "bench rows must pass co-simulation: {}", rep.summary_line());
    let e = &rep.row_end_cycles;
    let measured = e[e.len() - 1] - e[e.len() - 2];
    Ok(RowCycles { len, measured, bound: t.row_cycles_passes as u64 * len as u64, manifest: t.row_cycles_of(len as u64) })
}

/// Cycles from the last input handshake of a single row to its first output (from reset,
/// no stalls: inputs are accepted at cycles 0..L-1, outputs end at `end`).
pub fn latency<M: RowModel>(m: &M, binary: &Path, len: usize) -> Result<u64> {
    let rows = vec![Row { kind: "latency".into(), x: (0..len).map(|i| (i % 7) as i64).collect() }];
    let rep = cosim::run(m, binary, &rows, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?;
    assert!(rep.passed(), "latency row must pass co-simulation: {}", rep.summary_line());
    let end = rep.row_end_cycles[0];
    Ok(end + 2 - 2 * len as u64)
}

pub fn run<M: RowModel>(p: &UnitParams, m: &M, binary: &Path, rows: usize, t: &Timing) -> Result<String> {
    let passes = t.row_cycles_passes;
    let mut s = String::new();
    let raw_cycles = 20_000_000u64;
    let raw = cosim::raw_rate(binary, raw_cycles, 64)?;
    let set = random_rows(p, rows, 3);
    let rep = cosim::run(m, binary, &set, &RunOptions { stall: 0.0, seed: 1, vcd: None, theta: None })?;
    assert!(rep.passed(), "bench rows must pass co-simulation: {}", rep.summary_line());
    let eps = rep.elements as f64 / rep.seconds;
    let cps = rep.cycles as f64 / rep.seconds;
    writeln!(s, "\n| measurement | value |").unwrap();
    writeln!(s, "|---|---|").unwrap();
    writeln!(s, "| raw Verilator eval loop (no I/O), cycles/s | {:.2} M |", raw / 1e6).unwrap();
    writeln!(s, "| co-simulation incl. golden model, elements verified/s | {:.2} M |", eps / 1e6).unwrap();
    writeln!(s, "| co-simulation, cycles/s | {:.2} M |", cps / 1e6).unwrap();
    writeln!(s, "| elements verified/s / raw cycles/s | {:.2} |", eps / raw).unwrap();
    writeln!(s, "| co-simulation cycles/s / raw cycles/s | {:.2} |", cps / raw).unwrap();
    writeln!(s, "| rows, elements, cycles per element | {}, {}, {:.2} |", rep.rows, rep.elements, rep.cycles as f64 / rep.elements as f64).unwrap();
    let bound = if passes == 1 { "bound L (1 element/cycle, passes overlapped)".to_string() } else { format!("bound {passes}L (1 element/cycle/pass)") };
    writeln!(s, "\n| row length L | cycles per row (measured) | {bound} | manifest {} | measured / bound |", t.row_cycles).unwrap();
    writeln!(s, "|---|---|---|---|---|").unwrap();
    for len in [64usize, 1024, 8192] {
        if len > p.max_len as usize {
            writeln!(s, "| {len} | (above max_len {}) | | | |", p.max_len).unwrap();
            continue;
        }
        let r = row_cycles(p, m, binary, len, t)?;
        writeln!(s, "| {} | {} | {} | {} | {:.3} |", r.len, r.measured, r.bound, r.manifest, r.measured as f64 / r.bound as f64).unwrap();
    }
    Ok(s)
}
