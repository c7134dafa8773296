//! Plain-Rust reference implementations of the MLX operations the model
//! runtime relies on. Written from the math (and, for affine quantization,
//! from the packing rules documented in docs/mlx-runtime.md), never by
//! calling MLX. Accumulation is in f64 so the reference is the more exact
//! side of every comparison. All arrays are row-major.

/// `c[b] = a[b] @ w[b]` for `a: [batch, m, k]`, `w: [batch, k, n]`.
pub fn matmul(a: &[f32], w: &[f32], batch: usize, m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut c = vec![0.0f64; batch * m * n];
    for b in 0..batch {
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0f64;
                for p in 0..k {
                    acc += f64::from(a[(b * m + i) * k + p]) * f64::from(w[(b * k + p) * n + j]);
                }
                c[(b * m + i) * n + j] = acc;
            }
        }
    }
    c
}

/// `y = x @ w^T` for `x: [m, k]`, `w: [n, k]`: a linear layer, the layout
/// mlx-lm's (Quantized)Linear stores (`transpose = true`).
pub fn linear(x: &[f32], w: &[f32], m: usize, k: usize, n: usize) -> Vec<f64> {
    let mut y = vec![0.0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            let mut acc = 0.0f64;
            for p in 0..k {
                acc += f64::from(x[i * k + p]) * f64::from(w[j * k + p]);
            }
            y[i * n + j] = acc;
        }
    }
    y
}

/// Element-wise absolute values: `matmul(|a|, |w|)` is the magnitude that
/// bounds the rounding error of `matmul(a, w)`.
pub fn abs(v: &[f32]) -> Vec<f32> {
    v.iter().map(|x| x.abs()).collect()
}

/// Reads `count` unsigned `bits`-bit values from `packed`, viewed as one
/// little-endian bit stream: word 0 bit 0 first, each value LSB first, values
/// allowed to straddle word boundaries.
pub fn unpack_bits(packed: &[u32], bits: u32, count: usize) -> Vec<u32> {
    assert!((1..=32).contains(&bits));
    let mask = if bits == 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    };
    (0..count)
        .map(|i| {
            let bit = i * bits as usize;
            let (word, shift) = (bit / 32, (bit % 32) as u32);
            // Two words cover any value of up to 32 bits at any offset.
            let lo = u64::from(packed[word]);
            let hi = packed.get(word + 1).copied().map_or(0, u64::from);
            ((((hi << 32) | lo) >> shift) as u32) & mask
        })
        .collect()
}

/// The inverse of [`unpack_bits`], used to build deliberately wrong packings
/// (e.g. most-significant-bit-first) for negative checks.
pub fn pack_bits(values: &[u32], bits: u32) -> Vec<u32> {
    let total_bits = values.len() * bits as usize;
    let mut out = vec![0u32; total_bits.div_ceil(32)];
    for (i, &v) in values.iter().enumerate() {
        let bit = i * bits as usize;
        let (word, shift) = (bit / 32, (bit % 32) as u32);
        let wide = u64::from(v) << shift;
        out[word] |= wide as u32;
        if let Some(next) = out.get_mut(word + 1) {
            *next |= (wide >> 32) as u32;
        }
    }
    out
}

/// `w = q * scale + bias`, one scale and bias per `group` consecutive values
/// of a row (the layout of `scales`/`biases`: `[rows, k / group]`).
pub fn dequantize(q: &[u32], scales: &[f32], biases: &[f32], group: usize) -> Vec<f32> {
    q.iter()
        .enumerate()
        .map(|(i, &q)| q as f32 * scales[i / group] + biases[i / group])
        .collect()
}

/// MLX's affine quantization parameters for one group (see
/// docs/mlx-runtime.md): the range `[min, max]` is split into `2^bits - 1`
/// steps, then the step is nudged so the edge with the larger magnitude is
/// an exact multiple of it — which also makes 0.0 exactly representable.
/// The step is negative when `|max| >= |min|` (codes then count down from
/// `max`). Same f32 operations, in the same order, as MLX's CPU kernel.
pub fn affine_params(group: &[f32], bits: u32) -> (f32, f32) {
    let n_bins = ((1u32 << bits) - 1) as f32;
    let eps = 1e-7f32;
    let (mut w_min, mut w_max) = (f32::INFINITY, f32::NEG_INFINITY);
    for &w in group {
        w_min = w_min.min(w);
        w_max = w_max.max(w);
    }
    let mask = w_min.abs() > w_max.abs();
    let mut scale = ((w_max - w_min) / n_bins).max(eps);
    if !mask {
        scale = -scale;
    }
    let edge = if mask { w_min } else { w_max };
    let q0 = (edge / scale).round_ties_even();
    if q0 != 0.0 {
        (edge / q0, edge)
    } else {
        (scale, 0.0)
    }
}

/// The code for `w` given a group's scale and bias: round half to even,
/// clamped to `[0, 2^bits - 1]`.
pub fn affine_code(w: f32, scale: f32, bias: f32, bits: u32) -> u32 {
    let n_bins = ((1u32 << bits) - 1) as f32;
    ((w - bias) / scale).round_ties_even().clamp(0.0, n_bins) as u32
}

/// Attention mask variants the model runtime uses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mask {
    None,
    /// Query `i` sees keys `j <= i + (l_kv - l_q)`: the queries are the last
    /// `l_q` positions of the sequence (prefill when equal, decode with a KV
    /// cache when `l_q < l_kv`).
    Causal,
}

/// Shapes of one attention call: `q: [b, heads, l_q, d]`,
/// `k, v: [b, kv_heads, l_kv, d]`.
#[derive(Clone, Copy, Debug)]
pub struct AttnShape {
    pub batch: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub l_q: usize,
    pub l_kv: usize,
    pub d: usize,
}

/// `softmax(q k^T * scale + mask) v` with grouped-query attention: query
/// head `h` reads kv head `h / (heads / kv_heads)` (consecutive query heads
/// share a kv head, as in Llama/Qwen's `repeat_kv`). `kv_head_of` is a
/// parameter so a test can show a wrong mapping is detected.
pub fn attention(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    s: AttnShape,
    scale: f32,
    mask: Mask,
    kv_head_of: impl Fn(usize) -> usize,
) -> Vec<f64> {
    let mut out = vec![0.0f64; s.batch * s.heads * s.l_q * s.d];
    let offset = s.l_kv - s.l_q;
    let mut logits = vec![0.0f64; s.l_kv];
    for b in 0..s.batch {
        for h in 0..s.heads {
            let kvh = kv_head_of(h);
            for i in 0..s.l_q {
                let qrow = &q[((b * s.heads + h) * s.l_q + i) * s.d..][..s.d];
                let visible = match mask {
                    Mask::None => s.l_kv,
                    Mask::Causal => i + offset + 1,
                };
                let mut max = f64::NEG_INFINITY;
                for (j, logit) in logits.iter_mut().enumerate().take(visible) {
                    let krow = &k[((b * s.kv_heads + kvh) * s.l_kv + j) * s.d..][..s.d];
                    let dot: f64 = qrow
                        .iter()
                        .zip(krow)
                        .map(|(a, b)| f64::from(*a) * f64::from(*b))
                        .sum();
                    *logit = dot * f64::from(scale);
                    max = max.max(*logit);
                }
                let mut denom = 0.0;
                for logit in logits.iter_mut().take(visible) {
                    *logit = (*logit - max).exp();
                    denom += *logit;
                }
                let orow = &mut out[((b * s.heads + h) * s.l_q + i) * s.d..][..s.d];
                for (j, p) in logits.iter().enumerate().take(visible) {
                    let vrow = &v[((b * s.kv_heads + kvh) * s.l_kv + j) * s.d..][..s.d];
                    for (o, x) in orow.iter_mut().zip(vrow) {
                        *o += p / denom * f64::from(*x);
                    }
                }
            }
        }
    }
    out
}

/// `x / sqrt(mean(x^2) + eps) * w` over the last axis (`d`).
pub fn rms_norm(x: &[f32], w: &[f32], d: usize, eps: f32) -> Vec<f64> {
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks(d) {
        let ms: f64 = row.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / d as f64;
        let inv = 1.0 / (ms + f64::from(eps)).sqrt();
        out.extend(
            row.iter()
                .zip(w)
                .map(|(v, w)| f64::from(*v) * inv * f64::from(*w)),
        );
    }
    out
}

/// Rotary position embedding over `x: [outer, l, d]`, positions
/// `offset + t` for row `t`, rotating the first `dims` features with
/// `theta_i = (offset + t) * scale * base^(-2i / dims)`.
/// Non-traditional (Llama/Qwen "rotate half"): pairs `(i, i + dims/2)`.
/// Traditional (original RoFormer): pairs `(2i, 2i + 1)`.
/// Features past `dims` pass through unchanged.
#[allow(clippy::too_many_arguments)]
pub fn rope(
    x: &[f32],
    l: usize,
    d: usize,
    dims: usize,
    traditional: bool,
    base: f32,
    scale: f32,
    offset: usize,
) -> Vec<f64> {
    let half = dims / 2;
    let mut out: Vec<f64> = x.iter().map(|v| f64::from(*v)).collect();
    for (r, row) in x.chunks(d).enumerate() {
        let pos = ((offset + r % l) as f64) * f64::from(scale);
        let orow = &mut out[r * d..][..d];
        for i in 0..half {
            let theta = pos * f64::from(base).powf(-2.0 * i as f64 / dims as f64);
            let (sin, cos) = theta.sin_cos();
            let (a, b) = if traditional {
                (2 * i, 2 * i + 1)
            } else {
                (i, i + half)
            };
            let (x1, x2) = (f64::from(row[a]), f64::from(row[b]));
            orow[a] = x1 * cos - x2 * sin;
            orow[b] = x1 * sin + x2 * cos;
        }
    }
    out
}
