//! The unit's emitter for one width set (see `crate::instance`): rust-hdl widths are const
//! generics, so each width set is a separate instantiation of [`SoftmaxUnit`]. One
//! instantiation emits the dense unit and every sparse unit of its width set.

use super::block::SoftmaxUnit;
use crate::error::Result;
use crate::params::UnitParams;

/// Builds the unit for one width set and emits its Verilog with `name` as the top module.
/// Instantiated through [`unit_instance!`](crate::unit_instance), which derives the
/// dependent widths.
#[allow(clippy::type_complexity)]
pub fn emit<
    const WI: usize,
    const WB: usize,
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
    const WX: usize,
    const WS1: usize,
    const WS2: usize,
    const WXX: usize,
    const WLS2: usize,
    const WSQ: usize,
    const WV: usize,
    const WRT: usize,
    const WRTQ: usize,
    const WZR: usize,
    const WM: usize,
    const QB: usize,
    const WIP: usize,
    const WU: usize,
    const WBP: usize,
    const WOP: usize,
    const WAB: usize,
    const WLB: usize,
>(
    p: &UnitParams,
    name: &str,
) -> Result<String> {
    crate::hw::emit_top(
        SoftmaxUnit::<
            WI, WB, WT, WN, FT, ESB, WE, WEP, WSP, WD, WA, WL, RN, RSB, WR, RPW, WMH, WH, WQ, WRQ, WP, WO,
            WX, WS1, WS2, WXX, WLS2, WSQ, WV, WRT, WRTQ, WZR, WM, QB, WIP, WU, WBP, WOP, WAB, WLB,
        >::new(p),
        name,
    )
}

/// The unit's emitter for the 12 widths [WI, WT, FT, ESB, WE, WD, WA, RN, RSB, WR, WO, LP]
/// (`Widths`, in that order). The dependent widths are derived here, in one place.
/// Row buffer word WB = WI+1 (the element and its mask bit).
/// Dense datapath: WN = WT+1, WEP = WE+FT, WSP = WI+16, WL = WA+1, RPW = WR+RN, Newton
/// WMH = WQ = WR+2, WH = WRQ = 2WR+2, product WP = WE+WR.
/// Selection: WX = WI+2, S1: WI+WA, S2: 2WI+WA-1, x^2: 2WI, L*S2, S1^2 = V: 2(WI+WA),
/// root WI+WA (+4 remainder), z*R: 16+WI+WA, |N|: WI+WA+17, quotient WI+1.
/// Lanes (P = 2^LP): buses WIP = P*WI, WU = P, WBP = P*(WI+1), WOP = P*WO; beat address
/// WAB = WA-LP, WLB = WA-LP+1.
#[macro_export]
macro_rules! unit_instance {
    ($wi:literal, $wt:literal, $ft:literal, $esb:literal, $we:literal, $wd:literal, $wa:literal, $rn:literal, $rsb:literal, $wr:literal, $wo:literal, $lp:literal) => {
        $crate::unit::registry::emit::<
            $wi, { $wi + 1 }, $wt, { $wt + 1 }, $ft, $esb, $we, { $we + $ft }, { $wi + 16 }, $wd, $wa, { $wa + 1 },
            $rn, $rsb, $wr, { $wr + $rn }, { $wr + 2 }, { 2 * $wr + 2 }, { $wr + 2 }, { 2 * $wr + 2 }, { $we + $wr }, $wo,
            { $wi + 2 }, { $wi + $wa }, { 2 * $wi + $wa - 1 }, { 2 * $wi }, { 2 * $wi + 2 * $wa }, { 2 * ($wi + $wa) },
            { 2 * ($wi + $wa) }, { $wi + $wa }, { $wi + $wa + 4 }, { 16 + $wi + $wa }, { $wi + $wa + 17 }, { $wi + 1 },
            { $wi << $lp }, { 1 << $lp }, { ($wi + 1) << $lp }, { $wo << $lp }, { $wa - $lp }, { $wa - $lp + 1 },
        > as $crate::params::EmitFn
    };
}
