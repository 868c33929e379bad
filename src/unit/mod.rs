//! The softmax unit: configuration -> parameters -> golden model and rust-hdl block.

pub mod block;
pub mod model;
pub mod registry;

#[cfg(test)]
pub(crate) mod tests;
