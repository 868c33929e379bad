//! ASIC area on a real standard-cell library: SkyWater SKY130 high density, typical corner
//! (`pdk/sky130_fd_sc_hd/`, Apache-2.0), with Yosys alone (no placement, no wires).
//!
//! ```text
//!  synth -run begin:fine         generic netlist; memories stay memories (memory -nomap)
//!  memory_map r:WR_PORTS=0       ROMs (tables) become logic; RAMs (row buffers) stay memories
//!  techmap; dfflibmap -liberty   flip-flops -> sky130 flip-flops
//!  abc -liberty -D <period>      logic -> sky130 cells, buffered and sized; `stime -p` prints
//!                                the logic delay
//! ```
//! Run twice: flattened for the totals (area, cells, flip-flops, memories, ABC's delay of the
//! mapped logic), and flattened except for the blocks (every instance below the top and the
//! exponent front end of each pass; rust-hdl emits one module per instance, so a module's
//! name is its instance path) for the area of each block. The blocks, optimized apart, sum
//! to a little more than the flattened total.
//! Area = sum over the mapped cells of the Liberty `area` (µm²); memories are reported as
//! width x depth (no SRAM macro in the library), not in the area.

use super::{Flow, SynthReport};
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The Liberty file, compiled in so that the binary needs nothing beside it.
const LIBERTY: &str = include_str!("../../pdk/sky130_fd_sc_hd/sky130_fd_sc_hd__tt_025C_1v80.lib");
const LIBERTY_NAME: &str = "sky130_fd_sc_hd__tt_025C_1v80.lib";

/// ABC's default script for a Liberty target in Yosys 0.23, then buffering and gate sizing
/// against the delay target (`buffer -p; upsize; dnsize`: without them a high-fanout net,
/// the stream's ready enabling every pipeline register, drives hundreds of loads from one
/// small gate and sets the delay), and `stime -p` (the delay of the mapped logic) at the end.
const ABC_SCRIPT: &str = "+strash;&get,-n;&fraig,-x;&put;scorr;dc2;dretime;strash;&get,-n;&dch,-f;&nf,{D};&put;buffer,-p;upsize,{D};dnsize,{D};stime,-p";

/// One memory left as a memory: Yosys' name for it, word width, depth, bits.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct Memory {
    pub name: String,
    pub width: u64,
    pub depth: u64,
    pub bits: u64,
}

/// The standard-cell area of one block: its instance path (`pass1/lane/0/front`), the cells of
/// its own module and of every module below it.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct BlockArea {
    pub path: String,
    pub area_um2: f64,
}

impl BlockArea {
    /// A block directly below the top (`pass1`, `topk/0`), the top's own cells or the
    /// small blocks: together they partition the design.
    pub fn first_level(&self) -> bool {
        levels(&self.path).len() <= 1
    }
}

#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct AsicReport {
    pub library: &'static str,
    pub area_um2: f64,
    pub memories: Vec<Memory>,
    pub memory_bits: u64,
    /// ABC's delay of the mapped logic (the longest path between flip-flops and ports), ns
    pub logic_delay_ns: Option<f64>,
    /// the blocks one and two levels below the top of 1% of the area or more, largest
    /// first; `(top)`: the top's own cells; `(other ...)`: the first-level blocks under 1%
    pub blocks: Vec<BlockArea>,
}

/// Cell name -> (area in µm², a flip-flop or latch), from the Liberty file.
fn cells() -> &'static BTreeMap<String, (f64, bool)> {
    static CELLS: OnceLock<BTreeMap<String, (f64, bool)>> = OnceLock::new();
    CELLS.get_or_init(|| {
        let mut m = BTreeMap::new();
        let mut cur: Option<(String, Option<f64>, bool)> = None;
        let mut flush = |c: Option<(String, Option<f64>, bool)>| {
            if let Some((name, Some(a), ff)) = c {
                m.insert(name, (a, ff));
            }
        };
        for line in LIBERTY.lines() {
            let t = line.trim();
            if let Some(rest) = t.strip_prefix("cell (") {
                flush(cur.take());
                cur = Some((rest.split(')').next().unwrap_or("").trim_matches('"').to_string(), None, false));
            } else if let Some(c) = cur.as_mut() {
                if let Some(v) = t.strip_prefix("area :") {
                    c.1 = c.1.or(v.trim_end_matches(';').trim().parse().ok());
                } else if t.starts_with("ff (") || t.starts_with("latch (") {
                    c.2 = true;
                }
            }
        }
        flush(cur);
        m
    })
}

/// Area and flip-flop count of a module's own cells (other modules and memories excluded).
fn own_area(cells_by_type: &BTreeMap<String, u64>) -> (f64, u64) {
    let lib = cells();
    cells_by_type.iter().fold((0.0, 0), |(a, ff), (t, n)| match lib.get(t) {
        Some((area, is_ff)) => (a + area * *n as f64, ff + if *is_ff { *n } else { 0 }),
        None => (a, ff),
    })
}

/// The levels of an instance path: rust-hdl names the instances of a `Vec` field `name$0`,
/// `name$1`, ..., so a number is part of the level before it (`topk$0` is one level).
fn levels(path: &str) -> Vec<&str> {
    path.split(['$', '/']).filter(|c| !c.is_empty() && !c.chars().all(|ch| ch.is_ascii_digit())).collect()
}

/// The blocks that the per-block run keeps as modules: every instance directly below the
/// top, and the exponent front end of each lane of each pass (`pass1/lane/0/front`,
/// `pass2/lane/0/front`, ...).
fn blocks_kept(verilog: &str, top: &str) -> Vec<String> {
    verilog
        .lines()
        .filter_map(|l| l.strip_prefix("module ")?.split('(').next())
        .filter(|m| {
            let path = m.strip_prefix(top).and_then(|p| p.strip_prefix('$')).map(levels).unwrap_or_default();
            path.len() == 1 || path.last() == Some(&"front")
        })
        .map(String::from)
        .collect()
}

/// The Yosys script: flattened, except for the modules in `keep` (kept as blocks).
fn script(f: &Flow, top: &str, keep: &[String], stem: &str) -> String {
    let period_ps = (1e6 / f.opt.freq_mhz).round();
    let keep = if keep.is_empty() { String::new() } else { format!("setattr -mod -set keep_hierarchy 1 {}\n", keep.join(" ")) };
    format!(
        "read_verilog {tag}.v\nhierarchy -check -top {top}\n{keep}synth -top {top} -flatten -run begin:fine\nmemory_map r:WR_PORTS=0\nopt -fast -full\ntechmap\nopt -fast\n\
         dfflibmap -liberty {LIBERTY_NAME}\nabc -liberty {LIBERTY_NAME} -D {period_ps} -script {ABC_SCRIPT}\nopt_clean\n\
         tee -q -o {stem}.stat.json stat -json\nwrite_json {stem}.json\n",
        tag = f.tag,
    )
}

/// The SKY130 flow of `top` (its Verilog already written as `<tag>.v` in the work directory).
pub(super) fn run(f: &Flow, top: &str, verilog: &str) -> Result<SynthReport> {
    let lib = f.dir.join(LIBERTY_NAME);
    if std::fs::metadata(&lib).map(|m| m.len() as usize) .ok() != Some(LIBERTY.len()) {
        crate::output::write_atomically(&lib, LIBERTY)?;
    }
    let tag = f.tag;
    // 1. flattened: the totals
    let flat = format!("{tag}.flat");
    f.yosys(&flat, &script(f, top, &[], &flat), &format!("Yosys SKY130 mapping of {top} (flattened)"))?;
    let stat = super::parse::yosys_stat(&f.read(&format!("{flat}.stat.json"))?, top)?;
    let (area, ff) = own_area(&stat.cells_by_type);
    let memories = memories(&f.read(&format!("{flat}.json"))?)?;
    let log = f.read(&format!("{flat}.yosys.log"))?;
    let delay_ps = log
        .lines()
        .filter_map(|l| l.split("Delay =").nth(1))
        .filter_map(|r| r.split_whitespace().next()?.parse::<f64>().ok())
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))));
    // 2. hierarchical: the area of each block
    let hier = format!("{tag}.hier");
    f.yosys(&hier, &script(f, top, &blocks_kept(verilog, top), &hier), &format!("Yosys SKY130 mapping of {top} (per block)"))?;
    let blocks = block_areas(&f.read(&format!("{hier}.json"))?, top)?;
    let memory_bits = memories.iter().map(|m| m.bits).sum();
    Ok(SynthReport {
        target: tag.to_string(),
        module: top.to_string(),
        lut: None,
        carry: None,
        ff: Some(ff),
        bram: None,
        dsp: None,
        cells: stat.cells,
        cells_by_type: stat.cells_by_type,
        transistors: None,
        depth: None,
        fmax_mhz: None,
        utilization: BTreeMap::new(),
        io_wrapper: None,
        asic: Some(AsicReport { library: "sky130_fd_sc_hd, tt 25 C 1.80 V", area_um2: area, memories, memory_bits, logic_delay_ns: delay_ps.map(|d| d / 1000.0), blocks }),
        yosys: String::new(),
        device: None,
        seconds: 0.0,
    })
}

fn bad_json(what: &str) -> Error {
    Error::Tool(format!("synth sky130: unexpected Yosys JSON ({what})"))
}

/// The memories of a flattened Yosys JSON netlist (`$mem_v2` cells).
pub fn memories(json: &str) -> Result<Vec<Memory>> {
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| bad_json(&e.to_string()))?;
    let modules = v["modules"].as_object().ok_or_else(|| bad_json("no modules"))?;
    let param = |c: &serde_json::Value, p: &str| c["parameters"][p].as_str().and_then(|s| u64::from_str_radix(s, 2).ok());
    let mut out = vec![];
    for m in modules.values() {
        for (name, c) in m["cells"].as_object().into_iter().flatten() {
            if c["type"].as_str().is_some_and(|t| t.starts_with("$mem")) {
                let (width, depth) = (param(c, "WIDTH").ok_or_else(|| bad_json("memory WIDTH"))?, param(c, "SIZE").ok_or_else(|| bad_json("memory SIZE"))?);
                out.push(Memory { name: name.clone(), width, depth, bits: width * depth });
            }
        }
    }
    Ok(out)
}

/// Area of every block one and two levels below `top` from a hierarchical Yosys JSON netlist
/// (`write_json`; Yosys 0.23's hierarchical `stat -json` is not valid JSON): a module named
/// `<top>$a$b` is the instance `a/b`; its block area includes the modules below it.
pub fn block_areas(netlist_json: &str, top: &str) -> Result<Vec<BlockArea>> {
    let v: serde_json::Value = serde_json::from_str(netlist_json).map_err(|e| bad_json(&e.to_string()))?;
    let modules = v["modules"].as_object().ok_or_else(|| bad_json("no modules"))?;
    let mut own: BTreeMap<String, f64> = BTreeMap::new();
    for (name, m) in modules {
        let Some(path) = name.strip_prefix(top) else { continue };
        let mut cells: BTreeMap<String, u64> = BTreeMap::new();
        for c in m["cells"].as_object().into_iter().flatten().map(|(_, c)| c) {
            *cells.entry(c["type"].as_str().unwrap_or("").to_string()).or_default() += 1;
        }
        own.insert(path.trim_start_matches('$').replace('$', "/"), own_area(&cells).0);
    }
    let total = |p: &str| own.iter().filter(|(k, _)| *k == p || k.starts_with(&format!("{p}/"))).map(|(_, a)| a).sum::<f64>();
    let mut blocks: Vec<BlockArea> = own
        .keys()
        .filter(|k| !k.is_empty() && (levels(k).len() <= 2 || levels(k).last() == Some(&"front")))
        .map(|k| BlockArea { path: k.clone(), area_um2: total(k) })
        .collect();
    // the top's own cells: the glue (and the sparse selection logic of a sparse top)
    blocks.push(BlockArea { path: "(top)".into(), area_um2: own.get("").copied().unwrap_or(0.0) });
    let whole: f64 = own.values().sum();
    // lone registers are noise in a breakdown: blocks under 1% go into one line
    let small: f64 = blocks.iter().filter(|b| levels(&b.path).len() == 1 && b.area_um2 < 0.01 * whole).map(|b| b.area_um2).sum();
    blocks.retain(|b| b.area_um2 >= 0.01 * whole || b.path == "(top)");
    if small > 0.0 {
        blocks.push(BlockArea { path: "(other blocks under 1% each)".into(), area_um2: small });
    }
    blocks.sort_by(|a, b| b.area_um2.total_cmp(&a.area_um2));
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Liberty parse finds every cell with its area, and the flip-flops among them.
    #[test]
    fn liberty_cells_have_areas() {
        let c = cells();
        assert_eq!(c.len(), LIBERTY.matches("\n    cell (").count());
        assert_eq!(c["sky130_fd_sc_hd__a2111o_1"], (11.2608, false));
        assert!(c["sky130_fd_sc_hd__dfxtp_1"].1 && c["sky130_fd_sc_hd__dfxtp_1"].0 > 15.0);
    }

    /// A `Vec` instance (`topk$0`) is one level, like a field instance.
    #[test]
    fn vec_instances_are_one_level() {
        assert_eq!(levels("topk$0"), vec!["topk"]);
        assert_eq!(levels("recip$newton$0"), vec!["recip", "newton"]);
        assert_eq!(levels("pass1/front"), vec!["pass1", "front"]);
        let v = "module t(a);\nmodule t$topk$0(a);\nmodule t$topk$0$xr(a);\nmodule t$pass1$lane$0$front(a);\nmodule t$pass1$v1(a);\n";
        assert_eq!(blocks_kept(v, "t"), vec!["t$topk$0", "t$pass1$lane$0$front"]);
    }

    /// Block areas include the modules below them; `(top)` is the top's own cells.
    #[test]
    fn block_areas_sum_their_subtree() {
        let cell = r#"{"type": "sky130_fd_sc_hd__a2111o_1"}"#;
        let json = format!(
            r#"{{"modules": {{"t": {{"cells": {{"x": {cell}, "i": {{"type": "t$a"}}}}}}, "t$a": {{"cells": {{"x": {cell}, "y": {cell}, "i": {{"type": "t$a$b"}}}}}}, "t$a$b": {{"cells": {{"x": {cell}, "y": {cell}, "z": {cell}}}}}}}}}"#
        );
        let json = json.as_str();
        let b = block_areas(json, "t").unwrap();
        let a = |p: &str| b.iter().find(|x| x.path == p).unwrap().area_um2;
        assert!((a("a") - 5.0 * 11.2608).abs() < 1e-9 && (a("a/b") - 3.0 * 11.2608).abs() < 1e-9 && (a("(top)") - 11.2608).abs() < 1e-9);
    }
}
