//! The width sets the sparse unit is compiled for (see `unit/registry.rs`: rust-hdl widths
//! are const generics). The dense widths select the entry; the selection widths derive from
//! WI and WA, and the mode only changes which blocks are instantiated.

use super::unit::SparseUnit;
use crate::error::Result;
use crate::unit::params::{UnitParams, Widths};

macro_rules! registry {
    ($($id:literal => [$wi:literal, $wt:literal, $ft:literal, $esb:literal, $we:literal, $wd:literal, $wa:literal, $rn:literal, $rsb:literal, $wr:literal, $wo:literal]),* $(,)?) => {
        /// (description, widths) of every instantiated width set of the sparse unit.
        pub const SUPPORTED: &[(&str, Widths)] = &[
            $(($id, Widths { wi: $wi, wt: $wt, ft: $ft, esb: $esb, we: $we, wd: $wd, wa: $wa, rn: $rn, rsb: $rsb, wr: $wr, wo: $wo })),*
        ];

        fn dispatch(p: &UnitParams, name: &str) -> Option<Result<String>> {
            let w = p.widths();
            $(
                if w == (Widths { wi: $wi, wt: $wt, ft: $ft, esb: $esb, we: $we, wd: $wd, wa: $wa, rn: $rn, rsb: $rsb, wr: $wr, wo: $wo }) {
                    // dense derived widths as in unit/registry.rs; selection: WX = WI+2,
                    // S1: WI+WA, S2: 2WI+WA-1, x^2: 2WI, L*S2, S1^2 = V: 2(WI+WA), root WI+WA
                    // (+4 remainder), z*R: 16+WI+WA, |N|: WI+WA+17, quotient WI+1
                    let unit = SparseUnit::<$wi, $wt, { $wt + 1 }, $ft, $esb, $we, { $we + $ft }, { $wi + 16 }, $wd, $wa, { $wa + 1 },
                        $rn, $rsb, $wr, { $wr + $rn }, { $wr + 2 }, { 2 * $wr + 2 }, { $wr + 2 }, { 2 * $wr + 2 }, { $we + $wr }, $wo,
                        { $wi + 2 }, { $wi + $wa }, { 2 * $wi + $wa - 1 }, { 2 * $wi }, { 2 * $wi + 2 * $wa }, { 2 * ($wi + $wa) },
                        { 2 * ($wi + $wa) }, { $wi + $wa }, { $wi + $wa + 4 }, { 16 + $wi + $wa }, { $wi + $wa + 17 }, { $wi + 1 }>::new(p);
                    return Some(crate::hw::emit_top(unit, name));
                }
            )*
            None
        }
    };
}

registry! {
    // id                                  WI  WT  FT ESB  WE  WD  WA  RN RSB  WR  WO
    "exact8 formats, max_len 1024"      => [10, 18, 10, 4, 12, 33, 10, 12, 3, 12, 8],
    "exact8 formats, max_len 4096"      => [10, 18, 10, 4, 12, 37, 12, 12, 3, 12, 8],
}

/// Cycles from the start of the stat_topk threshold unit to its result (8 + WR + QB,
/// `Stat::cycles`).
pub fn stat_cycles(p: &UnitParams) -> u32 {
    let (wi, wa) = (p.input.bits, p.wa);
    8 + (wi + wa) + (wi + 1)
}

/// Emits the sparse unit's Verilog or explains which width set is missing.
pub fn emit_verilog(p: &UnitParams, name: &str) -> Result<String> {
    dispatch(p, name).unwrap_or_else(|| {
        Err(crate::unit::registry::missing_widths(p, "compiled into the sparse unit", SUPPORTED.len(), "src/sparse/registry.rs"))
    })
}
