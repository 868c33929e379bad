//! The dense unit's emitter for one width set (see `crate::instance`): rust-hdl widths are
//! const generics, so each width set is a separate instantiation of [`SoftmaxUnit`].

use super::block::SoftmaxUnit;
use crate::params::UnitParams;
use crate::error::Result;

/// Builds the unit for one width set and emits its Verilog with `name` as the top module.
/// Instantiated through [`dense_instance!`](crate::dense_instance), which derives the
/// dependent widths.
#[allow(clippy::type_complexity)]
pub fn emit<
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

/// The dense unit's emitter for the 11 widths [WI, WT, FT, ESB, WE, WD, WA, RN, RSB, WR, WO]
/// (`Widths`, in that order). The dependent widths of the shared datapath are derived here
/// (`sparse_instance!` adds the selection's own):
/// WN = WT+1, WEP = WE+FT, WSP = WI+16, WL = WA+1, RPW = WR+RN, Newton WMH = WQ = WR+2,
/// WH = WRQ = 2WR+2, product WP = WE+WR.
#[macro_export]
macro_rules! dense_instance {
    ($wi:literal, $wt:literal, $ft:literal, $esb:literal, $we:literal, $wd:literal, $wa:literal, $rn:literal, $rsb:literal, $wr:literal, $wo:literal) => {
        $crate::unit::registry::emit::<
            $wi, $wt, { $wt + 1 }, $ft, $esb, $we, { $we + $ft }, { $wi + 16 }, $wd, $wa, { $wa + 1 },
            $rn, $rsb, $wr, { $wr + $rn }, { $wr + 2 }, { 2 * $wr + 2 }, { $wr + 2 }, { 2 * $wr + 2 }, { $we + $wr }, $wo,
        > as $crate::params::EmitFn
    };
}
