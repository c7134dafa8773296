//! Batched generation (issue 16): B prompts decoded together, so the
//! weights are read once per step for all of them. The prompts are
//! left-padded to one length; each row's padding is masked out of
//! attention and each row is RoPE-positioned as if alone, so a row's
//! numbers are its unbatched ones (up to the order of floating-point sums
//! in batched kernels). The prompts' common prefix (a suite's system
//! prompt and tool schemas) is prefilled once and shared by every row: a
//! row is `[prefix][its padding][its own tokens]`, the padding a hole in
//! the middle that no query sees. Each row keeps its own sampler, stop ids
//! and token budget; a finished row is carried along, its output frozen,
//! until every row is done.

use super::attention::Rows;
use super::cache::KvCache;
use super::generate::{sample, GenerateOptions, GenerationStats, StopReason, XorShift};
use super::{Error, Model};
use mlx_rs::ops::indexing::argmax_axis;
use mlx_rs::Array;
use std::time::Instant;

/// A prompt prefix computed once (batch 1), kept for the next batch: a
/// suite's batches share their system prompt and tool schemas.
pub struct SharedPrefix {
    pub ids: Vec<u32>,
    pub cache: KvCache,
}

/// Generates for every prompt (its options alike indexed); returns each
/// row's tokens and statistics, in order. Timings are the batch's: every
/// row shares the prefill (time to first token) and the total.
pub fn generate_batch(
    model: &Model,
    prompts: &[Vec<u32>],
    opts: &[GenerateOptions],
) -> Result<Vec<(Vec<u32>, GenerationStats)>, Error> {
    generate_batch_sharing(model, prompts, opts, &mut None)
}

/// [`generate_batch`] starting from the prefix an earlier batch computed
/// (as far as it is common), and leaving this batch's for the next.
pub fn generate_batch_sharing(
    model: &Model,
    prompts: &[Vec<u32>],
    opts: &[GenerateOptions],
    held: &mut Option<SharedPrefix>,
) -> Result<Vec<(Vec<u32>, GenerationStats)>, Error> {
    if prompts.len() != opts.len() {
        return Err(Error::Other(format!(
            "{} prompts but {} generation settings",
            prompts.len(),
            opts.len()
        )));
    }
    let vocab = model.vocab_size();
    for p in prompts {
        if p.is_empty() {
            return Err(Error::Other(
                "empty prompt: nothing to generate from".into(),
            ));
        }
        if let Some(t) = p.iter().find(|&&t| t as usize >= vocab) {
            return Err(Error::Other(format!(
                "prompt token id {t} is outside the model's vocabulary ({vocab})"
            )));
        }
    }
    let b = prompts.len();
    if b == 0 {
        return Ok(Vec::new());
    }
    let _drain = crate::runtime::QuiesceOnDrop;
    let start = Instant::now();
    // The common prefix, leaving every row at least one token of its own
    // (the logits of its last prompt token come from the batched pass).
    let shortest = prompts.iter().map(Vec::len).min().unwrap_or(0);
    let hole = (0..shortest - 1)
        .take_while(|&i| prompts.iter().all(|p| p[i] == prompts[0][i]))
        .count();
    let prefix = &prompts[0][..hole];
    let mut cache = match held.take() {
        Some(h) => {
            let same = h.ids.iter().zip(prefix).take_while(|(a, b)| a == b).count();
            let mut c = h.cache;
            c.trim(same as i32)?;
            c
        }
        None => model.new_cache(),
    };
    let done = cache.offset as usize;
    if done < hole {
        model.forward_last(&prefix[done..], &mut cache)?;
    }
    if hole > 0 {
        *held = Some(SharedPrefix {
            ids: prefix.to_vec(),
            cache: cache.clone(),
        });
        cache.tile(b as i32)?;
    }
    let width = prompts.iter().map(|p| p.len() - hole).max().unwrap_or(0);
    let pads: Vec<usize> = prompts.iter().map(|p| width - (p.len() - hole)).collect();
    let mut ids = Vec::with_capacity(b * width);
    for (p, &pad) in prompts.iter().zip(&pads) {
        ids.extend(std::iter::repeat_n(0u32, pad));
        ids.extend(&p[hole..]);
    }
    let prefill = Rows {
        mask: mask(&pads, hole, hole + width, hole),
        positions: positions(&pads, hole),
    };
    let ids = Array::from_slice(&ids, &[b as i32, width as i32]);
    let mut logits = model.forward_rows(&ids, &mut cache, &prefill)?;
    let mut rngs: Vec<XorShift> = opts.iter().map(|o| XorShift::new(o.seed)).collect();
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); b];
    let mut reason: Vec<Option<StopReason>> = opts
        .iter()
        .map(|o| (o.max_tokens == 0).then_some(StopReason::MaxTokens))
        .collect();
    let mut ttft = 0.0;
    while reason.iter().any(Option::is_none) {
        let next = pick(&logits, opts, &mut rngs)?;
        if ttft == 0.0 {
            ttft = start.elapsed().as_secs_f64();
        }
        for r in 0..b {
            if reason[r].is_some() {
                continue;
            }
            out[r].push(next[r]);
            if opts[r].stop_ids.contains(&next[r]) {
                reason[r] = Some(StopReason::Stop);
            } else if out[r].len() >= opts[r].max_tokens {
                reason[r] = Some(StopReason::MaxTokens);
            }
        }
        if reason.iter().all(Option::is_some) {
            break;
        }
        let step = cache.offset as usize;
        let rows = Rows {
            mask: mask(&pads, hole, step + 1, step),
            positions: positions(&pads, step),
        };
        let ids = Array::from_slice(&next, &[b as i32, 1]);
        logits = model.forward_rows(&ids, &mut cache, &rows)?;
    }
    crate::runtime::quiesce();
    let total = start.elapsed().as_secs_f64();
    Ok(out
        .into_iter()
        .zip(reason)
        .zip(prompts)
        .map(|((tokens, reason), prompt)| {
            let stats = GenerationStats::measured(
                prompt.len(),
                prompt.len(),
                tokens.len(),
                ttft,
                total,
                reason.unwrap_or(StopReason::MaxTokens),
            );
            (tokens, stats)
        })
        .collect())
}

/// The next token of every row from logits [B, 1, vocab]: greedy rows by
/// argmax on the device, sampling rows on the host with their own
/// generator (as the unbatched path does).
fn pick(
    logits: &Array,
    opts: &[GenerateOptions],
    rngs: &mut [XorShift],
) -> Result<Vec<u32>, Error> {
    let b = opts.len() as i32;
    let greedy = argmax_axis(logits, -1, false)?.reshape(&[b])?;
    greedy.eval()?;
    let mut next: Vec<u32> = greedy
        .try_as_slice::<u32>()
        .map_err(|e| Error::Mlx(format!("{e:?}")))?
        .to_vec();
    if opts.iter().any(|o| o.temperature > 0.0) {
        let rows = logits.as_type::<f32>()?.reshape(&[b, -1])?;
        rows.eval()?;
        let all = rows
            .try_as_slice::<f32>()
            .map_err(|e| Error::Mlx(format!("{e:?}")))?;
        let v = all.len() / opts.len();
        for (r, o) in opts.iter().enumerate() {
            if o.temperature > 0.0 {
                next[r] = sample(&all[r * v..(r + 1) * v], o, &mut rngs[r]);
            }
        }
    }
    Ok(next)
}

/// [B, 1, L, T] with L = `keys - cached`: query i of row r (at column
/// `cached + i`) sees key j when j is not in the row's padding (columns
/// `hole..hole + pad`, after the shared prefix) and not after the query.
fn mask(pads: &[usize], hole: usize, keys: usize, cached: usize) -> Array {
    let queries = keys - cached;
    let mut m = Vec::with_capacity(pads.len() * queries * keys);
    for &pad in pads {
        for i in 0..queries {
            m.extend((0..keys).map(|j| (j < hole || j >= hole + pad) && j <= cached + i));
        }
    }
    Array::from_slice(&m, &[pads.len() as i32, 1, queries as i32, keys as i32])
}

/// Each row's position of the token at column `column` (past the shared
/// prefix): the column less the row's padding (padding columns get
/// positions no query sees).
fn positions(pads: &[usize], column: usize) -> Array {
    let p: Vec<i32> = pads.iter().map(|&pad| column as i32 - pad as i32).collect();
    Array::from_slice(&p, &[pads.len() as i32])
}
