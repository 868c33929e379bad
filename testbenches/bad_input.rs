//! Bad input, one table (issue 10): every row runs the built binary on a bad data file, flag
//! or configuration written into a fresh temporary directory, and checks that it exits with
//! status 1, prints exactly one line on stderr starting with `error:` that names the file or
//! field (the row's `needle`), prints no panic text, and creates no file. Rows that already
//! passed before issue 10 are kept so the table only grows. Inputs that are valid but were
//! once misread (Fortran-order .npy, `base = 2`, `-inf` in CSV) are checked at the end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_softmax-hw")).args(args).current_dir(cwd).env_remove("SOFTMAX_HW_DATA").output().unwrap()
}

/// An .npy file (format 1.0) written by hand: any dtype descriptor, order and shape, and raw
/// data bytes that need not match the header.
fn npy(descr: &str, fortran: bool, shape: &[u64], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape = if dims.len() == 1 { format!("({},)", dims[0]) } else { format!("({})", dims.join(", ")) };
    let order = if fortran { "True" } else { "False" };
    let mut h = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    while (10 + h.len() + 1) % 64 != 0 {
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
    /// files written into the temporary directory first (a name ending in `/` is a directory)
    files: Vec<(&'static str, Vec<u8>)>,
    args: Vec<&'static str>,
    /// the error line must contain this (it names the file or the field)
    needle: &'static str,
}

fn case(name: &'static str, files: Vec<(&'static str, Vec<u8>)>, args: &[&'static str], needle: &'static str) -> Case {
    Case { name, files, args: args.to_vec(), needle }
}

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
        case("config recip.method", cfg(&format!("{GOOD_CFG}[recip]\nmethod = \"cordic\"\n")), GENERATE, "`recip.method`: unknown variant `cordic`, expected one of `lut`, `lpw`, `newton`"),
        case("config sparse.mode = 1", sparse("mode = 1"), GENERATE, "bad.toml:10: `sparse.mode` = 1: allowed one of \"threshold\", \"stat_topk\", \"topk\""),
        case("config sparse.renorm", sparse("mode = \"topk\"\nk = 8\nrenorm = \"some\""), GENERATE, "`sparse.renorm`: unknown variant `some`"),
        case("config max_len string", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = \"long\"")), GENERATE, "bad.toml:2: `max_len`: invalid type: string \"long\", expected u32"),
        case("config max_len 0", cfg(&GOOD_CFG.replace("max_len = 1024", "max_len = 0")), GENERATE, "config: `max_len` = 0: allowed 1..=65536"),
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
            } else {
                std::fs::write(&path, bytes).unwrap();
            }
        }
        let before = listing(dir.path());
        let out = run(&c.args, dir.path());
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
