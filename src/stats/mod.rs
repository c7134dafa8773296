//! Statistics for comparing runs: the exact McNemar test on paired
//! pass/fail outcomes and the smallest difference a suite can detect.

pub mod mcnemar;

pub use mcnemar::{min_detectable, McNemar};
