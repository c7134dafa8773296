//! Batched generation (issue 16): up to `width` prompts decoded together,
//! so the weights are read once per step for all of them, and a row that
//! finishes is refilled from the queue at once (continuous batching): a
//! long answer does not hold the batch.
//!
//! The prompts' common prefix (a suite's system prompt and tool schemas)
//! is prefilled once, batch 1, and every row attends to it without a copy
//! (see `cache`). A row's own tokens sit in the batch's own columns,
//! right-aligned: columns before a row's start are padding (another
//! row's history, or nothing) that its queries never see, and each row is
//! RoPE-positioned as if alone — so a row's numbers are its unbatched ones
//! up to the order of floating-point sums in batched kernels. Each row
//! keeps its own sampler, stop ids and token budget.
//!
//! Greedy batches queue the next step before reading this step's tokens
//! (as unbatched generation does), so the host never stalls the device.

use super::attention::Rows;
use super::cache::KvCache;
use super::generate::{sample, GenerateOptions, GenerationStats, StopReason, XorShift};
use super::{Error, Model};
use mlx_rs::ops::indexing::argmax_axis;
use mlx_rs::{ops, transforms, Array};
use std::collections::VecDeque;
use std::time::Instant;

/// A prompt prefix computed once (batch 1), kept for the next batch: a
/// suite's batches share their system prompt and tool schemas.
pub struct SharedPrefix {
    pub ids: Vec<u32>,
    pub cache: KvCache,
}

/// Generates for every prompt (its options alike indexed), all rows at
/// once; returns each row's tokens and statistics, in order.
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
    let mut out: Vec<Option<(Vec<u32>, GenerationStats)>> = vec![None; prompts.len()];
    let mut batch = Batch {
        prompts,
        opts,
        width: prompts.len(),
    };
    batch.run(model, held, &mut |_, _| true, &mut |i, tokens, stats| {
        out[i] = Some((tokens, stats));
        true
    })?;
    out.into_iter()
        .map(|r| r.ok_or_else(|| Error::Other("a batch row was never finished".into())))
        .collect()
}

/// Where a batch's time went: prefilling (the shared prefix and each
/// admission of new rows) and decoding (the steps), with the tokens each
/// produced — each row's first token comes from its prefill.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BatchStats {
    pub prefill_s: f64,
    pub prefill_tokens: usize,
    pub decode_s: f64,
    pub decode_steps: usize,
    /// Tokens the decode steps produced (every row's after its first).
    pub decode_tokens: usize,
}

impl BatchStats {
    pub fn add(&mut self, o: &BatchStats) {
        self.prefill_s += o.prefill_s;
        self.prefill_tokens += o.prefill_tokens;
        self.decode_s += o.decode_s;
        self.decode_steps += o.decode_steps;
        self.decode_tokens += o.decode_tokens;
    }
}

/// Prompts to decode with at most `width` rows at a time.
pub struct Batch<'a> {
    pub prompts: &'a [Vec<u32>],
    pub opts: &'a [GenerateOptions],
    pub width: usize,
}

/// One row of the running batch.
struct Lane {
    /// Index of its prompt.
    req: usize,
    /// Its first own column: earlier ones are padding to it.
    start: i32,
    /// RoPE position of the token it feeds next.
    pos: i32,
    out: Vec<u32>,
    rng: XorShift,
    admitted: Instant,
    ttft: f64,
    reason: Option<StopReason>,
}

/// The rows being decoded: their cache (own columns over the shared
/// prefix) and the logits of each row's next token, not yet picked.
struct Running {
    lanes: Vec<Lane>,
    cache: KvCache,
    logits: Array,
}

impl Batch<'_> {
    /// Decodes every prompt. `on_token(prompt, token)` sees each token of
    /// each row (false: that row stops, as a stop string does);
    /// `on_done(prompt, tokens, stats)` gets each row as it finishes, in
    /// finishing order (false: stop the whole batch now).
    pub fn run(
        &mut self,
        model: &Model,
        held: &mut Option<SharedPrefix>,
        on_token: &mut dyn FnMut(usize, u32) -> bool,
        on_done: &mut dyn FnMut(usize, Vec<u32>, GenerationStats) -> bool,
    ) -> Result<BatchStats, Error> {
        let (prompts, opts) = (self.prompts, self.opts);
        check(model, prompts, opts)?;
        let mut stats = BatchStats::default();
        if prompts.is_empty() {
            return Ok(stats);
        }
        let began = Instant::now();
        // A stop leaves a queued step in flight: never return with work
        // running (see runtime::quiesce).
        let _drain = crate::runtime::QuiesceOnDrop;
        let prefix = shared_prefix(model, prompts, held, &mut stats)?;
        let mut pending: VecDeque<usize> = VecDeque::new();
        for (i, o) in opts.iter().enumerate() {
            if o.max_tokens == 0 {
                let stats = GenerationStats::measured(
                    prompts[i].len(),
                    0,
                    0,
                    0.0,
                    0.0,
                    StopReason::MaxTokens,
                );
                if !on_done(i, Vec::new(), stats) {
                    return Ok(BatchStats::default());
                }
            } else {
                pending.push_back(i);
            }
        }
        let width = self.width.max(1);
        let mut running: Option<Running> = None;
        loop {
            let free = width - running.as_ref().map_or(0, |r| r.lanes.len());
            if free > 0 && !pending.is_empty() {
                let take: Vec<usize> = pending.drain(..free.min(pending.len())).collect();
                // Timed apart from the steps: the running rows' queued step
                // is awaited first, and the new rows' prefill awaited.
                if let Some(r) = &running {
                    r.logits.eval()?;
                }
                let t = Instant::now();
                for group in self.groups(&take, prefix.ids.len()) {
                    let g = self.admit(model, &prefix, &group)?;
                    g.logits.eval()?;
                    running = Some(match running {
                        None => g,
                        Some(r) => join(r, g)?,
                    });
                }
                stats.prefill_s += t.elapsed().as_secs_f64();
                stats.prefill_tokens += take
                    .iter()
                    .map(|&i| prompts[i].len() - prefix.ids.len())
                    .sum::<usize>();
            }
            let Some(mut r) = running.take() else {
                stats.decode_s = began.elapsed().as_secs_f64() - stats.prefill_s;
                return Ok(stats);
            };
            let b = r.lanes.len() as i32;
            let greedy = r.lanes.iter().all(|l| opts[l.req].temperature <= 0.0);
            let (ids, sampled) = if greedy {
                let y = argmax_axis(&r.logits, -1, false)?.reshape(&[b, 1])?;
                transforms::async_eval([&y])?;
                (y, None)
            } else {
                let next = pick(&r.logits, &mut r.lanes, opts)?;
                (Array::from_slice(&next, &[b, 1]), Some(next))
            };
            // The next step is queued before this one's tokens are read,
            // unless every row ends with this token for sure.
            let last = pending.is_empty()
                && r.lanes
                    .iter()
                    .all(|l| l.out.len() + 1 >= opts[l.req].max_tokens);
            let queued = if last {
                None
            } else {
                let t = r.cache.offset;
                let rows = Rows {
                    mask: mask(&r.lanes, 1, t + 1),
                    positions: Array::from_iter(r.lanes.iter().map(|l| l.pos), &[b]),
                };
                let logits = model.forward_rows(&ids, &mut r.cache, &rows)?;
                transforms::async_eval([&logits])?;
                Some(logits)
            };
            let next = match sampled {
                Some(n) => n,
                None => ids
                    .try_as_slice::<u32>()
                    .map_err(|e| Error::Mlx(format!("{e:?}")))?
                    .to_vec(),
            };
            if queued.is_some() {
                stats.decode_steps += 1;
            }
            for (lane, &tok) in r.lanes.iter_mut().zip(&next) {
                if !lane.out.is_empty() {
                    stats.decode_tokens += 1;
                }
                if lane.out.is_empty() {
                    lane.ttft = lane.admitted.elapsed().as_secs_f64();
                }
                lane.out.push(tok);
                lane.pos += 1;
                let o = &opts[lane.req];
                lane.reason = if o.stop_ids.contains(&tok) {
                    Some(StopReason::Stop)
                } else if !on_token(lane.req, tok) {
                    Some(StopReason::Callback)
                } else if lane.out.len() >= o.max_tokens {
                    Some(StopReason::MaxTokens)
                } else {
                    None
                };
            }
            let mut kept = Vec::new();
            let mut lanes = Vec::new();
            let mut stop = false;
            for (i, lane) in r.lanes.into_iter().enumerate() {
                match lane.reason {
                    None => {
                        kept.push(i as i32);
                        lanes.push(lane);
                    }
                    Some(reason) if !stop => {
                        let total = lane.admitted.elapsed().as_secs_f64();
                        let p = &prompts[lane.req];
                        let stats = GenerationStats::measured(
                            p.len(),
                            p.len() - prefix.ids.len(),
                            lane.out.len(),
                            lane.ttft,
                            total,
                            reason,
                        );
                        stop = !on_done(lane.req, lane.out, stats);
                    }
                    Some(_) => {}
                }
            }
            if stop {
                stats.decode_s = began.elapsed().as_secs_f64() - stats.prefill_s;
                return Ok(stats);
            }
            let (Some(logits), false) = (queued, lanes.is_empty()) else {
                continue;
            };
            r.lanes = lanes;
            r.logits = logits;
            if kept.len() < b as usize {
                r.cache.keep_rows(&kept)?;
                r.logits = r
                    .logits
                    .take_axis(Array::from_slice(&kept, &[kept.len() as i32]), 0)?;
                // Columns before every remaining row's start are dead.
                let dead = r.lanes.iter().map(|l| l.start).min().unwrap_or(0);
                r.cache.drop_front(dead)?;
                r.lanes.iter_mut().for_each(|l| l.start -= dead);
            }
            running = Some(r);
        }
    }

    /// The prompts `take` in groups prefilled together: left-padding to the
    /// longest of a group is computed like any token, so a group holds
    /// prompts of like length (own parts within a quarter, or 16 tokens,
    /// of each other) — a suite whose queries bring their own tools varies
    /// from a few hundred to thousands of tokens.
    fn groups(&self, take: &[usize], prefix: usize) -> Vec<Vec<usize>> {
        let own = |i: usize| self.prompts[i].len() - prefix;
        let mut sorted = take.to_vec();
        sorted.sort_by_key(|&i| own(i));
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for i in sorted {
            match groups.last_mut() {
                Some(g) if own(i) <= (own(g[0]) + own(g[0]) / 4).max(own(g[0]) + 16) => g.push(i),
                _ => groups.push(vec![i]),
            }
        }
        groups
    }

    /// Prefills the prompts `take` past the shared prefix, together
    /// (left-padded to their longest), as new rows.
    fn admit(
        &self,
        model: &Model,
        prefix: &SharedPrefix,
        take: &[usize],
    ) -> Result<Running, Error> {
        let admitted = Instant::now();
        let hole = prefix.ids.len();
        let own: Vec<&[u32]> = take.iter().map(|&i| &self.prompts[i][hole..]).collect();
        let width = own.iter().map(|p| p.len()).max().unwrap_or(0);
        let mut ids = Vec::with_capacity(take.len() * width);
        let mut lanes = Vec::with_capacity(take.len());
        for (&req, p) in take.iter().zip(&own) {
            let pad = width - p.len();
            ids.extend(std::iter::repeat_n(0u32, pad));
            ids.extend(*p);
            lanes.push(Lane {
                req,
                start: pad as i32,
                pos: self.prompts[req].len() as i32,
                out: Vec::new(),
                rng: XorShift::new(self.opts[req].seed),
                admitted,
                ttft: 0.0,
                reason: None,
            });
        }
        let k = take.len() as i32;
        let mut cache = KvCache::over_prefix(&prefix.cache);
        let rows = Rows {
            mask: mask(&lanes, width as i32, width as i32),
            // Each row's first column's position: its own first token is
            // at `hole`, `start` columns in.
            positions: Array::from_iter(lanes.iter().map(|l| hole as i32 - l.start), &[k]),
        };
        let ids = Array::from_slice(&ids, &[k, width as i32]);
        let logits = model.forward_rows(&ids, &mut cache, &rows)?;
        transforms::async_eval([&logits])?;
        Ok(Running {
            lanes,
            cache,
            logits,
        })
    }
}

/// Rows of one batch added to another: the one with fewer own columns is
/// padded in front so both end at the same column.
fn join(mut a: Running, mut b: Running) -> Result<Running, Error> {
    let (ta, tb) = (a.cache.offset, b.cache.offset);
    if ta < tb {
        a.cache.pad_front(tb - ta)?;
        a.lanes.iter_mut().for_each(|l| l.start += tb - ta);
    } else if tb < ta {
        b.cache.pad_front(ta - tb)?;
        b.lanes.iter_mut().for_each(|l| l.start += ta - tb);
    }
    a.cache.append_rows(&b.cache)?;
    a.logits = ops::concatenate(&[&a.logits, &b.logits], 0)?;
    a.lanes.extend(b.lanes);
    Ok(a)
}

/// Prompts must be non-empty and in the vocabulary, one option set each.
fn check(model: &Model, prompts: &[Vec<u32>], opts: &[GenerateOptions]) -> Result<(), Error> {
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
    Ok(())
}

/// The prefix every prompt starts with, leaving each at least one token of
/// its own (its last prompt token's logits come from its own prefill),
/// computed once (batch 1) — from the prefix an earlier batch held, as far
/// as it is common — and held for the next batch.
fn shared_prefix(
    model: &Model,
    prompts: &[Vec<u32>],
    held: &mut Option<SharedPrefix>,
    stats: &mut BatchStats,
) -> Result<SharedPrefix, Error> {
    // Each prompt keeps at least its last token.
    let shortest = prompts.iter().map(Vec::len).min().unwrap_or(0);
    let hole = common_prefix_len(prompts).min(shortest.saturating_sub(1));
    let ids = &prompts[0][..hole];
    let mut cache = match held.take() {
        Some(h) => {
            let same = h.ids.iter().zip(ids).take_while(|(a, b)| a == b).count();
            let mut c = h.cache;
            c.trim(same as i32)?;
            c
        }
        None => model.new_cache(),
    };
    let done = cache.offset as usize;
    if done < hole {
        let t = Instant::now();
        model.forward_last(&ids[done..], &mut cache)?.eval()?;
        stats.prefill_s += t.elapsed().as_secs_f64();
        stats.prefill_tokens += hole - done;
    }
    let prefix = SharedPrefix {
        ids: ids.to_vec(),
        cache,
    };
    if hole > 0 {
        *held = Some(SharedPrefix {
            ids: prefix.ids.clone(),
            cache: prefix.cache.clone(),
        });
    }
    Ok(prefix)
}

/// How many leading tokens every prompt has in common.
pub fn common_prefix_len(prompts: &[Vec<u32>]) -> usize {
    let shortest = prompts.iter().map(Vec::len).min().unwrap_or(0);
    (0..shortest)
        .take_while(|&i| prompts.iter().all(|p| p[i] == prompts[0][i]))
        .count()
}

/// The next token of every row from logits [B, 1, vocab]: greedy rows by
/// argmax on the device, sampling rows on the host with their own
/// generator (as the unbatched path does).
fn pick(logits: &Array, lanes: &mut [Lane], opts: &[GenerateOptions]) -> Result<Vec<u32>, Error> {
    let b = lanes.len() as i32;
    let greedy = argmax_axis(logits, -1, false)?.reshape(&[b])?;
    let rows = logits.as_type::<f32>()?.reshape(&[b, -1])?;
    transforms::eval([&greedy, &rows])?;
    let mut next: Vec<u32> = greedy
        .try_as_slice::<u32>()
        .map_err(|e| Error::Mlx(format!("{e:?}")))?
        .to_vec();
    let all = rows
        .try_as_slice::<f32>()
        .map_err(|e| Error::Mlx(format!("{e:?}")))?;
    let v = all.len() / lanes.len();
    for (r, lane) in lanes.iter_mut().enumerate() {
        let o = &opts[lane.req];
        if o.temperature > 0.0 {
            next[r] = sample(&all[r * v..(r + 1) * v], o, &mut lane.rng);
        }
    }
    Ok(next)
}

/// [B, 1, L, T]: the last `queries` of `keys` own columns are this step's;
/// row r's query at column c sees key j when `start_r ≤ j ≤ c`, and always
/// itself (a padding query then attends to something, never to nothing:
/// no NaN to leak into a later layer).
fn mask(lanes: &[Lane], queries: i32, keys: i32) -> Array {
    let cached = keys - queries;
    let mut m = Vec::with_capacity(lanes.len() * (queries * keys) as usize);
    for lane in lanes {
        for i in 0..queries {
            let c = cached + i;
            m.extend((0..keys).map(|j| (j >= lane.start && j <= c) || j == c));
        }
    }
    Array::from_slice(&m, &[lanes.len() as i32, 1, queries, keys])
}
