//! Width sets built on demand (`softmax_hw::instance::ondemand`): the emitter crate that a
//! configuration outside the compiled-in table gets emits exactly what the compiled-in
//! instantiation emits, a configuration no example uses is emitted, the
//! cache is shared by concurrent users, and a missing cargo is a one-line error.

use softmax_hw::config::Config;
use softmax_hw::generate::Design;
use softmax_hw::instance::{self, Kind};
use softmax_hw::params::UnitParams;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn params(name: &str) -> UnitParams {
    let cfg = Config::load(Some(&root().join("configs").join(format!("{name}.toml")))).unwrap();
    UnitParams::new(&cfg).unwrap()
}

/// Every example configuration, unit and baseline: the on-demand emitter's Verilog equals
/// the compiled-in instantiation's byte for byte (both run here, nothing is cached Verilog).
#[test]
fn ondemand_emits_the_compiled_in_verilog_for_every_example() {
    let mut compared = 0;
    for entry in std::fs::read_dir(root().join("configs")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let p = params(&name);
        for design in [Design::Unit, Design::Baseline] {
            let kind = Kind::of(design);
            let key = kind.key(&p);
            let Some(compiled) = instance::compiled(kind, &key) else {
                // the baselines of sparse_stat4096 (rows of 4096) and of the sparse lanes
                // examples (exact8's formats at 4 and 16 lanes) have no compiled-in set
                let built_on_demand = name == "sparse_stat4096" || (name.starts_with("sparse_") && p.lanes > 1);
                assert!(kind == Kind::Baseline && built_on_demand, "{name}: every example's unit is compiled in");
                continue;
            };
            let module = format!("t_{name}");
            let a = (compiled.emit)(&p, &module).unwrap();
            let b = softmax_hw::instance::ondemand::emit(kind, &key, &p, &module).unwrap_or_else(|e| panic!("{name} {kind:?}: {e}"));
            assert!(a == b, "{name} {kind:?}: on-demand Verilog differs from the compiled-in one");
            assert!(a.contains(&format!("module {module}")));
            compared += 1;
        }
    }
    assert_eq!(compared, 28, "17 units and 11 baselines compared");
}

/// A width set of no example (12-bit input, 2048-element rows, 6-bit output), built by
/// several threads at once: one of them builds it, the others wait and find it cached.
#[test]
fn concurrent_users_build_a_new_width_set_once() {
    let text = "base = \"2\"\nmax_len = 2048\n[input]\nbits = 12\nfrac = 5\n[output]\nbits = 6\nfrac = 6\n[exp]\nmethod = \"lpw\"\nsegments = 4\n";
    let p = UnitParams::new(&Config::parse(text, "t.toml").unwrap()).unwrap();
    let key = Kind::Unit.key(&p);
    assert!(instance::compiled(Kind::Unit, &key).is_none(), "the test needs a width set that is not compiled in");
    let built: Vec<bool> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..3).map(|_| s.spawn(|| softmax_hw::instance::ondemand::emitter(Kind::Unit, &key).unwrap())).collect();
        hs.into_iter().map(|h| h.join().unwrap().built_seconds.is_some()).collect()
    });
    assert!(built.iter().filter(|b| **b).count() <= 1, "built more than once: {built:?}");
    // and now it is cached, and it emits
    assert!(softmax_hw::instance::ondemand::emitter(Kind::Unit, &key).unwrap().built_seconds.is_none());
    let v = softmax_hw::instance::ondemand::emit(Kind::Unit, &key, &p, "t_new").unwrap();
    assert!(v.contains("module t_new"));
}

/// Without cargo, a width set that is not compiled in is a one-line error saying what to
/// install; a compiled-in one still generates.
#[test]
fn missing_cargo_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("new.toml");
    std::fs::write(&cfg, "base = \"2\"\nmax_len = 300\n[input]\nbits = 7\nfrac = 1\n[output]\nbits = 9\nfrac = 9\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_softmax-hw"))
        .args(["generate", "--config", "new.toml", "--out", "gen"])
        .current_dir(dir.path())
        .env("CARGO", "/nonexistent/cargo")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/cargo") && err.contains("https://rustup.rs"), "{err}");
    assert!(!dir.path().join("gen").exists(), "no partial output");
    let ok = Command::new(env!("CARGO_BIN_EXE_softmax-hw"))
        .args(["generate", "--config"])
        .arg(root().join("configs/softermax.toml"))
        .args(["--out", "gen"])
        .current_dir(dir.path())
        .env("CARGO", "/nonexistent/cargo")
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
}
