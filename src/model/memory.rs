//! The memory preflight: before loading a model, compare what its weights
//! need with what the machine has, and refuse (saying both) rather than
//! let the system swap or the process be killed half way through a load.
//! `PUNIE_EVAL_SKIP_MEMORY_CHECK=1` loads anyway.

use std::path::Path;

/// Room beyond the weights: the KV cache, MLX's buffers, the process.
const HEADROOM_BYTES: u64 = 512 << 20;

/// What loading `dir` needs: its weight files plus headroom.
pub fn needed_bytes(dir: &Path) -> u64 {
    let weights: u64 = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "safetensors"))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    weights + HEADROOM_BYTES
}

/// Memory the machine can give a new allocation now, when it says:
/// `MemAvailable` on Linux; `PUNIE_EVAL_MEMORY_AVAILABLE` (bytes) overrides
/// it, to try the check.
pub fn available_bytes() -> Option<u64> {
    if let Some(v) = std::env::var("PUNIE_EVAL_MEMORY_AVAILABLE")
        .ok()
        .and_then(|v| v.trim().parse().ok())
    {
        return Some(v);
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `Err` with the message and fix when `dir` needs more than the machine
/// has; `Ok` when it fits, when the machine does not say, or when skipped.
pub fn preflight(dir: &Path) -> Result<(), String> {
    if std::env::var("PUNIE_EVAL_SKIP_MEMORY_CHECK").is_ok_and(|v| v == "1") {
        return Ok(());
    }
    let Some(have) = available_bytes() else {
        return Ok(());
    };
    let need = needed_bytes(dir);
    if need <= have {
        return Ok(());
    }
    let gb = |b: u64| b as f64 / 1e9;
    Err(format!(
        "{}: loading needs about {:.2} GB (weights + {:.1} GB headroom) and this machine has \
         {:.2} GB available; fix: free memory, use a smaller or more quantized model, or set \
         PUNIE_EVAL_SKIP_MEMORY_CHECK=1 to load anyway",
        dir.display(),
        gb(need),
        gb(HEADROOM_BYTES),
        gb(have)
    ))
}
