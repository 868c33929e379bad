//! Synthesis flow tests (work in progress).
