//! The dense feed-forward block: down(silu(gate(x)) * up(x)).

use super::config::ModelConfig;
use super::linear::Linear;
use super::weights::Weights;
use super::Error;
use mlx_rs::error::Exception;
use mlx_rs::transforms::compile::compile;
use mlx_rs::{ops, Array};
use std::cell::RefCell;

pub struct Mlp {
    gate_proj: Linear,
    up_proj: Linear,
    down_proj: Linear,
}

impl Mlp {
    pub fn load(w: &mut Weights, cfg: &ModelConfig, p: &str) -> Result<Mlp, Error> {
        let (d, f, b) = (cfg.hidden_size, cfg.intermediate_size, cfg.mlp_bias);
        Ok(Mlp {
            gate_proj: Linear::load(w, cfg, &format!("{p}.gate_proj"), d, f, b)?,
            up_proj: Linear::load(w, cfg, &format!("{p}.up_proj"), d, f, b)?,
            down_proj: Linear::load(w, cfg, &format!("{p}.down_proj"), f, d, b)?,
        })
    }

    pub fn forward(&self, x: &Array) -> Result<Array, Error> {
        let h = swiglu(&self.gate_proj.forward(x)?, &self.up_proj.forward(x)?)?;
        self.down_proj.forward(&h)
    }
}

/// silu(gate) * x as one fused kernel (compiled, shape-independent), as
/// mlx-lm's `swiglu`: unfused it is three passes over the widest activation
/// of the block. Compiled once per thread: each `compile` call is a new
/// function to MLX (a fresh id), which would trace and fuse it again on
/// every layer of every token.
pub fn swiglu(gate: &Array, x: &Array) -> Result<Array, Error> {
    type Swiglu = Box<dyn for<'a> FnMut((&'a Array, &'a Array)) -> Result<Array, Exception>>;
    thread_local! {
        static COMPILED: RefCell<Swiglu> = RefCell::new(Box::new(compile(
            |(g, x): (&Array, &Array)| ops::multiply(ops::multiply(g, ops::sigmoid(g)?)?, x),
            true,
        )));
    }
    Ok(COMPILED.with(|c| (c.borrow_mut())((gate, x)))?)
}
