//! One home per architecture: every fact that differs between the models we
//! run and import — config.json rules, layer flags, sanitize rules, GGUF
//! names, synth presets — lives in one file per architecture, as data. The
//! runtime (`model`), the GGUF importer (`gguf`) and the tooling
//! (`provision`) ask [`Arch`] and never match on it; that is why this room
//! uses no MLX (the importer builds without it).
//!
//! Adding an architecture: a new file with its [`ArchSpec`], a variant in
//! [`Arch`] and its line in [`Arch::spec`] (and [`Arch::ALL`]).

pub mod gguf;
mod llama;
mod qwen2;
mod qwen3;
mod qwen3_moe;
pub mod synth;

/// The architectures we run and import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    Llama,
    Qwen2,
    Qwen3,
    Qwen3Moe,
}

/// Everything the rest of the code needs to know about one architecture.
#[derive(Debug)]
pub struct ArchSpec {
    /// mlx-lm's / transformers' `model_type` (the mlx-lm file name).
    pub model_type: &'static str,
    /// transformers' class, written to config.json's `architectures`.
    pub hf_class: &'static str,
    /// Whether a `head_dim` key in config.json is honoured; if not (or
    /// absent) head_dim = hidden_size / num_attention_heads.
    pub honours_head_dim: bool,
    /// `tie_word_embeddings` when config.json does not say (mlx-lm's default).
    pub tie_word_embeddings_default: bool,
    /// Whether q/k/v projections carry biases.
    pub attention_bias: Bias,
    /// RMSNorm over each query and key head (`self_attn.{q,k}_norm`).
    pub qk_norm: bool,
    /// Feed-forward is the sparse MoE block (`mlp.gate`, `mlp.switch_mlp.*`)
    /// in the layers config.json's MoE keys select.
    pub moe: bool,
    pub sanitize: Sanitize,
    pub gguf: gguf::GgufSpec,
    pub synth: synth::SynthSpec,
}

/// Where the attention projections' biases come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bias {
    /// Always present, whatever config.json says (mlx-lm's qwen2).
    Always,
    /// config.json's `attention_bias`, false when absent.
    FromConfig,
}

/// mlx-lm's `sanitize()`: checkpoint tensors a loader drops without use.
#[derive(Debug)]
pub struct Sanitize {
    /// Tensors whose names end so are ignored (precomputed RoPE tables).
    pub ignored_suffixes: &'static [&'static str],
    /// A stray `lm_head.weight` is dropped when embeddings are tied.
    pub drop_tied_lm_head: bool,
}

impl Arch {
    /// Every architecture, in the order the GGUF importer has always listed
    /// them in its errors.
    pub const ALL: [Arch; 4] = [Arch::Qwen2, Arch::Qwen3, Arch::Qwen3Moe, Arch::Llama];

    /// The one place the enum meets the files.
    pub fn spec(self) -> &'static ArchSpec {
        match self {
            Arch::Llama => &llama::SPEC,
            Arch::Qwen2 => &qwen2::SPEC,
            Arch::Qwen3 => &qwen3::SPEC,
            Arch::Qwen3Moe => &qwen3_moe::SPEC,
        }
    }

    pub fn from_model_type(t: &str) -> Option<Arch> {
        Self::ALL.into_iter().find(|a| a.model_type() == t)
    }

    /// By GGUF `general.architecture`.
    pub fn from_gguf(name: &str) -> Option<Arch> {
        Self::ALL.into_iter().find(|a| a.gguf_name() == name)
    }

    pub fn model_type(self) -> &'static str {
        self.spec().model_type
    }

    /// The GGUF `general.architecture` value (and metadata key prefix).
    pub fn gguf_name(self) -> &'static str {
        self.spec().gguf.name
    }

    pub fn hf_class(self) -> &'static str {
        self.spec().hf_class
    }

    pub fn qk_norm(self) -> bool {
        self.spec().qk_norm
    }

    pub fn moe(self) -> bool {
        self.spec().moe
    }

    /// Whether a checkpoint tensor is one this architecture's loader ignores.
    pub fn ignores_tensor(self, name: &str) -> bool {
        let s = &self.spec().sanitize;
        s.ignored_suffixes.iter().any(|x| name.ends_with(x))
    }

    /// The supported `model_type`s, sorted, for error messages.
    pub fn supported_model_types() -> String {
        let mut v = Self::ALL.map(Arch::model_type);
        v.sort_unstable();
        v.join(", ")
    }

    /// The supported GGUF architecture names, for error messages.
    pub fn supported_list() -> String {
        Self::ALL.map(Arch::gguf_name).join(", ")
    }
}

/// MLX affine quantization widths a model folder may use (mlx-lm's set).
pub const MLX_BITS: [i32; 6] = [2, 3, 4, 5, 6, 8];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for a in Arch::ALL {
            assert_eq!(Arch::from_model_type(a.model_type()), Some(a));
            assert_eq!(Arch::from_gguf(a.gguf_name()), Some(a));
        }
        assert_eq!(
            Arch::supported_model_types(),
            "llama, qwen2, qwen3, qwen3_moe"
        );
        assert_eq!(Arch::supported_list(), "qwen2, qwen3, qwen3moe, llama");
        assert_eq!(Arch::from_model_type("mamba"), None);
    }

    /// A new architecture's file cannot contradict itself: its GGUF tables
    /// and synth presets agree with its layer flags.
    #[test]
    fn each_file_agrees_with_itself() {
        for a in Arch::ALL {
            let s = a.spec();
            let g = &s.gguf;
            let name = a.model_type();
            assert_eq!(g.module("attn_q_norm").is_some(), s.qk_norm, "{name}");
            assert_eq!(g.module("ffn_gate_inp").is_some(), s.moe, "{name}");
            assert_eq!(g.module("ffn_gate").is_some(), !s.moe, "{name}");
            assert_eq!(g.module("attn_q"), Some("self_attn.q_proj"), "{name}");
            assert!(s.synth.preset("tiny").is_some(), "{name}: no tiny preset");
            for p in s.synth.presets {
                assert_eq!(p.moe.is_some(), s.moe, "{name}: preset {}", p.name);
            }
        }
    }
}
