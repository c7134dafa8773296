//! The default real model: Qwen2.5-Coder-0.5B-Instruct, fetched as GGUF by
//! `scripts/fetch-default-model.sh` and imported here into an MLX folder in
//! the cache the first time it is needed (f32: on CPU, OpenBLAS f32 matmul is
//! far faster than MLX's single-threaded quantized kernels).

use crate::cache;
use crate::gguf::sink::{FloatType, Unquantized};
use crate::model::Error;
use std::path::PathBuf;

/// The verified GGUF the fetch script leaves in the cache.
pub fn default_gguf() -> PathBuf {
    cache::cache_dir()
        .join("models")
        .join(format!("{}.gguf", cache::DEFAULT_MODEL_NAME))
}

/// The default model's MLX folder, importing it from the GGUF if needed.
/// The importer renames a finished folder into place, so a folder with a
/// config.json is complete. A lock file serializes the first import: test
/// threads and parallel processes on a fresh machine all ask at once, and
/// only one of them should convert while the others wait and reuse it.
pub fn ensure_default_model() -> Result<PathBuf, Error> {
    let dir = cache::default_model_dir();
    if dir.join("config.json").is_file() {
        return Ok(dir);
    }
    let parent = dir.parent().unwrap_or(&dir).to_path_buf();
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::Other(format!("{}: cannot create: {e}", parent.display())))?;
    let lock_path = parent.join(format!(".{}.lock", cache::DEFAULT_MODEL_NAME));
    let lock = std::fs::File::create(&lock_path)
        .map_err(|e| Error::Other(format!("{}: cannot create: {e}", lock_path.display())))?;
    lock.lock()
        .map_err(|e| Error::Other(format!("{}: cannot lock: {e}", lock_path.display())))?;
    // Another thread or process may have finished while this one waited.
    if dir.join("config.json").is_file() {
        return Ok(dir);
    }
    let gguf = default_gguf();
    if !gguf.is_file() {
        return Err(Error::Other(format!(
            "the default model is not set up: {} is missing; fix: run `bash scripts/setup.sh` \
             (or pass --model DIR)",
            gguf.display()
        )));
    }
    eprintln!(
        "importing the default model {} → {} (once)",
        gguf.display(),
        dir.display()
    );
    let model =
        crate::gguf::import::GgufModel::open(&gguf).map_err(|e| Error::Other(e.to_string()))?;
    let mut f32s = Unquantized(FloatType::F32);
    let mut sink = crate::gguf::sink::WithProgress::new(&mut f32s);
    crate::gguf::folder::write_mlx_folder(&model, &dir, &mut sink)
        .map_err(|e| Error::Other(e.to_string()))?;
    Ok(dir)
}
