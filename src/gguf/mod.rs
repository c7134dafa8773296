//! See lib.rs module map.
