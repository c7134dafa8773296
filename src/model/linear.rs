//! Linear layers as mlx-lm stores them: a dense or quantized [`Weight`]
//! [out, in], plus an optional `bias`.

use super::config::ModelConfig;
use super::quantized::Weight;
use super::weights::Weights;
use super::Error;
use mlx_rs::ops;
use mlx_rs::Array;

pub struct Linear {
    weight: Weight,
    bias: Option<Array>,
}

impl Linear {
    pub fn load(
        w: &mut Weights,
        cfg: &ModelConfig,
        prefix: &str,
        in_dim: i32,
        out_dim: i32,
        has_bias: bool,
    ) -> Result<Linear, Error> {
        let bias = if has_bias {
            Some(w.take(&format!("{prefix}.bias"), Some(&[out_dim]))?)
        } else {
            None
        };
        Ok(Linear {
            weight: Weight::load(w, cfg, prefix, &[out_dim, in_dim])?,
            bias,
        })
    }

    pub fn forward(&self, x: &Array) -> Result<Array, Error> {
        match (&self.weight, &self.bias) {
            // x·Wᵀ + b in one fused op, as nn.Linear does.
            (Weight::Dense(w), Some(b)) => Ok(ops::addmm(b, x, w.t(), None, None)?),
            (weight, bias) => {
                let y = weight.matmul(x)?;
                Ok(match bias {
                    Some(b) => ops::add(&y, b)?,
                    None => y,
                })
            }
        }
    }
}
