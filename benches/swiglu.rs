//! Host-side cost of one fused swiglu call (a decode step makes one per
//! layer): building the compiled op, and building plus evaluating it on a
//! decode-sized row [1, 1, 768]. Run: `cargo bench --bench swiglu`.
//!
//! Plain harness: three rounds of 2,000 calls; prints microseconds per call.
//! Measured on the 2-core dev VM (MLX CPU): compiling once per thread, as
//! `model::mlp::swiglu` does, 0.7 µs build / 15 µs build+eval; compiling
//! on every call (a fresh function id each time): 15 µs / 39-74 µs.

use mlx_rs::ops;
use punie_eval::model::mlp::swiglu;
use std::hint::black_box;
use std::time::Instant;

fn main() {
    let g = ops::ones::<f32>(&[1, 1, 768]).expect("ones");
    let x = ops::ones::<f32>(&[1, 1, 768]).expect("ones");
    let n = 2000;
    for round in 1..=3 {
        let t = Instant::now();
        for _ in 0..n {
            black_box(swiglu(&g, &x).expect("swiglu"));
        }
        let build = t.elapsed().as_secs_f64() / f64::from(n) * 1e6;
        let t = Instant::now();
        for _ in 0..n {
            swiglu(&g, &x).expect("swiglu").eval().expect("eval");
        }
        let full = t.elapsed().as_secs_f64() / f64::from(n) * 1e6;
        println!("round {round}: build {build:.1} µs/call, build+eval {full:.1} µs/call");
    }
}
