//! Qwen3 dense (mlx-lm's `qwen3.py`): RMSNorm on each query and key head;
//! `tie_word_embeddings` is required by mlx-lm (we read absent as false).

use super::gguf::{GgufSpec, ATTENTION, DENSE_FFN, QK_NORM};
use super::synth::{SynthSpec, TINY};
use super::{ArchSpec, Bias, Sanitize};

pub(super) const SPEC: ArchSpec = ArchSpec {
    model_type: "qwen3",
    hf_class: "Qwen3ForCausalLM",
    honours_head_dim: true,
    tie_word_embeddings_default: false,
    attention_bias: Bias::FromConfig,
    qk_norm: true,
    moe: false,
    sanitize: Sanitize {
        ignored_suffixes: &["rotary_emb.inv_freq"],
        drop_tied_lm_head: true,
    },
    gguf: GgufSpec {
        name: "qwen3",
        blocks: &[ATTENTION, QK_NORM, DENSE_FFN],
        unpermute_qk: false,
        config_bias_keys: false,
    },
    synth: SynthSpec {
        presets: &[TINY],
        tie_word_embeddings: false,
        keep_8bit: &[],
    },
};
