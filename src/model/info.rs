//! `model info`: what a model folder holds, read from config.json and the
//! safetensors headers only (nothing is loaded).

use super::config::ModelConfig;
use super::Error;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, Serialize)]
pub struct ModelInfo {
    pub path: String,
    pub model_type: String,
    pub layers: i32,
    pub hidden_size: i32,
    pub vocab_size: i32,
    pub experts: Option<(i32, i32)>,
    /// Parameters, counting each quantized weight as its unpacked elements.
    pub parameters: u64,
    pub quantization: Option<(i32, i32)>,
    pub disk_bytes: u64,
    pub tensors: usize,
}

/// Total size of the regular files in `dir` (not following subfolders).
pub fn disk_size(dir: &Path) -> Result<u64, Error> {
    let io = |e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut total = 0;
    for e in std::fs::read_dir(dir).map_err(io)? {
        let m = e.map_err(io)?.metadata().map_err(io)?;
        if m.is_file() {
            total += m.len();
        }
    }
    Ok(total)
}

pub fn model_info(dir: &Path) -> Result<ModelInfo, Error> {
    let cfg = ModelConfig::load(dir)?;
    let mut parameters = 0u64;
    let mut tensors = 0usize;
    let files = super::weights::list_safetensors(dir)?;
    for f in &files {
        let (header, _) = super::weights::read_header(f)?;
        for (name, t) in header.as_object().into_iter().flatten() {
            if name == "__metadata__"
                || name.ends_with(".scales")
                || name.ends_with(".biases")
                    && header.get(name.replace(".biases", ".scales")).is_some()
            {
                continue;
            }
            tensors += 1;
            let n: u64 = t
                .get("shape")
                .and_then(|s| s.as_array())
                .map(|s| s.iter().filter_map(|d| d.as_u64()).product())
                .unwrap_or(0);
            let packed = t.get("dtype").and_then(|d| d.as_str()) == Some("U32");
            let prefix = name.trim_end_matches(".weight");
            let bits = cfg.quantization.for_module(prefix).map(|q| q.bits);
            parameters += match (packed, bits) {
                (true, Some(b)) => n * 32 / b as u64,
                _ => n,
            };
        }
    }
    Ok(ModelInfo {
        path: dir.display().to_string(),
        model_type: cfg.arch.model_type().to_string(),
        layers: cfg.num_hidden_layers,
        hidden_size: cfg.hidden_size,
        vocab_size: cfg.vocab_size,
        experts: (cfg.num_experts > 0).then_some((cfg.num_experts, cfg.num_experts_per_tok)),
        parameters,
        quantization: cfg.quantization.default.map(|q| (q.bits, q.group_size)),
        disk_bytes: disk_size(dir)?,
        tensors,
    })
}
