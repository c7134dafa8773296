//! Llama (mlx-lm's `llama.py`): no q/k norm, attention biases only if
//! config.json asks, tied embeddings by default; llama.cpp permutes its Q/K.

use super::gguf::{GgufSpec, ATTENTION, DENSE_FFN};
use super::synth::{SynthSpec, TINY};
use super::{ArchSpec, Bias, Sanitize};

pub(super) const SPEC: ArchSpec = ArchSpec {
    model_type: "llama",
    hf_class: "LlamaForCausalLM",
    honours_head_dim: true,
    tie_word_embeddings_default: true,
    attention_bias: Bias::FromConfig,
    qk_norm: false,
    moe: false,
    sanitize: Sanitize {
        ignored_suffixes: &["rotary_emb.inv_freq"],
        drop_tied_lm_head: true,
    },
    gguf: GgufSpec {
        name: "llama",
        blocks: &[ATTENTION, DENSE_FFN],
        unpermute_qk: true,
        config_bias_keys: true,
    },
    synth: SynthSpec {
        presets: &[TINY],
        tie_word_embeddings: true,
        keep_8bit: &[],
    },
};
