//! Width sets: which rust-hdl instantiation emits a configuration's Verilog.
//!
//! rust-hdl widths are const generics, fixed when Rust compiles, while configurations are
//! read at run time. Every configuration and design resolves to a [`Kind`] and a width key
//! (12 widths for the unit, 8 for the baseline). The example configurations' sets are
//! compiled into this binary ([`COMPILED`]); any other set is built on demand by
//! [`ondemand`]: a small crate that instantiates the same macro
//! ([`unit_instance!`](crate::unit_instance), [`baseline_instance!`](crate::baseline_instance)) against this library, built once by
//! cargo and cached. Both paths emit byte-identical Verilog (tested).

pub mod ondemand;

use crate::error::{Error, Result};
use crate::params::{EmitFn, UnitParams};
use serde::Serialize;

/// Which design of a configuration: the softmax unit, or the conventional baseline with the
/// same formats (exact max, full-precision exponent table, true divider).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Design {
    Unit,
    Baseline,
}

/// The two rust-hdl tops, each with its own width list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// the softmax unit, dense or with a `[sparse]` section (any mode): one instantiation
    /// emits every unit of its width set
    Unit,
    /// the conventional baseline of the configuration's formats
    Baseline,
}

impl Kind {
    pub fn of(design: Design) -> Kind {
        match design {
            Design::Baseline => Kind::Baseline,
            Design::Unit => Kind::Unit,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Unit => "unit",
            Kind::Baseline => "baseline",
        }
    }

    /// The widths that select the instantiation, in the order its macro takes them.
    pub fn key(self, p: &UnitParams) -> Vec<usize> {
        match self {
            Kind::Unit => p.widths().to_vec(),
            Kind::Baseline => crate::baseline::registry::widths(&crate::baseline::BaselineParams::from_unit(p)).to_vec(),
        }
    }

    /// The macro that instantiates this kind (`softmax_hw::<name>!`).
    pub fn macro_name(self) -> &'static str {
        match self {
            Kind::Unit => "unit_instance",
            Kind::Baseline => "baseline_instance",
        }
    }
}

/// One compiled-in instantiation.
pub struct Instance {
    pub id: &'static str,
    pub kind: Kind,
    pub key: &'static [usize],
    pub emit: EmitFn,
}

macro_rules! compiled {
    ($($kind:ident $mac:ident $id:literal => [$($w:literal),*]),* $(,)?) => {
        /// The width sets compiled into this binary: those of the example configurations.
        pub const COMPILED: &[Instance] = &[
            $(Instance { id: $id, kind: Kind::$kind, key: &[$($w),*], emit: crate::$mac!($($w),*) }),*
        ];
    };
}

compiled! {
    // unit (dense and sparse)                                     WI  WT  FT ESB  WE  WD  WA  RN RSB  WR  WO  LP
    Unit unit_instance "configs/softermax.toml"                   => [8, 8, 2, 1, 11, 32, 10, 11, 3, 11, 8, 0],
    Unit unit_instance "configs/softermax_p4.toml"                => [8, 8, 2, 1, 11, 32, 10, 11, 3, 11, 8, 2],
    Unit unit_instance "configs/softermax_p16.toml"               => [8, 8, 2, 1, 11, 32, 10, 11, 3, 11, 8, 4],
    Unit unit_instance "configs/exact8.toml and the sparse examples" => [10, 18, 10, 4, 12, 33, 10, 12, 3, 12, 8, 0],
    Unit unit_instance "configs/sparse_*_p4.toml"                 => [10, 18, 10, 4, 12, 33, 10, 12, 3, 12, 8, 2],
    Unit unit_instance "configs/sparse_*_p16.toml"                => [10, 18, 10, 4, 12, 33, 10, 12, 3, 12, 8, 4],
    Unit unit_instance "configs/precise16.toml"                   => [16, 16, 8, 7, 20, 47, 13, 9, 3, 20, 16, 0],
    Unit unit_instance "configs/sparse_stat4096.toml"             => [10, 18, 10, 4, 12, 37, 12, 12, 3, 12, 8, 0],
    Unit unit_instance "configs/exact8_log.toml"                  => [10, 18, 10, 4, 12, 33, 10, 11, 4, 11, 8, 0],
    Unit unit_instance "configs/softermax_log.toml"               => [8, 15, 9, 3, 11, 32, 10, 10, 4, 10, 8, 0],
    // baseline                                                WI  WA WTA  WX  WS  WO  WQ  LP
    Baseline baseline_instance "baseline of configs/softermax.toml" => [8, 10, 7, 20, 30, 8, 9, 0],
    Baseline baseline_instance "baseline of configs/softermax_p4.toml" => [8, 10, 7, 20, 30, 8, 9, 2],
    Baseline baseline_instance "baseline of configs/softermax_p16.toml" => [8, 10, 7, 20, 30, 8, 9, 4],
    Baseline baseline_instance "baseline of configs/exact8.toml"    => [10, 10, 7, 21, 31, 8, 10, 0],
    Baseline baseline_instance "baseline of configs/precise16.toml" => [16, 13, 14, 32, 45, 16, 18, 0],
}

/// The compiled-in instantiation of a kind and width key, if any.
pub fn compiled(kind: Kind, key: &[usize]) -> Option<&'static Instance> {
    COMPILED.iter().find(|i| i.kind == kind && i.key == key)
}

/// Emits the Verilog body of `p`'s design `kind` with top module `name`: through the
/// compiled-in instantiation when there is one, else through an on-demand build.
pub fn emit(kind: Kind, p: &UnitParams, name: &str) -> Result<String> {
    let key = kind.key(p);
    match compiled(kind, &key) {
        Some(i) => (i.emit)(p, name),
        None => ondemand::emit(kind, &key, p, name),
    }
}

/// Entry point of an on-demand emitter crate (`src/main.rs` of the crate that
/// [`ondemand`] writes): reads the resolved configuration (TOML) on stdin, takes the
/// module name as its one argument, checks that the configuration resolves to this
/// instantiation's widths and prints the Verilog body on stdout.
pub fn emitter_main(kind: Kind, key: &[usize], emit: EmitFn) -> ! {
    // a panic is a bug of the generator: one line, as every other error
    std::panic::set_hook(Box::new(|info| {
        let p = info.payload();
        let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("error: internal error (a bug: please report it with the configuration): {msg}{at}");
    }));
    let run = || -> Result<String> {
        let name = std::env::args().nth(1).ok_or_else(|| Error::Tool("on-demand emitter: usage: <emitter> MODULE < config.toml".into()))?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| Error::io("<stdin>", e))?;
        let cfg = crate::config::Config::parse(&text, "<stdin>")?;
        let p = UnitParams::new(&cfg)?;
        let got = kind.key(&p);
        if got != key {
            return Err(Error::Tool(format!("on-demand emitter for {} widths {key:?} got a configuration with widths {got:?}", kind.name())));
        }
        emit(&p, &name)
    };
    match run() {
        Ok(v) => {
            print!("{v}");
            std::process::exit(0)
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    }
}
