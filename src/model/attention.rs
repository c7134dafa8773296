//! Multi-head attention with grouped KV heads, RoPE, optional q/k RMSNorm
//! (qwen3) and q/k/v biases (qwen2) — mlx-lm's `Attention`.

use super::cache::LayerCache;
use super::config::ModelConfig;
use super::linear::Linear;
use super::weights::Weights;
use super::Error;
use mlx_rs::fast::{self, ScaledDotProductAttentionMask};
use mlx_rs::{ops, Array};

/// Left-padded rows decoded together (batched generation): which of the
/// rows' own cached keys each query position may see (`mask`, [B, 1, L, T],
/// true = attend: not a row's padding, not the future; the shared prefix
/// is seen by all) and each row's RoPE position for this step's first
/// token (`positions`, [B]), the position it would have alone — so a
/// row's numbers are its unbatched ones.
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
        if let (Some(r), Some(prefix)) = (rows, cache.shared()) {
            let o = self.attend_after_prefix(&q, prefix, (&k, &v), &r.mask, scale)?;
            let o =
                o.transpose_axes(&[0, 2, 1, 3])?
                    .reshape(&[b, l, self.n_heads * self.head_dim])?;
            return self.o_proj.forward(&o);
        }
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

    /// Attention of q [B, H, L, D] over a prefix every row shares (keys and
    /// values [1, KV, P, D], broadcast, never copied per row) followed by
    /// each row's own keys and values [B, KV, T, D] under `mask`: one
    /// softmax over both (in f32, as MLX's own attention composes it).
    fn attend_after_prefix(
        &self,
        q: &Array,
        (pk, pv): &(Array, Array),
        (k, v): (&Array, &Array),
        mask: &Array,
        scale: f32,
    ) -> Result<Array, Error> {
        let (b, l) = (q.shape()[0], q.shape()[2]);
        let (kvh, hd) = (self.n_kv_heads, self.head_dim);
        let rep = self.n_heads / kvh;
        let p = pk.shape()[2];
        // Query heads grouped by the key head they read: [B, KV, rep·L, D].
        let q = ops::multiply(q, Array::from_f32(scale))?.reshape(&[b, kvh, rep * l, hd])?;
        let shared = ops::matmul(&q, pk.swap_axes(-1, -2)?)?;
        let own = ops::matmul(&q, k.swap_axes(-1, -2)?)?;
        let t = own.shape()[3];
        let mask = ops::broadcast_to(mask.reshape(&[b, 1, 1, l, t])?, &[b, 1, rep, l, t])?
            .reshape(&[b, 1, rep * l, t])?;
        let own = ops::select(&mask, &own, Array::from_f32(f32::NEG_INFINITY))?;
        let scores = ops::concatenate(&[shared, own], -1)?;
        let weights = ops::softmax_axis(&scores, -1, true)?;
        let parts = ops::split_at_indices(&weights, &[p], -1)?;
        let o = ops::add(ops::matmul(&parts[0], pv)?, ops::matmul(&parts[1], v)?)?;
        Ok(o.reshape(&[b, self.n_heads, l, hd])?)
    }
}
