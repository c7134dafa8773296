//! See lib.rs module map.
pub mod verdict;
pub use verdict::{Call, CallFormat, Verdict, VerdictKind};
