//! Width sets of the baseline that are compiled in (see `unit/registry.rs` for why).

use super::block::BaselineUnit;
use super::BaselineParams;
use crate::error::{Error, Result};

/// [WI, WA, WTA, WX, WS, WO, WQ]: input, address, table address, table value, sum, output,
/// quotient widths.
pub fn widths(b: &BaselineParams) -> [usize; 7] {
    [b.input.bits, b.wa, b.wta, b.fx + 1, b.ws, b.output.bits, b.output.frac + 2].map(|v| v as usize)
}

fn emit<
    const WI: usize,
    const WA: usize,
    const WL: usize,
    const WTA: usize,
    const WX: usize,
    const WS: usize,
    const WR: usize,
    const WQ: usize,
    const WO: usize,
>(
    b: &BaselineParams,
    name: &str,
) -> Result<String> {
    crate::hw::emit_top(BaselineUnit::<WI, WA, WL, WTA, WX, WS, WR, WQ, WO>::new(b), name)
}

macro_rules! registry {
    ($($id:literal => [$wi:literal, $wa:literal, $wta:literal, $wx:literal, $ws:literal, $wo:literal, $wq:literal]),* $(,)?) => {
        pub const SUPPORTED: &[(&str, [usize; 7])] = &[$(($id, [$wi, $wa, $wta, $wx, $ws, $wo, $wq])),*];

        fn dispatch(b: &BaselineParams, name: &str) -> Option<Result<String>> {
            let w = widths(b);
            $(
                if w == [$wi, $wa, $wta, $wx, $ws, $wo, $wq] {
                    return Some(emit::<$wi, $wa, { $wa + 1 }, $wta, $wx, $ws, { $ws + 1 }, $wq, $wo>(b, name));
                }
            )*
            None
        }
    };
}

registry! {
    // id                                  WI  WA WTA  WX  WS  WO  WQ
    "baseline of configs/softermax.toml" => [8, 10, 7, 20, 30, 8, 9],
    "baseline of configs/exact8.toml"    => [10, 10, 7, 21, 31, 8, 10],
    "baseline of configs/precise16.toml" => [16, 13, 14, 32, 45, 16, 18],
}

pub fn emit_verilog(b: &BaselineParams, name: &str) -> Result<String> {
    dispatch(b, name).unwrap_or_else(|| {
        Err(Error::Field {
            field: "(baseline widths)".into(),
            value: format!("{:?}", widths(b)),
            allowed: "this baseline width set is not compiled in; add it to src/baseline/registry.rs and rebuild".into(),
        })
    })
}
