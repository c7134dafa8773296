//! The in-process MLX backend: renders each query with the model's own chat
//! template (tools included), generates, and reports tokens and timings.

use super::backend::{
    Backend, BackendInfo, Completion, CompletionError, Flow, Job, PreparedQuery, Timings,
};
use super::early::EarlyWatch;
use super::prompt_tools::openai_tools;
use crate::chat::stop::{cut_at_stop, StopWatch};
use crate::chat::{ChatPrompt, Message, RenderOptions, Tokenizer, Tool};
use crate::model::batch::{common_prefix_len, Batch, BatchStats, SharedPrefix};
use crate::model::cache::KvCache;
use crate::model::generate::{generate, GenerateOptions, GenerationStats};
use crate::model::memory::{batch_row_bytes, choose_batch, free_for_batch, BatchChoice};
use crate::model::Model;
use crate::suite::{EarlyStop, Role};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub struct MlxBackend {
    dir: PathBuf,
    model: Model,
    prompt: ChatPrompt,
    pub load_s: f64,
    /// Tools rendered per toolset (queries of one suite share one).
    tools: Option<(Arc<crate::schema::Toolset>, Vec<Tool>)>,
    /// Statistics of every completion, in order (for bench).
    pub stats: Vec<GenerationStats>,
    /// Reuse the KV cache of the longest prompt prefix shared with the
    /// previous query (system prompt + tool schemas are usually identical):
    /// prefill then costs only the new tokens. Off for latency benchmarks
    /// that must measure each query cold.
    pub reuse_prefix: bool,
    /// Per-query wall-clock limit (`--query-timeout`), checked between
    /// tokens: a query past it ends with no completion and the reason.
    pub timeout: Option<std::time::Duration>,
    /// Queries decoded together (`--batch`; 1: one at a time, the prefix
    /// cache reused between them).
    pub batch: usize,
    /// Where the batches' time went, summed over the run.
    pub batch_stats: BatchStats,
    /// What `--batch auto` chose and why ([`MlxBackend::choose_batch`]).
    pub batch_choice: Option<BatchChoice>,
    /// The ids the held cache covers, and the cache.
    prefix: Option<(Vec<u32>, KvCache)>,
    /// The prompt prefix the last batch shared (system prompt and tools).
    batch_prefix: Option<SharedPrefix>,
}

impl MlxBackend {
    pub fn load(dir: &Path) -> Result<MlxBackend, Box<dyn std::error::Error>> {
        let start = std::time::Instant::now();
        let model = Model::load(dir)?;
        let prompt = ChatPrompt::load(dir)?;
        Ok(MlxBackend {
            dir: dir.to_path_buf(),
            model,
            prompt,
            load_s: start.elapsed().as_secs_f64(),
            tools: None,
            stats: Vec::new(),
            reuse_prefix: true,
            timeout: None,
            batch: 1,
            batch_choice: None,
            batch_stats: BatchStats::default(),
            prefix: None,
            batch_prefix: None,
        })
    }

    pub fn model(&self) -> &Model {
        &self.model
    }
}

impl Backend for MlxBackend {
    fn info(&self) -> BackendInfo {
        let mut details = Map::new();
        details.insert("model_dir".into(), json!(self.dir));
        details.insert(
            "model_type".into(),
            json!(self.model.config.arch.model_type()),
        );
        details.insert("mlx_version".into(), json!(crate::runtime::mlx_version()));
        details.insert("mlx_backend".into(), json!(crate::runtime::BACKEND));
        details.insert("load_s".into(), json!(self.load_s));
        details.insert("batch".into(), json!(self.effective_batch()));
        if let Some(c) = &self.batch_choice {
            details.insert("batch_choice".into(), json!(c.why));
        }
        if let Some(q) = self.model.config.quantization.default {
            details.insert(
                "quantization".into(),
                json!({"bits": q.bits, "group_size": q.group_size}),
            );
        }
        BackendInfo {
            kind: "mlx".into(),
            description: self.dir.display().to_string(),
            details,
        }
    }

    fn capacity(&self) -> usize {
        // A batch takes every job at once and keeps `batch` rows decoding,
        // refilling each finished one.
        if self.effective_batch() <= 1 {
            1
        } else {
            usize::MAX
        }
    }

    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        let p = self.prepare(q)?;
        let fatal = |e: &dyn std::fmt::Display| CompletionError::Fatal(e.to_string());
        let mut cache = match (&self.prefix, self.reuse_prefix) {
            (Some((held, c)), true) => {
                let shared = held.iter().zip(&p.ids).take_while(|(a, b)| a == b).count();
                let shared = shared.min(c.offset.max(0) as usize);
                let mut c = c.clone();
                c.trim(shared as i32).map_err(|e| fatal(&e))?;
                c
            }
            _ => self.model.new_cache(),
        };
        let mut watch = StopWatch::new(self.prompt.tokenizer(), &p.stop);
        let mut early = EarlyWatch::new(self.prompt.tokenizer(), p.early);
        let deadline = self.timeout.map(|t| (std::time::Instant::now() + t, t));
        let mut timed_out = false;
        let (tokens, stats) = generate(&self.model, &p.ids, &p.gen, &mut cache, &mut |t| {
            if deadline.is_some_and(|(d, _)| std::time::Instant::now() > d) {
                timed_out = true;
                return false;
            }
            watch.push(t) && early.push(t)
        })
        .map_err(|e| fatal(&e.in_model(&self.model.dir, "generating")))?;
        if let (true, Some((_, limit))) = (timed_out, deadline) {
            // The cache holds a cut-off answer: do not reuse it.
            self.prefix = None;
            return Err(CompletionError::Missing(format!(
                "timed out: still generating after {:.3} s (--query-timeout {}), {} tokens in",
                stats.total_s,
                limit.as_secs_f64(),
                stats.generated_tokens
            )));
        }
        if self.reuse_prefix {
            let mut held = p.ids.clone();
            held.extend(&tokens);
            self.prefix = Some((held, cache));
        }
        Ok(self.finish(&p, tokens, stats))
    }

    fn complete_all(
        &mut self,
        jobs: &[Job],
        done: &mut dyn FnMut(usize, Result<Completion, CompletionError>) -> Flow,
    ) {
        if self.effective_batch() <= 1 || jobs.len() <= 1 {
            for job in jobs {
                let answer = self.complete(&job.query);
                if done(job.ticket, answer) == Flow::Stop {
                    return;
                }
            }
            return;
        }
        // Rendering fails per query; the others are decoded together.
        let mut ready = Vec::new();
        for job in jobs {
            match self.prepare(&job.query) {
                Ok(p) => ready.push((job.ticket, p)),
                Err(e) => {
                    if done(job.ticket, Err(e)) == Flow::Stop {
                        return;
                    }
                }
            }
        }
        let prompts: Vec<Vec<u32>> = ready.iter().map(|(_, p)| p.ids.clone()).collect();
        let opts: Vec<GenerateOptions> = ready.iter().map(|(_, p)| p.gen.clone()).collect();
        // The one-at-a-time cache does not follow batches; batches keep
        // their own shared prefix (`--no-prefix-cache` prefills whole).
        self.prefix = None;
        if !self.reuse_prefix {
            self.batch_prefix = None;
        }
        let tok = self.prompt.tokenizer();
        let mut watches: Vec<(StopWatch, EarlyWatch)> = ready
            .iter()
            .map(|(_, p)| (StopWatch::new(tok, &p.stop), EarlyWatch::new(tok, p.early)))
            .collect();
        let mut answered = vec![false; ready.len()];
        let mut batch = Batch {
            prompts: &prompts,
            opts: &opts,
            width: self.batch,
        };
        let stats = &mut self.stats;
        // Each row is scored and written as it finishes, while the batch
        // goes on.
        let outcome = batch.run(
            &self.model,
            &mut self.batch_prefix,
            &mut |i, t| {
                let (stop, early) = &mut watches[i];
                stop.push(t) && early.push(t)
            },
            &mut |i, tokens, s| {
                let (ticket, p) = &ready[i];
                answered[i] = true;
                let c = completion(tok, p, tokens, &s);
                stats.push(s);
                done(*ticket, Ok(c)) == Flow::Continue
            },
        );
        let outcome = outcome.map(|s| self.batch_stats.add(&s));
        if let Err(e) = outcome {
            let e = e.in_model(&self.model.dir, "generating a batch");
            for (i, (ticket, _)) in ready.iter().enumerate() {
                if !answered[i]
                    && done(*ticket, Err(CompletionError::Fatal(e.to_string()))) == Flow::Stop
                {
                    return;
                }
            }
        }
    }
}

/// One query ready to generate: its prompt ids, settings and stop strings.
struct Prepared {
    ids: Vec<u32>,
    gen: GenerateOptions,
    stop: Vec<String>,
    early: Option<EarlyStop>,
}

impl MlxBackend {
    /// Renders a query with the model's chat template and its tools.
    fn prepare(&mut self, q: &PreparedQuery) -> Result<Prepared, CompletionError> {
        let same = matches!(&self.tools, Some((ts, _)) if Arc::ptr_eq(ts, &q.toolset));
        if !same {
            self.tools = Some((Arc::clone(&q.toolset), openai_tools(&q.toolset)));
        }
        let tools = self.tools.as_ref().map(|(_, t)| t.as_slice());
        let messages: Vec<Message> = q
            .messages
            .iter()
            .map(|m| match m.role {
                Role::System => Message::system(m.content.clone()),
                Role::User => Message::user(m.content.clone()),
                Role::Assistant => Message::assistant(m.content.clone()),
                Role::Tool => Message::tool(m.content.clone(), None),
            })
            .collect();
        let opts = RenderOptions {
            add_generation_prompt: true,
            enable_thinking: Some(q.generation.enable_thinking),
            template: None,
        };
        let ids = self
            .prompt
            .encode(&messages, tools.filter(|t| !t.is_empty()), &opts)
            .map_err(|e| CompletionError::Fatal(e.to_string()))?;
        let mut stop_ids = self.prompt.eos_token_ids().to_vec();
        stop_ids.extend(&self.model.config.eos_token_ids);
        let g = &q.generation;
        Ok(Prepared {
            ids,
            gen: GenerateOptions {
                max_tokens: g.max_tokens as usize,
                temperature: g.temperature as f32,
                top_p: g.top_p as f32,
                top_k: g.top_k as usize,
                seed: g.seed,
                stop_ids,
            },
            stop: g.stop.clone(),
            early: g.early_stop,
        })
    }

    /// Rows decoded together: 1 under a per-query timeout (checked between
    /// one query's tokens).
    pub fn effective_batch(&self) -> usize {
        if self.timeout.is_some() {
            1
        } else {
            self.batch.max(1)
        }
    }

    /// `--batch auto`: the batch width for `queries` from the memory a row
    /// of them needs (their prompts rendered, the shared prefix found) and
    /// the memory free now; sets it and says why.
    pub fn choose_batch(
        &mut self,
        queries: &[PreparedQuery],
    ) -> Result<BatchChoice, CompletionError> {
        let choice = if self.timeout.is_some() {
            BatchChoice {
                width: 1,
                why: "--query-timeout is checked between one query's tokens: one at a time".into(),
            }
        } else {
            let mut prompts = Vec::with_capacity(queries.len());
            let mut answer = 0;
            for q in queries {
                let p = self.prepare(q)?;
                answer = answer.max(p.gen.max_tokens);
                prompts.push(p.ids);
            }
            let prefix = common_prefix_len(&prompts);
            let own = prompts.iter().map(|p| p.len() - prefix).max().unwrap_or(0);
            let row = batch_row_bytes(&self.model.config, prefix, own, answer);
            choose_batch(queries.len(), row, free_for_batch())
        };
        self.batch = choice.width;
        self.batch_choice = Some(choice.clone());
        Ok(choice)
    }

    /// What the model is given for a query, without generating: the
    /// rendered prompt, its token ids and the generation settings
    /// (`run --render-only`, one JSON line per query).
    pub fn render(&mut self, q: &PreparedQuery) -> Result<Value, CompletionError> {
        let p = self.prepare(q)?;
        Ok(json!({
            "suite": q.suite,
            "query_id": q.query_id,
            "repeat": q.repeat,
            "prompt": self.prompt.tokenizer().decode(&p.ids).unwrap_or_default(),
            "prompt_ids": p.ids,
            "max_tokens": p.gen.max_tokens,
            "temperature": p.gen.temperature,
            "stop_ids": p.gen.stop_ids,
            "stop": p.stop,
        }))
    }

    /// The completion of a generation, its statistics recorded.
    fn finish(&mut self, p: &Prepared, tokens: Vec<u32>, stats: GenerationStats) -> Completion {
        let c = completion(self.prompt.tokenizer(), p, tokens, &stats);
        self.stats.push(stats);
        c
    }
}

/// The completion of a generation: the stop id dropped, the text cut at a
/// stop string.
fn completion(
    tok: &Tokenizer,
    p: &Prepared,
    mut tokens: Vec<u32>,
    stats: &GenerationStats,
) -> Completion {
    if tokens.last().is_some_and(|t| p.gen.stop_ids.contains(t)) {
        tokens.pop();
    }
    let mut text = decode(tok, &tokens);
    let cut = cut_at_stop(&text, &p.stop).len();
    text.truncate(cut);
    let timings = Timings {
        total_s: Some(stats.total_s),
        prompt_s: Some(stats.time_to_first_token_s),
        generation_s: Some(stats.total_s - stats.time_to_first_token_s),
        first_token_s: Some(stats.time_to_first_token_s),
    };
    Completion {
        text,
        prompt_tokens: Some(stats.prompt_tokens as u64),
        generated_tokens: Some(stats.generated_tokens as u64),
        timings,
    }
}

/// Provenance details worth a JSON value (used by bench).
pub fn describe(b: &MlxBackend) -> Value {
    Value::Object(b.info().details)
}

/// Text of generated ids, special tokens visible; ids the tokenizer does
/// not know (a padded vocabulary) are shown as `<unk:ID>`, not dropped.
fn decode(tok: &Tokenizer, ids: &[u32]) -> String {
    if let Ok(s) = tok.decode(ids) {
        return s;
    }
    let mut out = String::new();
    let mut run: Vec<u32> = Vec::new();
    for &id in ids {
        if tok.id_to_token(id).is_some() {
            run.push(id);
        } else {
            out.push_str(&tok.decode(&run).unwrap_or_default());
            run.clear();
            out.push_str(&format!("<unk:{id}>"));
        }
    }
    out.push_str(&tok.decode(&run).unwrap_or_default());
    out
}
