//! The bench procedure: load the model (timed), time the benchmark query
//! cold (warm-up, then the steady series, each prefilled from scratch as a
//! user's first request would be), then score every query of every suite
//! once with the shared-prefix cache. Returns one typed results document.
//!
//! Resuming (`bench --resume`): the accuracy pass takes the queries an
//! interrupted bench finished from its transcripts and runs the rest; load,
//! warm-up and steady state are measured again, in this process, because
//! they describe the process that reports them.

use super::provenance::model_hashes;
use super::stats::summarize;
use crate::model::info::disk_size;
use crate::provision::default::ensure_default_model;
use crate::results::{
    BenchMetrics, BenchSettings, Provenance, QuantizationInfo, RunResults, Throughput, Timed,
};
use crate::run::mlx::MlxBackend;
use crate::run::{
    Backend, Observer, PreparedQuery, ReplayBackend, ResumeBackend, Runner, Suite, TranscriptWriter,
};
use std::path::PathBuf;
use std::sync::Arc;

/// What to measure.
pub struct BenchRequest {
    /// The model folder (`None`: the set-up's default model).
    pub model: Option<PathBuf>,
    /// The suites; the first query of the first is the timed query.
    pub suites: Vec<Suite>,
    /// The pack files named, recorded in the provenance.
    pub suite_paths: Vec<PathBuf>,
    pub steady: usize,
    pub repeats: u32,
    pub max_tokens: Option<u32>,
    /// Hash every file of the model folder for the provenance.
    pub hash: bool,
    /// The parse profile the accuracy pass is scored under.
    pub profile: crate::parse::Profile,
    /// Queries of the accuracy pass decoded together (None: chosen from
    /// memory, `--batch auto`).
    pub batch: Option<usize>,
    /// Early decision for the accuracy pass (`--early-stop`); the latency
    /// runs generate in full, as Punie's users wait for them.
    pub early_stop: Option<crate::suite::EarlyStop>,
}

/// Where the accuracy pass records its queries, and what an interrupted
/// bench already finished.
#[derive(Default)]
pub struct BenchRecord<'a> {
    /// One line per finished query, flushed as it finishes.
    pub transcripts: Option<&'a mut TranscriptWriter>,
    /// The interrupted bench's finished queries (`--resume`).
    pub finished: Option<ReplayBackend>,
}

/// Why a bench could not finish.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// The request itself (no queries, no model folder).
    #[error("{0}")]
    Input(String),
    /// Loading or running the model.
    #[error("{0}")]
    Runtime(String),
}

pub fn bench(
    req: BenchRequest,
    record: BenchRecord<'_>,
    observer: &mut dyn Observer,
) -> Result<RunResults, BenchError> {
    let input = BenchError::Input;
    let runtime = |e: &dyn std::fmt::Display| BenchError::Runtime(e.to_string());
    let mut suites = req.suites;
    if let Some(m) = req.max_tokens {
        suites.iter_mut().for_each(|s| s.cap_tokens(m));
    }
    let (suite, query) = suites
        .first()
        .and_then(|s| s.pack.pack.queries.first().map(|q| (s, q)))
        .ok_or_else(|| input("the first suite has no queries: nothing to time".into()))?;
    let dir = match req.model {
        Some(d) => d,
        None => ensure_default_model().map_err(|e| runtime(&e))?,
    };
    let disk_bytes = disk_size(&dir).map_err(|e| input(e.to_string()))?;
    let hashes = if req.hash {
        Some(model_hashes(&dir).map_err(|e| {
            input(format!(
                "{}: cannot hash the model files: {e}",
                dir.display()
            ))
        })?)
    } else {
        None
    };

    mlx_rs::memory::reset_peak_memory().map_err(|e| runtime(&format!("{e:?}")))?;
    let mut backend = MlxBackend::load(&dir)
        .map_err(|e| BenchError::Runtime(format!("loading the model: {e}")))?;
    let active_after_load = mlx_rs::memory::active_memory().unwrap_or(0) as u64;
    observer.note(&format!(
        "loaded {} in {:.2}s",
        dir.display(),
        backend.load_s
    ));

    // Latency: every run prefills from scratch, as a user's first request would.
    backend.reuse_prefix = false;
    let prepared = PreparedQuery {
        suite: suite.id().to_string(),
        query_id: query.id.clone(),
        messages: query.conversation(suite.pack.pack.pack.system_prompt.as_deref()),
        generation: suite.pack.pack.pack.generation.clone(),
        toolset: Arc::clone(&suite.toolset),
        repeat: 0,
    };
    let mut timed = Vec::new();
    let mut texts = Vec::new();
    for i in 0..=req.steady {
        observer.note(&format!(
            "{} {}/{} …",
            if i == 0 { "warm-up" } else { "steady" },
            prepared.suite,
            prepared.query_id
        ));
        let c = backend
            .complete(&prepared)
            .map_err(|e| BenchError::Runtime(format!("benchmark query failed: {e}")))?;
        let s = backend
            .stats
            .last()
            .cloned()
            .ok_or_else(|| BenchError::Runtime("no statistics recorded".into()))?;
        texts.push(c.text);
        timed.push(Timed {
            total_s: s.total_s,
            time_to_first_token_s: s.time_to_first_token_s,
            prompt_tokens: s.prompt_tokens,
            generated_tokens: s.generated_tokens,
            prompt_tps: s.prompt_tps,
            generation_tps: s.generation_tps,
        });
    }
    let warmup = timed.remove(0);
    let steady_texts = &texts[1..];
    let times: Vec<f64> = timed.iter().map(|t| t.total_s).collect();
    let summary = summarize(&times);
    let mean = |f: &dyn Fn(&Timed) -> f64| {
        if timed.is_empty() {
            0.0
        } else {
            timed.iter().map(f).sum::<f64>() / timed.len() as f64
        }
    };

    // Accuracy: every query of every suite once, timed as a workload.
    backend.reuse_prefix = true;
    if let Some(e) = req.early_stop {
        suites.iter_mut().for_each(|s| s.set_early_stop(e));
    }
    let mut runner = Runner::new(&suites)
        .repeats(req.repeats)
        .profile(req.profile);
    let batch_choice = match req.batch {
        Some(n) => {
            backend.batch = n;
            None
        }
        None => {
            let queries = runner.queries().map_err(|e| runtime(&e))?;
            let c = backend.choose_batch(&queries).map_err(|e| runtime(&e))?;
            observer.note(&format!("batch {}: {}", c.width, c.why));
            Some(c.why)
        }
    };
    let batch = backend.effective_batch();
    let generated_before = backend.stats.len();
    let batch_before = backend.batch_stats;
    let pass = std::time::Instant::now();
    runner = runner.observer(observer);
    if let Some(w) = record.transcripts {
        runner = runner.transcripts(w);
    }
    let mut results = match record.finished {
        Some(finished) => runner.run(&mut ResumeBackend::new(finished, &mut backend)),
        None => runner.run(&mut backend as &mut dyn Backend),
    }
    .map_err(|e| runtime(&e))?;
    let pass_s = pass.elapsed().as_secs_f64();
    let generated: Vec<(usize, usize)> = backend.stats[generated_before..]
        .iter()
        .map(|s| (s.prompt_tokens, s.generated_tokens))
        .collect();
    let peak = mlx_rs::memory::peak_memory().unwrap_or(0) as u64;
    // Prefill and decode apart: a batch's own clock, or (one at a time)
    // each query's time to first token and the rest.
    let mut split = backend.batch_stats;
    split.prefill_s -= batch_before.prefill_s;
    split.decode_s -= batch_before.decode_s;
    split.decode_tokens -= batch_before.decode_tokens;
    split.decode_steps -= batch_before.decode_steps;
    if split.decode_steps == 0 && split.prefill_s == 0.0 {
        let queries = &backend.stats[generated_before..];
        split.prefill_s = queries.iter().map(|s| s.time_to_first_token_s).sum();
        split.decode_s = queries
            .iter()
            .map(|s| s.total_s - s.time_to_first_token_s)
            .sum();
        split.decode_tokens = queries
            .iter()
            .map(|s| s.generated_tokens.saturating_sub(1))
            .sum();
    }

    let config = &backend.model().config;
    results.bench = Some(BenchMetrics {
        disk_bytes,
        load_s: backend.load_s,
        active_memory_after_load_bytes: active_after_load,
        peak_memory_bytes: peak,
        benchmark_query: format!("{}/{}", prepared.suite, prepared.query_id),
        warmup_s: warmup.total_s,
        warmup,
        steady_avg_s: summary.as_ref().map(|s| s.mean).unwrap_or(0.0),
        steady_summary: summary,
        steady_outputs_identical: steady_texts.windows(2).all(|w| w[0] == w[1]),
        mean_ttft_s: mean(&|t| t.time_to_first_token_s),
        mean_generation_tps: mean(&|t| t.generation_tps),
        mean_prompt_tps: mean(&|t| t.prompt_tps),
        steady: timed.clone(),
        throughput: Some(Throughput {
            batch_choice,
            prefill_s: Some(split.prefill_s),
            decode_s: Some(split.decode_s),
            decode_tps: Some(if split.decode_s > 0.0 {
                split.decode_tokens as f64 / split.decode_s
            } else {
                0.0
            }),
            ..Throughput::measure(batch, pass_s, &generated)
        }),
    });
    results.provenance = Some(Provenance {
        model_path: dir.clone(),
        model_type: config.arch.model_type().to_string(),
        quantization: config.quantization.default.map(|q| QuantizationInfo {
            bits: q.bits,
            group_size: q.group_size,
        }),
        sha256: hashes,
        mlx_version: crate::runtime::mlx_version(),
        mlx_backend: crate::runtime::BACKEND.to_string(),
        device: crate::runtime::info().default_device,
        punie_eval_version: env!("CARGO_PKG_VERSION").to_string(),
        settings: BenchSettings {
            steady_runs: req.steady,
            max_tokens_override: req.max_tokens,
            repeats: req.repeats,
            suites: req.suite_paths,
        },
    });
    Ok(results)
}
