//! GGUF tensor names → mlx-lm checkpoint names, from each architecture's
//! table ([`crate::arch::gguf`]), and the layout fix-ups that go with them:
//! llama.cpp's converter permutes the rows of llama-family Q and K
//! projections (for its interleaved RoPE); mlx-lm uses the Hugging Face
//! layout, so we undo that permutation.

/// Architectures we import, by `general.architecture` (the one [`Arch`];
/// re-exported here for the importer's callers).
pub use crate::arch::Arch;

/// Where a GGUF tensor goes in the MLX checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub name: String,
    /// Undo llama.cpp's Q/K row permutation with this many heads.
    pub unpermute: Option<Unpermute>,
}

/// Which head count the permutation used: Q uses the attention heads, K the KV heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unpermute {
    QueryHeads,
    KeyValueHeads,
}

/// The mlx-lm name of GGUF tensor `gguf_name`, or `None` when the name is not
/// one this architecture has (the caller reports it; nothing is dropped silently).
pub fn map(arch: Arch, gguf_name: &str) -> Option<Mapped> {
    let plain = |name: String| {
        Some(Mapped {
            name,
            unpermute: None,
        })
    };
    match gguf_name {
        "token_embd.weight" => return plain("model.embed_tokens.weight".into()),
        "output_norm.weight" => return plain("model.norm.weight".into()),
        "output.weight" => return plain("lm_head.weight".into()),
        _ => {}
    }
    let rest = gguf_name.strip_prefix("blk.")?;
    let (layer, rest) = rest.split_once('.')?;
    let layer: u32 = layer.parse().ok()?;
    let (module, param) = rest.rsplit_once('.')?;
    if param != "weight" && param != "bias" {
        return None;
    }
    let gguf = &arch.spec().gguf;
    let target = gguf.module(module)?;
    let unpermute = match module {
        "attn_q" if gguf.unpermute_qk => Some(Unpermute::QueryHeads),
        "attn_k" if gguf.unpermute_qk => Some(Unpermute::KeyValueHeads),
        _ => None,
    };
    Some(Mapped {
        name: format!("model.layers.{layer}.{target}.{param}"),
        unpermute,
    })
}

/// Why [`unpermute_rows`] cannot undo the permutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{rows} rows do not split into {n_head} heads of even size")]
pub struct UnevenHeads {
    pub rows: usize,
    pub n_head: usize,
}

/// Undoes llama.cpp's `permute(w, n_head)`: within each head of `rows / n_head`
/// rows, GGUF row `2j + i` is Hugging Face row `i·(head_dim/2) + j`. `data`
/// is row-major with `rows` rows (a bias is one column). Errors when the rows
/// do not split into heads of even size.
pub fn unpermute_rows(data: &[f32], rows: usize, n_head: usize) -> Result<Vec<f32>, UnevenHeads> {
    if rows == 0
        || n_head == 0
        || !rows.is_multiple_of(n_head)
        || !(rows / n_head).is_multiple_of(2)
        || !data.len().is_multiple_of(rows)
    {
        return Err(UnevenHeads { rows, n_head });
    }
    let cols = data.len() / rows;
    let head_dim = rows / n_head;
    let half = head_dim / 2;
    let mut out = vec![0f32; data.len()];
    for h in 0..n_head {
        for i in 0..2 {
            for j in 0..half {
                let dst = h * head_dim + i * half + j;
                let src = h * head_dim + 2 * j + i;
                out[dst * cols..(dst + 1) * cols]
                    .copy_from_slice(&data[src * cols..(src + 1) * cols]);
            }
        }
    }
    Ok(out)
}
