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

/// The most rows `--batch auto` decodes together: on the CPU 8 → 16 rows
/// gained a tenth of a suite's wall time, and the step is compute-bound
/// there (BENCHMARKS.md); `--batch N` goes further.
pub const AUTO_BATCH_CEILING: usize = 16;

/// The share of the free memory a batch may take for its rows.
const BATCH_SHARE: f64 = 0.5;

/// What `--batch auto` chose, and why (printed before a run, recorded in
/// its results).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchChoice {
    pub width: usize,
    pub why: String,
}

/// What one row of a batch holds at most: its keys and values (4-byte
/// elements, every layer) for its own prompt tokens and its answer, the
/// attention scores of its prefill over the shared prefix, and its logits.
pub fn batch_row_bytes(
    cfg: &super::config::ModelConfig,
    prefix: usize,
    own: usize,
    answer: usize,
) -> u64 {
    let kv_per_token =
        2 * cfg.num_hidden_layers as u64 * cfg.num_key_value_heads as u64 * cfg.head_dim as u64 * 4;
    let scores = 4 * cfg.num_attention_heads as u64 * own as u64 * (prefix + own) as u64;
    kv_per_token * (own + answer) as u64 + scores + 8 * cfg.vocab_size as u64
}

/// The batch width for `queries` rows of `row_bytes` each with `free`
/// bytes to spare: as many as fit in half of it, at most the ceiling and
/// the number of queries, at least one.
pub fn choose_batch(queries: usize, row_bytes: u64, free: Option<u64>) -> BatchChoice {
    let gb = |b: f64| b / 1e9;
    let (fit, room) = match free {
        Some(f) => {
            let budget = f as f64 * BATCH_SHARE;
            let fit = (budget / row_bytes.max(1) as f64).floor() as usize;
            (
                fit,
                format!(
                    "room for {fit} rows of {:.1} MB in half of the {:.1} GB free",
                    row_bytes as f64 / 1e6,
                    gb(f as f64)
                ),
            )
        }
        None => (usize::MAX, "free memory unknown".to_string()),
    };
    let width = fit.min(AUTO_BATCH_CEILING).min(queries).max(1);
    let bound = if width == queries {
        format!("{queries} queries")
    } else if fit <= AUTO_BATCH_CEILING {
        "memory".to_string()
    } else {
        format!("the ceiling of {AUTO_BATCH_CEILING}")
    };
    BatchChoice {
        width,
        why: format!(
            "{queries} queries, {room}; bound by {bound} (--batch N to choose, --batch 1 for one at a time)"
        ),
    }
}

/// Free memory for a batch: the device's (MLX's limit less what is in
/// use) and the machine's (`available_bytes`), whichever is less.
pub fn free_for_batch() -> Option<u64> {
    let machine = available_bytes();
    let limit = mlx_rs::memory::memory_limit().ok().map(|l| l as u64);
    let active = mlx_rs::memory::active_memory().ok().map(|a| a as u64);
    let device = match (limit, active) {
        (Some(l), Some(a)) if l > 0 => Some(l.saturating_sub(a)),
        _ => None,
    };
    match (machine, device) {
        (Some(m), Some(d)) => Some(m.min(d)),
        (m, d) => m.or(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_is_bounded_by_memory_the_ceiling_or_the_queries() {
        let c = choose_batch(66, 100, Some(1_000));
        assert_eq!(c.width, 5);
        assert!(c.why.contains("bound by memory"), "{}", c.why);
        let c = choose_batch(66, 1, Some(1 << 30));
        assert_eq!(c.width, AUTO_BATCH_CEILING);
        assert!(c.why.contains("ceiling"), "{}", c.why);
        let c = choose_batch(3, 1, Some(1 << 30));
        assert_eq!(c.width, 3);
        assert!(c.why.contains("3 queries"), "{}", c.why);
        // Not even one row fits: still one at a time, never zero.
        assert_eq!(choose_batch(66, 10_000, Some(1_000)).width, 1);
        assert_eq!(choose_batch(66, 1, None).width, AUTO_BATCH_CEILING);
    }
}
