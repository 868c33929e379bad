//! Golden model of the whole unit, row by row: the dense datapath's row model
//! ([`crate::normalize::run_row`]); with a `[sparse]` section, `crate::sparse::model`.

pub use crate::normalize::{run_row, RowResult};
