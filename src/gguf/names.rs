//! GGUF tensor names → mlx-lm checkpoint names, per architecture, and the
//! layout fix-ups that go with them: llama.cpp's converter permutes the rows
//! of llama-family Q and K projections (for its interleaved RoPE); mlx-lm
//! uses the Hugging Face layout, so we undo that permutation.

/// Architectures we import, by `general.architecture`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    Qwen2,
    Qwen3,
    Qwen3Moe,
    Llama,
}

impl Arch {
    pub const ALL: [Arch; 4] = [Arch::Qwen2, Arch::Qwen3, Arch::Qwen3Moe, Arch::Llama];

    pub fn from_gguf(name: &str) -> Option<Arch> {
        Self::ALL.into_iter().find(|a| a.gguf_name() == name)
    }

    /// The `general.architecture` value (and the metadata key prefix).
    pub fn gguf_name(self) -> &'static str {
        match self {
            Arch::Qwen2 => "qwen2",
            Arch::Qwen3 => "qwen3",
            Arch::Qwen3Moe => "qwen3moe",
            Arch::Llama => "llama",
        }
    }

    /// mlx-lm's / transformers' `model_type`.
    pub fn model_type(self) -> &'static str {
        match self {
            Arch::Qwen2 => "qwen2",
            Arch::Qwen3 => "qwen3",
            Arch::Qwen3Moe => "qwen3_moe",
            Arch::Llama => "llama",
        }
    }

    pub fn hf_class(self) -> &'static str {
        match self {
            Arch::Qwen2 => "Qwen2ForCausalLM",
            Arch::Qwen3 => "Qwen3ForCausalLM",
            Arch::Qwen3Moe => "Qwen3MoeForCausalLM",
            Arch::Llama => "LlamaForCausalLM",
        }
    }

    pub fn supported_list() -> String {
        Self::ALL.map(|a| a.gguf_name()).join(", ")
    }
}

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
    let moe = arch == Arch::Qwen3Moe;
    let qk_norm = matches!(arch, Arch::Qwen3 | Arch::Qwen3Moe);
    let target = match module {
        "attn_norm" => "input_layernorm",
        "ffn_norm" => "post_attention_layernorm",
        "attn_q" => "self_attn.q_proj",
        "attn_k" => "self_attn.k_proj",
        "attn_v" => "self_attn.v_proj",
        "attn_output" => "self_attn.o_proj",
        "attn_q_norm" if qk_norm => "self_attn.q_norm",
        "attn_k_norm" if qk_norm => "self_attn.k_norm",
        "ffn_gate" if !moe => "mlp.gate_proj",
        "ffn_up" if !moe => "mlp.up_proj",
        "ffn_down" if !moe => "mlp.down_proj",
        // MoE: the router, and experts stacked along a leading axis exactly
        // as mlx-lm's SwitchGLU stores them.
        "ffn_gate_inp" if moe => "mlp.gate",
        "ffn_gate_exps" if moe => "mlp.switch_mlp.gate_proj",
        "ffn_up_exps" if moe => "mlp.switch_mlp.up_proj",
        "ffn_down_exps" if moe => "mlp.switch_mlp.down_proj",
        _ => return None,
    };
    let unpermute = match (arch, module) {
        (Arch::Llama, "attn_q") => Some(Unpermute::QueryHeads),
        (Arch::Llama, "attn_k") => Some(Unpermute::KeyValueHeads),
        _ => None,
    };
    Some(Mapped {
        name: format!("model.layers.{layer}.{target}.{param}"),
        unpermute,
    })
}

/// Undoes llama.cpp's `permute(w, n_head)`: within each head of `rows / n_head`
/// rows, GGUF row `2j + i` is Hugging Face row `i·(head_dim/2) + j`. `data`
/// is row-major with `rows` rows (a bias is one column). Errors when the rows
/// do not split into heads of even size.
pub fn unpermute_rows(data: &[f32], rows: usize, n_head: usize) -> Result<Vec<f32>, String> {
    if rows == 0
        || n_head == 0
        || !rows.is_multiple_of(n_head)
        || !(rows / n_head).is_multiple_of(2)
        || !data.len().is_multiple_of(rows)
    {
        return Err(format!(
            "{rows} rows do not split into {n_head} heads of even size"
        ));
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
