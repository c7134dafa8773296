//! Token embeddings, a dense or quantized [`Weight`] [vocab, dim]; doubles
//! as the output projection when the model ties its embeddings (mlx-lm's
//! `as_linear`).

use super::config::ModelConfig;
use super::quantized::Weight;
use super::weights::Weights;
use super::Error;
use mlx_rs::Array;

pub struct Embedding(Weight);

impl Embedding {
    pub fn load(
        w: &mut Weights,
        cfg: &ModelConfig,
        prefix: &str,
        vocab: i32,
        dim: i32,
    ) -> Result<Embedding, Error> {
        Ok(Embedding(Weight::load(w, cfg, prefix, &[vocab, dim])?))
    }

    /// ids [B, L] (uint32) → [B, L, dim].
    pub fn forward(&self, ids: &Array) -> Result<Array, Error> {
        self.0.rows(ids)
    }

    /// x [.., dim] → logits [.., vocab].
    pub fn as_linear(&self, x: &Array) -> Result<Array, Error> {
        self.0.matmul(x)
    }
}
