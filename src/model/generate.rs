//! Token generation: prefill, then decode one token at a time with the KV
//! cache. Greedy decoding keeps the next step's graph queued on the device
//! while the host reads the current token (async evaluation), so the host
//! never stalls the device between tokens — as mlx-lm's `generate_step`.

use super::cache::KvCache;
use super::{Error, Model};
use mlx_rs::ops::indexing::argmax_axis;
use mlx_rs::{transforms, Array};
use serde::{Deserialize, Serialize};
use std::time::Instant;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerateOptions {
    pub max_tokens: usize,
    /// 0 = greedy.
    pub temperature: f32,
    /// Nucleus sampling threshold in (0, 1]; 1 = off.
    pub top_p: f32,
    /// Keep the k most likely tokens; 0 = off.
    pub top_k: usize,
    pub seed: u64,
    /// Generation stops after emitting one of these (EOS ids).
    pub stop_ids: Vec<u32>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        GenerateOptions {
            max_tokens: 512,
            temperature: 0.0,
            top_p: 1.0,
            top_k: 0,
            seed: 0,
            stop_ids: vec![],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// An EOS/stop id was generated (included in the tokens).
    Stop,
    /// The callback asked to stop (e.g. a stop string matched).
    Callback,
    MaxTokens,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GenerationStats {
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    /// Seconds from the call to the first generated token (prefill).
    pub time_to_first_token_s: f64,
    pub total_s: f64,
    pub prompt_tps: f64,
    /// Decode speed over the tokens after the first.
    pub generation_tps: f64,
    pub active_memory_bytes: u64,
    pub peak_memory_bytes: u64,
    pub stop_reason: StopReason,
}

/// Generates from `prompt`, continuing `cache`: its positions must be a
/// prefix of `prompt` (a fresh cache, or a shared system prompt computed
/// once). On return the cache holds the prompt and (all but possibly the
/// last of) the generated tokens. `on_token` sees each token; false stops.
pub fn generate(
    model: &Model,
    prompt: &[u32],
    opts: &GenerateOptions,
    cache: &mut KvCache,
    on_token: &mut dyn FnMut(u32) -> bool,
) -> Result<(Vec<u32>, GenerationStats), Error> {
    if prompt.is_empty() {
        return Err(Error::Other(
            "empty prompt: nothing to generate from".into(),
        ));
    }
    // A stop leaves the queued next forward pass in flight; never return
    // (early returns included) with work running (see runtime::quiesce).
    let _drain = crate::runtime::QuiesceOnDrop;
    let start = Instant::now();
    let cached = cache.offset.max(0) as usize;
    if cached >= prompt.len() {
        // Re-run at least the last prompt token to get its logits.
        cache.trim(prompt.len() as i32 - 1)?;
    }
    let todo = &prompt[cache.offset as usize..];
    let vocab = model.vocab_size();
    for &t in prompt {
        if t as usize >= vocab {
            return Err(Error::Other(format!(
                "prompt token id {t} is outside the model's vocabulary ({vocab})"
            )));
        }
    }
    let mut rng = XorShift::new(opts.seed);
    let mut out = Vec::new();
    let mut ttft = 0.0;
    let mut reason = StopReason::MaxTokens;
    let logits = model.forward_last(todo, cache)?;
    let last = |logits: &Array| -> Result<Array, Error> {
        let l = logits.shape()[1];
        Ok(logits.take_axis(Array::from_slice(&[l - 1], &[1]), 1)?)
    };
    let greedy = opts.temperature <= 0.0;
    if greedy {
        // y: the next token, still on the device.
        let mut y = argmax_axis(last(&logits)?, -1, false)?.reshape(&[1, 1])?;
        transforms::async_eval([&y])?;
        while out.len() < opts.max_tokens {
            let queued = out.len() + 1 < opts.max_tokens;
            let next = if queued {
                let l = model.decoder_forward(&y, cache)?;
                let n = argmax_axis(&l, -1, false)?.reshape(&[1, 1])?;
                transforms::async_eval([&n])?;
                Some(n)
            } else {
                None
            };
            let tok: u32 = y
                .try_item_exact::<u32>()
                .map_err(|e| Error::Mlx(format!("{e:?}")))?;
            if out.is_empty() {
                ttft = start.elapsed().as_secs_f64();
            }
            out.push(tok);
            if opts.stop_ids.contains(&tok) {
                reason = StopReason::Stop;
            } else if !on_token(tok) {
                reason = StopReason::Callback;
            }
            match next {
                Some(n) if reason == StopReason::MaxTokens => y = n,
                _ => break,
            }
        }
    } else {
        let mut logits = last(&logits)?;
        while out.len() < opts.max_tokens {
            let row = logits.as_type::<f32>()?;
            row.eval()?;
            let v = row
                .try_as_slice::<f32>()
                .map_err(|e| Error::Mlx(format!("{e:?}")))?;
            let tok = sample(v, opts, &mut rng);
            if out.is_empty() {
                ttft = start.elapsed().as_secs_f64();
            }
            out.push(tok);
            if opts.stop_ids.contains(&tok) {
                reason = StopReason::Stop;
                break;
            }
            if !on_token(tok) {
                reason = StopReason::Callback;
                break;
            }
            if out.len() == opts.max_tokens {
                break;
            }
            logits = model.forward_last(&[tok], cache)?;
        }
    }
    // The pass queued past a stop is part of this query's cost: wait for it
    // here rather than let it run into the next query's timings.
    crate::runtime::quiesce();
    let total = start.elapsed().as_secs_f64();
    let stats = GenerationStats::measured(prompt.len(), todo.len(), out.len(), ttft, total, reason);
    Ok((out, stats))
}

impl GenerationStats {
    /// From the counts and times of one generation: `prefilled` of the
    /// `prompt` tokens were computed (the rest came from a cache); rates
    /// are 0 where their time is.
    pub(super) fn measured(
        prompt: usize,
        prefilled: usize,
        generated: usize,
        ttft: f64,
        total: f64,
        stop_reason: StopReason,
    ) -> Self {
        GenerationStats {
            prompt_tokens: prompt,
            generated_tokens: generated,
            time_to_first_token_s: ttft,
            total_s: total,
            prompt_tps: if ttft > 0.0 {
                prefilled as f64 / ttft
            } else {
                0.0
            },
            // Decode speed over the tokens after the first.
            generation_tps: if generated > 1 && total > ttft {
                (generated - 1) as f64 / (total - ttft)
            } else {
                0.0
            },
            active_memory_bytes: mlx_rs::memory::active_memory().unwrap_or(0) as u64,
            peak_memory_bytes: mlx_rs::memory::peak_memory().unwrap_or(0) as u64,
            stop_reason,
        }
    }
}

/// `n` greedy tokens after `prompt` (no stop ids): the parity check.
pub fn greedy(model: &mut Model, prompt: &[u32], n: usize) -> Result<Vec<u32>, Error> {
    let opts = GenerateOptions {
        max_tokens: n,
        ..Default::default()
    };
    let mut cache = model.new_cache();
    Ok(generate(model, prompt, &opts, &mut cache, &mut |_| true)?.0)
}

/// Temperature / top-k / top-p sampling on the host with our own seeded
/// generator: reproducible for a seed on every platform.
pub(super) fn sample(logits: &[f32], opts: &GenerateOptions, rng: &mut XorShift) -> u32 {
    let t = opts.temperature.max(1e-6);
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    idx.sort_unstable_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    if opts.top_k > 0 {
        idx.truncate(opts.top_k);
    }
    let m = logits[idx[0]];
    let mut p: Vec<f64> = idx
        .iter()
        .map(|&i| (((logits[i] - m) / t) as f64).exp())
        .collect();
    let z: f64 = p.iter().sum();
    p.iter_mut().for_each(|x| *x /= z);
    if opts.top_p < 1.0 {
        let mut acc = 0.0;
        let mut keep = p.len();
        for (i, x) in p.iter().enumerate() {
            acc += x;
            if acc >= opts.top_p as f64 {
                keep = i + 1;
                break;
            }
        }
        p.truncate(keep);
        idx.truncate(keep);
    }
    let z: f64 = p.iter().sum();
    let mut r = rng.next_f64() * z;
    for (i, x) in p.iter().enumerate() {
        r -= x;
        if r <= 0.0 {
            return idx[i] as u32;
        }
    }
    idx[p.len() - 1] as u32
}

pub(super) struct XorShift(u64);

impl XorShift {
    pub(super) fn new(seed: u64) -> Self {
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next_f64(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_one_is_argmax() {
        let opts = GenerateOptions {
            temperature: 1.0,
            top_k: 1,
            ..Default::default()
        };
        let mut rng = XorShift::new(7);
        for _ in 0..20 {
            assert_eq!(sample(&[0.1, 3.0, 2.9, -1.0], &opts, &mut rng), 1);
        }
    }

    #[test]
    fn sampling_is_seeded_and_follows_probabilities() {
        let opts = GenerateOptions {
            temperature: 1.0,
            seed: 3,
            ..Default::default()
        };
        let logits = [0.0f32, (3.0f32).ln()]; // p = [0.25, 0.75]
        let draw = |seed| {
            let mut rng = XorShift::new(seed);
            (0..4000)
                .filter(|_| sample(&logits, &opts, &mut rng) == 1)
                .count()
        };
        assert_eq!(draw(3), draw(3));
        let ones = draw(3) as f64 / 4000.0;
        assert!((ones - 0.75).abs() < 0.03, "{ones}");
    }

    #[test]
    fn top_p_cuts_the_tail() {
        let opts = GenerateOptions {
            temperature: 1.0,
            top_p: 0.5,
            ..Default::default()
        };
        let mut rng = XorShift::new(1);
        // p ≈ [0.64, 0.24, 0.09, 0.03]: only the first survives top_p 0.5.
        for _ in 0..50 {
            assert_eq!(sample(&[3.0, 2.0, 1.0, 0.0], &opts, &mut rng), 0);
        }
    }
}
