//! Synth presets: the shapes `model synth` gives a random-weight model of an
//! architecture. Each architecture's file lists the presets it has.

#[derive(Debug)]
pub struct SynthSpec {
    /// The presets this architecture has, by name.
    pub presets: &'static [Preset],
    /// Written explicitly (not left to the config default).
    pub tie_word_embeddings: bool,
    /// Modules kept at 8 bits in a quantized synth model (under
    /// `model.layers.N.`), as the production checkpoint keeps them.
    pub keep_8bit: &'static [&'static str],
}

/// One model shape.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub hidden_size: u32,
    pub num_hidden_layers: u32,
    pub intermediate_size: u32,
    pub num_attention_heads: u32,
    pub num_key_value_heads: u32,
    pub head_dim: u32,
    pub rope_theta: f64,
    pub max_position_embeddings: Option<u32>,
    pub moe: Option<MoePreset>,
}

/// The MoE part of a shape.
#[derive(Debug, Clone, Copy)]
pub struct MoePreset {
    pub num_experts: u32,
    pub num_experts_per_tok: u32,
    pub moe_intermediate_size: u32,
}

/// Tiny: for tests (every architecture has it).
pub const TINY: Preset = Preset {
    name: "tiny",
    hidden_size: 64,
    num_hidden_layers: 2,
    intermediate_size: 128,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 16,
    rope_theta: 1000000.0,
    max_position_embeddings: None,
    moe: None,
};

impl SynthSpec {
    pub fn preset(&self, name: &str) -> Option<&'static Preset> {
        self.presets.iter().find(|p| p.name == name)
    }
}
