//! Token embeddings, dense or quantized; doubles as the output projection
//! when the model ties its embeddings (mlx-lm's `as_linear`).

use super::config::{ModelConfig, QuantSpec};
use super::linear::{packed_cols, quant_spec};
use super::weights::Weights;
use super::Error;
use mlx_rs::{ops, Array};

pub enum Embedding {
    Dense(Array),
    Quantized {
        weight: Array,
        scales: Array,
        biases: Array,
        spec: QuantSpec,
    },
}

impl Embedding {
    pub fn load(
        w: &mut Weights,
        cfg: &ModelConfig,
        prefix: &str,
        vocab: i32,
        dim: i32,
    ) -> Result<Embedding, Error> {
        match quant_spec(w, cfg, prefix)? {
            None => Ok(Embedding::Dense(
                w.take(&format!("{prefix}.weight"), Some(&[vocab, dim]))?,
            )),
            Some(spec) => {
                let groups = dim / spec.group_size;
                Ok(Embedding::Quantized {
                    weight: w.take(
                        &format!("{prefix}.weight"),
                        Some(&[vocab, packed_cols(dim, spec.bits)]),
                    )?,
                    scales: w.take(&format!("{prefix}.scales"), Some(&[vocab, groups]))?,
                    biases: w.take(&format!("{prefix}.biases"), Some(&[vocab, groups]))?,
                    spec,
                })
            }
        }
    }

    /// ids [B, L] (uint32) → [B, L, dim].
    pub fn forward(&self, ids: &Array) -> Result<Array, Error> {
        Ok(match self {
            Embedding::Dense(w) => w.take_axis(ids, 0)?,
            Embedding::Quantized {
                weight,
                scales,
                biases,
                spec,
            } => ops::dequantize(
                weight.take_axis(ids, 0)?,
                scales.take_axis(ids, 0)?,
                &biases.take_axis(ids, 0)?,
                spec.group_size,
                spec.bits,
            )?,
        })
    }

    /// x [.., dim] → logits [.., vocab].
    pub fn as_linear(&self, x: &Array) -> Result<Array, Error> {
        Ok(match self {
            Embedding::Dense(w) => ops::matmul(x, w.t())?,
            Embedding::Quantized {
                weight,
                scales,
                biases,
                spec,
            } => {
                ops::quantized_matmul(x, weight, scales, biases, true, spec.group_size, spec.bits)?
            }
        })
    }
}
