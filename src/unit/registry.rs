//! The width sets the generator is compiled for.
//!
//! rust-hdl widths are const generics, fixed at compile time, while configurations are read
//! at run time. Every configuration resolves to a [`Widths`] value; `generate` looks it up
//! here and rejects a configuration whose widths are not listed, naming the missing entry.
//! To support a new one, add a line to the `registry!` call below with the widths that
//! `softmax-hw widths --config FILE` prints, and rebuild (README, "Adding a width set").

use super::block::SoftmaxUnit;
use super::params::{UnitParams, Widths};
use crate::error::{Error, Result};

/// Builds the unit for one width set and emits its Verilog with `name` as the top module.
#[allow(clippy::type_complexity)]
fn emit<
    const WI: usize,
    const WT: usize,
    const WN: usize,
    const FT: usize,
    const ESB: usize,
    const WE: usize,
    const WEP: usize,
    const WSP: usize,
    const WD: usize,
    const WA: usize,
    const WL: usize,
    const RN: usize,
    const RSB: usize,
    const WR: usize,
    const RPW: usize,
    const WMH: usize,
    const WH: usize,
    const WQ: usize,
    const WRQ: usize,
    const WP: usize,
    const WO: usize,
>(
    p: &UnitParams,
    name: &str,
) -> Result<String> {
    crate::hw::emit_top(
        SoftmaxUnit::<WI, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO>::new(p),
        name,
    )
}

macro_rules! registry {
    ($($id:literal => [$wi:literal, $wt:literal, $ft:literal, $esb:literal, $we:literal, $wd:literal, $wa:literal, $rn:literal, $rsb:literal, $wr:literal, $wo:literal]),* $(,)?) => {
        /// (description, widths) of every instantiated width set.
        pub const SUPPORTED: &[(&str, Widths)] = &[
            $(($id, Widths { wi: $wi, wt: $wt, ft: $ft, esb: $esb, we: $we, wd: $wd, wa: $wa, rn: $rn, rsb: $rsb, wr: $wr, wo: $wo })),*
        ];

        fn dispatch(p: &UnitParams, name: &str) -> Option<Result<String>> {
            let w = p.widths();
            $(
                if w == (Widths { wi: $wi, wt: $wt, ft: $ft, esb: $esb, we: $we, wd: $wd, wa: $wa, rn: $rn, rsb: $rsb, wr: $wr, wo: $wo }) {
                    // derived: WN = WT+1, WEP = WE+FT, WSP = WI+16, WL = WA+1, RPW = WR+RN,
                    // Newton WMH = WQ = WR+2, WH = WRQ = 2WR+2, product WP = WE+WR
                    return Some(emit::<$wi, $wt, { $wt + 1 }, $ft, $esb, $we, { $we + $ft }, { $wi + 16 }, $wd, $wa, { $wa + 1 },
                        $rn, $rsb, $wr, { $wr + $rn }, { $wr + 2 }, { 2 * $wr + 2 }, { $wr + 2 }, { 2 * $wr + 2 }, { $we + $wr }, $wo>(p, name));
                }
            )*
            None
        }
    };
}

registry! {
    // id                      WI  WT  FT ESB  WE  WD  WA  RN RSB  WR  WO
    "softermax (configs/softermax.toml)" => [8, 8, 2, 1, 11, 32, 10, 11, 3, 11, 8],
    "exact8 (configs/exact8.toml)"       => [10, 18, 10, 4, 12, 33, 10, 12, 3, 12, 8],
    "precise16 (configs/precise16.toml)" => [16, 16, 8, 7, 20, 47, 13, 9, 3, 20, 16],
    // exact8 with 4, 8 and 32 exp segments: the README's sweep
    "exact8, exp.segments = 4"           => [10, 18, 10, 2, 12, 33, 10, 12, 3, 12, 8],
    "exact8, exp.segments = 8"           => [10, 18, 10, 3, 12, 33, 10, 12, 3, 12, 8],
    "exact8, exp.segments = 32"          => [10, 18, 10, 5, 12, 33, 10, 12, 3, 12, 8],
    // exact8 with max_len = 4096: the dense counterpart of configs/sparse_stat4096.toml
    "exact8, max_len = 4096"             => [10, 18, 10, 4, 12, 37, 12, 12, 3, 12, 8],
}

/// Emits the unit's Verilog (rust-hdl output, no header) or explains which width set is missing.
pub fn emit_verilog(p: &UnitParams, name: &str) -> Result<String> {
    dispatch(p, name).unwrap_or_else(|| Err(missing_widths(p, "compiled in", SUPPORTED.len(), "src/unit/registry.rs")))
}

/// The one-line error for a configuration whose widths are not in a registry (`file`).
pub fn missing_widths(p: &UnitParams, what: &str, supported: usize, file: &str) -> Error {
    let w = p.widths();
    Error::Field {
        field: "(derived widths)".into(),
        value: format!("[{}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}]", w.wi, w.wt, w.ft, w.esb, w.we, w.wd, w.wa, w.rn, w.rsb, w.wr, w.wo),
        allowed: format!(
            "this width set is not {what}; the {supported} supported sets are listed by `softmax-hw widths`; add this one to {file} and rebuild (README: Adding a width set)"
        ),
    }
}
