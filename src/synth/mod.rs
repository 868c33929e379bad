//! Synthesis with Yosys and nextpnr (work in progress).
