//! Bad input, one table (issue 10): every row runs the built binary on a bad data file, flag
//! or configuration written into a fresh temporary directory, and checks that it exits with
//! status 1, prints exactly one line on stderr starting with `error:` that names the file or
//! field (the row's `needle`), prints no panic text, creates no file and changes none of its
//! input files. Rows that already passed before issue 10 are kept so the table only grows.
//! Inputs that are valid but were once misread (Fortran-order .npy, `base = 2`, `-inf` in
//! CSV, a byte-order mark, `--output -`, an output that is a device) are checked at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], cwd: &Path) -> Output {
    run_env(args, cwd, &[])
}

fn run_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softmax-hw")).args(args).current_dir(cwd).env_remove("SOFTMAX_HW_DATA").envs(env.iter().copied()).output().unwrap()
}

/// An .npy file (format 1.0) written by hand: any dtype descriptor, order and shape, and raw
/// data bytes that need not match the header.
fn npy(descr: &str, fortran: bool, shape: &[u64], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let order = if fortran { "True" } else { "False" };
    npy_header(&format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}"), data)
}

/// An .npy file (format 1.0) with any header text, valid or not.
fn npy_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut h = header.to_string();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend((h.len() as u16).to_le_bytes());
    v.extend(h.as_bytes());
    v.extend(data);
    v
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn i32_bytes(v: &[i32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// float32 logits of `rows` rows of `cols` values in C order.
fn logits(cols: u64, v: &[f32]) -> Vec<u8> {
    npy("<f4", false, &[v.len() as u64 / cols, cols], &f32_bytes(v))
}

fn lengths(v: &[i32]) -> Vec<u8> {
    npy("<i4", false, &[v.len() as u64], &i32_bytes(v))
}

const NAN: f32 = f32::NAN;
const INF: f32 = f32::INFINITY;
const NINF: f32 = f32::NEG_INFINITY;

const GOOD_CFG: &str = "base = \"2\"\nmax_len = 1024\n[input]\nbits = 8\nfrac = 2\n[output]\nbits = 8\nfrac = 7\n";

struct Case {
    name: &'static str,
    /// files written into the temporary directory first (a name ending in `/` is a directory,
    /// contents made by [`symlink`] a symbolic link)
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    /// the error line must contain this (it names the file or the field)
    needle: &'static str,
    /// environment set for the run (paths relative to the temporary directory)
    env: Vec<(&'static str, &'static str)>,
}

fn case(name: &'static str, files: Vec<(&'static str, Vec<u8>)>, args: &[&'static str], needle: &'static str) -> Case {
    Case { name, files, args: args.to_vec(), needle, env: vec![] }
}

impl Case {
    fn env(mut self, key: &'static str, value: &'static str) -> Case {
        self.env.push((key, value));
        self
    }
}

/// File contents that stand for a symbolic link to `target`.
const LINK: &[u8] = b"\0symlink->";

fn symlink(name: &'static str, target: &str) -> (&'static str, Vec<u8>) {
    (name, [LINK, target.as_bytes()].concat())
}

/// A string argument made at run time (a long name, a long list).
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// A table.json of `sweep` with the description `sweep` (JSON text), no points.
fn table(sweep: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![("t.json", format!("{{\"sweep\": {sweep}, \"points\": []}}").into_bytes())]
}

const SWEEP_INFO: &str = r#"{"base": "", "vary": ["exp.segments=4,8"], "variants": 2, "target": "ecp5", "freq_mhz": 100.0, "rows": 300, "baseline": false}"#;

/// `accuracy --data x.npy` (plus `extra`) with the JSON and SVG outputs asked for.
fn acc(extra: &[&'static str]) -> Vec<&'static str> {
    let mut v = vec!["accuracy", "--data", "x.npy", "--json", "out.json", "--plot", "out.svg"];
    v.extend(extra);
    v
}

fn csv(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![("r.csv", text.as_bytes().to_vec())]
}

fn cfg(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![("bad.toml", text.as_bytes().to_vec())]
}

const GOLDEN: &[&str] = &["golden", "--input", "r.csv", "--output", "y.csv"];
const GENERATE: &[&str] = &["generate", "--config", "bad.toml", "--out", "gen"];

fn cases() -> Vec<Case> {
    let x = |b: Vec<u8>| vec![("x.npy", b)];
    let xl = |b: Vec<u8>, l: Vec<u8>| vec![("x.npy", b), ("l.npy", l)];
    let ok2x4 = || logits(4, &[0.0, 1.0, 2.0, 3.0, -1.0, 0.5, NINF, NINF]);
    let sparse = |s: &str| cfg(&format!("{GOOD_CFG}[sparse]\n{s}\n"));
    vec![
        // .npy logits
        case("npy NaN", x(logits(4, &[0.0, 1.0, 2.0, 3.0, 1.0, 2.0, NAN, 0.0])), &acc(&[]), "x.npy: [1, 2] = NaN: allowed a finite real or -inf"),
        case("npy +inf", x(logits(2, &[INF, 1.0])), &acc(&[]), "x.npy: [0, 0] = inf: allowed a finite real or -inf"),
        case("npy NaN inside --lengths", xl(logits(2, &[1.0, NAN]), lengths(&[2])), &acc(&["--lengths", "l.npy"]), "x.npy: [0, 1] = NaN"),
        case("npy shape (4, 0)", x(npy("<f4", false, &[4, 0], &[])), &acc(&[]), "x.npy: shape [4, 0]: allowed at least 1 row and 1 column"),
        case("npy shape (0, 4)", x(npy("<f4", false, &[0, 4], &[])), &acc(&[]), "x.npy: shape [0, 4]: allowed at least 1 row"),
        case("npy 1-D", x(npy("<f4", false, &[3], &f32_bytes(&[1.0, 2.0, 3.0]))), &acc(&[]), "x.npy: shape [3]: allowed a 2-D array"),
        case("npy 3-D", x(npy("<f4", false, &[1, 1, 2], &f32_bytes(&[1.0, 2.0]))), &acc(&[]), "x.npy: shape [1, 1, 2]: allowed a 2-D array"),
        case("npy float64", x(npy("<f8", false, &[1, 2], &[0; 16])), &acc(&[]), "x.npy: dtype '<f8': allowed float32"),
        case("npy int32 logits", x(npy("<i4", false, &[1, 2], &i32_bytes(&[1, 2]))), &acc(&[]), "x.npy: dtype '<i4': allowed float32"),
        case("npy truncated data", x(npy("<f4", false, &[2, 4], &f32_bytes(&[1.0; 5]))), &acc(&[]), "x.npy: shape [2, 4] needs 8 elements of float32 (32 bytes), the file holds 20 (truncated?)"),
        case("npy huge shape", x(npy("<f4", false, &[1 << 40, 1 << 20], &[])), &acc(&[]), "x.npy: shape [1099511627776, 1048576] needs"),
        case("npy garbage", x(b"not an npy file at all".to_vec()), &acc(&[]), "x.npy: not a readable .npy file"),
        case("npy empty file", x(vec![]), &acc(&[]), "x.npy: not a readable .npy file"),
        case("npy row of length 0", x(logits(2, &[1.0, 2.0, NINF, 0.0])), &acc(&[]), "x.npy: row 2 has length 0"),
        case("npy row over max_len", x(logits(1025, &[0.0; 1025])), &acc(&[]), "x.npy: row 1 has 1025 elements: allowed 1..=1024"),
        case("npy missing", vec![], &acc(&[]), "x.npy: No such file"),
        // --lengths
        case("lengths over the width", xl(ok2x4(), lengths(&[2, 9])), &acc(&["--lengths", "l.npy"]), "l.npy: [1] = 9: allowed 1..=4 (the row width of x.npy)"),
        case("lengths negative", xl(ok2x4(), lengths(&[-1, 2])), &acc(&["--lengths", "l.npy"]), "l.npy: [0] = -1: allowed 1..=4"),
        case("lengths zero", xl(ok2x4(), lengths(&[2, 0])), &acc(&["--lengths", "l.npy"]), "l.npy: [1] = 0: allowed 1..=4"),
        case("lengths count", xl(ok2x4(), lengths(&[2, 2, 2])), &acc(&["--lengths", "l.npy"]), "l.npy: shape [3]: allowed (2,), one length per row of x.npy"),
        case("lengths 2-D", xl(ok2x4(), npy("<i4", false, &[2, 1], &i32_bytes(&[2, 2]))), &acc(&["--lengths", "l.npy"]), "l.npy: shape [2, 1]: allowed (2,)"),
        case("lengths int64", xl(ok2x4(), npy("<i8", false, &[2], &[0; 16])), &acc(&["--lengths", "l.npy"]), "l.npy: dtype '<i8': allowed int32"),
        case("lengths with CSV data", vec![("r.csv", b"1,2\n".to_vec()), ("l.npy", lengths(&[2]))], &["accuracy", "--data", "r.csv", "--lengths", "l.npy", "--json", "out.json"], "`--lengths` = l.npy: allowed only with .npy data"),
        // --index
        case("index shape", vec![("x.npy", ok2x4()), ("i.npy", npy("<i4", false, &[2, 3], &i32_bytes(&[0; 6])))], &acc(&["--index", "i.npy"]), "i.npy: shape [2, 3]: allowed (rows, 4)"),
        case("index rows", vec![("x.npy", ok2x4()), ("i.npy", npy("<i4", false, &[3, 4], &i32_bytes(&[0; 12])))], &acc(&["--index", "i.npy"]), "i.npy: 3 index rows for 2 data rows"),
        case("index float", vec![("x.npy", ok2x4()), ("i.npy", npy("<f4", false, &[2, 4], &f32_bytes(&[0.0; 8])))], &acc(&["--index", "i.npy"]), "i.npy: dtype '<f4': allowed int32"),
        // a directory of sets
        case("dir with --lengths", vec![("d/", vec![]), ("d/s_logits.npy", ok2x4()), ("d/s_lengths.npy", lengths(&[4, 2])), ("l.npy", lengths(&[4, 2]))], &["accuracy", "--data", "d", "--lengths", "l.npy", "--json", "out.json"], "`--lengths` = l.npy: allowed only with a single --data file"),
        case("dir with --index", vec![("d/", vec![]), ("d/s_logits.npy", ok2x4()), ("d/s_lengths.npy", lengths(&[4, 2])), ("i.npy", vec![])], &["accuracy", "--data", "d", "--index", "i.npy", "--json", "out.json"], "`--index` = i.npy: allowed only with a single --data file"),
        case("dir with --plot", vec![("d/", vec![]), ("d/s_logits.npy", ok2x4()), ("d/s_lengths.npy", lengths(&[4, 2]))], &["accuracy", "--data", "d", "--plot", "out.svg"], "`--plot` = out.svg: allowed only with a single --data file"),
        case("dir without sets", vec![("d/", vec![])], &["accuracy", "--data", "d", "--json", "out.json"], "`--data` = d: a directory holding <prefix>_logits.npy files"),
        case("dir set with NaN", vec![("d/", vec![]), ("d/s_logits.npy", logits(2, &[NAN, 1.0])), ("d/s_lengths.npy", lengths(&[2]))], &["accuracy", "--data", "d", "--json", "out.json"], "s_logits.npy: [0, 0] = NaN"),
        case("dir set without lengths", vec![("d/", vec![]), ("d/s_logits.npy", ok2x4())], &["accuracy", "--data", "d", "--json", "out.json"], "s_lengths.npy: No such file"),
        case("data .txt", vec![("x.txt", b"1,2\n".to_vec())], &["accuracy", "--data", "x.txt", "--json", "out.json"], "`--data` = x.txt: allowed a .npy"),
        // CSV rows (golden, accuracy, cosim)
        case("csv inf", csv("1,2\n3,inf\n"), GOLDEN, "r.csv:2: field 2 = \"inf\": allowed a finite decimal real (|x| < 1.8e308), or -inf"),
        case("csv +inf", csv("+inf\n"), GOLDEN, "r.csv:1: field 1 = \"+inf\": allowed a finite decimal real"),
        case("csv 1e400", csv("0, 1e400\n"), GOLDEN, "r.csv:1: field 2 = \"1e400\": allowed"),
        case("csv -1e400", csv("-1e400,0\n"), GOLDEN, "r.csv:1: field 1 = \"-1e400\": allowed"),
        case("csv NaN", csv("# rows\n1,NaN\n"), GOLDEN, "r.csv:2: field 2 = \"NaN\": allowed"),
        case("csv nan", csv("nan\n"), GOLDEN, "r.csv:1: field 1 = \"nan\": allowed"),
        case("csv empty field", csv("1,,2\n"), GOLDEN, "r.csv:1: field 2 = \"\": allowed"),
        case("csv text", csv("1,2\n3,x,4\n"), GOLDEN, "r.csv:2: field 2 = \"x\": allowed"),
        case("csv empty file", csv(""), GOLDEN, "r.csv: no rows"),
        case("csv only comments", csv("# nothing\n\n"), GOLDEN, "r.csv: no rows"),
        case("csv row over max_len", csv(&format!("1\n{}\n", vec!["0"; 1025].join(","))), GOLDEN, "r.csv: row 2 has 1025 elements: allowed 1..=1024"),
        case("csv missing", vec![], GOLDEN, "r.csv: No such file"),
        case("accuracy csv inf", csv("1,inf\n"), &["accuracy", "--data", "r.csv", "--json", "out.json"], "r.csv:1: field 2 = \"inf\""),
        case("cosim csv NaN", csv("1,NaN\n"), &["cosim", "--input", "r.csv"], "r.csv:1: field 2 = \"NaN\""),
        // configuration fields
        case("config base = 3", cfg(&GOOD_CFG.replace("base = \"2\"", "base = 3")), GENERATE, "bad.toml:1: `base`: invalid value: integer `3`, expected \"2\" (or 2) or \"e\""),
        case("config base = \"10\"", cfg(&GOOD_CFG.replace("base = \"2\"", "base = \"10\"")), GENERATE, "bad.toml:1: `base`: unknown variant `10`, expected `2` or `e`"),
        case("config log2e = 1", cfg(&GOOD_CFG.replace("base = \"2\"", "base = \"e\"\nlog2e = 1")), GENERATE, "bad.toml:2: `log2e` = 1: allowed \"upstream\" or \"multiplier\""),
        case("config exp.method = 3", cfg(&format!("{GOOD_CFG}[exp]\nmethod = 3\n")), GENERATE, "bad.toml:10: `exp.method` = 3: allowed \"lut\" or \"lpw\""),
        case("config recip.method", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"cordic\"\n")), GENERATE, "`recip.method`: unknown variant `cordic`, expected one of `lut`, `lpw`, `newton`, `log`"),
        case("config sparse.mode = 1", sparse("mode = 1"), GENERATE, "bad.toml:10: `sparse.mode` = 1: allowed one of \"threshold\", \"stat_topk\", \"topk\""),
        case("config sparse.renorm", sparse("mode = \"topk\"\nk = 8\nrenorm = \"some\""), GENERATE, "`sparse.renorm`: unknown variant `some`"),
        case("config max_len string", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = \"long\"")), GENERATE, "bad.toml:2: `max_len`: invalid type: string \"long\", expected u32"),
        case("config max_len 0", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 0")), GENERATE, "config: `max_len` = 0: allowed 1..=65536"),
        case("config lanes 3", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = 3")), GENERATE, "config: `lanes` = 3: allowed a power of two in 1..=32"),
        case("config lanes 64", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = 64")), GENERATE, "config: `lanes` = 64: allowed a power of two in 1..=32"),
        case("config lanes 0", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = 0")), GENERATE, "config: `lanes` = 0: allowed a power of two in 1..=32"),
        case("config lanes not dividing max_len", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1000\nlanes = 16")), GENERATE, "config: `lanes` = 16: allowed a divisor of max_len = 1000"),
        case("config lanes = max_len", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 16\nlanes = 16")), GENERATE, "config: `lanes` = 16: allowed at most max_len / 2 = 8 lanes"),
        case("config lanes string", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = \"4\"")), GENERATE, "bad.toml:3: `lanes`: invalid type: string \"4\", expected u32"),
        case("config lanes with survivors", cfg(&format!("{}[sparse]\nmode = \"threshold\"\ntheta = 4.0\nrenorm = \"survivors\"\n", GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = 4"))), GENERATE, "config: `lanes` = 4: allowed only 1 with renorm = \"survivors\""),
        case("config lanes 8 with topk", cfg(&format!("{}[sparse]\nmode = \"topk\"\nk = 8\n", GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nlanes = 8"))), GENERATE, "config: `lanes` = 8: allowed at most 4 with mode = \"topk\""),
        case("config max_len twice", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\nmax_len = 64")), GENERATE, "duplicate key `max_len`"),
        case("config prefix = 3", cfg(&format!("prefix = 3\n{GOOD_CFG}")), GENERATE, "bad.toml:1: `prefix`: invalid type: integer `3`, expected a string"),
        case("config input.bits = 20", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 2", "bits = 20\nfrac = 2")), GENERATE, "config: `input.bits` = 20: allowed 4..=16"),
        case("config input.bits = -8", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 2", "bits = -8\nfrac = 2")), GENERATE, "bad.toml:4: `input.bits`: invalid value: integer `-8`, expected u32"),
        case("config output.frac", cfg(&GOOD_CFG.replace("frac = 7", "frac = 3")), GENERATE, "config: `output.frac` = 3: allowed 7 (1.0 representable) or 8"),
        case("config unknown field", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024\ncolour = 3")), GENERATE, "bad.toml:3: unknown field `colour`"),
        case("config missing output", cfg("[input]\nbits = 8\nfrac = 2\n"), GENERATE, "missing field `output`"),
        case("config not TOML", cfg("base = = 2\n"), GENERATE, "bad.toml:1:"),
        case("config sparse.k = 0", sparse("mode = \"topk\"\nk = 0"), GENERATE, "config: `sparse.k` = 0: allowed 1..=256"),
        case("config sparse.k string", sparse("mode = \"topk\"\nk = \"x\""), GENERATE, "bad.toml:11: `sparse.k`: invalid type: string \"x\", expected u32"),
        case("config sparse.theta", sparse("mode = \"threshold\"\ntheta = -0.5"), GENERATE, "config: `sparse.theta` = -0.5"),
        case("config sparse.theta nan", sparse("mode = \"threshold\"\ntheta = nan"), GENERATE, "config: `sparse.theta` = NaN: allowed 0 <= theta"),
        case("config sparse.theta inf", sparse("mode = \"threshold\"\ntheta = inf"), GENERATE, "config: `sparse.theta` = inf: allowed 0 <= theta"),
        case("config missing file", vec![], GENERATE, "bad.toml: No such file"),
        case("accuracy config", cfg(&GOOD_CFG.replace("base = \"2\"", "base = 3")), &["accuracy", "--config", "bad.toml", "--data", "x.npy", "--json", "out.json"], "`base`"),
        // flags
        case("cosim --stall", vec![], &["cosim", "--stall", "1.5"], "`--stall` = 1.5: allowed 0 <= P < 1"),
        case("cosim --stall nan", vec![], &["cosim", "--stall", "nan"], "`--stall` = NaN: allowed 0 <= P < 1"),
        case("cosim --rows 0", vec![], &["cosim", "--rows", "0"], "`--rows` = 0: allowed 1 or more"),
        case("golden --report dense", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "y.csv", "--report", "rep.csv"], "`--report` = rep.csv: allowed only with a [sparse] configuration"),
        case("synth --target", vec![], &["synth", "--target", "asic", "--json", "s.json"], "`--target` = asic"),
        case("synth --device", vec![], &["synth", "--target", "ecp5", "--device", "99k", "--json", "s.json"], "invalid value '99k' for '--device <DEVICE>'; [possible values: 25k, 45k, 85k]"),
        case("synth --freq", vec![], &["synth", "--target", "ice40", "--freq", "0", "--json", "s.json", "--workdir", "w"], "`--freq` = 0: allowed a positive number of MHz"),
        case("sweep --vary", vec![], &["sweep", "--vary", "exp.segments", "--out", "sw"], "`--vary` = exp.segments"),
        case("sweep --shard", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "2/2", "--out", "sw"], "`--shard` = 2/2"),
        case("merge bad json", vec![("t.json", b"{}".to_vec())], &["merge", "--out", "m", "t.json"], "t.json:"),
        // flags of issue 10: ranges, and outputs checked before any work (no Yosys, no Verilator run)
        case("synth --freq 1e12", vec![], &["synth", "--target", "ice40", "--freq", "1e12", "--json", "s.json", "--workdir", "w"], "`--freq` = 1000000000000: allowed a positive number of MHz, at most 2000"),
        case("synth --freq -5", vec![], &["synth", "--target", "ice40", "--freq", "-5", "--workdir", "w"], "`--freq` = -5: allowed a positive number of MHz"),
        case("synth --json missing dir", vec![], &["synth", "--target", "ice40", "--json", "nodir/s.json", "--workdir", "w"], "`--json` = nodir/s.json: allowed a file in an existing directory; nodir does not exist"),
        case("synth --json a directory", vec![("d/", vec![])], &["synth", "--target", "ice40", "--json", "d", "--workdir", "w"], "`--json` = d: allowed a file; this is a directory"),
        case("synth --workdir a file", vec![("f", vec![])], &["synth", "--target", "ice40", "--workdir", "f/w"], "`--workdir` = f/w: allowed a directory that can be created; f is a file"),
        case("sweep --freq 1e12", vec![], &["sweep", "--vary", "exp.segments=8", "--freq", "1e12", "--out", "sw"], "`--freq` = 1000000000000: allowed a positive number of MHz, at most 2000"),
        case("cosim --vcd-dir a file", vec![("f", vec![])], &["cosim", "--vcd-dir", "f"], "`--vcd-dir` = f: allowed a directory; this is a file"),
        case("cosim --stall -0.1", vec![], &["cosim", "--stall", "-0.1"], "`--stall` = -0.1: allowed 0 <= P < 1"),
        case("cosim --stall 1", vec![], &["cosim", "--stall", "1"], "`--stall` = 1: allowed 0 <= P < 1"),
        case("cosim --stall abc", vec![], &["cosim", "--stall", "abc"], "invalid value 'abc' for '--stall <STALL>'"),
        case("cosim unknown flag", vec![], &["cosim", "--colour", "red"], "unexpected argument '--colour'"),
        case("cosim --json missing dir", vec![], &["cosim", "--json", "nodir/c.json"], "`--json` = nodir/c.json: allowed a file in an existing directory"),
        case("cosim --report missing dir", vec![], &["cosim", "--report", "nodir/r.csv"], "`--report` = nodir/r.csv: allowed a file in an existing directory"),
        case("bench --json missing dir", vec![], &["bench", "--json", "nodir/b.json"], "`--json` = nodir/b.json: allowed a file in an existing directory"),
        case("bench --rows 0", vec![], &["bench", "--rows", "0"], "`--rows` = 0: allowed 1 or more"),
        case("widths --json missing dir", vec![], &["widths", "--json", "nodir/w.json"], "`--json` = nodir/w.json: allowed a file in an existing directory"),
        case("accuracy --json missing dir", x(ok2x4()), &["accuracy", "--data", "x.npy", "--json", "nodir/a.json"], "`--json` = nodir/a.json: allowed a file in an existing directory"),
        case("accuracy --plot a directory", vec![("x.npy", ok2x4()), ("d/", vec![])], &["accuracy", "--data", "x.npy", "--plot", "d"], "`--plot` = d: allowed a file; this is a directory"),
        case("golden --output missing dir", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "nodir/y.csv"], "`--output` = nodir/y.csv: allowed a file in an existing directory"),
        case("golden --keep dense", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "y.csv", "--keep", "k.csv"], "`--keep` = k.csv: allowed only with a [sparse] configuration"),
        case("generate --out a file", vec![("f", vec![])], &["generate", "--out", "f"], "`--out` = f: allowed a directory; this is a file"),
        case("fuzz --out a file", vec![("f", vec![])], &["fuzz", "--configs", "1", "--out", "f"], "`--out` = f: allowed a directory; this is a file"),
        // issue 10, second pass (a hostile user): every row below failed before its fix, or
        // covers a class of input not in the table yet. Findings first.
        // .npy: a header npyz cannot parse was several lines; a shape whose product passes 2^64 panicked
        case("npy header syntax", x(npy_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1, 2), }", &f32_bytes(&[1.0, 2.0]))), &acc(&[]), "x.npy: not a readable .npy file (could not parse Python expression"),
        case("npy shape product past 2^64", x(npy("<f4", false, &[1 << 62, 4], &[])), &acc(&[]), "x.npy: shape [4611686018427387904, 4] needs more than 2^64 bytes of float32"),
        case("npy shape (2^64-1, 2)", x(npy("<f4", false, &[u64::MAX, 2], &[])), &acc(&[]), "x.npy: shape [18446744073709551615, 2] needs more than 2^64 bytes"),
        case("lengths shape past 2^64", xl(ok2x4(), npy("<i4", false, &[1 << 62], &[])), &acc(&["--lengths", "l.npy"]), "l.npy: shape [4611686018427387904] needs more than 2^64 bytes of int32"),
        // row counts that ran out of memory (an abort with a backtrace)
        case("cosim --rows 1e12", vec![], &["cosim", "--rows", "1000000000000"], "`--rows` = 1000000000000: allowed 1..=1818819 at max_len = 1024"),
        case("bench --rows 1e12", vec![], &["bench", "--rows", "1000000000000"], "`--rows` = 1000000000000: allowed 1..=1818819 at max_len = 1024"),
        case("generate --testbench 1e12", vec![], &["generate", "--testbench", "1000000000000", "--out", "gen"], "`--testbench` = 1000000000000: allowed 1..=1818819"),
        case("fuzz --rows at max-len 65536", vec![], &["fuzz", "--rows", "10000000", "--max-len", "65536", "--out", "fz"], "`--rows` = 10000000: allowed 1..=45426 at max_len = 65536"),
        case("sweep --rows 1e7", vec![], &["sweep", "--vary", "exp.segments=8", "--rows", "10000000", "--out", "sw"], "`--rows` = 10000000: allowed 1..="),
        case("fuzz --configs 1e7", vec![], &["fuzz", "--configs", "10000000", "--out", "fz"], "`--configs` = 10000000: allowed 1..=1000000"),
        // seeds past 2^64 - 1 wrapped: nothing ran, exit 0
        case("fuzz seeds past 2^64", vec![], &["fuzz", "--seed", "18446744073709551615", "--configs", "2", "--out", "fz"], "`--configs` = 2: allowed 1..=1 with --seed 18446744073709551615"),
        // negative numbers: "unexpected argument '-1' found" named no flag
        case("cosim --rows -1", vec![], &["cosim", "--rows", "-1"], "invalid value '-1' for '--rows <ROWS>'"),
        case("cosim --seed -1", vec![], &["cosim", "--seed", "-1"], "invalid value '-1' for '--seed <SEED>'"),
        case("generate --testbench -1", vec![], &["generate", "--testbench", "-1", "--out", "gen"], "invalid value '-1' for '--testbench <N>'"),
        case("generate --stall -0.5", vec![], &["generate", "--testbench", "2", "--stall", "-0.5", "--out", "gen"], "`--stall` = -0.5: allowed 0 <= P < 1"),
        case("fuzz --configs -1", vec![], &["fuzz", "--configs", "-1", "--out", "fz"], "invalid value '-1' for '--configs <CONFIGS>'"),
        case("synth --seed -1", vec![], &["synth", "--seed", "-1", "--workdir", "w"], "invalid value '-1' for '--seed <SEED>'"),
        case("synth --freq -inf", vec![], &["synth", "--freq", "-inf", "--workdir", "w"], "`--freq` = -inf: allowed a positive number of MHz"),
        case("cosim --stall -inf", vec![], &["cosim", "--stall", "-inf"], "`--stall` = -inf: allowed 0 <= P < 1"),
        case("sweep --shard -1/2", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "-1/2", "--out", "sw"], "`--shard` = -1/2: allowed i/n with 0 <= i < n"),
        // --rows was ignored with --input
        case("cosim --rows with --input", csv("1,2\n"), &["cosim", "--input", "r.csv", "--rows", "0"], "'--input <INPUT>' cannot be used with '--rows <ROWS>'"),
        // stalls that never end (1/(1 - P) cycles a move; the testbench rounded P to always)
        case("cosim --stall 0.9999", vec![], &["cosim", "--stall", "0.9999"], "`--stall` = 0.9999: allowed 0 <= P < 1, at most 0.999"),
        case("generate --stall 0.9996", vec![], &["generate", "--testbench", "2", "--stall", "0.9996", "--out", "gen"], "`--stall` = 0.9996: allowed 0 <= P < 1, at most 0.999"),
        case("fuzz --stall 0.99999", vec![], &["fuzz", "--stall", "0.99999", "--out", "fz"], "`--stall` = 0.99999: allowed 0 <= P < 1, at most 0.999"),
        // --freq: 1e-300 was accepted and printed with 300 digits
        case("synth --freq 1e-300", vec![], &["synth", "--freq", "1e-300", "--workdir", "w"], "`--freq` = 1e-300: allowed a positive number of MHz, at most 2000 and at least 1"),
        case("sweep --freq 0.5", vec![], &["sweep", "--vary", "exp.segments=8", "--freq", "0.5", "--out", "sw"], "`--freq` = 0.5: allowed a positive number of MHz, at most 2000 and at least 1"),
        // output paths that failed only after the work, made a file named `-`, or lost a file
        case("golden --output y.csv/", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "y.csv/"], "`--output` = y.csv/: allowed a file name; this ends in a directory"),
        case("synth --json s.json/", vec![], &["synth", "--target", "ice40", "--json", "s.json/", "--workdir", "w"], "`--json` = s.json/: allowed a file name"),
        case("accuracy --plot p.svg/.", x(ok2x4()), &["accuracy", "--data", "x.npy", "--plot", "p.svg/."], "`--plot` = p.svg/.: allowed a file name"),
        case("widths --json w.json/", vec![], &["widths", "--json", "w.json/"], "`--json` = w.json/: allowed a file name"),
        case("golden --report -", cfg(&format!("{GOOD_CFG}[sparse]\nmode = \"topk\"\nk = 2\n")).into_iter().chain(csv("1,2\n")).collect(), &["golden", "--config", "bad.toml", "--input", "r.csv", "--report", "-"], "`--report` = -: allowed a file name (this flag cannot write to standard output"),
        case("accuracy --json -", x(ok2x4()), &["accuracy", "--data", "x.npy", "--json", "-"], "`--json` = -: allowed a file name"),
        case("synth --json -", vec![], &["synth", "--target", "ice40", "--json", "-", "--workdir", "w"], "`--json` = -: allowed a file name"),
        case("accuracy --json = --plot", x(ok2x4()), &["accuracy", "--data", "x.npy", "--json", "a.json", "--plot", "./a.json"], "`--plot` = ./a.json: allowed a file other than the --json file"),
        case("golden --keep = --output", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "y.csv", "--keep", "y.csv"], "`--keep` = y.csv: allowed a file other than the --output file"),
        case("cosim --json = --report", vec![], &["cosim", "--report", "c.json", "--json", "c.json"], "`--json` = c.json: allowed a file other than the --report file"),
        case("accuracy --json over --data", x(ok2x4()), &["accuracy", "--data", "x.npy", "--json", "x.npy"], "`--json` = x.npy: allowed a file other than the --data file x.npy (it would be overwritten)"),
        case("accuracy --plot over --lengths", xl(ok2x4(), lengths(&[4, 2])), &["accuracy", "--data", "x.npy", "--lengths", "l.npy", "--plot", "l.npy"], "`--plot` = l.npy: allowed a file other than the --lengths file"),
        case("golden --output over --input", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "r.csv"], "`--output` = r.csv: allowed a file other than the --input file"),
        case("widths --json over --config", cfg(GOOD_CFG), &["widths", "--config", "bad.toml", "--json", "bad.toml"], "`--json` = bad.toml: allowed a file other than the --config file"),
        case("accuracy dir --json over a set", vec![("d/", vec![]), ("d/s_logits.npy", ok2x4()), ("d/s_lengths.npy", lengths(&[4, 2]))], &["accuracy", "--data", "d", "--json", "d/s_logits.npy"], "`--json` = d/s_logits.npy: allowed a file other than the --data file"),
        case("golden --output a symlink loop", vec![symlink("l1", "l2"), symlink("l2", "l1"), ("r.csv", b"1,2\n".to_vec())], &["golden", "--input", "r.csv", "--output", "l1"], "`--output` = l1: allowed a file; this is a symbolic link that cannot be followed"),
        case("golden --output name > 255 bytes", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", leak("y".repeat(300))], "allowed names of at most 255 bytes"),
        case("cosim --vcd-dir name > 255 bytes", vec![], &["cosim", "--vcd-dir", leak(format!("{}/v", "d".repeat(256)))], "allowed names of at most 255 bytes"),
        case("generate --out name > 255 bytes", vec![], &["generate", "--out", leak("g".repeat(256))], "`--out` = gggg"),
        // configuration: [[table]] and missing fields did not name the table; long reals
        case("config [[sparse]]", cfg(&format!("{GOOD_CFG}[[sparse]]\nmode = \"topk\"\nk = 4\n")), GENERATE, "bad.toml:9: `sparse`: [[sparse]] is an array of tables; allowed one table [sparse]"),
        case("config [[exp]]", cfg(&format!("{GOOD_CFG}[[exp]]\nmethod = \"lpw\"\n")), GENERATE, "bad.toml:9: `exp`: [[exp]] is an array of tables"),
        case("config [sparse] empty", cfg(&format!("{GOOD_CFG}[sparse]\n")), GENERATE, "bad.toml:9: `sparse`: missing field `mode`"),
        case("config inline input without frac", cfg("input = { bits = 8 }\n[output]\nbits = 8\nfrac = 7\n"), GENERATE, "bad.toml:1: `input`: missing field `frac`"),
        case("config sparse.theta 1e300", sparse("mode = \"threshold\"\ntheta = 1e300"), GENERATE, "config: `sparse.theta` = 1e300: allowed 0 <= theta <= 63.75"),
        case("config exp.segments default too many", cfg(&format!("{GOOD_CFG}[exp]\nmethod = \"lpw\"\n")), GENERATE, "config: `exp.segments` = 8 (the default): allowed a power of two in 2..=2 (2^(internal.t_frac - 1) with t_frac = 2)"),
        // sweep: an empty shard and an endless product ran; a missing data directory measured nothing
        case("sweep --shard selects nothing", vec![], &["sweep", "--vary", "exp.segments=4,8", "--shard", "7/8", "--out", "sw"], "`--shard` = 7/8: selects no variant: the sweep has 2"),
        case("sweep 10100 variants", vec![], &["sweep", "--vary", leak(format!("max_len={}", (1..=101).map(|i| i.to_string()).collect::<Vec<_>>().join(","))), "--vary", leak(format!("prefix={}", (0..100).map(|i| format!("p{i}")).collect::<Vec<_>>().join(","))), "--out", "sw"], "101 x 100 = 10100 variants; allowed at most 10000"),
        case("sweep $SOFTMAX_HW_DATA missing", vec![], &["sweep", "--vary", "exp.segments=4,8", "--out", "sw"], "`$SOFTMAX_HW_DATA` = nodata: allowed a directory of <prefix>_logits.npy").env("SOFTMAX_HW_DATA", "nodata"),
        case("sweep $SOFTMAX_HW_DATA empty", vec![("e/", vec![])], &["sweep", "--vary", "exp.segments=4,8", "--out", "sw"], "`$SOFTMAX_HW_DATA` = e: allowed a directory").env("SOFTMAX_HW_DATA", "e"),
        case("sweep $SOFTMAX_HW_DATA bad set", vec![("e/", vec![]), ("e/s_logits.npy", logits(2, &[NAN, 1.0])), ("e/s_lengths.npy", lengths(&[2]))], &["sweep", "--vary", "exp.segments=4,8", "--out", "sw"], "e/s_logits.npy: [0, 0] = NaN").env("SOFTMAX_HW_DATA", "e"),
        // merge: a hand-edited description (variants = 2^64 - 1 hung listing the missing variants)
        case("merge variants 2^64-1", table(&SWEEP_INFO.replace("\"variants\": 2", "\"variants\": 18446744073709551615")), &["merge", "--out", "m", "t.json"], "t.json: `sweep.variants` = 18446744073709551615: allowed 1..=10000"),
        case("merge variants 0", table(&SWEEP_INFO.replace("\"variants\": 2", "\"variants\": 0")), &["merge", "--out", "m", "t.json"], "t.json: `sweep.variants` = 0: allowed 1..=10000"),
        case("merge target", table(&SWEEP_INFO.replace("ecp5", "asic")), &["merge", "--out", "m", "t.json"], "t.json: `sweep.target` = \"asic\": allowed ice40, ecp5, xc7 or generic"),
        case("merge freq", table(&SWEEP_INFO.replace("100.0", "-1")), &["merge", "--out", "m", "t.json"], "t.json: `sweep.freq_mhz` = -1: allowed a positive number of MHz"),
        case("merge rows 0", table(&SWEEP_INFO.replace("\"rows\": 300", "\"rows\": 0")), &["merge", "--out", "m", "t.json"], "t.json: `sweep.rows` = 0: allowed 1..="),
        // classes not in the table before, refused correctly already: configuration files
        case("config empty file", cfg(""), GENERATE, "bad.toml:1: missing field `input`"),
        case("config binary", cfg("\u{0}\u{1}"), GENERATE, "bad.toml:"),
        case("config not UTF-8", vec![("bad.toml", vec![0xff, 0xfe, 0x00])], GENERATE, "bad.toml: stream did not contain valid UTF-8"),
        case("config a directory", vec![("bad.toml/", vec![])], GENERATE, "bad.toml: Is a directory"),
        case("config max_len 1e20", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 99999999999999999999")), GENERATE, "bad.toml:2: `max_len`: number too large"),
        case("config max_len -1", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = -1")), GENERATE, "bad.toml:2: `max_len`: invalid value: integer `-1`, expected u32"),
        case("config max_len 65537", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 65537")), GENERATE, "config: `max_len` = 65537: allowed 1..=65536"),
        case("config max_len 1024.0", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 1024.0")), GENERATE, "bad.toml:2: `max_len`: invalid type: floating point `1024.0`, expected u32"),
        case("config max_len inf", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = inf")), GENERATE, "bad.toml:2: `max_len`: invalid type: floating point `inf`"),
        case("config max_len array", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = []")), GENERATE, "bad.toml:2: `max_len`: invalid type: sequence"),
        case("config input.frac > bits", cfg(&GOOD_CFG.replace("frac = 2", "frac = 9")), GENERATE, "config: `input.frac` = 9: allowed 0..=7"),
        case("config input.frac 2.5", cfg(&GOOD_CFG.replace("frac = 2", "frac = 2.5")), GENERATE, "bad.toml:5: `input.frac`: invalid type: floating point `2.5`"),
        case("config input.bits 0", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 2", "bits = 0\nfrac = 2")), GENERATE, "config: `input.bits` = 0: allowed 4..=16"),
        case("config input.bits 65", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 2", "bits = 65\nfrac = 2")), GENERATE, "config: `input.bits` = 65: allowed 4..=16"),
        case("config output.bits 64", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 7", "bits = 64\nfrac = 63")), GENERATE, "config: `output.bits` = 64: allowed 4..=16"),
        case("config output.frac 2^32-1", cfg(&GOOD_CFG.replace("frac = 7", "frac = 4294967295")), GENERATE, "config: `output.frac` = 4294967295: allowed 7"),
        case("config input.bits string", cfg(&GOOD_CFG.replace("bits = 8\nfrac = 2", "bits = \"8\"\nfrac = 2")), GENERATE, "bad.toml:4: `input.bits`: invalid type: string \"8\", expected u32"),
        case("config input = 5", cfg("input = 5\n[output]\nbits = 8\nfrac = 7\n"), GENERATE, "bad.toml:1: `input`: invalid type: integer `5`"),
        case("config [input] twice", cfg(&format!("{GOOD_CFG}[input]\nbits = 8\n")), GENERATE, "duplicate key `input`"),
        case("config unknown section", cfg(&format!("{GOOD_CFG}[foo]\nx = 1\n")), GENERATE, "bad.toml:9: unknown field `foo`"),
        case("config unknown sub-table", cfg(&format!("{GOOD_CFG}[input.extra]\nx = 1\n")), GENERATE, "unknown field `extra`, expected `bits` or `frac`"),
        case("config base = 2.0", cfg(&GOOD_CFG.replace("base = \"2\"", "base = 2.0")), GENERATE, "bad.toml:1: `base`: invalid type: floating point `2.0`"),
        case("config base = \"E\"", cfg(&GOOD_CFG.replace("base = \"2\"", "base = \"E\"")), GENERATE, "bad.toml:1: `base`: unknown variant `E`"),
        case("config base e without log2e", cfg(&GOOD_CFG.replace("base = \"2\"", "base = \"e\"")), GENERATE, "config: `log2e` = (missing): required with base = \"e\""),
        case("config log2e with base 2", cfg(&GOOD_CFG.replace("base = \"2\"", "base = \"2\"\nlog2e = \"upstream\"")), GENERATE, "config: `log2e` = upstream: allowed only with base = \"e\""),
        case("config prefix uppercase", cfg(&format!("prefix = \"Top\"\n{GOOD_CFG}")), GENERATE, "config: `prefix` = \"Top\": allowed 1-16 characters of [a-z0-9_]"),
        case("config prefix empty", cfg(&format!("prefix = \"\"\n{GOOD_CFG}")), GENERATE, "config: `prefix` = \"\": allowed"),
        case("config exp.segments with lut", cfg(&format!("{GOOD_CFG}[exp]\nsegments = 8\n")), GENERATE, "config: `exp.segments` = 8: allowed only with exp.method = \"lpw\""),
        case("config exp.segments 2^32", cfg(&format!("{GOOD_CFG}[exp]\nmethod = \"lpw\"\nsegments = 4294967296\n")), GENERATE, "bad.toml:11: `exp.segments`: invalid value: integer `4294967296`, expected u32"),
        case("config recip.segments 3", cfg(&format!("{GOOD_CFG}[recip]\nsegments = 3\n")), GENERATE, "config: `recip.segments` = 3: allowed a power of two in 2..=256"),
        case("config recip.segments 512", cfg(&format!("{GOOD_CFG}[recip]\nsegments = 512\n")), GENERATE, "config: `recip.segments` = 512: allowed a power of two in 2..=256"),
        case("config recip.index_bits with lpw", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"lpw\"\nindex_bits = 8\n")), GENERATE, "config: `recip.index_bits` = 8: allowed only with recip.method = \"lut\""),
        case("config log with a 16-bit fraction", cfg("base = \"2\"\n[input]\nbits = 8\nfrac = 2\n[output]\nbits = 16\nfrac = 16\n[recip]\nmethod = \"log\"\n"), GENERATE, "config: `recip.method` = \"log\": allowed only with output.frac <= 14 (it needs internal.t_frac >= output.frac + 2, at most 16); output.frac = 16"),
        case("config t_frac too low with log", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"log\"\n[internal]\nt_frac = 4\n")), GENERATE, "config: `internal.t_frac` = 4: allowed 9..=16 with recip.method = \"log\" (at least output.frac + 2 = 9)"),
        case("config exp_frac too low with log", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"log\"\n[internal]\nexp_frac = 8\n")), GENERATE, "config: `internal.exp_frac` = 8: allowed 9..=24 with recip.method = \"log\""),
        case("config recip_frac with log", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"log\"\n[internal]\nrecip_frac = 12\n")), GENERATE, "config: `internal.recip_frac` = 12: allowed only 9 (= internal.t_frac) with recip.method = \"log\""),
        case("config recip.index_bits 13", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"lut\"\nindex_bits = 13\n")), GENERATE, "config: `recip.index_bits` = 13: allowed 2..=12"),
        case("config internal.t_frac 13 with lut", cfg(&format!("{GOOD_CFG}[internal]\nt_frac = 13\n")), GENERATE, "config: `internal.t_frac` = 13: allowed 2..=12 with exp.method = \"lut\""),
        case("config internal.sum_frac 2^32-1", cfg(&format!("{GOOD_CFG}[internal]\nsum_frac = 4294967295\n")), GENERATE, "config: `internal.sum_frac` = 4294967295: allowed"),
        case("config sparse.k with threshold", sparse("mode = \"threshold\"\ntheta = 1.0\nk = 4"), GENERATE, "config: `sparse.k` = 4: allowed only with sparse.mode = \"stat_topk\" or \"topk\""),
        case("config sparse.k_max with topk", sparse("mode = \"topk\"\nk = 4\nk_max = 8"), GENERATE, "config: `sparse.k_max` = 8: not used with sparse.mode = \"topk\""),
        case("config sparse.k_max 0", sparse("mode = \"threshold\"\ntheta = 1.0\nk_max = 0"), GENERATE, "config: `sparse.k_max` = 0: allowed 1..=1024"),
        case("config sparse.k_max over max_len", sparse("mode = \"stat_topk\"\nk = 8\nk_max = 1025"), GENERATE, "config: `sparse.k_max` = 1025: allowed 8..=1024"),
        case("config sparse.theta -inf", sparse("mode = \"threshold\"\ntheta = -inf"), GENERATE, "config: `sparse.theta` = -inf: allowed 0 <= theta"),
        case("config sparse.theta string", sparse("mode = \"threshold\"\ntheta = \"1\""), GENERATE, "bad.toml:11: `sparse.theta`: invalid type: string \"1\", expected f64"),
        case("config sparse.k 257 topk", cfg(&format!("{}[sparse]\nmode = \"topk\"\nk = 257\n", GOOD_CFG.replace("max_len = 1024", "max_len = 4096"))), GENERATE, "config: `sparse.k` = 257: allowed 1..=256 (topk holds at most 256)"),
        case("config sparse.k -1", sparse("mode = \"topk\"\nk = -1"), GENERATE, "bad.toml:11: `sparse.k`: invalid value: integer `-1`, expected u32"),
        case("config sparse.mode TOPK", sparse("mode = \"TOPK\"\nk = 4"), GENERATE, "bad.toml:10: `sparse.mode`: unknown variant `TOPK`"),
        case("config sparse unknown key", sparse("mode = \"topk\"\nk = 4\nfoo = 1"), GENERATE, "bad.toml:12: unknown field `foo`"),
        // CSV
        case("csv blank lines only", csv("\n\n  \n"), GOLDEN, "r.csv: no rows"),
        case("csv single comma", csv(",\n"), GOLDEN, "r.csv:1: field 1 = \"\": allowed"),
        case("csv trailing comma", csv("1,2,\n"), GOLDEN, "r.csv:1: field 3 = \"\": allowed"),
        case("csv not UTF-8", vec![("r.csv", vec![b'1', b',', 0xff, 0xfe, b'\n'])], GOLDEN, "r.csv: stream did not contain valid UTF-8"),
        case("csv -nan", csv("-nan\n"), GOLDEN, "r.csv:1: field 1 = \"-nan\": allowed"),
        case("csv Infinity", csv("1\nInfinity\n"), GOLDEN, "r.csv:2: field 1 = \"Infinity\": allowed"),
        case("csv tab-separated", csv("1\t2\n"), GOLDEN, "r.csv:1: field 1 = \"1\\t2\": allowed"),
        case("csv semicolons", csv("1;2\n"), GOLDEN, "r.csv:1: field 1 = \"1;2\": allowed"),
        case("csv quoted", csv("\"1\",2\n"), GOLDEN, "r.csv:1: field 1 = \"\\\"1\\\"\": allowed"),
        case("csv hex", csv("0x10\n"), GOLDEN, "r.csv:1: field 1 = \"0x10\": allowed"),
        case("csv a directory", vec![("r.csv/", vec![])], GOLDEN, "r.csv: Is a directory"),
        case("csv row over max_len in generate", csv(&vec!["0"; 1025].join(",")), &["generate", "--testbench", "0", "--input", "r.csv", "--out", "gen"], "r.csv: row 1 has 1025 elements: allowed 1..=1024"),
        case("generate --testbench --input NaN", csv("1,NaN\n"), &["generate", "--testbench", "2", "--input", "r.csv", "--out", "gen"], "r.csv:1: field 2 = \"NaN\""),
        // .npy dtypes and headers
        case("npy float16", x(npy("<f2", false, &[1, 2], &[0; 4])), &acc(&[]), "x.npy: dtype '<f2': allowed float32"),
        case("npy int8", x(npy("|i1", false, &[1, 2], &[1, 2])), &acc(&[]), "x.npy: dtype '|i1': allowed float32"),
        case("npy complex64", x(npy("<c8", false, &[1, 2], &[0; 16])), &acc(&[]), "x.npy: dtype '<c8': allowed float32"),
        case("npy bool", x(npy("|b1", false, &[1, 2], &[1, 1])), &acc(&[]), "x.npy: dtype '|b1': allowed float32"),
        case("npy unicode", x(npy("<U3", false, &[1, 2], &[0; 24])), &acc(&[]), "x.npy: dtype '<U3': allowed float32"),
        case("npy structured", x(npy_header("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1, 2), }", &[0; 8])), &acc(&[]), "x.npy: dtype [('a', '<f4')"),
        case("npy without shape", x(npy_header("{'descr': '<f4', 'fortran_order': False}", &[])), &acc(&[]), "x.npy: not a readable .npy file (dict is missing key 'shape')"),
        case("npy negative dimension", x(npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2), }", &[])), &acc(&[]), "x.npy: not a readable .npy file (dimension cannot be negative)"),
        case("npy 0-D", x(npy_header("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", &f32_bytes(&[1.0]))), &acc(&[]), "x.npy: shape []: allowed a 2-D array"),
        case("npy 3-D Fortran", x(npy("<f4", true, &[1, 1, 2], &f32_bytes(&[1.0, 2.0]))), &acc(&[]), "x.npy: shape [1, 1, 2]: allowed a 2-D array"),
        case("npy all -inf row", x(logits(2, &[NINF, NINF, 1.0, 2.0])), &acc(&[]), "x.npy: row 1 has length 0"),
        case("npy a directory", vec![("x.npy/", vec![])], &["accuracy", "--data", "x.npy/", "--json", "out.json"], "`--data` = x.npy/: a directory holding <prefix>_logits.npy files"),
        case("lengths float32", xl(ok2x4(), npy("<f4", false, &[2], &f32_bytes(&[1.0, 2.0]))), &acc(&["--lengths", "l.npy"]), "l.npy: dtype '<f4': allowed int32"),
        case("lengths uint32", xl(ok2x4(), npy("<u4", false, &[2], &i32_bytes(&[1, 2]))), &acc(&["--lengths", "l.npy"]), "l.npy: dtype '<u4': allowed int32"),
        case("lengths 0-D", xl(ok2x4(), npy_header("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", &i32_bytes(&[2]))), &acc(&["--lengths", "l.npy"]), "l.npy: shape []: allowed (2,)"),
        case("lengths truncated", xl(ok2x4(), npy("<i4", false, &[2], &i32_bytes(&[1]))), &acc(&["--lengths", "l.npy"]), "l.npy: shape [2] needs 2 elements of int32 (8 bytes), the file holds 4"),
        case("lengths int32 max", xl(ok2x4(), lengths(&[i32::MAX, 1])), &acc(&["--lengths", "l.npy"]), "l.npy: [0] = 2147483647: allowed 1..=4"),
        case("index int64", vec![("x.npy", ok2x4()), ("i.npy", npy("<i8", false, &[2, 4], &[0; 64]))], &acc(&["--index", "i.npy"]), "i.npy: dtype '<i8': allowed int32"),
        case("index 1-D", vec![("x.npy", ok2x4()), ("i.npy", npy("<i4", false, &[8], &i32_bytes(&[0; 8])))], &acc(&["--index", "i.npy"]), "i.npy: shape [8]: allowed (rows, 4)"),
        case("index 0 rows", vec![("x.npy", ok2x4()), ("i.npy", npy("<i4", false, &[0, 4], &[]))], &acc(&["--index", "i.npy"]), "i.npy: 0 index rows for 2 data rows"),
        case("index truncated", vec![("x.npy", ok2x4()), ("i.npy", npy("<i4", false, &[2, 4], &i32_bytes(&[0; 5])))], &acc(&["--index", "i.npy"]), "i.npy: shape [2, 4] needs 8 elements"),
        // sweep --vary syntax, --shard
        case("sweep --vary =", vec![], &["sweep", "--vary", "=", "--out", "sw"], "`--vary` = =: an empty key"),
        case("sweep --vary trailing comma", vec![], &["sweep", "--vary", "exp.segments=4,8,", "--out", "sw"], "`--vary` = exp.segments=4,8,: an empty value"),
        case("sweep --vary a,b=1:2:3", vec![], &["sweep", "--vary", "a,b=1:2:3", "--out", "sw"], "`--vary` = a,b=1:2:3: `1:2:3` gives 3 values for 2 keys"),
        case("sweep --vary space-separated", vec![], &["sweep", "--vary", "exp.segments=4 8", "--out", "sw"], "`--vary` = exp.segments=4 8: invalid type: string \"4 8\", expected u32"),
        case("sweep --vary float for int", vec![], &["sweep", "--vary", "input.bits=8.0", "--out", "sw"], "`--vary` = input.bits=8.0: invalid type: floating point `8.0`"),
        case("sweep --vary no values", vec![], &["sweep", "--vary", "prefix=", "--out", "sw"], "`--vary` = prefix=: no values"),
        case("sweep --vary uppercase key", vec![], &["sweep", "--vary", "EXP.SEGMENTS=4", "--out", "sw"], "`--vary` = EXP.SEGMENTS=4: unknown key `EXP.SEGMENTS`"),
        case("sweep --vary k==v", vec![], &["sweep", "--vary", "exp.segments==4", "--out", "sw"], "`--vary` = exp.segments==4: invalid type: string \"=4\""),
        case("sweep --shard 0/0", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "0/0", "--out", "sw"], "`--shard` = 0/0: allowed i/n with 0 <= i < n"),
        case("sweep --shard x/y", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "x/y", "--out", "sw"], "`--shard` = x/y: allowed i/n"),
        case("sweep --shard 3/2", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "3/2", "--out", "sw"], "`--shard` = 3/2: allowed i/n"),
        case("sweep --shard 0/1/2", vec![], &["sweep", "--vary", "exp.segments=8", "--shard", "0/1/2", "--out", "sw"], "`--shard` = 0/1/2: allowed i/n"),
        case("sweep --target all", vec![], &["sweep", "--vary", "exp.segments=8", "--target", "all", "--out", "sw"], "`--target` = all: allowed ice40, ecp5, xc7, generic"),
        case("sweep --config not TOML", csv("1,2\n"), &["sweep", "--config", "r.csv", "--vary", "exp.segments=8", "--out", "sw"], "r.csv:1:"),
        // merge inputs
        case("merge empty file", vec![("t.json", vec![])], &["merge", "--out", "m", "t.json"], "t.json: EOF while parsing a value"),
        case("merge truncated", vec![("t.json", b"{\"sweep\":".to_vec())], &["merge", "--out", "m", "t.json"], "t.json: EOF while parsing"),
        case("merge null", vec![("t.json", b"null".to_vec())], &["merge", "--out", "m", "t.json"], "t.json: invalid type: null, expected struct Table"),
        case("merge not UTF-8", vec![("t.json", vec![0xff, 0xfe])], &["merge", "--out", "m", "t.json"], "t.json: stream did not contain valid UTF-8"),
        case("merge a directory", vec![("t.json/", vec![])], &["merge", "--out", "m", "t.json"], "t.json: Is a directory"),
        case("merge missing file", vec![], &["merge", "--out", "m", "t.json"], "t.json: No such file"),
        case("merge --out a file", vec![("f", vec![])].into_iter().chain(table(SWEEP_INFO)).collect(), &["merge", "--out", "f", "t.json"], "`--out` = f: allowed a directory; this is a file"),
        // other flags and outputs
        case("golden --output /", csv("1,2\n"), &["golden", "--input", "r.csv", "--output", "/"], "`--output` = /: allowed a file; this is a directory"),
        case("generate --out unwritable", vec![], &["generate", "--out", "/proc/gen"], "`--out` = /proc/gen: allowed a writable directory"),
        case("widths --json unwritable", vec![], &["widths", "--json", "/proc/w.json"], "`--json` = /proc/w.json: allowed a file in a writable directory"),
        case("synth --target empty", vec![], &["synth", "--target", "", "--workdir", "w"], "`--target` = : allowed ice40, ecp5, xc7, generic"),
        case("cosim --design", vec![], &["cosim", "--design", "asic"], "invalid value 'asic' for '--design <DESIGN>'"),
        case("cosim --rows twice", vec![], &["cosim", "--rows", "5", "--rows", "6"], "the argument '--rows <ROWS>' cannot be used multiple times"),
        case("fuzz --max-len 0", vec![], &["fuzz", "--max-len", "0", "--out", "fz"], "`--max-len` = 0: allowed 1..=65536"),
        case("bench baseline of a sparse unit", cfg(&format!("{GOOD_CFG}[sparse]\nmode = \"topk\"\nk = 2\n")), &["bench", "--config", "bad.toml", "--design", "baseline"], "`--design` = baseline: allowed only with a dense configuration"),
    ]
}

/// Every file and directory under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut v = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            v.push(p.strip_prefix(dir).unwrap().to_path_buf());
        }
    }
    v.sort();
    v
}

#[test]
fn bad_input_gets_one_line_naming_it_and_no_output() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} rows", cases.len());
    let mut failures = vec![];
    for c in &cases {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in &c.files {
            let path = dir.path().join(name);
            if name.ends_with('/') {
                std::fs::create_dir_all(&path).unwrap();
            } else if let Some(target) = bytes.strip_prefix(LINK) {
                std::os::unix::fs::symlink(std::str::from_utf8(target).unwrap(), &path).unwrap();
            } else {
                std::fs::write(&path, bytes).unwrap();
            }
        }
        let before = listing(dir.path());
        let out = run_env(&c.args, dir.path(), &c.env);
        let err = String::from_utf8_lossy(&out.stderr);
        let mut wrong = vec![];
        if out.status.code() != Some(1) {
            wrong.push(format!("exit status {:?}", out.status.code()));
        }
        if err.lines().count() != 1 || !err.starts_with("error: ") {
            wrong.push("not exactly one line starting with `error: `".to_string());
        }
        if !err.contains(c.needle) {
            wrong.push(format!("does not contain {:?}", c.needle));
        }
        if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
            wrong.push("panic".to_string());
        }
        let after = listing(dir.path());
        if after != before {
            wrong.push(format!("files created: {:?}", after.iter().filter(|p| !before.contains(p)).collect::<Vec<_>>()));
        }
        // and no input overwritten (`--json x.npy` once replaced the data)
        let changed: Vec<&str> = c
            .files
            .iter()
            .filter(|(name, bytes)| !name.ends_with('/') && !bytes.starts_with(LINK) && std::fs::read(dir.path().join(name)).ok().as_ref() != Some(bytes))
            .map(|(name, _)| *name)
            .collect();
        if !changed.is_empty() {
            wrong.push(format!("files changed: {changed:?}"));
        }
        // BAD_INPUT_SHOW=1 cargo test --release --test bad_input -- --nocapture: every row's line
        if std::env::var_os("BAD_INPUT_SHOW").is_some() {
            eprintln!("{:28} {}", c.name, err.trim_end());
        }
        if !wrong.is_empty() {
            failures.push(format!("{}: {}\n    softmax-hw {}\n    stderr: {err:?}", c.name, wrong.join("; "), c.args.join(" ")));
        }
    }
    assert!(failures.is_empty(), "{} of {} rows failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// The `variants` of an accuracy JSON report (what was measured, without the dataset name).
fn accuracy_variants(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["accuracy", "--json", "a.json"];
    a.extend(args);
    let out = run(&a, dir);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("a.json")).unwrap()).unwrap();
    v["variants"].clone()
}

/// A `fortran_order: True` .npy was read in C order (issue 10); it is now read correctly:
/// the same report as the C-order file and as the CSV of the same rows.
#[test]
fn fortran_order_npy_is_read_correctly() {
    let dir = tempfile::tempdir().unwrap();
    let rows = [[0.0f32, 1.5, -2.0], [4.0, -3.0, 0.25]];
    let c: Vec<f32> = rows.iter().flatten().copied().collect();
    let f: Vec<f32> = (0..3).flat_map(|j| rows.iter().map(move |r| r[j])).collect();
    std::fs::write(dir.path().join("c.npy"), npy("<f4", false, &[2, 3], &f32_bytes(&c))).unwrap();
    std::fs::write(dir.path().join("f.npy"), npy("<f4", true, &[2, 3], &f32_bytes(&f))).unwrap();
    // the column-major bytes read as if they were rows: other rows, another report
    std::fs::write(dir.path().join("wrong.npy"), npy("<f4", false, &[2, 3], &f32_bytes(&f))).unwrap();
    std::fs::write(dir.path().join("r.csv"), "0,1.5,-2\n4,-3,0.25\n").unwrap();
    let from_c = accuracy_variants(dir.path(), &["--data", "c.npy"]);
    assert_eq!(accuracy_variants(dir.path(), &["--data", "f.npy"]), from_c);
    assert_eq!(accuracy_variants(dir.path(), &["--data", "r.csv"]), from_c);
    assert_ne!(accuracy_variants(dir.path(), &["--data", "wrong.npy"]), from_c);
    // lengths and index in Fortran order too (a 1-D array has one order)
    std::fs::write(dir.path().join("l.npy"), lengths(&[3, 2])).unwrap();
    let ix = [[0, 1, 2, 0], [0, 3, 4, 1]];
    let ixf: Vec<i32> = (0..4).flat_map(|j| ix.iter().map(move |r| r[j])).collect();
    std::fs::write(dir.path().join("i.npy"), npy("<i4", true, &[2, 4], &i32_bytes(&ixf))).unwrap();
    let out = run(&["accuracy", "--data", "f.npy", "--lengths", "l.npy", "--index", "i.npy"], dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("| L01 | 1 |") && stdout.contains("| L03 | 1 |"), "{stdout}");
}

/// Valid input that the table's neighbours must not catch: `base = 2` (an integer) is "2",
/// `-inf` in CSV is the minimum input code, a .npy row may end before its -inf padding.
#[test]
fn valid_neighbours_of_bad_input_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("int.toml"), GOOD_CFG.replace("base = \"2\"", "base = 2")).unwrap();
    std::fs::write(dir.path().join("str.toml"), GOOD_CFG).unwrap();
    let a = run(&["widths", "--config", "int.toml"], dir.path());
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    assert_eq!(a.stdout, run(&["widths", "--config", "str.toml"], dir.path()).stdout);
    std::fs::write(dir.path().join("r.csv"), "0,-inf,-Infinity\n1e300,-1e300\n").unwrap();
    let out = run(&["golden", "--config", "str.toml", "--input", "r.csv", "--codes"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "128,0,0\n128,0\n");
    std::fs::write(dir.path().join("x.npy"), logits(3, &[0.0, NINF, NAN, 1.0, 1.0, 1.0])).unwrap();
    let out = run(&["accuracy", "--data", "x.npy"], dir.path());
    assert!(out.status.success(), "NaN after the row's end is padding: {}", String::from_utf8_lossy(&out.stderr));
}

/// Valid neighbours of the second pass: a CSV with a UTF-8 byte-order mark reads as without
/// it (it was refused as `"\u{feff}1"`), `golden --output -` is standard output (it made a
/// file named `-`), and an output that is a device is written in place (a rename replaced
/// `/dev/null` with a plain file when run as root; here a link to it, so that a regression
/// replaces only the link).
#[test]
fn valid_neighbours_of_the_second_pass() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.csv"), "1,2\n-inf,0.5\n").unwrap();
    std::fs::write(dir.path().join("bom.csv"), "\u{feff}1,2\n-inf,0.5\n").unwrap();
    let plain = run(&["golden", "--input", "r.csv"], dir.path());
    assert!(plain.status.success(), "{}", String::from_utf8_lossy(&plain.stderr));
    let bom = run(&["golden", "--input", "bom.csv"], dir.path());
    assert!(bom.status.success(), "{}", String::from_utf8_lossy(&bom.stderr));
    assert_eq!(bom.stdout, plain.stdout);
    let dash = run(&["golden", "--input", "r.csv", "--output", "-"], dir.path());
    assert!(dash.status.success(), "{}", String::from_utf8_lossy(&dash.stderr));
    assert_eq!(dash.stdout, plain.stdout);
    assert!(!dir.path().join("-").exists(), "no file named -");
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null")).unwrap();
    let out = run(&["golden", "--input", "r.csv", "--output", "null", "--report", "null2"], dir.path());
    assert_eq!(out.status.code(), Some(1), "--report needs [sparse]: checked before writing");
    let out = run(&["widths", "--json", "null"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = run(&["golden", "--input", "r.csv", "--output", "null"], dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("null").symlink_metadata().unwrap().file_type().is_symlink(), "the link to /dev/null is still a link");
    assert!(!dir.path().join("null2").exists());
}
