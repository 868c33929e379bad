//! Sparse selection (README: Sparse selection): the softmax unit with a per-row keep rule,
//! so that most elements of a row output 0. Three modes, one datapath:
//! * `threshold`: keep x_i >= max - theta, theta a run-time register (a learned per-head
//!   constant, as in SparseLight);
//! * `stat_topk`: Spark Transformer's statistical top-k, x_i >= mean + std * PhiInv(1 - k/L),
//!   from sum(x) and sum(x^2) collected beside pass 1, with a hard cap k_max;
//! * `topk`: the exact k largest, ties to the lowest index, by an insertion array in pass 1.
//!
//! `crate::params::sparse` validates the `[sparse]` section, `model.rs` is the bit-exact
//! specification (it does not depend on the lanes), `block.rs` holds the pass-1 selection
//! blocks (TopK, StatAcc, Stat), `lane.rs` one lane's row max and keep rule, `select.rs`
//! the selection the unit's top (`unit/block.rs`) adds beside the dense datapath (P lanes
//! of each, combined at the row's end), and `sweep.rs` the survivors' renormalization on
//! the pass-2 side (one lane).

pub mod block;
pub mod lane;
pub mod model;
pub mod report;
pub mod select;
pub mod sweep;

#[cfg(test)]
mod tests;
