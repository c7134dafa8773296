//! GGUF facts of an architecture: its `general.architecture` name and which
//! llama.cpp block tensors it has, under which mlx-lm names. Tables shared by
//! several architectures are defined here once; each architecture's file
//! lists the ones it has.

/// One block module: (llama.cpp name, mlx-lm name under `model.layers.N.`).
pub type Module = (&'static str, &'static str);

#[derive(Debug)]
pub struct GgufSpec {
    /// `general.architecture` (and the metadata key prefix).
    pub name: &'static str,
    /// The block modules, table by table.
    pub blocks: &'static [&'static [Module]],
    /// llama.cpp's converter permuted the Q and K rows (for its interleaved
    /// RoPE); the importer undoes it to get the Hugging Face layout.
    pub unpermute_qk: bool,
    /// config.json gets `attention_bias` / `mlp_bias` (keys of the
    /// transformers config class; the others have no such keys).
    pub config_bias_keys: bool,
}

impl GgufSpec {
    /// The mlx-lm module of GGUF block module `gguf_module`, if this
    /// architecture has it.
    pub fn module(&self, gguf_module: &str) -> Option<&'static str> {
        self.blocks
            .iter()
            .flat_map(|t| t.iter())
            .find(|(g, _)| *g == gguf_module)
            .map(|(_, m)| *m)
    }
}

/// Norms and projections of every decoder layer.
pub const ATTENTION: &[Module] = &[
    ("attn_norm", "input_layernorm"),
    ("ffn_norm", "post_attention_layernorm"),
    ("attn_q", "self_attn.q_proj"),
    ("attn_k", "self_attn.k_proj"),
    ("attn_v", "self_attn.v_proj"),
    ("attn_output", "self_attn.o_proj"),
];

/// Per-head RMSNorm of queries and keys.
pub const QK_NORM: &[Module] = &[
    ("attn_q_norm", "self_attn.q_norm"),
    ("attn_k_norm", "self_attn.k_norm"),
];

/// The dense feed-forward block.
pub const DENSE_FFN: &[Module] = &[
    ("ffn_gate", "mlp.gate_proj"),
    ("ffn_up", "mlp.up_proj"),
    ("ffn_down", "mlp.down_proj"),
];

/// The MoE block: the router, and experts stacked along a leading axis
/// exactly as mlx-lm's SwitchGLU stores them.
pub const MOE_FFN: &[Module] = &[
    ("ffn_gate_inp", "mlp.gate"),
    ("ffn_gate_exps", "mlp.switch_mlp.gate_proj"),
    ("ffn_up_exps", "mlp.switch_mlp.up_proj"),
    ("ffn_down_exps", "mlp.switch_mlp.down_proj"),
];
