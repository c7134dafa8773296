//! The run loop: for each query of each suite, ask the backend, classify the
//! completion, score it, write its transcript line, then aggregate.

use super::backend::{Backend, CompletionError, PreparedQuery, Timings};
use super::transcript::{TranscriptRecord, TranscriptWriter};
use crate::parse::Verdict;
use crate::report::results::{
    metrics_of, now_rfc3339, Generator, PackInfo, QueryResult, RunResults, SuiteResult,
    FORMAT_VERSION,
};
use crate::schema::Toolset;
use crate::score::{apply_custom_check, score_query, CustomCheck, Repeats, Response};
use crate::suite::LoadedPack;
use std::sync::Arc;

/// A suite ready to run: its pack and the toolset it is scored against.
pub struct SuiteRun<'a> {
    pub pack: &'a LoadedPack,
    /// The toolset the suite is scored against.
    pub toolset: Arc<Toolset>,
}

impl<'a> SuiteRun<'a> {
    /// One run per pack, each scored against the toolset at its index.
    pub fn zip(packs: &'a [LoadedPack], toolsets: &[Arc<Toolset>]) -> Vec<SuiteRun<'a>> {
        packs
            .iter()
            .zip(toolsets)
            .map(|(pack, toolset)| SuiteRun {
                pack,
                toolset: Arc::clone(toolset),
            })
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("suite {suite}, query {query}: the backend failed: {message}")]
    Backend {
        suite: String,
        query: String,
        message: String,
    },
    #[error("{path}: cannot write the transcript: {source}; fix: check the --out directory")]
    Transcript {
        path: String,
        source: std::io::Error,
    },
}

/// Runs every query. `classify(suite_index, completion)` turns a completion
/// into a verdict against that suite's toolset; `on_done` is called after
/// each query (progress).
pub fn run_suites(
    suites: &[SuiteRun<'_>],
    backend: &mut dyn Backend,
    classify: &mut dyn FnMut(usize, &str) -> Verdict,
    transcripts: Option<&mut TranscriptWriter>,
    on_done: &mut dyn FnMut(&str, &QueryResult),
) -> Result<RunResults, RunError> {
    run_suites_checked(
        suites,
        backend,
        classify,
        &mut |_, _, _| None,
        transcripts,
        on_done,
    )
}

/// A custom check: `(suite_index, query_id, verdict)` → the plugin's
/// judgement, `None` when it has no rule for the query.
pub type CustomCheckFn<'a> = dyn FnMut(usize, &str, &Verdict) -> Option<CustomCheck> + 'a;

/// [`run_suites`] with a custom check (plugins) run on every verdict; a
/// failed check fails the query with the plugin's message.
pub fn run_suites_checked(
    suites: &[SuiteRun<'_>],
    backend: &mut dyn Backend,
    classify: &mut dyn FnMut(usize, &str) -> Verdict,
    custom_check: &mut CustomCheckFn<'_>,
    transcripts: Option<&mut TranscriptWriter>,
    on_done: &mut dyn FnMut(&str, &QueryResult),
) -> Result<RunResults, RunError> {
    run_pass(
        suites,
        backend,
        classify,
        custom_check,
        transcripts,
        on_done,
        None,
    )
}

/// [`run_suites_checked`] `k` times, run `r` sampling with each pack's seed
/// plus `r` (transcript lines carry `"repeat": r`). The results are run 0's,
/// with a `repeats` section over all K: pass^k, pass@k, per-query stability.
/// `k` = 1 is a plain run.
pub fn run_suites_repeated(
    suites: &[SuiteRun<'_>],
    backend: &mut dyn Backend,
    classify: &mut dyn FnMut(usize, &str) -> Verdict,
    custom_check: &mut CustomCheckFn<'_>,
    mut transcripts: Option<&mut TranscriptWriter>,
    on_done: &mut dyn FnMut(&str, &QueryResult),
    k: u32,
) -> Result<RunResults, RunError> {
    if k <= 1 {
        return run_suites_checked(
            suites,
            backend,
            classify,
            custom_check,
            transcripts,
            on_done,
        );
    }
    let mut first: Option<RunResults> = None;
    let mut outcomes = Vec::new();
    for r in 0..k {
        let run = run_pass(
            suites,
            backend,
            classify,
            custom_check,
            transcripts.as_deref_mut(),
            on_done,
            Some(r),
        )?;
        outcomes.push(
            run.suites
                .iter()
                .flat_map(|s| {
                    s.queries.iter().map(|q| {
                        (
                            s.pack.id.clone(),
                            q.id.clone(),
                            q.score.strict,
                            q.verdict.as_ref().map(|v| v.kind),
                        )
                    })
                })
                .collect::<Vec<_>>(),
        );
        first.get_or_insert(run);
    }
    let greedy = suites
        .iter()
        .all(|s| s.pack.pack.pack.generation.temperature <= 0.0);
    let mut results = first.expect("k > 1 runs");
    if greedy {
        results.warnings.push(format!(
            "--repeats {k} with greedy decoding (temperature 0): the runs repeat one \
             observation; set a temperature in the packs' [pack.generation] to measure stability"
        ));
    }
    results.repeats = Some(Repeats::from_runs(&outcomes, greedy));
    Ok(results)
}

/// One pass over every query; `repeat` = Some(r) offsets the seed by r and
/// marks the transcript lines.
fn run_pass(
    suites: &[SuiteRun<'_>],
    backend: &mut dyn Backend,
    classify: &mut dyn FnMut(usize, &str) -> Verdict,
    custom_check: &mut CustomCheckFn<'_>,
    mut transcripts: Option<&mut TranscriptWriter>,
    on_done: &mut dyn FnMut(&str, &QueryResult),
    repeat: Option<u32>,
) -> Result<RunResults, RunError> {
    let mut results = Vec::new();
    for (si, suite) in suites.iter().enumerate() {
        let pack = &suite.pack.pack;
        let mut queries = Vec::new();
        for q in &pack.queries {
            let mut generation = pack.pack.generation.clone();
            generation.seed = generation.seed.wrapping_add(u64::from(repeat.unwrap_or(0)));
            let prepared = PreparedQuery {
                suite: pack.pack.id.clone(),
                query_id: q.id.clone(),
                messages: q.conversation(pack.pack.system_prompt.as_deref()),
                generation,
                toolset: Arc::clone(&suite.toolset),
                repeat: repeat.unwrap_or(0),
            };
            let outcome = backend.complete(&prepared);
            let (completion, missing) = match outcome {
                Ok(c) => (Some(c), None),
                Err(CompletionError::Missing(why)) => (None, Some(why)),
                Err(CompletionError::Fatal(message)) => {
                    return Err(RunError::Backend {
                        suite: pack.pack.id.clone(),
                        query: q.id.clone(),
                        message,
                    })
                }
            };
            let verdict = completion.as_ref().map(|c| classify(si, &c.text));
            let response = match (&verdict, &completion, &missing) {
                (Some(v), Some(c), _) => Response::Completed {
                    verdict: v,
                    text: &c.text,
                },
                (_, _, Some(why)) => Response::Missing(why),
                _ => Response::Missing("no completion"),
            };
            let mut score = score_query(&q.expect, response);
            let custom = verdict.as_ref().and_then(|v| custom_check(si, &q.id, v));
            if let Some(c) = &custom {
                apply_custom_check(&mut score, c);
            }
            let timings = completion
                .as_ref()
                .map(|c| c.timings.clone())
                .unwrap_or_else(Timings::default);
            let result = QueryResult {
                id: q.id.clone(),
                tags: q.tags.clone(),
                expect: q.expect.clone(),
                score,
                verdict,
                prompt_tokens: completion.as_ref().and_then(|c| c.prompt_tokens),
                generated_tokens: completion.as_ref().and_then(|c| c.generated_tokens),
                timings,
                custom_check: custom,
            };
            if let Some(w) = transcripts.as_deref_mut() {
                let record = TranscriptRecord {
                    suite: &pack.pack.id,
                    query_id: &q.id,
                    repeat,
                    completion: completion.as_ref().map(|c| c.text.as_str()),
                    error: missing.as_deref(),
                    prompt_tokens: result.prompt_tokens,
                    generated_tokens: result.generated_tokens,
                    timings: &result.timings,
                    verdict: result.verdict.as_ref(),
                    soft_pass: result.score.soft,
                    strict_pass: result.score.strict,
                    reason: &result.score.reason,
                };
                w.write(&record).map_err(|source| RunError::Transcript {
                    path: w.path().display().to_string(),
                    source,
                })?;
            }
            on_done(&pack.pack.id, &result);
            queries.push(result);
        }
        results.push(SuiteResult {
            pack: PackInfo {
                id: pack.pack.id.clone(),
                version: pack.pack.version.clone(),
                description: pack.pack.description.clone(),
                source: suite.pack.origin.clone(),
                toolset: suite.toolset.name().to_string(),
            },
            generation: pack.pack.generation.clone(),
            metrics: metrics_of(&queries),
            queries,
        });
    }
    let overall = metrics_of(results.iter().flat_map(|s| s.queries.iter()));
    Ok(RunResults {
        format_version: FORMAT_VERSION,
        generator: Generator::default(),
        created: now_rfc3339(),
        backend: backend.info(),
        suites: results,
        overall,
        warnings: backend.warnings(),
        repeats: None,
    })
}
