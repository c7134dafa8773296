//! The one dense-or-quantized weight that [`Linear`](super::linear::Linear),
//! [`Embedding`](super::embedding::Embedding) and the MoE switch layers
//! share, as mlx-lm stores it: `weight` [.., out, in], or affine-quantized:
//! uint32-packed `weight` [.., out, in·bits/32] + `scales` + `biases`
//! [.., out, in/group].

use super::config::{ModelConfig, QuantSpec};
use super::weights::Weights;
use super::Error;
use mlx_rs::{ops, Array};

pub enum Weight {
    Dense(Array),
    Quantized {
        weight: Array,
        scales: Array,
        biases: Array,
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

impl Weight {
    /// Takes module `prefix`'s weight of logical shape `shape` ([.., out,
    /// in]), checking every tensor's shape.
    pub fn load(
        w: &mut Weights,
        cfg: &ModelConfig,
        prefix: &str,
        shape: &[i32],
    ) -> Result<Weight, Error> {
        let key = format!("{prefix}.weight");
        let Some(spec) = quant_spec(w, cfg, prefix)? else {
            return Ok(Weight::Dense(w.take(&key, Some(shape))?));
        };
        let (lead, in_dim) = shape.split_at(shape.len() - 1);
        let with_last = |last: i32| [lead, &[last]].concat();
        let groups = with_last(in_dim[0] / spec.group_size);
        Ok(Weight::Quantized {
            weight: w.take(&key, Some(&with_last(packed_cols(in_dim[0], spec.bits))))?,
            scales: w.take(&format!("{prefix}.scales"), Some(&groups))?,
            biases: w.take(&format!("{prefix}.biases"), Some(&groups))?,
            spec,
        })
    }

    /// x · Wᵀ: [.., in] → [.., out].
    pub fn matmul(&self, x: &Array) -> Result<Array, Error> {
        Ok(match self {
            Weight::Dense(w) => ops::matmul(x, w.t())?,
            Weight::Quantized {
                weight,
                scales,
                biases,
                spec,
            } => {
                ops::quantized_matmul(x, weight, scales, biases, true, spec.group_size, spec.bits)?
            }
        })
    }

    /// Rows `ids` of the matrix, dequantized: [..ids, in] (an embedding lookup).
    pub fn rows(&self, ids: &Array) -> Result<Array, Error> {
        Ok(match self {
            Weight::Dense(w) => w.take_axis(ids, 0)?,
            Weight::Quantized {
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

    /// For a stack [E, out, in]: x [.., 1, in] times the matrix each of
    /// `idx` [..] names → [.., 1, out]. `sorted`: the indices ascend (rows
    /// grouped by expert).
    pub fn gather_matmul(&self, x: &Array, idx: &Array, sorted: bool) -> Result<Array, Error> {
        Ok(match self {
            Weight::Dense(w) => ops::gather_mm(x, w.swap_axes(-1, -2)?, None, idx, sorted)?,
            Weight::Quantized {
                weight,
                scales,
                biases,
                spec,
            } => ops::gather_qmm(
                x,
                weight,
                scales,
                biases,
                None,
                idx,
                true,
                spec.group_size,
                spec.bits,
                sorted,
            )?,
        })
    }
}
