//! Qwen2 / Qwen2.5 (mlx-lm's `qwen2.py`): q/k/v biases always, a `head_dim`
//! key ignored (mlx-lm derives it), tied embeddings by default.

use super::gguf::{GgufSpec, ATTENTION, DENSE_FFN};
use super::synth::{SynthSpec, TINY};
use super::{ArchSpec, Bias, Sanitize};

pub(super) const SPEC: ArchSpec = ArchSpec {
    model_type: "qwen2",
    hf_class: "Qwen2ForCausalLM",
    honours_head_dim: false,
    tie_word_embeddings_default: true,
    attention_bias: Bias::Always,
    qk_norm: false,
    moe: false,
    sanitize: Sanitize {
        ignored_suffixes: &["rotary_emb.inv_freq"],
        drop_tied_lm_head: true,
    },
    gguf: GgufSpec {
        name: "qwen2",
        blocks: &[ATTENTION, DENSE_FFN],
        unpermute_qk: false,
        config_bias_keys: false,
    },
    synth: SynthSpec {
        presets: &[TINY],
        tie_word_embeddings: false,
        keep_8bit: &[],
    },
};
