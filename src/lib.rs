//! softmax-hw: a generator of streaming softmax hardware.
//!
//! One folder per datapath, each with its model (the specification) and its rust-hdl block:
//! * [`exp2`]: input scaling, integer/fraction split and 2^-f (shared by both passes)
//! * [`unnormed`]: pass 1, online max and renormalized sum (Softermax)
//! * [`recip`]: the reciprocal of the row sum (LUT, LPW or Newton-Raphson)
//! * [`normalize`]: pass 2, rescale to the final max and multiply by the reciprocal
//! * [`unit`]: parameters, the whole-row golden model, the top block and the width registry
//! * [`sparse`]: sparse selection (threshold, statistical top-k, exact top-k) and its top block
//!
//! Around them: [`config`] (TOML), [`generate`] (Verilog + manifest), [`cosim`] (Verilator
//! co-simulation), [`rows`] (test rows), [`csvio`] (logit CSV files).

pub mod accuracy;
pub mod baseline;
pub mod bench;
pub mod config;
pub mod cosim;
pub mod csvio;
pub mod data;
pub mod error;
pub mod exp2;
pub mod fixfmt;
pub mod fuzz;
pub mod generate;
pub mod hw;
pub mod instance;
pub mod lint;
pub mod lpw;
pub mod normalize;
pub mod params;
pub mod recip;
pub mod row;
pub mod rows;
pub mod sparse;
pub mod sweep;
pub mod synth;
pub mod unit;
pub mod unnormed;

pub use error::{Error, Result};
