//! Verilator co-simulation: the generated Verilog, built once per content hash with the
//! generic C++ harness (`testbenches/harness.cpp`), streams rows while the golden model
//! checks every output bit, the `last` flag of every output and the number of outputs.

use crate::error::{Error, Result};
use crate::generate::Generated;
use crate::fixfmt::FixFmt;

/// A bit-exact row model the checker compares the RTL with: the unit or the baseline.
pub trait RowModel: Sync {
    fn max_len(&self) -> u32;
    fn input(&self) -> FixFmt;
    fn output(&self) -> FixFmt;
    fn run_row(&self, x: &[i64]) -> Vec<u64>;
    /// Elements per beat: element i of a row (of a hardware row: a chunk of max_len) is on
    /// lane i mod P.
    fn lanes(&self) -> u32 {
        1
    }
    /// Sparse units: (reset value, largest value) of the theta register.
    fn theta_range(&self) -> Option<(u64, u64)> {
        None
    }
    /// Expected outputs of one row (at most max_len long) with `theta` in the theta
    /// register: the code and, for sparse units, (keep flag, kept count so far).
    fn expect_row(&self, x: &[i64], _theta: u64) -> Vec<(u64, Option<(bool, u32)>)> {
        self.run_row(x).into_iter().map(|y| (y, None)).collect()
    }
}

impl RowModel for crate::params::UnitParams {
    fn max_len(&self) -> u32 {
        self.max_len
    }
    fn input(&self) -> FixFmt {
        self.input
    }
    fn output(&self) -> FixFmt {
        self.output
    }
    fn run_row(&self, x: &[i64]) -> Vec<u64> {
        crate::unit::model::run_row(self, x).y
    }
    fn lanes(&self) -> u32 {
        self.lanes
    }
    fn theta_range(&self) -> Option<(u64, u64)> {
        self.sparse.as_ref().map(|s| (s.theta, s.theta_off))
    }
    fn expect_row(&self, x: &[i64], theta: u64) -> Vec<(u64, Option<(bool, u32)>)> {
        match &self.sparse {
            None => self.run_row(x).into_iter().map(|y| (y, None)).collect(),
            Some(sp) => {
                let r = crate::sparse::model::run_row(sp, self, x, theta);
                // the kept count is per beat: the row's kept elements through the beat's end
                let p = self.lanes as usize;
                let through: Vec<u32> = r.keep.iter().scan(0, |n, &k| { *n += k as u32; Some(*n) }).collect();
                let n = x.len();
                r.y.iter().zip(&r.keep).enumerate().map(|(i, (&y, &k))| (y, Some((k, through[((i / p + 1) * p).min(n) - 1])))).collect()
            }
        }
    }
}

impl RowModel for crate::baseline::BaselineParams {
    fn max_len(&self) -> u32 {
        self.max_len
    }
    fn input(&self) -> FixFmt {
        self.input
    }
    fn output(&self) -> FixFmt {
        self.output
    }
    fn run_row(&self, x: &[i64]) -> Vec<u64> {
        crate::baseline::run_row(self, x)
    }
    fn lanes(&self) -> u32 {
        self.lanes
    }
}
use sha2::{Digest, Sha256};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub const HARNESS_CPP: &str = include_str!("../testbenches/harness.cpp");

/// Verilator flags: the lint waivers are the documented ones (see generate.rs).
const VERILATOR_FLAGS: &[&str] = &["-O3", "--trace", "-Wno-WIDTH", "-Wno-DECLFILENAME", "--x-assign", "fast", "--x-initial", "fast"];

fn tool_version(tool: &str) -> Result<String> {
    let out = Command::new(tool).arg("--version").output().map_err(|_| {
        Error::Tool(format!("{tool} not found on PATH: run ./quickstart.sh (or `apt-get install {tool}`) first"))
    })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Directory of cached Verilator builds: $SOFTMAX_HW_CACHE, else target/softmax-hw-cache.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("SOFTMAX_HW_CACHE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/softmax-hw-cache"))
}

pub struct Built {
    pub binary: PathBuf,
    pub cached: bool,
    pub build_seconds: f64,
}

/// The cache entry of `g`'s build under `root`: its directory `<module>-<key>` (the key
/// hashes the Verilog, the harness, the Verilator version and flags) and its binary.
pub fn cache_entry(g: &Generated, root: &Path) -> Result<(PathBuf, PathBuf)> {
    let version = tool_version("verilator")?;
    let mut h = Sha256::new();
    for part in [g.verilog.as_str(), HARNESS_CPP, version.as_str(), &VERILATOR_FLAGS.join(" ")] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let key: String = h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    let dir = root.join(format!("{}-{key}", g.module));
    let binary = dir.join("obj").join("Vunit");
    Ok((dir, binary))
}

/// Builds (or finds in the cache) the co-simulation binary of a generated unit.
pub fn build(g: &Generated) -> Result<Built> {
    let root = cache_dir();
    let (dir, binary) = cache_entry(g, &root)?;
    // the harness's lanes, element widths and sparse ports
    let m = &g.manifest;
    let defines = format!(
        "-DLANES={} -DW_IN={} -DW_OUT={}{}",
        m.timing.lanes,
        m.formats["input"].bits,
        m.formats["output"].bits,
        if g.sparse { " -DSPARSE_UNIT" } else { "" }
    );
    if binary.exists() {
        return Ok(Built { binary, cached: true, build_seconds: 0.0 });
    }
    std::fs::create_dir_all(&root).map_err(|e| Error::io(&root, e))?;
    let tmp = tempfile::Builder::new().prefix(".build-").tempdir_in(&root).map_err(|e| Error::io(&root, e))?;
    let v = tmp.path().join("unit.v");
    let cpp = tmp.path().join("harness.cpp");
    std::fs::write(&v, &g.verilog).map_err(|e| Error::io(&v, e))?;
    std::fs::write(&cpp, HARNESS_CPP).map_err(|e| Error::io(&cpp, e))?;
    let t0 = Instant::now();
    let out = Command::new("verilator")
        .current_dir(tmp.path())
        .args(["--cc", "--exe", "--build", "-j", "2", "--prefix", "Vunit", "--top-module", &g.module, "-Mdir", "obj", "-o", "Vunit"])
        .args(VERILATOR_FLAGS)
        .args(["-CFLAGS", &defines])
        .args(["-MAKEFLAGS", "OPT_FAST=-O2", "unit.v", "harness.cpp"])
        .output()
        .map_err(|e| Error::Tool(format!("verilator could not be started: {e}")))?;
    if !out.status.success() {
        let log = dir.with_extension("log");
        let _ = std::fs::write(&log, [out.stdout, out.stderr].concat());
        return Err(Error::Tool(format!("verilator failed to build {} (log: {})", g.module, log.display())));
    }
    let build_seconds = t0.elapsed().as_secs_f64();
    // publish atomically; a concurrent build of the same design may have won the race
    let tmp_path = tmp.keep();
    if std::fs::rename(&tmp_path, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&tmp_path);
    }
    if !binary.exists() {
        return Err(Error::Tool(format!("verilator build of {} left no binary at {}", g.module, binary.display())));
    }
    Ok(Built { binary, cached: false, build_seconds })
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Mismatch {
    pub row: usize,
    pub element: usize,
    pub kind: String,
    pub x: i64,
    pub expected: u64,
    pub got: u32,
    pub expected_last: bool,
    pub got_last: bool,
    /// the output lane (element index mod lanes) and the lane the RTL put it on
    pub expected_lane: u32,
    pub got_lane: u32,
    /// sparse units: (keep, kept count so far)
    pub expected_keep: Option<(bool, u32)>,
    pub got_keep: Option<(bool, u32)>,
}

/// What a sparse unit kept in one row, as the RTL output it (checked against the model).
#[derive(Clone, Debug, Default)]
pub struct RowKeep {
    pub len: usize,
    pub kept: u32,
    pub keep: Vec<bool>,
    /// output codes
    pub y: Vec<u64>,
    /// theta the row ran with (input LSBs)
    pub theta: u64,
}

#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: usize,
    pub elements: usize,
    pub outputs: usize,
    pub mismatches: usize,
    pub first_mismatches: Vec<Mismatch>,
    pub cycles: u64,
    pub seconds: f64,
    /// cycle of each row's last output handshake
    pub row_end_cycles: Vec<u64>,
    /// sparse units: the keep flags of every row (hardware rows: chunks of max_len)
    pub row_keeps: Vec<RowKeep>,
}

impl Report {
    pub fn passed(&self) -> bool {
        self.mismatches == 0 && self.outputs == self.elements
    }
    pub fn summary_line(&self) -> String {
        format!("cosim: {} rows, {} elements, {} mismatches", self.rows, self.elements, self.mismatches)
    }
}

pub struct RunOptions {
    pub stall: f64,
    pub seed: u64,
    pub vcd: Option<PathBuf>,
    /// Sparse units: the theta writes of each row; None: `theta_writes` from the seed.
    pub theta: Option<Vec<ThetaWrite>>,
}

/// The `s_axis_tdata` bits of element `i` of row `row`: the code, or for a masked element a
/// don't-care that varies over the whole input range (the largest codes included), so that
/// a design reading a masked element's data shows up as a mismatch.
pub fn masked_data(fmt: FixFmt, x: i64, row: usize, i: usize) -> u64 {
    if x == crate::fixfmt::MASKED {
        ((row as u64 * 31 + i as u64).wrapping_mul(0x9E37_79B9) >> 7) & fmt.mask()
    } else {
        fmt.to_bits(x)
    }
}

/// Theta writes that go with one row: at its first element's handshake (the row uses it) and
/// at its last element's handshake (rows of 2 or more; only the rows after it use it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThetaWrite {
    pub first: Option<u64>,
    pub late: Option<u64>,
}

/// The theta register's value after a row that ran with `theta` (its first write applied).
pub fn theta_after(theta: u64, w: &ThetaWrite) -> u64 {
    w.late.unwrap_or(theta)
}

/// The theta a row runs with, given the register's value before it.
pub fn theta_of(before: u64, w: &ThetaWrite) -> u64 {
    w.first.unwrap_or(before)
}

/// The theta writes that replay row `row` of a run alone after a reset: its first element
/// writes the value the row ran with.
pub fn replay_writes<M: RowModel>(p: &M, writes: &[ThetaWrite], row: usize) -> Vec<ThetaWrite> {
    let Some((reset, _)) = p.theta_range() else { return vec![ThetaWrite::default()] };
    let before = writes[..row].iter().fold(reset, |t, w| theta_after(theta_of(t, w), w));
    vec![ThetaWrite { first: Some(theta_of(before, &writes[row])), late: writes[row].late }]
}

/// Streams `rows` through the built unit and compares every output with the golden model.
/// The golden model runs inside the timed loop (`seconds` covers simulation and checking).
pub fn run<M: RowModel>(p: &M, binary: &Path, rows: &[crate::rows::Row], opt: &RunOptions) -> Result<Report> {
    if !(0.0..1.0).contains(&opt.stall) {
        return Err(Error::Input(format!("cosim: stall = {}: allowed 0 <= P < 1", opt.stall)));
    }
    // After its input ends the harness stops when no output handshake happened for `idle`
    // cycles. The output ready is up in a share 1 - stall of the cycles, so the cut-off grows
    // with the stall: at 0.999 handshakes are about 1000 cycles apart, and a fixed cut-off
    // ended runs early (a count mismatch that was no fault of the design).
    let idle = ((4 * p.max_len() as u64 + 1000) as f64 / (1.0 - opt.stall)).ceil() as u64;
    let mut cmd = Command::new(binary);
    cmd.args(["--stall", &opt.stall.to_string(), "--seed", &opt.seed.to_string(), "--idle", &idle.to_string()]);
    if let Some(v) = &opt.vcd {
        cmd.arg("--vcd").arg(v);
    }
    let t0 = Instant::now();
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Tool(format!("{}: {e}", binary.display())))?;
    let stdin = child.stdin.take().unwrap();
    let fmt = p.input();
    let inputs: Vec<Vec<i64>> = rows.iter().map(|r| r.x.clone()).collect();
    let writes = opt.theta.clone().unwrap_or_else(|| theta_writes(p, rows, opt.seed));
    assert_eq!(writes.len(), rows.len(), "one ThetaWrite per row");
    let writes_w = writes.clone();
    let writer = std::thread::spawn(move || -> std::io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 16, stdin);
        for (n, (r, tw)) in inputs.iter().zip(&writes_w).enumerate() {
            for (i, &x) in r.iter().enumerate() {
                let mut flags = (i + 1 == r.len()) as u32;
                if x == crate::fixfmt::MASKED {
                    flags |= 4;
                }
                let write = if i == 0 { tw.first } else if i + 1 == r.len() { tw.late } else { None };
                if let Some(t) = write {
                    flags |= 2 | ((t as u32) << 8);
                }
                w.write_all(&(masked_data(fmt, x, n, i) as u32).to_le_bytes())?;
                w.write_all(&flags.to_le_bytes())?;
            }
        }
        w.flush()
    });

    let mut rd = BufReader::with_capacity(1 << 16, child.stdout.take().unwrap());
    let mut rep = Report { rows: rows.len(), elements: rows.iter().map(|r| r.x.len()).sum(), ..Default::default() };
    let (mut row, mut el) = (0usize, 0usize);
    let mut expected: Vec<Expected> = vec![];
    let mut theta = p.theta_range().map(|t| t.0).unwrap_or(0);
    let sparse = p.theta_range().is_some();
    let mut cur = RowKeep::default();
    let mut rec = [0u8; 16];
    loop {
        if rd.read_exact(&mut rec).is_err() {
            let _ = child.kill();
            return Err(Error::Tool(format!("{}: harness ended without its trailer record", binary.display())));
        }
        let data = u32::from_le_bytes(rec[0..4].try_into().unwrap());
        let flags = u32::from_le_bytes(rec[4..8].try_into().unwrap());
        let cycle = u64::from_le_bytes(rec[8..16].try_into().unwrap());
        if flags & 0x8000_0000 != 0 {
            rep.cycles = cycle;
            break;
        }
        let got_last = flags & 1 == 1;
        let got_lane = (flags >> 2) & 0x1f;
        rep.outputs += 1;
        if row >= rows.len() {
            continue; // extra outputs: counted, reported by the count check
        }
        if el == 0 {
            theta = theta_of(theta, &writes[row]);
            expected = expected_stream(p, &rows[row].x, theta);
        }
        let Expected { y: want, last: expected_last, keep: expected_keep } = expected[el];
        let got_keep = sparse.then_some(((flags >> 1) & 1 == 1, (flags >> 8) & 0x7f_ffff));
        if let Some((k, n)) = got_keep {
            cur.keep.push(k);
            cur.y.push(data as u64);
            cur.kept = n;
            if expected_last {
                cur.len = cur.keep.len();
                cur.theta = theta;
                rep.row_keeps.push(std::mem::take(&mut cur));
            }
        }
        let expected_lane = (el % p.lanes() as usize) as u32;
        if data as u64 != want || got_last != expected_last || got_keep != expected_keep || got_lane != expected_lane {
            rep.mismatches += 1;
            if rep.first_mismatches.len() < 10 {
                rep.first_mismatches.push(Mismatch {
                    row,
                    element: el,
                    kind: rows[row].kind.clone(),
                    x: rows[row].x[el],
                    expected: want,
                    got: data,
                    expected_last,
                    got_last,
                    expected_lane,
                    got_lane,
                    expected_keep,
                    got_keep,
                });
            }
        }
        el += 1;
        if el == expected.len() {
            rep.row_end_cycles.push(cycle);
            theta = theta_after(theta, &writes[row]);
            row += 1;
            el = 0;
        }
    }
    rep.seconds = t0.elapsed().as_secs_f64();
    writer.join().expect("writer thread").map_err(|e| Error::Tool(format!("writing to the harness: {e}")))?;
    let status = child.wait().map_err(|e| Error::Tool(e.to_string()))?;
    if !status.success() {
        return Err(Error::Tool(format!("{} exited with {status}", binary.display())));
    }
    Ok(rep)
}

/// One expected output handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected {
    pub y: u64,
    pub last: bool,
    pub keep: Option<(bool, u32)>,
}

/// Expected outputs of one input row as the hardware streams it: a row longer than max_len
/// is ended by the unit after max_len elements and the rest forms the next row.
pub fn expected_stream<M: RowModel>(p: &M, x: &[i64], theta: u64) -> Vec<Expected> {
    x.chunks(p.max_len() as usize)
        .flat_map(|c| {
            let y = p.expect_row(c, theta);
            let n = y.len();
            y.into_iter().enumerate().map(move |(i, (v, keep))| Expected { y: v, last: i + 1 == n, keep })
        })
        .collect()
}

/// Run-time theta writes of a sparse unit for `rows` (seeded): about one row in four writes a
/// value with its first element, and one row of 2 or more in eight writes one with its last
/// element (for the rows after it); half of the values small (at most 1/8 of the range).
pub fn theta_writes<M: RowModel>(p: &M, rows: &[crate::rows::Row], seed: u64) -> Vec<ThetaWrite> {
    use rand::{Rng, SeedableRng};
    let Some((_, hi)) = p.theta_range() else { return vec![ThetaWrite::default(); rows.len()] };
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed ^ 0x7e7a);
    let value = |rng: &mut rand::rngs::StdRng| if rng.gen_bool(0.5) { rng.gen_range(0..=hi / 8) } else { rng.gen_range(0..=hi) };
    rows.iter()
        .map(|r| ThetaWrite {
            first: rng.gen_bool(0.25).then(|| value(&mut rng)),
            // on the last element, in a later beat than the first (at one lane: a later element)
            late: (r.x.len() > p.lanes() as usize && rng.gen_bool(0.125)).then(|| value(&mut rng)),
        })
        .collect()
}

/// Verilator's own cycle rate for the design: the harness runs `cycles` cycles with no I/O.
pub fn raw_rate(binary: &Path, cycles: u64, row_len: u32) -> Result<f64> {
    let out = Command::new(binary)
        .args(["--raw", &cycles.to_string(), "--raw-len", &row_len.to_string()])
        .output()
        .map_err(|e| Error::Tool(format!("{}: {e}", binary.display())))?;
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .map_err(|_| Error::Tool(format!("{}: no rate from --raw", binary.display())))
}

/// Describes a mismatch with bits and real values.
pub fn describe<M: RowModel>(p: &M, m: &Mismatch) -> String {
    let o = p.output();
    let input = if m.x == crate::fixfmt::MASKED {
        "masked (-inf)".to_string()
    } else {
        format!("{} ({})", p.input().bit_string(m.x), p.input().to_real(m.x))
    };
    format!(
        "row {} ({}), element {}: input {input}, expected {} ({}){}, got {} ({}){}",
        m.row,
        m.kind,
        m.element,
        o.bit_string(m.expected as i64),
        o.to_real(m.expected as i64),
        if m.expected_last { " last" } else { "" },
        o.bit_string(m.got as i64),
        o.to_real(m.got as i64),
        if m.got_last { " last" } else { "" },
    ) + &if m.expected_lane != m.got_lane { format!("; on lane {}, expected lane {}", m.got_lane, m.expected_lane) } else { String::new() }
        + &match (m.expected_keep, m.got_keep) {
        (Some((ek, en)), Some((gk, gn))) => format!("; keep/kept expected {}/{en}, got {}/{gn}", ek as u8, gk as u8),
        _ => String::new(),
    }
}
