//! Multi-head attention with grouped KV heads, RoPE, optional q/k RMSNorm
//! (qwen3) and q/k/v biases (qwen2) — mlx-lm's `Attention`.

use super::cache::LayerCache;
use super::config::ModelConfig;
use super::linear::Linear;
use super::weights::Weights;
use super::Error;
use mlx_rs::fast::{self, ScaledDotProductAttentionMask};
use mlx_rs::Array;

/// Left-padded rows decoded together (batched generation): which cached
/// keys each query position may see (`mask`, [B, 1, L, T], true = attend:
/// not a row's padding, not the future) and each row's RoPE position for
/// this step's first token (`positions`, [B]), the position it would have
/// alone — so a row's numbers are its unbatched ones.
pub struct Rows {
    pub mask: Array,
    pub positions: Array,
}

pub struct Attention {
    q_proj: Linear,
    k_proj: Linear,
    v_proj: Linear,
    o_proj: Linear,
    q_norm: Option<Array>,
    k_norm: Option<Array>,
    n_heads: i32,
    n_kv_heads: i32,
    head_dim: i32,
    eps: f32,
    rope_base: f32,
    rope_scale: f32,
    rope_traditional: bool,
}

impl Attention {
    pub fn load(w: &mut Weights, cfg: &ModelConfig, p: &str) -> Result<Attention, Error> {
        let (d, h, kvh, hd) = (
            cfg.hidden_size,
            cfg.num_attention_heads,
            cfg.num_key_value_heads,
            cfg.head_dim,
        );
        let b = cfg.attention_bias;
        let qk_norm = cfg.arch.qk_norm();
        Ok(Attention {
            q_proj: Linear::load(w, cfg, &format!("{p}.q_proj"), d, h * hd, b)?,
            k_proj: Linear::load(w, cfg, &format!("{p}.k_proj"), d, kvh * hd, b)?,
            v_proj: Linear::load(w, cfg, &format!("{p}.v_proj"), d, kvh * hd, b)?,
            o_proj: Linear::load(w, cfg, &format!("{p}.o_proj"), h * hd, d, false)?,
            q_norm: if qk_norm {
                Some(w.take(&format!("{p}.q_norm.weight"), Some(&[hd]))?)
            } else {
                None
            },
            k_norm: if qk_norm {
                Some(w.take(&format!("{p}.k_norm.weight"), Some(&[hd]))?)
            } else {
                None
            },
            n_heads: h,
            n_kv_heads: kvh,
            head_dim: hd,
            eps: cfg.rms_norm_eps,
            rope_base: cfg.rope_theta,
            rope_scale: cfg.rope_scale,
            rope_traditional: cfg.rope_traditional,
        })
    }

    /// x [B, L, D] → [B, L, D], appending this step's keys/values to `cache`.
    /// `rows`: left-padded rows of a batch, each masked and positioned as
    /// if alone; without it every row starts at `offset`.
    pub fn forward(
        &self,
        x: &Array,
        cache: &mut LayerCache,
        offset: i32,
        rows: Option<&Rows>,
    ) -> Result<Array, Error> {
        let (b, l) = (x.shape()[0], x.shape()[1]);
        let heads = |y: Array, n: i32, norm: &Option<Array>| -> Result<Array, Error> {
            let y = y.reshape(&[b, l, n, self.head_dim])?;
            let y = match norm {
                Some(w) => fast::rms_norm(&y, Some(w), self.eps)?,
                None => y,
            };
            let y = y.transpose_axes(&[0, 2, 1, 3])?;
            Ok(y)
        };
        let rope = |y: &Array| match rows {
            None => fast::rope(
                y,
                self.head_dim,
                self.rope_traditional,
                self.rope_base,
                self.rope_scale,
                offset,
                None,
            ),
            Some(r) => fast::rope_dynamic(
                y,
                self.head_dim,
                self.rope_traditional,
                self.rope_base,
                self.rope_scale,
                &r.positions,
                None,
            ),
        };
        let q = heads(self.q_proj.forward(x)?, self.n_heads, &self.q_norm)?;
        let k = heads(self.k_proj.forward(x)?, self.n_kv_heads, &self.k_norm)?;
        let v = heads(self.v_proj.forward(x)?, self.n_kv_heads, &None)?;
        let (q, k) = (rope(&q)?, rope(&k)?);
        let (k, v) = cache.update(k, v)?;
        let scale = (self.head_dim as f32).powf(-0.5);
        // One new token attends to everything cached: no mask. Several
        // (prefill): causal, aligned to the end as mlx-lm's "causal" mode is.
        let mask = match rows {
            Some(r) => Some(ScaledDotProductAttentionMask::Array(&r.mask)),
            None if l > 1 => Some(ScaledDotProductAttentionMask::Causal),
            None => None,
        };
        let o = fast::scaled_dot_product_attention(&q, &k, &v, scale, mask, None)?;
        let o = o
            .transpose_axes(&[0, 2, 1, 3])?
            .reshape(&[b, l, self.n_heads * self.head_dim])?;
        self.o_proj.forward(&o)
    }
}
