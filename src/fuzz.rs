//! `fuzz`: seeded random valid configurations, each generated (unit and baseline), passed
//! through the lint gate ([`crate::lint`]) and co-simulated bit-exactly with stalls.
//!
//! The sampler draws every field the configuration reference allows (base 2 and e, both
//! log2e modes, input 4..16 bits with any binary point, output 4..16 bits, `max_len`
//! 1..8192 log-uniform, every exp and recip method with their segment counts, internal
//! widths, sparse modes on and off, 1 to 32 lanes (topk: 1 to 4)) and keeps the first draw that validation accepts, so
//! every configuration it returns is one a user could write. A failing configuration is
//! printed as a TOML file that reproduces it (`softmax-hw cosim --config FILE`).

use crate::config::*;
use crate::error::{Error, Result};
use crate::generate::{generate_design, Design};
use crate::params::UnitParams;
use rand::prelude::*;
use rand::rngs::StdRng;

fn pick<T: Copy>(rng: &mut StdRng, v: &[T]) -> T {
    v[rng.gen_range(0..v.len())]
}

/// One random draw of the configuration space (not necessarily valid).
fn draw(rng: &mut StdRng, max_len_cap: u32) -> Config {
    let base = if rng.gen_bool(0.5) { Base::Two } else { Base::E };
    let log2e = (base == Base::E).then(|| if rng.gen_bool(0.5) { Log2e::Multiplier } else { Log2e::Upstream });
    let wi = rng.gen_range(4..=16u32);
    let fi = rng.gen_range(0..wi);
    let wo = rng.gen_range(4..=16u32);
    let fo = if rng.gen_bool(0.5) { wo } else { wo - 1 };
    // log-uniform 1..=cap, with the powers of two and their neighbours likely
    let max_len = match rng.gen_range(0..3) {
        0 => 1u32 << rng.gen_range(0..=max_len_cap.ilog2()),
        1 => ((1u32 << rng.gen_range(0..=max_len_cap.ilog2())) + pick(rng, &[0u32, 1])).saturating_sub(pick(rng, &[0u32, 1])).max(1),
        _ => (2f64.powf(rng.gen_range(0.0..(max_len_cap as f64).log2()))).round() as u32,
    }
    .clamp(1, max_len_cap);
    let exp = match rng.gen_range(0..3) {
        0 => ExpCfg::default(),
        1 => ExpCfg { method: Some(ExpMethod::Lut), segments: None },
        _ => ExpCfg { method: Some(ExpMethod::Lpw), segments: Some(1 << rng.gen_range(1..=6)) },
    };
    let recip = match rng.gen_range(0..5) {
        0 => RecipCfg::default(),
        1 => RecipCfg { method: Some(RecipMethod::Lut), segments: None, index_bits: rng.gen_bool(0.5).then(|| rng.gen_range(2..=12)) },
        2 => RecipCfg { method: Some(RecipMethod::Lpw), segments: Some(1 << rng.gen_range(1..=6)), index_bits: None },
        3 => RecipCfg { method: Some(RecipMethod::Log), segments: rng.gen_bool(0.5).then(|| 1 << rng.gen_range(3..=6)), index_bits: None },
        _ => RecipCfg { method: Some(RecipMethod::Newton), segments: Some(1 << rng.gen_range(1..=5)), index_bits: None },
    };
    let mut internal = InternalCfg::default();
    if rng.gen_bool(0.25) {
        internal.t_frac = rng.gen_bool(0.5).then(|| rng.gen_range(2..=16));
        internal.exp_frac = rng.gen_bool(0.5).then(|| rng.gen_range(fo + 1..=fo + 8));
        internal.sum_frac = rng.gen_bool(0.3).then(|| rng.gen_range(fo + 2..=40));
        internal.recip_frac = rng.gen_bool(0.5).then(|| rng.gen_range(fo + 1..=fo + 8));
    }
    let sparse = match rng.gen_range(0..5) {
        0 => Some(SparseCfg {
            mode: SparseMode::Threshold,
            theta: Some(rng.gen_range(0.0..(1u32 << (wi - fi - 1).min(6)) as f64)),
            k: None,
            k_max: rng.gen_bool(0.3).then(|| rng.gen_range(1..=max_len)),
            renorm: None,
        }),
        1 => {
            let k = rng.gen_range(1..=max_len);
            Some(SparseCfg {
                mode: SparseMode::StatTopk,
                theta: None,
                k: Some(k),
                k_max: rng.gen_bool(0.3).then(|| rng.gen_range(k..=max_len)),
                renorm: rng.gen_bool(0.3).then_some(Renorm::Survivors),
            })
        }
        2 => {
            // the insertion array costs registers per k: mostly small k
            let k_hi = max_len.min(if rng.gen_bool(0.8) { 16 } else { 64 });
            Some(SparseCfg {
                mode: SparseMode::Topk,
                theta: None,
                k: Some(rng.gen_range(1..=k_hi)),
                k_max: None,
                renorm: rng.gen_bool(0.3).then_some(Renorm::Survivors),
            })
        }
        _ => None,
    };
    // lanes: half the draws that can have them, P = 2..32 (topk: 2..4; not with survivors),
    // drawn last, so that the other fields of a seed are those of the draw without lanes
    let max_lp = match &sparse {
        Some(s) if s.renorm == Some(Renorm::Survivors) => 0,
        Some(s) if s.mode == SparseMode::Topk => crate::params::MAX_TOPK_LANES.ilog2(),
        _ => 5,
    };
    let lanes = (max_lp > 0 && rng.gen_bool(0.5)).then(|| 1u32 << rng.gen_range(1..=max_lp));
    Config {
        prefix: Some("fz".into()),
        base: Some(base),
        log2e,
        max_len: Some(max_len),
        lanes,
        input: FormatCfg { bits: wi, frac: fi },
        output: FormatCfg { bits: wo, frac: fo },
        exp,
        recip,
        internal,
        sparse,
    }
}

/// A random configuration that validation accepts, as TOML text; the same seed gives the
/// same configuration. `max_len_cap` bounds the row length (8192 for the full space).
pub fn random_config(seed: u64, max_len_cap: u32) -> String {
    let mut rng = StdRng::seed_from_u64(seed);
    loop {
        let cfg = draw(&mut rng, max_len_cap);
        if UnitParams::new(&cfg).is_ok() {
            return toml::to_string(&cfg).expect("config serializes");
        }
    }
}

/// Rows of the generated testbench each configuration also runs under Icarus: the first
/// TB_ROWS rows, then the short rows with masked elements ([`tb_rows`]).
pub const TB_ROWS: usize = 16;

/// The rows of the Icarus run: the first [`TB_ROWS`] (the short corner rows and one of
/// max_len), then every corner row of at most 8 elements with masked elements.
pub fn tb_rows(rows: &[crate::rows::Row]) -> Vec<crate::rows::Row> {
    let masked = |r: &&crate::rows::Row| r.x.len() <= 8 && r.x.contains(&crate::fixfmt::MASKED);
    rows.iter().take(TB_ROWS).chain(rows.iter().skip(TB_ROWS).filter(masked)).cloned().collect()
}

/// What one configuration went through.
pub struct Checked {
    pub module: String,
    pub sparse: bool,
    /// the baseline was checked too (dense configurations)
    pub baseline: bool,
    pub rows: usize,
    pub elements: usize,
}

/// Generates the unit and (for a dense configuration) its baseline, lints both,
/// co-simulates `rows` rows (corner rows first) with `stall` on both streams (every output
/// bit, keep flag and count compared), and runs each design's generated testbench on
/// [`tb_rows`] under Icarus. Err names the first failure.
pub fn check_config(text: &str, rows: usize, stall: f64, seed: u64, work: &std::path::Path) -> Result<Checked> {
    let cfg = Config::parse(text, "fuzz config")?;
    let p = UnitParams::new(&cfg)?;
    let row_set = crate::rows::cosim_rows(&p, rows, seed);
    let mut designs = vec![Design::Unit];
    let baseline = p.sparse.is_none();
    if baseline {
        designs.push(Design::Baseline);
    }
    let mut out = Checked { module: String::new(), sparse: p.sparse.is_some(), baseline, rows: 0, elements: 0 };
    for design in designs {
        let g = generate_design(&cfg, "fuzz.toml", design)?;
        crate::lint::check(&g, work)?;
        let bin = crate::cosim::build(&g)?.binary;
        let opt = crate::cosim::RunOptions { stall, seed, vcd: None, theta: None };
        let rep = match design {
            Design::Unit => crate::cosim::run(&p, &bin, &row_set, &opt)?,
            Design::Baseline => crate::cosim::run(&crate::baseline::BaselineParams::from_unit(&p), &bin, &row_set, &opt)?,
        };
        if !rep.passed() || rep.outputs != rep.elements {
            let first = rep.first_mismatches.first().map(|m| match design {
                Design::Unit => crate::cosim::describe(&p, m),
                Design::Baseline => crate::cosim::describe(&crate::baseline::BaselineParams::from_unit(&p), m),
            });
            return Err(Error::Tool(format!(
                "{} ({design:?}): {} (outputs {}); first: {}",
                g.module,
                rep.summary_line(),
                rep.outputs,
                first.unwrap_or_else(|| "count differs".into())
            )));
        }
        // the same design in a second, event-driven simulator: its generated testbench on the
        // short corner rows, one of max_len and the short masked rows under Icarus
        let tb_rows = &tb_rows(&row_set);
        let tb = match design {
            Design::Unit => crate::testbench::build(&p, &g, tb_rows, seed, stall),
            Design::Baseline => crate::testbench::build(&crate::baseline::BaselineParams::from_unit(&p), &g, tb_rows, seed, stall),
        };
        crate::testbench::run_icarus(&g, &tb, work)?;
        if design == Design::Unit {
            out.module = g.module.clone();
        }
        out.rows += row_set.len();
        out.elements += rep.elements;
    }
    Ok(out)
}
