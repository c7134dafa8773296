//! The decoder stack shared by every architecture (mlx-lm's `Model`):
//! embed → N × (norm → attention → residual → norm → mlp|moe → residual)
//! → norm → lm_head (or tied embeddings).

use super::attention::{Attention, Rows};
use super::cache::KvCache;
use super::config::ModelConfig;
use super::embedding::Embedding;
use super::linear::Linear;
use super::mlp::Mlp;
use super::moe::SparseMoe;
use super::weights::Weights;
use super::Error;
use mlx_rs::{fast, ops, transforms, Array};

/// Prompts at least this long are prefilled one evaluated layer at a time.
const PER_LAYER_EVAL_TOKENS: i32 = 64;

enum FeedForward {
    Dense(Mlp),
    Moe(SparseMoe),
}

struct Layer {
    input_layernorm: Array,
    self_attn: Attention,
    post_attention_layernorm: Array,
    mlp: FeedForward,
}

pub struct Decoder {
    embed_tokens: Embedding,
    layers: Vec<Layer>,
    norm: Array,
    lm_head: Option<Linear>,
    eps: f32,
}

impl Decoder {
    pub fn load(w: &mut Weights, cfg: &ModelConfig) -> Result<Decoder, Error> {
        let d = cfg.hidden_size;
        let embed_tokens = Embedding::load(w, cfg, "model.embed_tokens", cfg.vocab_size, d)?;
        let mut layers = Vec::with_capacity(cfg.num_hidden_layers as usize);
        for i in 0..cfg.num_hidden_layers {
            let p = format!("model.layers.{i}");
            let mlp_name = format!("{p}.mlp");
            let mlp = if cfg.is_moe_layer(i) {
                FeedForward::Moe(
                    SparseMoe::load(w, cfg, &mlp_name).map_err(|e| e.in_module(&mlp_name))?,
                )
            } else {
                FeedForward::Dense(
                    Mlp::load(w, cfg, &mlp_name).map_err(|e| e.in_module(&mlp_name))?,
                )
            };
            let attn_name = format!("{p}.self_attn");
            layers.push(Layer {
                input_layernorm: w.take(&format!("{p}.input_layernorm.weight"), Some(&[d]))?,
                self_attn: Attention::load(w, cfg, &attn_name)
                    .map_err(|e| e.in_module(&attn_name))?,
                post_attention_layernorm: w
                    .take(&format!("{p}.post_attention_layernorm.weight"), Some(&[d]))?,
                mlp,
            });
        }
        let norm = w.take("model.norm.weight", Some(&[d]))?;
        let lm_head = if cfg.tie_word_embeddings {
            // A stray lm_head of a tied model is dropped (mlx-lm's sanitize).
            if cfg.arch.spec().sanitize.drop_tied_lm_head {
                let _ = w.take_opt("lm_head.weight");
            }
            None
        } else {
            Some(Linear::load(w, cfg, "lm_head", d, cfg.vocab_size, false)?)
        };
        Ok(Decoder {
            embed_tokens,
            layers,
            norm,
            lm_head,
            eps: cfg.rms_norm_eps,
        })
    }

    /// ids [B, L] → logits [B, L, vocab]; appends to `cache`.
    pub fn forward(&self, ids: &Array, cache: &mut KvCache) -> Result<Array, Error> {
        self.forward_inner(ids, cache, false, None)
    }

    /// Like [`Decoder::forward`] but logits for the last position only
    /// ([B, 1, vocab]): during prefill the output projection over every
    /// prompt position would cost more than the rest of a small model.
    pub fn forward_last(&self, ids: &Array, cache: &mut KvCache) -> Result<Array, Error> {
        self.forward_inner(ids, cache, true, None)
    }

    /// [`Decoder::forward_last`] for left-padded rows decoded together.
    pub fn forward_rows(
        &self,
        ids: &Array,
        cache: &mut KvCache,
        rows: &Rows,
    ) -> Result<Array, Error> {
        self.forward_inner(ids, cache, true, Some(rows))
    }

    fn forward_inner(
        &self,
        ids: &Array,
        cache: &mut KvCache,
        last_only: bool,
        rows: Option<&Rows>,
    ) -> Result<Array, Error> {
        let mut h = self.embed_tokens.forward(ids)?;
        let offset = cache.offset;
        // A long prefill is evaluated layer by layer: as one lazy graph the
        // GPU backend kept every layer's MoE intermediates alive at once
        // (peak 1.6x mlx-lm's on a 2k-token prompt of Qwen3-30B-A3B). Each
        // layer is queued (async) and the one before it awaited, so the
        // device never idles while the host builds the next layer's graph.
        let mut queued: Option<Array> = None;
        let per_layer_eval = ids.shape()[1] >= PER_LAYER_EVAL_TOKENS
            && std::env::var_os("PUNIE_ONE_GRAPH_PREFILL").is_none();
        let l = ids.shape()[1];
        let n = self.layers.len();
        for (i, (layer, lc)) in self.layers.iter().zip(cache.layers.iter_mut()).enumerate() {
            let a = fast::rms_norm(&h, Some(&layer.input_layernorm), self.eps)?;
            let r = layer.self_attn.forward(&a, lc, offset, rows)?;
            h = ops::add(&h, &r)?;
            if last_only && l > 1 && i + 1 == n {
                // Past the last attention (whose keys and values the cache
                // needs for every position) only the last position reaches
                // the logits: the last feed-forward runs on one row, not L.
                h = h.take_axis(Array::from_slice(&[l - 1], &[1]), 1)?;
            }
            let m = fast::rms_norm(&h, Some(&layer.post_attention_layernorm), self.eps)?;
            let r = match &layer.mlp {
                FeedForward::Dense(mlp) => mlp.forward(&m)?,
                FeedForward::Moe(moe) => moe.forward(&m)?,
            };
            h = ops::add(&h, &r)?;
            if per_layer_eval {
                transforms::async_eval([&h])?;
                if let Some(previous) = queued.replace(h.clone()) {
                    previous.eval()?;
                }
            }
        }
        cache.offset += l;
        let rows = h.shape()[1];
        if last_only && rows > 1 {
            // Only reached by a model without layers.
            h = h.take_axis(Array::from_slice(&[rows - 1], &[1]), 1)?;
        }
        let h = fast::rms_norm(&h, Some(&self.norm), self.eps)?;
        match &self.lm_head {
            Some(head) => head.forward(&h),
            None => self.embed_tokens.as_linear(&h),
        }
    }

    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }
}
