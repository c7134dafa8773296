//! Random-weight model folders of any supported architecture, with the real
//! Qwen3 tokenizer and chat template, so prompts render exactly as the
//! production model's do: tiny presets for tests, the full Qwen3-30B-A3B
//! shape for load, memory and speed benchmarks.

use crate::arch::{self, Arch};
use crate::gguf::sink::FloatType;
use crate::model::config::ModelConfig;
use crate::model::Error;
use mlx_rs::{ops, random, Array, Dtype};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A preset by name; its shape comes from the architecture's file
/// ([`crate::arch::synth`]), so a new preset needs no change here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset(&'static str);

// Named like the enum variants they replace, so callers keep `Preset::Tiny`.
#[allow(non_upper_case_globals)]
impl Preset {
    pub const Tiny: Preset = Preset("tiny");
    pub const Qwen3_30bA3b: Preset = Preset("qwen3-30b-a3b");

    pub fn parse(s: &str) -> Result<Preset, Error> {
        all_presets()
            .into_iter()
            .find(|p| p.name == s)
            .map(|p| Preset(p.name))
            .ok_or_else(|| {
                let names: Vec<&str> = all_presets().iter().map(|p| p.name).collect();
                Error::Other(format!(
                    "unknown preset \"{s}\"; expected {}",
                    names.join(" or ")
                ))
            })
    }

    pub fn name(self) -> &'static str {
        self.0
    }
}

/// Every preset name once, in architecture order.
fn all_presets() -> Vec<&'static arch::synth::Preset> {
    let mut v: Vec<&'static arch::synth::Preset> = Vec::new();
    for p in Arch::ALL.iter().flat_map(|a| a.spec().synth.presets) {
        if !v.iter().any(|q| q.name == p.name) {
            v.push(p);
        }
    }
    v
}

/// What to synthesize.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    /// llama, qwen2, qwen3 or qwen3_moe.
    pub arch: &'a str,
    pub preset: Preset,
    /// MLX affine bits (group 64); `None` = unquantized.
    pub bits: Option<i32>,
    /// Storage type of everything not packed: scales, biases, norms and
    /// unquantized weights. Activations run in this type, so a speed
    /// benchmark of a bf16 checkpoint needs a bf16 model.
    pub dtype: FloatType,
    pub seed: u64,
}

/// The config.json of a synthesized model.
pub fn config(arch: &str, preset: Preset, bits: Option<i32>) -> Result<Map<String, Value>, Error> {
    let a = Arch::from_model_type(arch).ok_or_else(|| {
        Error::Other(format!(
            "unsupported --arch {arch}; supported: {}",
            Arch::supported_model_types()
        ))
    })?;
    let synth = &a.spec().synth;
    let p = synth.preset(preset.name()).ok_or_else(|| {
        let owner = Arch::ALL
            .into_iter()
            .find(|o| o.spec().synth.preset(preset.name()).is_some())
            .map_or("another architecture", Arch::model_type);
        Error::Other(format!(
            "preset {} is a {owner} model: use --arch {owner}",
            preset.name()
        ))
    })?;
    let mut m = Map::new();
    m.insert("hidden_size".into(), json!(p.hidden_size));
    m.insert("num_hidden_layers".into(), json!(p.num_hidden_layers));
    m.insert("intermediate_size".into(), json!(p.intermediate_size));
    m.insert("num_attention_heads".into(), json!(p.num_attention_heads));
    m.insert("num_key_value_heads".into(), json!(p.num_key_value_heads));
    m.insert("head_dim".into(), json!(p.head_dim));
    if let Some(moe) = &p.moe {
        m.insert("num_experts".into(), json!(moe.num_experts));
        m.insert("num_experts_per_tok".into(), json!(moe.num_experts_per_tok));
        m.insert(
            "moe_intermediate_size".into(),
            json!(moe.moe_intermediate_size),
        );
    }
    if let Some(n) = p.max_position_embeddings {
        m.insert("max_position_embeddings".into(), json!(n));
    }
    m.insert("model_type".into(), json!(a.model_type()));
    m.insert("vocab_size".into(), json!(151936));
    m.insert("rms_norm_eps".into(), json!(1e-6));
    m.insert("rope_theta".into(), json!(p.rope_theta));
    m.insert(
        "tie_word_embeddings".into(),
        json!(synth.tie_word_embeddings),
    );
    if p.moe.is_some() {
        m.insert("norm_topk_prob".into(), json!(true));
        m.insert("decoder_sparse_step".into(), json!(1));
        m.insert("mlp_only_layers".into(), json!([]));
    }
    m.insert("bos_token_id".into(), json!(151643));
    m.insert("eos_token_id".into(), json!(151645));
    if let Some(b) = bits {
        if !arch::MLX_BITS.contains(&b) {
            return Err(Error::Other(format!(
                "--bits {b}: expected 2, 3, 4, 5, 6 or 8"
            )));
        }
        let mut q = json!({"group_size": 64, "bits": b});
        for i in 0..p.num_hidden_layers {
            for module in synth.keep_8bit {
                q[format!("model.layers.{i}.{module}")] = json!({"group_size": 64, "bits": 8});
            }
        }
        m.insert("quantization".into(), q.clone());
        m.insert("quantization_config".into(), q);
    }
    Ok(m)
}

/// (name, shape) of every weight, layer by layer (`None` = a layer boundary).
fn tensors(cfg: &ModelConfig) -> Vec<Option<(String, Vec<i32>)>> {
    let (d, h, kv, hd) = (
        cfg.hidden_size,
        cfg.num_attention_heads,
        cfg.num_key_value_heads,
        cfg.head_dim,
    );
    let mut v = vec![Some((
        "model.embed_tokens.weight".to_string(),
        vec![cfg.vocab_size, d],
    ))];
    for i in 0..cfg.num_hidden_layers {
        v.push(None);
        let p = format!("model.layers.{i}");
        let mut t = |n: &str, s: Vec<i32>| v.push(Some((format!("{p}.{n}"), s)));
        t("input_layernorm.weight", vec![d]);
        t("post_attention_layernorm.weight", vec![d]);
        t("self_attn.q_proj.weight", vec![h * hd, d]);
        t("self_attn.k_proj.weight", vec![kv * hd, d]);
        t("self_attn.v_proj.weight", vec![kv * hd, d]);
        t("self_attn.o_proj.weight", vec![d, h * hd]);
        if cfg.attention_bias {
            t("self_attn.q_proj.bias", vec![h * hd]);
            t("self_attn.k_proj.bias", vec![kv * hd]);
            t("self_attn.v_proj.bias", vec![kv * hd]);
        }
        if cfg.arch.qk_norm() {
            t("self_attn.q_norm.weight", vec![hd]);
            t("self_attn.k_norm.weight", vec![hd]);
        }
        if cfg.is_moe_layer(i) {
            let (e, f) = (cfg.num_experts, cfg.moe_intermediate_size);
            t("mlp.gate.weight", vec![e, d]);
            t("mlp.switch_mlp.gate_proj.weight", vec![e, f, d]);
            t("mlp.switch_mlp.up_proj.weight", vec![e, f, d]);
            t("mlp.switch_mlp.down_proj.weight", vec![e, d, f]);
        } else {
            let f = cfg.intermediate_size;
            t("mlp.gate_proj.weight", vec![f, d]);
            t("mlp.up_proj.weight", vec![f, d]);
            t("mlp.down_proj.weight", vec![d, f]);
        }
    }
    v.push(None);
    v.push(Some(("model.norm.weight".into(), vec![d])));
    if !cfg.tie_word_embeddings {
        v.push(Some(("lm_head.weight".into(), vec![cfg.vocab_size, d])));
    }
    v
}

/// Writes a random model folder to `out` (via a temp folder renamed at the
/// end). `tokenizer_dir` holds tokenizer.json and tokenizer_config.json.
pub fn synthesize(
    spec: &Spec,
    tokenizer_dir: &Path,
    out: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf, Error> {
    let mut cfg_map = config(spec.arch, spec.preset, spec.bits)?;
    cfg_map.insert("torch_dtype".into(), json!(spec.dtype.torch_name()));
    let cfg_text =
        serde_json::to_string_pretty(&cfg_map).map_err(|e| Error::Other(e.to_string()))?;
    let cfg = ModelConfig::parse(&cfg_text, Path::new("config.json"))?;
    for f in ["tokenizer.json", "tokenizer_config.json"] {
        if !tokenizer_dir.join(f).is_file() {
            return Err(Error::Other(format!(
                "{} is missing; fix: run `bash scripts/fetch-qwen3-tokenizer.sh`",
                tokenizer_dir.join(f).display()
            )));
        }
    }
    if out.exists() {
        return Err(Error::Other(format!(
            "{} already exists; choose a new folder",
            out.display()
        )));
    }
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| Error::Io {
        path: parent.to_path_buf(),
        source: e,
    })?;
    let tmp = parent.join(format!(
        ".{}.partial",
        out.file_name().and_then(|n| n.to_str()).unwrap_or("model")
    ));
    let _ = std::fs::remove_dir_all(&tmp);
    let io = |p: &Path| {
        let p = p.to_path_buf();
        move |e| Error::Io { path: p, source: e }
    };
    std::fs::create_dir_all(&tmp).map_err(io(&tmp))?;
    let result = write_all(&cfg, &cfg_text, spec, tokenizer_dir, &tmp, progress);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, out).map_err(io(out))?;
    Ok(out.to_path_buf())
}

fn write_all(
    cfg: &ModelConfig,
    cfg_text: &str,
    spec: &Spec,
    tokenizer_dir: &Path,
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(), Error> {
    let io = |p: PathBuf| move |e| Error::Io { path: p, source: e };
    std::fs::write(dir.join("config.json"), cfg_text).map_err(io(dir.join("config.json")))?;
    for f in ["tokenizer.json", "tokenizer_config.json"] {
        std::fs::copy(tokenizer_dir.join(f), dir.join(f)).map_err(io(dir.join(f)))?;
    }
    let gen = json!({"eos_token_id": cfg.eos_token_ids, "do_sample": false});
    std::fs::write(dir.join("generation_config.json"), gen.to_string())
        .map_err(io(dir.join("generation_config.json")))?;

    random::seed(spec.seed)?;
    let dtype = match spec.dtype {
        FloatType::F32 => Dtype::Float32,
        FloatType::F16 => Dtype::Float16,
        FloatType::BF16 => Dtype::Bfloat16,
    };
    let list = tensors(cfg);
    let layers = list.iter().filter(|t| t.is_none()).count();
    // One shard per layer keeps memory bounded by one layer's weights.
    let mut shards: Vec<HashMap<String, Array>> = vec![HashMap::new()];
    for item in list {
        let Some((name, shape)) = item else {
            shards.push(HashMap::new());
            continue;
        };
        let shard = shards.last_mut().expect("at least one shard");
        if name.contains("norm") {
            shard.insert(name, ops::ones::<f32>(&shape)?.as_dtype(dtype)?);
            continue;
        }
        // Quantized from weights already in `dtype`, as mlx-lm converts a
        // bf16 checkpoint: scales and biases come out in that type.
        let w = random::normal::<f32>(&shape[..], 0.0, 0.02, None)?.as_dtype(dtype)?;
        let module = name.trim_end_matches(".weight");
        let quant = if name.ends_with(".weight") && shape[shape.len() - 1] % 64 == 0 {
            cfg.quantization.for_module(module)
        } else {
            None
        };
        match quant {
            Some(q) => {
                let (wq, s, b) = ops::quantize(&w, q.group_size, q.bits)?;
                shard.insert(name.clone(), wq);
                shard.insert(format!("{module}.scales"), s);
                shard.insert(format!("{module}.biases"), b);
            }
            None => {
                shard.insert(name, w);
            }
        }
        // Write finished layers as we go.
        if shards.len() > 1 {
            flush(&mut shards, dir, layers + 1)?;
            progress(shards.len() - 1, layers + 1);
        }
    }
    flush_all(shards, dir, layers + 1)
}

// Shards are written once the next layer begins; the index is rebuilt from
// the files at the end.
fn flush(shards: &mut [HashMap<String, Array>], dir: &Path, total: usize) -> Result<(), Error> {
    let n = shards.len();
    for (i, s) in shards.iter_mut().enumerate().take(n - 1) {
        if !s.is_empty() {
            write_shard(s, dir, i, total)?;
            s.clear();
        }
    }
    Ok(())
}

fn flush_all(
    mut shards: Vec<HashMap<String, Array>>,
    dir: &Path,
    total: usize,
) -> Result<(), Error> {
    let n = shards.len();
    for (i, s) in shards.iter_mut().enumerate() {
        if !s.is_empty() {
            write_shard(s, dir, i, total.max(n))?;
        }
    }
    // Index: which shard holds which tensor.
    let mut map = Map::new();
    let mut total_size = 0u64;
    let files = crate::model::weights::list_safetensors(dir)?;
    for f in &files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        total_size += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        for k in Array::load_safetensors(f)
            .map_err(|e| Error::Weights {
                path: f.clone(),
                msg: e.to_string(),
            })?
            .keys()
        {
            map.insert(k.clone(), json!(name));
        }
    }
    let index = json!({"metadata": {"total_size": total_size}, "weight_map": map});
    let p = dir.join("model.safetensors.index.json");
    std::fs::write(&p, serde_json::to_string_pretty(&index).unwrap_or_default())
        .map_err(|e| Error::Io { path: p, source: e })
}

fn write_shard(
    s: &HashMap<String, Array>,
    dir: &Path,
    i: usize,
    total: usize,
) -> Result<(), Error> {
    let path = dir.join(format!("model-{:05}-of-{:05}.safetensors", i + 1, total));
    let meta: HashMap<String, String> = [("format".to_string(), "mlx".to_string())].into();
    Array::save_safetensors(s.iter(), &meta, &path).map_err(|e| Error::Weights {
        path,
        msg: e.to_string(),
    })
}
