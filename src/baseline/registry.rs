//! The baseline's emitter for one width set (see `crate::instance`).

use super::block::BaselineUnit;
use super::BaselineParams;
use crate::error::Result;
use crate::params::UnitParams;

/// [WI, WA, WTA, WX, WS, WO, WQ, LP]: input, address, table address, table value, sum,
/// output, quotient widths, log2 of the lanes.
pub fn widths(b: &BaselineParams) -> [usize; 8] {
    [b.input.bits, b.wa, b.wta, b.fx + 1, b.ws, b.output.bits, b.output.frac + 2, b.lp].map(|v| v as usize)
}

/// Builds the baseline of a unit's configuration for one width set and emits its Verilog.
/// Instantiated through [`baseline_instance!`](crate::baseline_instance).
pub fn emit<
    const WI: usize,
    const WA: usize,
    const WL: usize,
    const WTA: usize,
    const WX: usize,
    const WS: usize,
    const WR: usize,
    const WQ: usize,
    const WO: usize,
    const WI1: usize,
    const WR1: usize,
    const WIP: usize,
    const WU: usize,
    const WBP: usize,
    const WOP: usize,
>(
    p: &UnitParams,
    name: &str,
) -> Result<String> {
    crate::hw::emit_top(BaselineUnit::<WI, WA, WL, WTA, WX, WS, WR, WQ, WO, WI1, WR1, WIP, WU, WBP, WOP>::new(&BaselineParams::from_unit(p)), name)
}

/// The baseline's emitter for [WI, WA, WTA, WX, WS, WO, WQ, LP] ([`widths`]); derived:
/// the beat address WA-LP and WL = WA-LP+1, WR = WS+1, WI1 = WI+1, WR1 = WS+2 (a divider
/// stage's difference with its borrow), and the buses of P = 2^LP lanes: WIP = P*WI, WU = P,
/// WBP = P*(WI+1), WOP = P*WO.
#[macro_export]
macro_rules! baseline_instance {
    ($wi:literal, $wa:literal, $wta:literal, $wx:literal, $ws:literal, $wo:literal, $wq:literal, $lp:literal) => {
        $crate::baseline::registry::emit::<
            $wi, { $wa - $lp }, { $wa - $lp + 1 }, $wta, $wx, $ws, { $ws + 1 }, $wq, $wo, { $wi + 1 }, { $ws + 2 },
            { $wi << $lp }, { 1 << $lp }, { ($wi + 1) << $lp }, { $wo << $lp },
        > as $crate::params::EmitFn
    };
}
