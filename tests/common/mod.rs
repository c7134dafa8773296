//! Shared helpers for integration tests that check MLX against plain Rust.
//! Each test binary that uses it declares `mod common;`.

pub mod compare;
pub mod reference;
pub mod rng;
