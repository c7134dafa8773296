//! Linear layers as mlx-lm stores them: `weight` [out, in] (+ `bias`), or
//! quantized: uint32-packed `weight` + `scales` + `biases` (affine mode).

use super::config::{ModelConfig, QuantSpec};
use super::weights::Weights;
use super::Error;
use mlx_rs::ops;
use mlx_rs::Array;

pub enum Linear {
    Dense {
        weight: Array,
        bias: Option<Array>,
    },
    Quantized {
        weight: Array,
        scales: Array,
        biases: Array,
        bias: Option<Array>,
        spec: QuantSpec,
    },
}

/// The quantization of module `prefix`: present iff `{prefix}.scales` is
/// (as mlx-lm decides), with bits/group from the config and its overrides.
pub fn quant_spec(
    w: &Weights,
    cfg: &ModelConfig,
    prefix: &str,
) -> Result<Option<QuantSpec>, Error> {
    if !w.contains(&format!("{prefix}.scales")) {
        return Ok(None);
    }
    cfg.quantization
        .for_module(prefix)
        .map(Some)
        .ok_or_else(|| Error::MissingTensor {
            dir: Default::default(),
            key: format!(
                "{prefix}.scales exists but config.json has no \"quantization\" (bits, group_size) for it"
            ),
        })
}

/// Packed width of `in_dim` values at `bits`.
pub fn packed_cols(in_dim: i32, bits: i32) -> i32 {
    in_dim * bits / 32
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
        match quant_spec(w, cfg, prefix)? {
            None => Ok(Linear::Dense {
                weight: w.take(&format!("{prefix}.weight"), Some(&[out_dim, in_dim]))?,
                bias,
            }),
            Some(spec) => {
                let groups = in_dim / spec.group_size;
                Ok(Linear::Quantized {
                    weight: w.take(
                        &format!("{prefix}.weight"),
                        Some(&[out_dim, packed_cols(in_dim, spec.bits)]),
                    )?,
                    scales: w.take(&format!("{prefix}.scales"), Some(&[out_dim, groups]))?,
                    biases: w.take(&format!("{prefix}.biases"), Some(&[out_dim, groups]))?,
                    bias,
                    spec,
                })
            }
        }
    }

    pub fn forward(&self, x: &Array) -> Result<Array, Error> {
        let (y, bias) = match self {
            // x·Wᵀ + b in one fused op, as nn.Linear does.
            Linear::Dense {
                weight,
                bias: Some(b),
            } => return Ok(ops::addmm(b, x, weight.t(), None, None)?),
            Linear::Dense { weight, bias } => (ops::matmul(x, weight.t())?, bias),
            Linear::Quantized {
                weight,
                scales,
                biases,
                bias,
                spec,
            } => (
                ops::quantized_matmul(x, weight, scales, biases, true, spec.group_size, spec.bits)?,
                bias,
            ),
        };
        Ok(match bias {
            Some(b) => ops::add(&y, b)?,
            None => y,
        })
    }
}
