//! `config.json` of an MLX model folder, as mlx-lm writes it.

use super::Error;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::path::Path;

pub use crate::arch::Arch;
use crate::arch::{Bias, MLX_BITS};

/// bits / group size of one quantized module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuantSpec {
    pub bits: i32,
    pub group_size: i32,
}

/// The `quantization` block: defaults plus mlx-lm's per-module overrides
/// (e.g. 8-bit MoE gates in a 5-bit model).
#[derive(Debug, Clone, Default)]
pub struct Quantization {
    pub default: Option<QuantSpec>,
    overrides: Map<String, Value>,
}

impl Quantization {
    /// The spec for module `path` (e.g. "model.layers.0.mlp.gate").
    pub fn for_module(&self, path: &str) -> Option<QuantSpec> {
        match self.overrides.get(path) {
            Some(Value::Object(o)) => Some(QuantSpec {
                bits: o.get("bits").and_then(Value::as_i64).map(|b| b as i32)?,
                group_size: o
                    .get("group_size")
                    .and_then(Value::as_i64)
                    .map(|g| g as i32)?,
            }),
            Some(Value::Bool(false)) => None,
            _ => self.default,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModelConfig {
    pub arch: Arch,
    pub hidden_size: i32,
    pub num_hidden_layers: i32,
    pub intermediate_size: i32,
    pub num_attention_heads: i32,
    pub num_key_value_heads: i32,
    pub head_dim: i32,
    pub vocab_size: i32,
    pub rms_norm_eps: f32,
    pub rope_theta: f32,
    /// 1/factor for "linear" rope scaling (mlx-lm's nn.RoPE `scale`).
    pub rope_scale: f32,
    pub rope_traditional: bool,
    pub tie_word_embeddings: bool,
    /// q/k/v projections carry biases (the arch's [`Bias`] rule).
    pub attention_bias: bool,
    pub mlp_bias: bool,
    pub num_experts: i32,
    pub num_experts_per_tok: i32,
    pub moe_intermediate_size: i32,
    pub norm_topk_prob: bool,
    pub decoder_sparse_step: i32,
    pub mlp_only_layers: Vec<i32>,
    pub quantization: Quantization,
    pub eos_token_ids: Vec<u32>,
    /// The raw JSON, for provenance and `model info`.
    pub raw: Map<String, Value>,
}

#[derive(Deserialize)]
struct Raw {
    model_type: String,
    hidden_size: i32,
    num_hidden_layers: i32,
    #[serde(default)]
    intermediate_size: i32,
    num_attention_heads: i32,
    num_key_value_heads: Option<i32>,
    head_dim: Option<i32>,
    vocab_size: i32,
    #[serde(default = "default_eps")]
    rms_norm_eps: f32,
    #[serde(default = "default_theta")]
    rope_theta: f32,
    rope_scaling: Option<Value>,
    #[serde(default)]
    rope_traditional: bool,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
    #[serde(default)]
    mlp_bias: bool,
    #[serde(default)]
    num_experts: i32,
    #[serde(default)]
    num_experts_per_tok: i32,
    #[serde(default)]
    moe_intermediate_size: i32,
    #[serde(default)]
    norm_topk_prob: bool,
    #[serde(default = "one")]
    decoder_sparse_step: i32,
    #[serde(default)]
    mlp_only_layers: Vec<i32>,
    quantization: Option<Map<String, Value>>,
    eos_token_id: Option<Value>,
}

fn default_eps() -> f32 {
    1e-6
}
fn default_theta() -> f32 {
    10000.0
}
fn one() -> i32 {
    1
}

fn ids(v: &Option<Value>) -> Vec<u32> {
    match v {
        Some(Value::Number(n)) => n.as_u64().map(|x| vec![x as u32]).unwrap_or_default(),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_u64().map(|x| x as u32))
            .collect(),
        _ => vec![],
    }
}

impl ModelConfig {
    pub fn load(dir: &Path) -> Result<ModelConfig, Error> {
        let path = dir.join("config.json");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        Self::parse(&text, &path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<ModelConfig, Error> {
        let bad = |msg: String| Error::Config {
            path: path.to_path_buf(),
            msg,
        };
        let raw_map: Map<String, Value> =
            serde_json::from_str(text).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let raw: Raw = serde_json::from_value(Value::Object(raw_map.clone()))
            .map_err(|e| bad(format!("{e}")))?;
        let arch = Arch::from_model_type(&raw.model_type).ok_or_else(|| {
            bad(format!(
                "unsupported model_type \"{}\"; supported: {}",
                raw.model_type,
                Arch::supported_model_types()
            ))
        })?;
        let positive = |name: &str, v: i32| {
            if v > 0 {
                Ok(v)
            } else {
                Err(bad(format!(
                    "\"{name}\" must be a positive integer, got {v}"
                )))
            }
        };
        let hidden = positive("hidden_size", raw.hidden_size)?;
        let heads = positive("num_attention_heads", raw.num_attention_heads)?;
        let kv_heads = positive(
            "num_key_value_heads",
            raw.num_key_value_heads.unwrap_or(heads),
        )?;
        if heads % kv_heads != 0 {
            return Err(bad(format!(
                "num_attention_heads ({heads}) must be a multiple of num_key_value_heads ({kv_heads})"
            )));
        }
        let facts = arch.spec();
        let head_dim = match raw.head_dim {
            Some(d) if facts.honours_head_dim => d,
            _ => hidden / heads,
        };
        let head_dim = positive("head_dim", head_dim)?;
        let rope_scale = match &raw.rope_scaling {
            Some(Value::Object(o)) => {
                let kind = o
                    .get("type")
                    .or_else(|| o.get("rope_type"))
                    .and_then(Value::as_str)
                    .unwrap_or("");
                match kind {
                    "linear" => 1.0 / o.get("factor").and_then(Value::as_f64).unwrap_or(1.0) as f32,
                    "default" | "" => 1.0,
                    other => {
                        return Err(bad(format!(
                            "rope_scaling type \"{other}\" is not supported (only linear)"
                        )))
                    }
                }
            }
            _ => 1.0,
        };
        if facts.moe {
            positive("num_experts", raw.num_experts)?;
            positive("num_experts_per_tok", raw.num_experts_per_tok)?;
            positive("moe_intermediate_size", raw.moe_intermediate_size)?;
            positive("decoder_sparse_step", raw.decoder_sparse_step)?;
        } else {
            positive("intermediate_size", raw.intermediate_size)?;
        }
        let quantization = match raw.quantization {
            Some(mut q) => {
                let spec = (|| {
                    Some(QuantSpec {
                        bits: q.get("bits")?.as_i64()? as i32,
                        group_size: q.get("group_size")?.as_i64()? as i32,
                    })
                })()
                .ok_or_else(|| bad("\"quantization\" needs integer bits and group_size".into()))?;
                if !MLX_BITS.contains(&spec.bits) {
                    return Err(bad(format!(
                        "quantization bits {} unsupported (2, 3, 4, 5, 6 or 8)",
                        spec.bits
                    )));
                }
                check_group_size("quantization", spec.group_size, bad)?;
                q.remove("bits");
                q.remove("group_size");
                q.remove("mode");
                // Per-module overrides are read at load (and by `model
                // info`): a zero there divided by zero. Check each now.
                for (module, o) in &q {
                    let Value::Object(o) = o else { continue };
                    let at = format!("quantization.{module:?}");
                    let bits = o.get("bits").and_then(Value::as_i64);
                    let group = o.get("group_size").and_then(Value::as_i64);
                    let (Some(bits), Some(group)) = (bits, group) else {
                        return Err(bad(format!(
                            "{at} needs integer bits and group_size (or false to keep the module unquantized)"
                        )));
                    };
                    if !MLX_BITS.contains(&(bits as i32)) {
                        return Err(bad(format!(
                            "{at}: bits {bits} unsupported (2, 3, 4, 5, 6 or 8)"
                        )));
                    }
                    check_group_size(&at, group as i32, bad)?;
                }
                Quantization {
                    default: Some(spec),
                    overrides: q,
                }
            }
            None => Quantization::default(),
        };
        Ok(ModelConfig {
            arch,
            hidden_size: hidden,
            num_hidden_layers: positive("num_hidden_layers", raw.num_hidden_layers)?,
            intermediate_size: raw.intermediate_size,
            num_attention_heads: heads,
            num_key_value_heads: kv_heads,
            head_dim,
            vocab_size: positive("vocab_size", raw.vocab_size)?,
            rms_norm_eps: raw.rms_norm_eps,
            rope_theta: raw.rope_theta,
            rope_scale,
            rope_traditional: raw.rope_traditional,
            tie_word_embeddings: raw
                .tie_word_embeddings
                .unwrap_or(facts.tie_word_embeddings_default),
            attention_bias: match facts.attention_bias {
                Bias::Always => true,
                Bias::FromConfig => raw.attention_bias.unwrap_or(false),
            },
            mlp_bias: raw.mlp_bias,
            num_experts: raw.num_experts,
            num_experts_per_tok: raw.num_experts_per_tok,
            moe_intermediate_size: raw.moe_intermediate_size,
            norm_topk_prob: raw.norm_topk_prob,
            decoder_sparse_step: raw.decoder_sparse_step,
            mlp_only_layers: raw.mlp_only_layers,
            quantization,
            eos_token_ids: ids(&raw.eos_token_id),
            raw: raw_map,
        })
    }

    /// Whether layer `i` uses the sparse MoE block (mlx-lm's rule).
    pub fn is_moe_layer(&self, i: i32) -> bool {
        self.arch.moe()
            && !self.mlp_only_layers.contains(&i)
            && self.num_experts > 0
            && (i + 1) % self.decoder_sparse_step == 0
    }
}

/// MLX's affine quantization takes groups of 32, 64 or 128 values.
fn check_group_size(at: &str, group_size: i32, bad: impl Fn(String) -> Error) -> Result<(), Error> {
    if [32, 64, 128].contains(&group_size) {
        Ok(())
    } else {
        Err(bad(format!(
            "{at}: group_size {group_size} unsupported (32, 64 or 128)"
        )))
    }
}
