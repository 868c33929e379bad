//! softmax-hw: a generator of streaming softmax hardware.
//!
//! At the bottom, [`params`]: the validated configuration with every derived width and
//! table, which every datapath reads and which imports none of them. Above it, one folder
//! per datapath, each with its model (the specification) and its rust-hdl block:
//! * [`exp2`]: input scaling, integer/fraction split and 2^-f (shared by both passes)
//! * [`unnormed`]: pass 1, online max and renormalized sum (Softermax)
//! * [`recip`]: the reciprocal of the row sum (LUT, LPW or Newton-Raphson)
//! * [`normalize`]: pass 2, rescale to the final max and multiply by the reciprocal
//! * [`row`]: the row front end both unit tops share (AXI accept, banks, pass-1 control)
//! * [`unit`]: the whole-row golden model and the dense top block
//! * [`baseline`]: the conventional softmax the unit is measured against
//! * [`sparse`]: sparse selection (threshold, statistical top-k, exact top-k) and its top block
//!
//! Around them: [`config`] (TOML), [`instance`] (which width sets are compiled in, and the
//! on-demand build of the others), [`generate`] (Verilog + manifest), [`cosim`] (Verilator
//! co-simulation), [`golden`] (the golden model over many rows: the `golden` command and the
//! Python binding), [`lint`], [`fuzz`], [`rows`] (test rows), [`csvio`] (logit CSV files).

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
pub mod golden;
pub mod hw;
pub mod instance;
pub mod lint;
pub mod lpw;
pub mod normalize;
pub mod output;
pub mod params;
pub mod recip;
pub mod row;
pub mod rows;
pub mod sparse;
pub mod sweep;
pub mod synth;
pub mod testbench;
pub mod unit;
pub mod unnormed;

pub use error::{Error, Result};
