//! `generate --testbench N`: a self-checking Verilog-2005 testbench of a generated design and
//! its two vector files, for the user's own simulator and as a second simulator beside the
//! Verilator co-simulation (it shares nothing with `testbenches/harness.cpp`).
//!
//! ```text
//!  <module>_tb_in.hex   one line per input beat: {theta_we, theta, tkeep, tuser, tlast, tdata}
//!                       (tuser: the element is masked; its tdata is a don't-care)
//!                       (theta fields only for sparse units, tkeep only with lanes)
//!  <module>_tb_out.hex  one line per expected output beat: {tlast, tkeep, keep, kept, tdata}
//!                       (keep and kept only for sparse units, tkeep only with lanes)
//! ```
//! With P lanes a beat holds P elements, lane j in bits [j*W, (j+1)*W) of tdata and bit j
//! of tuser and tkeep; a row's last beat holds what is left in lanes 0..n-1, the others
//! (tkeep 0) carry 0 in and out.
//!
//! The bench holds `aresetn` low for `generate::RESET_CYCLES` cycles, streams the inputs with seeded random stalls
//! on both streams (xorshift32 in the bench, so every simulator draws the same), compares
//! every output handshake with `!==` (an X or Z bit is a mismatch), checks that no output
//! comes after the expected ones for `DRAIN` cycles, and ends with one line:
//! `PASS: <module>: <n> outputs compared, 0 mismatches` or `FAIL: ...`.

use crate::cosim::{expected_stream, theta_after, theta_of, theta_writes, RowModel};
use crate::error::Result;
use crate::generate::Generated;
use crate::rows::Row;
use std::path::{Path, PathBuf};

pub struct Testbench {
    /// `<module>_tb`
    pub module: String,
    pub verilog: String,
    pub inputs: String,
    pub outputs: String,
    pub rows: usize,
    pub elements: usize,
}

/// Fields (value, bits), the first at bit 0, as hex digits of their total width.
fn hex(fields: &[(u64, u32)]) -> String {
    let mut bits = vec![];
    for &(v, w) in fields {
        bits.extend((0..w).map(|b| b < 64 && (v >> b) & 1 == 1));
    }
    let digits = bits.len().div_ceil(4);
    bits.resize(4 * digits, false);
    bits.chunks(4).rev().map(|c| char::from_digit(c.iter().rev().fold(0, |a, &b| 2 * a + b as u32), 16).unwrap()).collect()
}

/// The testbench of `g` on `rows` (input codes), with the golden model `model`, stall
/// probability `stall` on each stream and `seed` for the stalls and the theta writes.
pub fn build<M: RowModel>(model: &M, g: &Generated, rows: &[Row], seed: u64, stall: f64) -> Testbench {
    let width = |name: &str| g.manifest.ports.iter().find(|p| p.name == name).map(|p| p.width).expect("port in manifest");
    let lanes = model.lanes();
    let (wi, wo) = (model.input().bits, model.output().bits);
    let (wip, wop) = (wi * lanes, wo * lanes);
    let wk = if g.sparse { width("m_axis_kept") } else { 0 };
    let wkeep = if lanes > 1 { lanes } else { 0 };
    let fmt = model.input();
    // input vector: [wip-1:0] tdata, [wip] tlast, then tuser (P bits: masked), lanes > 1:
    // tkeep (P bits); sparse: theta (wi bits), theta_we
    let win = wip + 1 + lanes + wkeep + if g.sparse { wi + 1 } else { 0 };
    // output vector: [wop-1:0] tdata, sparse: kept, keep (P bits); lanes > 1: tkeep; then tlast
    let wout = wop + if g.sparse { wk + lanes } else { 0 } + wkeep + 1;
    let p = lanes as usize;
    let writes = theta_writes(model, rows, seed);
    let mut theta = model.theta_range().map(|t| t.0).unwrap_or(0);
    let (mut inputs, mut outputs) = (String::new(), String::new());
    let mut n_out = 0usize;
    let (mut n_in, mut elements) = (0usize, 0usize);
    for (ri, (r, w)) in rows.iter().zip(&writes).enumerate() {
        let n = r.x.len();
        elements += n;
        // beats: the hardware rows (chunks of max_len, a multiple of P), P elements each
        let beats = r.x.chunks(model.max_len() as usize).flat_map(|c| c.chunks(p)).scan(0, |i0, b| {
            *i0 += b.len();
            Some((*i0 - b.len(), b))
        });
        for (i0, beat) in beats {
            let mut f: Vec<(u64, u32)> = beat.iter().enumerate().map(|(j, &x)| (crate::cosim::masked_data(fmt, x, ri, i0 + j), wi)).collect();
            f.push((0, wi * (lanes - beat.len() as u32)));
            let i = i0 + beat.len() - 1;
            f.push(((i + 1 == n) as u64, 1));
            f.push((beat.iter().enumerate().map(|(j, &x)| ((x == crate::fixfmt::MASKED) as u64) << j).sum(), lanes));
            if lanes > 1 {
                f.push(((1u64 << beat.len()) - 1, lanes));
            }
            if g.sparse {
                let write = if i0 == 0 { w.first } else if i + 1 == n { w.late } else { None };
                f.push((write.unwrap_or(0), wi));
                f.push((write.is_some() as u64, 1));
            }
            inputs += &hex(&f);
            inputs.push('\n');
            n_in += 1;
        }
        // as the co-simulation checker: a first-element write applies to this row, a late one after
        theta = theta_of(theta, w);
        let expected = expected_stream(model, &r.x, theta);
        let mut at = 0;
        while at < expected.len() {
            // a beat ends after P elements or at a row's last one
            let len = expected[at..].iter().take(p).position(|e| e.last).map_or(p.min(expected.len() - at), |k| k + 1);
            let beat = &expected[at..at + len];
            let mut f: Vec<(u64, u32)> = beat.iter().map(|e| (e.y, wo)).collect();
            f.push((0, wo * (lanes - len as u32)));
            if let Some((_, kept)) = beat[len - 1].keep {
                // the beat's kept count, then one keep flag per lane (empty lanes 0)
                f.push((kept as u64, wk));
                f.push((beat.iter().enumerate().map(|(j, e)| (e.keep.is_some_and(|k| k.0) as u64) << j).sum(), lanes));
            }
            if lanes > 1 {
                f.push(((1u64 << len) - 1, lanes));
            }
            f.push((beat[len - 1].last as u64, 1));
            outputs += &hex(&f);
            outputs.push('\n');
            n_out += 1;
            at += len;
        }
        theta = theta_after(theta, w);
    }
    let m = &g.module;
    let tb = format!("{m}_tb");
    let max_len = model.max_len() as u64;
    // an output is at most a few row times away, each stretched by the stalls of both streams
    let keep_rate = (1.0 - stall).max(1e-3);
    let idle = ((8 * max_len + 1000) as f64 / (keep_rate * keep_rate)).ceil() as u64;
    let drain = 4 * max_len + 100;
    let stall_1024 = (stall * 1024.0).round() as u32;
    let seed32 = (seed as u32) ^ ((seed >> 32) as u32) | 1;
    // the theta fields start above tdata, tlast, tuser and tkeep
    let th0 = wip + 1 + lanes + wkeep;
    let sparse_ports = if g.sparse {
        format!(
            "    wire {}m_axis_tuser;\n    wire [{}:0] m_axis_kept;\n    wire [{}:0] theta = cur[{}:{}];\n    // with its element, held while that element waits (a repeated write of one value: the\n    // row still uses the value held at its first handshake; not gated by s_axis_tready, which\n    // would close a combinational loop through the bench)\n    wire theta_we = s_axis_tvalid && cur[{}];\n",
            if lanes > 1 { format!("[{}:0] ", lanes - 1) } else { String::new() },
            wk - 1,
            wi - 1,
            th0 + wi - 1,
            th0,
            th0 + wi
        )
    } else {
        String::new()
    };
    let (lane_ports, lane_conn, got_keep) = if lanes > 1 {
        (
            format!("    wire [{l1}:0] s_axis_tkeep = cur[{}:{}];\n    wire [{l1}:0] m_axis_tkeep;\n", wip + 2 * lanes, wip + 1 + lanes, l1 = lanes - 1),
            ", .s_axis_tkeep(s_axis_tkeep), .m_axis_tkeep(m_axis_tkeep)",
            "m_axis_tkeep, ",
        )
    } else {
        (String::new(), "", "")
    };
    let sparse_conn = if g.sparse {
        ",\n        .m_axis_tuser(m_axis_tuser), .m_axis_kept(m_axis_kept), .theta(theta), .theta_we(theta_we)"
    } else {
        ""
    };
    let got = if g.sparse { format!("{{m_axis_tlast, {got_keep}m_axis_tuser, m_axis_kept, m_axis_tdata}}") } else { format!("{{m_axis_tlast, {got_keep}m_axis_tdata}}") };
    let verilog = format!(
        r#"// Generated by {gen}. Do not edit: regenerate with `softmax-hw generate --testbench`.
// Self-checking testbench of {m} (Verilog-2005): {rows} rows, {elements} input elements in
// {n_in} beats, {n_out} expected output beats from the golden model; random stalls of
// {stall_pct:.0}% on both streams.
// Run it from the directory that holds the vector files:
//   with Icarus:    iverilog -g2005 -o {tb}.vvp {m}.v {tb}.v && vvp {tb}.vvp
//   with Verilator: verilator --binary -Wno-WIDTH -Wno-DECLFILENAME --top-module {tb} {m}.v {tb}.v && obj_dir/V{tb}
// The last line is "PASS: ..." or "FAIL: ..."; the vector files are parameters IN_FILE, OUT_FILE.
module {tb};
    parameter IN_FILE = "{tb}_in.hex";
    parameter OUT_FILE = "{tb}_out.hex";
    // stall probability of each stream, in 1/1024 per cycle; seed of the stall generators
    parameter STALL = {stall_1024};
    parameter [31:0] SEED = 32'h{seed32:08x};
    localparam RESET_CYCLES = {reset_cycles};
    localparam N_IN = {n_in};
    localparam N_OUT = {n_out};
    // cycles without an output handshake before a timeout; cycles checked for extra outputs
    localparam IDLE = {idle};
    localparam DRAIN = {drain};

    reg aclk = 1'b0;
    reg aresetn = 1'b0;
    reg [{win_1}:0] in_mem [0:N_IN-1];
    reg [{wout_1}:0] out_mem [0:N_OUT-1];
    integer in_pos = 0;
    integer out_pos = 0;
    integer errors = 0;
    integer idle = 0;
    integer drain = 0;
    integer row = 0;
    integer element = 0;
    reg [31:0] rs_in = SEED;
    reg [31:0] rs_out = SEED ^ 32'h5bd1e995;
    reg stall_in = 1'b0;
    reg stall_out = 1'b0;

    wire [{win_1}:0] cur = in_mem[in_pos];
    wire s_axis_tvalid = aresetn && (in_pos < N_IN) && !stall_in;
    wire [{wi_1}:0] s_axis_tdata = cur[{wi_1}:0];
    wire s_axis_tlast = cur[{wi}];
    wire [{l_1}:0] s_axis_tuser = cur[{tu_hi}:{wi1}];
{lane_ports}    wire s_axis_tready;
    wire [{wo_1}:0] m_axis_tdata;
    wire m_axis_tvalid;
    wire m_axis_tlast;
    wire m_axis_tready = aresetn && !stall_out;
{sparse_ports}    wire [{wout_1}:0] got = {got};

    {m} dut (
        .aclk(aclk), .aresetn(aresetn),
        .s_axis_tdata(s_axis_tdata), .s_axis_tuser(s_axis_tuser), .s_axis_tvalid(s_axis_tvalid), .s_axis_tlast(s_axis_tlast), .s_axis_tready(s_axis_tready),
        .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tlast(m_axis_tlast), .m_axis_tready(m_axis_tready){lane_conn}{sparse_conn}
    );

    function [31:0] xorshift(input [31:0] x);
        reg [31:0] y;
        begin
            y = x ^ (x << 13);
            y = y ^ (y >> 17);
            xorshift = y ^ (y << 5);
        end
    endfunction

    always #5 aclk = ~aclk;

    initial begin
        $readmemh(IN_FILE, in_mem);
        $readmemh(OUT_FILE, out_mem);
        // reset for RESET_CYCLES rising edges (the documented minimum), released away from an edge
        repeat (RESET_CYCLES) @(posedge aclk);
        @(negedge aclk) aresetn = 1'b1;
    end

    always @(posedge aclk) begin
        if (aresetn) begin
            if (s_axis_tready !== 1'b0 && s_axis_tready !== 1'b1) begin
                $display("FAIL: {m}: s_axis_tready is %b after reset", s_axis_tready);
                $finish;
            end
            if (m_axis_tvalid !== 1'b0 && m_axis_tvalid !== 1'b1) begin
                $display("FAIL: {m}: m_axis_tvalid is %b after reset", m_axis_tvalid);
                $finish;
            end
            if (s_axis_tvalid && s_axis_tready)
                in_pos <= in_pos + 1;
            if (m_axis_tvalid && m_axis_tready) begin
                idle <= 0;
                if (out_pos >= N_OUT) begin
                    errors = errors + 1;
                    $display("MISMATCH: output %0d is one more than the %0d expected: %h", out_pos + 1, N_OUT, got);
                end else begin
                    if (got !== out_mem[out_pos]) begin
                        errors = errors + 1;
                        if (errors <= 10)
                            $display("MISMATCH: output %0d (row %0d, element %0d): expected %h, got %h", out_pos, row, element, out_mem[out_pos], got);
                    end
                    if (out_mem[out_pos][{wout_1}]) begin
                        row <= row + 1;
                        element <= 0;
                    end else
                        element <= element + 1;
                end
                out_pos <= out_pos + 1;
            end else
                idle <= idle + 1;
            rs_in <= xorshift(rs_in);
            rs_out <= xorshift(rs_out);
            stall_in <= rs_in[9:0] < STALL;
            stall_out <= rs_out[9:0] < STALL;
            if (in_pos == N_IN && out_pos >= N_OUT)
                drain <= drain + 1;
            if (drain == DRAIN || idle == IDLE) begin
                if (errors == 0 && out_pos == N_OUT)
                    $display("PASS: {m}: %0d outputs compared, 0 mismatches", out_pos);
                else if (idle == IDLE)
                    $display("FAIL: {m}: timeout after %0d idle cycles, %0d of %0d outputs, %0d of %0d inputs, %0d mismatches", IDLE, out_pos, N_OUT, in_pos, N_IN, errors);
                else
                    $display("FAIL: {m}: %0d outputs of %0d expected, %0d mismatches", out_pos, N_OUT, errors);
                $finish;
            end
        end
    end
endmodule
"#,
        gen = crate::generate::GENERATOR,
        reset_cycles = crate::generate::RESET_CYCLES,
        rows = rows.len(),
        stall_pct = stall * 100.0,
        win_1 = win - 1,
        wout_1 = wout - 1,
        wi_1 = wip - 1,
        wi = wip,
        wi1 = wip + 1,
        tu_hi = wip + lanes,
        l_1 = lanes - 1,
        wo_1 = wop - 1,
    );
    Testbench { module: tb, verilog, inputs, outputs, rows: rows.len(), elements }
}

/// Writes `<module>_tb.v`, `<module>_tb_in.hex` and `<module>_tb_out.hex` into `dir`.
pub fn write(tb: &Testbench, dir: &Path) -> Result<[PathBuf; 3]> {
    let paths = [dir.join(format!("{}.v", tb.module)), dir.join(format!("{}_in.hex", tb.module)), dir.join(format!("{}_out.hex", tb.module))];
    for (path, text) in paths.iter().zip([&tb.verilog, &tb.inputs, &tb.outputs]) {
        crate::output::write_atomically(path, text)?;
    }
    Ok(paths)
}

/// Writes `g`'s Verilog and the bench into `dir` and runs it under Icarus Verilog
/// (`iverilog -g2005`, `vvp`, each stopped after `lint::TOOL_SECONDS`): Ok with the `PASS`
/// line, Err with the `FAIL` line, or the tool's error.
pub fn run_icarus(g: &Generated, tb: &Testbench, dir: &Path) -> Result<String> {
    crate::output::write_atomically(&dir.join(format!("{}.v", g.module)), &g.verilog)?;
    write(tb, dir)?;
    let vvp = dir.join(format!("{}.vvp", tb.module));
    let arg = |p: PathBuf| p.display().to_string();
    let args = vec!["-g2005".into(), "-o".into(), arg(vvp.clone()), arg(dir.join(format!("{}.v", g.module))), arg(dir.join(format!("{}.v", tb.module)))];
    crate::lint::run_in("iverilog", &args, Path::new("."))?;
    // the vector files are read from the working directory: run there (the compiled bench
    // by its file name, so that a relative `dir` works too; fuzz --out target/fuzz)
    let vvp_name = vvp.file_name().expect("a file name").to_string_lossy().to_string();
    let text = crate::lint::run_in("vvp", &["-n".into(), vvp_name], dir)?;
    let last = text.lines().rev().find(|l| l.starts_with("PASS") || l.starts_with("FAIL")).unwrap_or("no PASS/FAIL line").to_string();
    if last.starts_with("PASS: ") && last.ends_with(" 0 mismatches") {
        Ok(last)
    } else {
        Err(crate::error::Error::Tool(format!("{} under Icarus: {last}", tb.module)))
    }
}
