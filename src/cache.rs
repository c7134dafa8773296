//! Where downloads and converted models live: outside the clone, shared by
//! every checkout, verified by hash on reuse (see scripts/setup.sh).

use std::path::PathBuf;

/// `$PUNIE_CACHE`, else `~/.cache/punie-eval`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PUNIE_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/punie-eval")
}

/// The default real model's name (Qwen2.5-Coder-0.5B-Instruct, imported
/// from its GGUF by the set-up).
pub const DEFAULT_MODEL_NAME: &str = "qwen2.5-coder-0.5b-instruct";

/// The MLX model folder of the default model.
pub fn default_model_dir() -> PathBuf {
    cache_dir().join("models").join(DEFAULT_MODEL_NAME)
}
