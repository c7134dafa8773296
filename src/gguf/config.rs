//! config.json and generation_config.json in mlx-lm / Hugging Face form, from
//! the GGUF's `{arch}.*` hyper-parameter keys and its tensor table.

use super::error::{GgufError, Result};
use super::names::Arch;
use super::reader::GgufFile;
use super::tokenizer::end_of_generation_ids;
use serde_json::{json, Map, Value};

/// The hyper-parameters a GGUF carries (its `{arch}.*` keys and what its
/// tensor table implies), as the importer writes them out as config.json and
/// generation_config.json. Not the runtime's view: that is
/// `model::config::ModelConfig`, read back from the config.json written here
/// (tests/gguf_import.rs checks the two agree).
#[derive(Debug, Clone, PartialEq)]
pub struct HyperParams {
    pub arch: Arch,
    pub hidden_size: u64,
    pub num_hidden_layers: u64,
    pub intermediate_size: u64,
    pub num_attention_heads: u64,
    pub num_key_value_heads: u64,
    pub head_dim: u64,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub max_position_embeddings: u64,
    pub vocab_size: u64,
    pub tie_word_embeddings: bool,
    pub attention_bias: bool,
    pub rope_scaling: Option<Value>,
    pub moe: Option<MoeHyperParams>,
    pub bos_token_id: Option<u64>,
    pub eos_token_ids: Vec<u64>,
    pub pad_token_id: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MoeHyperParams {
    pub num_experts: u64,
    pub num_experts_per_tok: u64,
    pub moe_intermediate_size: u64,
}

/// f32 metadata printed the way it was written (1e-6, not 9.99999997e-7).
fn short(v: f64) -> f64 {
    let f = v as f32;
    format!("{f}").parse().unwrap_or(v)
}

impl HyperParams {
    pub fn from_gguf(file: &GgufFile, arch: Arch) -> Result<HyperParams> {
        let a = arch.gguf_name();
        let key = |k: &str| format!("{a}.{k}");
        let req = |k: &str, why: &'static str| file.u64(&key(k), why);
        let hidden_size = req("embedding_length", "the hidden size")?;
        let num_hidden_layers = req("block_count", "the layer count")?;
        let heads_key = key("attention.head_count");
        if file.get(&heads_key).and_then(|v| v.as_array()).is_some() {
            return Err(GgufError::WrongKeyType {
                path: file.path().into(),
                key: heads_key,
                expected: "one head count for all layers",
                found: "a per-layer array".into(),
            });
        }
        let num_attention_heads = req("attention.head_count", "the attention head count")?;
        if num_attention_heads == 0 {
            return Err(GgufError::WrongKeyType {
                path: file.path().into(),
                key: heads_key,
                expected: "a positive head count",
                found: "0".into(),
            });
        }
        let num_key_value_heads = file
            .opt_u64(&key("attention.head_count_kv"))?
            .unwrap_or(num_attention_heads);
        let head_dim = file
            .opt_u64(&key("attention.key_length"))?
            .unwrap_or(hidden_size / num_attention_heads);
        let rms_norm_eps = short(
            file.opt_f64(&key("attention.layer_norm_rms_epsilon"))?
                .ok_or_else(|| GgufError::MissingKey {
                    path: file.path().into(),
                    key: key("attention.layer_norm_rms_epsilon"),
                    why: "the RMSNorm epsilon",
                })?,
        );
        let rope_theta = short(file.opt_f64(&key("rope.freq_base"))?.unwrap_or(10_000.0));
        let max_position_embeddings = file.opt_u64(&key("context_length"))?.unwrap_or(4096);

        let embed = file
            .tensor("token_embd.weight")
            .ok_or_else(|| GgufError::Tensor {
                path: file.path().into(),
                tensor: "token_embd.weight".into(),
                what: "is missing (every model has a token embedding)".into(),
            })?;
        let vocab_size = embed.dims.get(1).copied().unwrap_or(0);
        let tie_word_embeddings = file.tensor("output.weight").is_none();
        let attention_bias = file.tensor("blk.0.attn_q.bias").is_some();

        if file.tensor("rope_freqs.weight").is_some() {
            // Llama 3.1-style scaling is stored only as precomputed
            // frequencies; mlx-lm wants its parameters, which the file lacks.
            return Err(GgufError::Tensor {
                path: file.path().into(),
                tensor: "rope_freqs.weight".into(),
                what: "llama3 RoPE scaling given as frequencies cannot be expressed as \
                       mlx-lm's rope_scaling parameters; not supported"
                    .into(),
            });
        }
        let rope_scaling = match file.opt_str(&key("rope.scaling.type"))? {
            None | Some("none") => None,
            Some(t) => {
                let mut m = Map::new();
                m.insert("type".into(), json!(t));
                m.insert("rope_type".into(), json!(t));
                if let Some(f) = file.opt_f64(&key("rope.scaling.factor"))? {
                    m.insert("factor".into(), json!(short(f)));
                }
                if let Some(n) = file.opt_u64(&key("rope.scaling.original_context_length"))? {
                    m.insert("original_max_position_embeddings".into(), json!(n));
                }
                Some(Value::Object(m))
            }
        };

        let moe = if arch.moe() {
            Some(MoeHyperParams {
                num_experts: req("expert_count", "the MoE expert count")?,
                num_experts_per_tok: req("expert_used_count", "experts used per token")?,
                moe_intermediate_size: req(
                    "expert_feed_forward_length",
                    "the expert feed-forward size",
                )?,
            })
        } else {
            None
        };
        let intermediate_size = match (&moe, file.opt_u64(&key("feed_forward_length"))?) {
            (_, Some(n)) => n,
            (Some(m), None) => m.moe_intermediate_size,
            (None, None) => req("feed_forward_length", "the MLP size")?,
        };

        Ok(HyperParams {
            arch,
            hidden_size,
            num_hidden_layers,
            intermediate_size,
            num_attention_heads,
            num_key_value_heads,
            head_dim,
            rms_norm_eps,
            rope_theta,
            max_position_embeddings,
            vocab_size,
            tie_word_embeddings,
            attention_bias,
            rope_scaling,
            moe,
            bos_token_id: file.opt_u64("tokenizer.ggml.bos_token_id")?,
            eos_token_ids: end_of_generation_ids(file)?,
            pad_token_id: file.opt_u64("tokenizer.ggml.padding_token_id")?,
        })
    }

    fn eos_json(&self) -> Value {
        match self.eos_token_ids.as_slice() {
            [] => Value::Null,
            [one] => json!(one),
            many => json!(many),
        }
    }

    /// config.json; `torch_dtype` names the dtype the weights are stored in.
    pub fn config_json(&self, torch_dtype: &str) -> Value {
        let mut c = json!({
            "architectures": [self.arch.hf_class()],
            "model_type": self.arch.model_type(),
            "hidden_size": self.hidden_size,
            "num_hidden_layers": self.num_hidden_layers,
            "intermediate_size": self.intermediate_size,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads,
            "head_dim": self.head_dim,
            "rms_norm_eps": self.rms_norm_eps,
            "rope_theta": self.rope_theta,
            "max_position_embeddings": self.max_position_embeddings,
            "vocab_size": self.vocab_size,
            "tie_word_embeddings": self.tie_word_embeddings,
            "rope_scaling": self.rope_scaling,
            "hidden_act": "silu",
            "torch_dtype": torch_dtype,
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_json(),
        });
        let m = c.as_object_mut().expect("json! object");
        if self.arch.spec().gguf.config_bias_keys {
            m.insert("attention_bias".into(), json!(self.attention_bias));
            m.insert("mlp_bias".into(), json!(false));
        }
        if let Some(moe) = &self.moe {
            m.insert("num_experts".into(), json!(moe.num_experts));
            m.insert("num_experts_per_tok".into(), json!(moe.num_experts_per_tok));
            m.insert(
                "moe_intermediate_size".into(),
                json!(moe.moe_intermediate_size),
            );
            // llama.cpp's qwen3moe graph always renormalizes the top-k weights
            // and puts an MoE block in every layer.
            m.insert("norm_topk_prob".into(), json!(true));
            m.insert("decoder_sparse_step".into(), json!(1));
            m.insert("mlp_only_layers".into(), json!([]));
        }
        c
    }

    pub fn generation_config_json(&self) -> Value {
        json!({
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_json(),
            "pad_token_id": self.pad_token_id,
        })
    }
}
