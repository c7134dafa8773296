//! Qwen3-MoE (mlx-lm's `qwen3_moe.py`): Qwen3's attention with a sparse MoE
//! block in the layers `decoder_sparse_step` / `mlp_only_layers` select —
//! the architecture of Punie's Qwen3-Coder-30B-A3B.

use super::gguf::{GgufSpec, ATTENTION, MOE_FFN, QK_NORM};
use super::synth::{MoePreset, Preset, SynthSpec, TINY};
use super::{ArchSpec, Bias, Sanitize};

pub(super) const SPEC: ArchSpec = ArchSpec {
    model_type: "qwen3_moe",
    hf_class: "Qwen3MoeForCausalLM",
    honours_head_dim: true,
    tie_word_embeddings_default: false,
    attention_bias: Bias::FromConfig,
    qk_norm: true,
    moe: true,
    sanitize: Sanitize {
        ignored_suffixes: &["rotary_emb.inv_freq"],
        drop_tied_lm_head: true,
    },
    gguf: GgufSpec {
        name: "qwen3moe",
        blocks: &[ATTENTION, QK_NORM, MOE_FFN],
        unpermute_qk: false,
        config_bias_keys: false,
    },
    synth: SynthSpec {
        presets: &[
            Preset {
                moe: Some(MoePreset {
                    num_experts: 8,
                    num_experts_per_tok: 2,
                    moe_intermediate_size: 64,
                }),
                ..TINY
            },
            QWEN3_30B_A3B,
        ],
        tie_word_embeddings: false,
        // The router gates, as the production checkpoint keeps them.
        keep_8bit: &["mlp.gate"],
    },
};

/// The full Qwen3-30B-A3B shape: for load, memory and speed benchmarks.
const QWEN3_30B_A3B: Preset = Preset {
    name: "qwen3-30b-a3b",
    hidden_size: 2048,
    num_hidden_layers: 48,
    intermediate_size: 6144,
    num_attention_heads: 32,
    num_key_value_heads: 4,
    head_dim: 128,
    rope_theta: 10000000.0,
    max_position_embeddings: Some(262144),
    moe: Some(MoePreset {
        num_experts: 128,
        num_experts_per_tok: 8,
        moe_intermediate_size: 768,
    }),
};
