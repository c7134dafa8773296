//! `write_mlx_folder`: a GGUF model → an MLX model folder (config.json,
//! tokenizer.json, tokenizer_config.json, generation_config.json,
//! safetensors shards). Everything is written into a hidden sibling
//! directory that is renamed into place only once complete, so a failed or
//! interrupted conversion never leaves a folder that looks like a model.

use super::error::{GgufError, Result};
use super::import::GgufModel;
use super::shards::{ShardWriter, DEFAULT_MAX_SHARD_BYTES};
use super::sink::TensorSink;
use super::tokenizer;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Options for [`write_mlx_folder_with`].
#[derive(Debug, Clone)]
pub struct FolderOptions {
    pub max_shard_bytes: u64,
}

impl Default for FolderOptions {
    fn default() -> Self {
        FolderOptions {
            max_shard_bytes: DEFAULT_MAX_SHARD_BYTES,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderSummary {
    pub dir: PathBuf,
    pub shards: Vec<String>,
    pub tensors_in: usize,
    pub tensors_out: usize,
}

/// Removes `.NAME.partial-PID-N` folders left by imports that were killed
/// (a kill -9 skips the drop guard below): those whose process is gone. A
/// live import's folder is left alone. Where there is no `/proc` (macOS),
/// liveness cannot be told and nothing is removed.
fn remove_stale_partials(parent: &Path, name: &str) {
    let prefix = format!(".{name}.partial-");
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = file
            .strip_prefix(&prefix)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Removes the partial directory unless the conversion completed.
struct Partial(Option<PathBuf>);

impl Drop for Partial {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = std::fs::remove_dir_all(p);
        }
    }
}

pub fn write_mlx_folder(
    model: &GgufModel,
    out_dir: &Path,
    sink: &mut dyn TensorSink,
) -> Result<FolderSummary> {
    write_mlx_folder_with(model, out_dir, sink, &FolderOptions::default())
}

pub fn write_mlx_folder_with(
    model: &GgufModel,
    out_dir: &Path,
    sink: &mut dyn TensorSink,
    opts: &FolderOptions,
) -> Result<FolderSummary> {
    let out = |what: String| GgufError::Output {
        path: out_dir.to_path_buf(),
        what,
    };
    let shard_err = |source| GgufError::Shards {
        path: out_dir.to_path_buf(),
        source,
    };
    if out_dir.exists() {
        return Err(out(
            "already exists; remove it or choose another output folder".into(),
        ));
    }
    let name = out_dir
        .file_name()
        .ok_or_else(|| out("is not a folder name".into()))?
        .to_string_lossy()
        .into_owned();
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| out(format!("cannot create its parent: {e}")))?;
    // Build the small files first: a tokenizer or config problem fails in
    // milliseconds, before minutes of tensor conversion.
    let tok = tokenizer::build(model.file())?;
    let config = model.config();

    remove_stale_partials(&parent, &name);
    // Unique per call, not only per process: two threads may convert at once.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = parent.join(format!(".{name}.partial-{}-{call}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(|e| out(format!("stale {}: {e}", tmp.display())))?;
    }
    std::fs::create_dir(&tmp).map_err(|e| out(format!("cannot create {}: {e}", tmp.display())))?;
    let mut guard = Partial(Some(tmp.clone()));

    let write_json = |file: &str, v: &Value| -> Result<()> {
        let text = serde_json::to_string_pretty(v).map_err(|e| out(format!("{file}: {e}")))?;
        std::fs::write(tmp.join(file), text + "\n").map_err(|e| out(format!("{file}: {e}")))
    };
    write_json("tokenizer.json", &tok.tokenizer_json)?;
    write_json("tokenizer_config.json", &tok.tokenizer_config)?;
    write_json("generation_config.json", &config.generation_config_json())?;

    let mut shards = ShardWriter::new(&tmp, opts.max_shard_bytes);
    let total = model.tensor_count();
    let mut tensors_out = 0;
    for (i, t) in model.tensors().enumerate() {
        let t = t?;
        let gguf_name = t.gguf_name.clone();
        let stored = sink
            .convert(t)
            .map_err(|e| out(format!("tensor '{gguf_name}': {e}")))?;
        for s in stored {
            shards.add(s).map_err(shard_err)?;
            tensors_out += 1;
        }
        sink.progress(i + 1, total, &gguf_name);
    }
    let files = shards.finish().map_err(shard_err)?;

    let mut cfg = config.config_json(sink.torch_dtype());
    if let Value::Object(m) = &mut cfg {
        m.extend(sink.config_extras());
    }
    write_json("config.json", &cfg)?;

    std::fs::rename(&tmp, out_dir)
        .map_err(|e| out(format!("cannot move {} into place: {e}", tmp.display())))?;
    guard.0 = None;
    Ok(FolderSummary {
        dir: out_dir.to_path_buf(),
        shards: files,
        tensors_in: total,
        tensors_out,
    })
}
