//! Sparse selection (README: Sparse selection): the softmax unit with a per-row keep rule,
//! so that most elements of a row output 0. Three modes, one datapath:
//! * `threshold`: keep x_i >= max - theta, theta a run-time register (a learned per-head
//!   constant, as in SparseLight);
//! * `stat_topk`: Spark Transformer's statistical top-k, x_i >= mean + std * PhiInv(1 - k/L),
//!   from sum(x) and sum(x^2) collected beside pass 1, with a hard cap k_max;
//! * `topk`: the exact k largest, ties to the lowest index, by an insertion array in pass 1.
//!
//! `crate::params::sparse` validates the `[sparse]` section, `model.rs` is the bit-exact
//! specification, `block.rs` holds the pass-1 selection blocks, `unit.rs` the sparse top and
//! `registry.rs` its instance macro.

pub mod block;
pub mod model;
pub mod registry;
pub mod report;
pub mod unit;

#[cfg(test)]
mod tests;
