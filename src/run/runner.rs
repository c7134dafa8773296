//! The run loop: every query of every suite (and every repeat) becomes a job;
//! jobs are handed to the backend as many at a time as it takes; each answer
//! is classified against its suite's toolset, checked by the suite's plugin,
//! scored, written to the transcript and reported to the observer as it
//! arrives. Results are assembled in pack and query order at the end,
//! whatever order the backend answered in.

use super::backend::{Backend, Completion, CompletionError, Flow, Job, PreparedQuery, Timings};
use super::observer::{Observer, Silent};
use super::steps::{Next, Policy, SingleTurn};
use super::suite::Suite;
use super::transcript::{TranscriptRecord, TranscriptWriter};
use crate::parse::{classify_with, Profile, Verdict};
use crate::results::{
    metrics_of, now_rfc3339, Generator, QueryResult, RunResults, SuiteResult, FORMAT_VERSION,
};
use crate::score::{apply_custom_check, score_query, ProfilePasses, QueryScore, Repeats, Response};
use std::collections::VecDeque;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("suite {suite}, query {query}: the backend failed: {message}")]
    Backend {
        suite: String,
        query: String,
        message: String,
    },
    #[error("suite {suite}, query {query}: its tools cannot be used: {source}")]
    Tools {
        suite: String,
        query: String,
        source: crate::schema::SchemaError,
    },
    #[error("{path}: cannot write the transcript: {source}; fix: check the --out directory")]
    Transcript {
        path: String,
        source: std::io::Error,
    },
}

/// Runs suites on a backend. Built with [`Runner::new`], configured with
/// the builder methods, consumed by [`Runner::run`].
pub struct Runner<'a> {
    suites: &'a [Suite],
    repeats: u32,
    transcripts: Option<&'a mut TranscriptWriter>,
    observer: Option<&'a mut dyn Observer>,
    policy: Option<&'a mut dyn Policy>,
    profile: Profile,
}

/// One query of one repeat, from submission to score.
struct Slot {
    repeat: u32,
    suite: usize,
    query: usize,
    prepared: PreparedQuery,
    step: u32,
    result: Option<QueryResult>,
    /// The final completion's text, or why there was none (the transcript's).
    text: Option<String>,
    error: Option<String>,
}

impl<'a> Runner<'a> {
    pub fn new(suites: &'a [Suite]) -> Self {
        Self {
            suites,
            repeats: 1,
            transcripts: None,
            observer: None,
            policy: None,
            profile: Profile::Strict,
        }
    }

    /// The parse profile verdicts are scored under (default strict). Every
    /// query is also scored under the other one, for the format-vs-decision
    /// split.
    pub fn profile(mut self, p: Profile) -> Self {
        self.profile = p;
        self
    }

    /// Run every query `k` times (seed, seed+1, …). The results are run 0's,
    /// with a `repeats` section over all K: pass^k, pass@k, stability.
    pub fn repeats(mut self, k: u32) -> Self {
        self.repeats = k.max(1);
        self
    }

    /// Append one line per finished query to `w` (flushed as it finishes).
    pub fn transcripts(mut self, w: &'a mut TranscriptWriter) -> Self {
        self.transcripts = Some(w);
        self
    }

    pub fn observer(mut self, o: &'a mut dyn Observer) -> Self {
        self.observer = Some(o);
        self
    }

    /// How a query continues after a completion (default: one turn).
    pub fn policy(mut self, p: &'a mut dyn Policy) -> Self {
        self.policy = Some(p);
        self
    }

    /// Every query the run would hand to a backend, in run order (repeat,
    /// pack, query): what `run --render-only` shows.
    pub fn queries(&self) -> Result<Vec<PreparedQuery>, RunError> {
        Ok(prepared_queries(self.suites, self.repeats)?
            .into_iter()
            .map(|(.., p)| p)
            .collect())
    }

    pub fn run(self, backend: &mut dyn Backend) -> Result<RunResults, RunError> {
        let Runner {
            suites,
            repeats,
            transcripts,
            observer,
            policy,
            profile,
        } = self;
        let (mut silent, mut single) = (Silent, SingleTurn);
        let observer = observer.unwrap_or(&mut silent);
        let policy = policy.unwrap_or(&mut single);
        let marked = repeats > 1;
        let slots: Vec<Slot> = prepared_queries(suites, repeats)?
            .into_iter()
            .map(|(repeat, suite, query, prepared)| Slot {
                repeat,
                suite,
                query,
                prepared,
                step: 0,
                result: None,
                text: None,
                error: None,
            })
            .collect();
        observer.started(slots.len());
        let capacity = backend.capacity().max(1);
        let mut pass = Pass {
            suites,
            queue: (0..slots.len()).collect(),
            slots,
            transcripts,
            observer,
            policy,
            profile,
            marked,
            failure: None,
        };
        while pass.failure.is_none() && !pass.queue.is_empty() {
            let n = capacity.min(pass.queue.len());
            let jobs: Vec<Job> = pass
                .queue
                .drain(..n)
                .map(|t| Job {
                    ticket: t,
                    query: pass.slots[t].prepared.clone(),
                })
                .collect();
            // Per batch, not per run: a one-at-a-time backend makes a
            // batch per query.
            let mut answered = std::collections::HashSet::with_capacity(jobs.len());
            backend.complete_all(&jobs, &mut |ticket, answer| {
                answered.insert(ticket);
                pass.accept(ticket, answer)
            });
            // A backend that returned without answering a job (and without
            // being told to stop) is a bug of the backend: say so per query.
            for job in &jobs {
                if pass.failure.is_some() {
                    break;
                }
                if !answered.contains(&job.ticket) {
                    let why = "the backend returned no completion for this query";
                    pass.accept(job.ticket, Err(CompletionError::Missing(why.into())));
                }
            }
        }
        let Pass {
            slots,
            failure,
            transcripts,
            ..
        } = pass;
        if let Some(w) = transcripts {
            // Batches finish out of order: the file goes back to run order.
            let order: Vec<(String, String, u32)> = slots
                .iter()
                .map(|s| {
                    let p = &s.prepared;
                    (p.suite.clone(), p.query_id.clone(), s.repeat)
                })
                .collect();
            if let Err(source) = w.put_in_order(&order) {
                return Err(failure.unwrap_or(RunError::Transcript {
                    path: w.path().display().to_string(),
                    source,
                }));
            }
        }
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(assemble(suites, slots, repeats, backend, profile))
    }
}

/// The state of a run while answers arrive.
struct Pass<'s, 'w> {
    suites: &'s [Suite],
    slots: Vec<Slot>,
    queue: VecDeque<usize>,
    transcripts: Option<&'w mut TranscriptWriter>,
    observer: &'w mut dyn Observer,
    policy: &'w mut dyn Policy,
    profile: Profile,
    /// Transcript lines carry their repeat index (`--repeats` > 1).
    marked: bool,
    failure: Option<RunError>,
}

impl Pass<'_, '_> {
    /// Takes one answer: scores it (or requeues the query for another turn),
    /// writes its transcript line and reports it.
    fn accept(&mut self, ticket: usize, answer: Result<Completion, CompletionError>) -> Flow {
        let Some(slot) = self.slots.get_mut(ticket) else {
            return Flow::Continue;
        };
        let suite = &self.suites[slot.suite];
        match finish(slot, suite, answer, self.policy, self.profile) {
            Finished::Again => {
                self.queue.push_back(ticket);
                Flow::Continue
            }
            Finished::Fatal(message) => {
                self.failure = Some(RunError::Backend {
                    suite: slot.prepared.suite.clone(),
                    query: slot.prepared.query_id.clone(),
                    message,
                });
                Flow::Stop
            }
            Finished::Scored => {
                let Some(result) = slot.result.as_ref() else {
                    return Flow::Continue;
                };
                if let Some(w) = self.transcripts.as_deref_mut() {
                    if let Err(e) = write_line(w, slot, result, self.marked) {
                        self.failure = Some(e);
                        return Flow::Stop;
                    }
                }
                self.observer.finished(&slot.prepared.suite, result);
                Flow::Continue
            }
        }
    }
}

enum Finished {
    Scored,
    /// The policy continues the query: submit it again.
    Again,
    Fatal(String),
}

/// Classifies, checks and scores one answer into its slot, unless the
/// policy continues the query.
fn finish(
    slot: &mut Slot,
    suite: &Suite,
    answer: Result<Completion, CompletionError>,
    policy: &mut dyn Policy,
    profile: Profile,
) -> Finished {
    let q = &suite.pack.pack.queries[slot.query];
    let (completion, missing) = match answer {
        Ok(c) => (Some(c), None),
        Err(CompletionError::Missing(why)) => (None, Some(why)),
        Err(CompletionError::Fatal(message)) => return Finished::Fatal(message),
    };
    // The query's own tools (and the pack's type rules) are in its toolset.
    let toolset = Arc::clone(&slot.prepared.toolset);
    let verdict = completion
        .as_ref()
        .map(|c| classify_with(&c.text, &toolset, profile));
    if let (Some(c), Some(v)) = (&completion, &verdict) {
        if let Next::Continue(more) = policy.after(&slot.prepared, slot.step, c, v) {
            slot.prepared.messages.extend(more);
            slot.step += 1;
            return Finished::Again;
        }
    }
    let response = match (&verdict, &completion, &missing) {
        (Some(v), Some(c), _) => Response::Completed {
            verdict: v,
            text: &c.text,
        },
        (_, _, Some(why)) => Response::Missing(why),
        _ => Response::Missing("no completion"),
    };
    let (score, custom) = score_with_check(suite, &q.id, &q.expect, response, verdict.as_ref());
    // The same completion under the other profile: does the query's pass
    // depend on the format rules?
    let profiles = match (&completion, &verdict) {
        (Some(c), Some(v)) => {
            let other_profile = match profile {
                Profile::Strict => Profile::Lenient,
                Profile::Lenient => Profile::Strict,
            };
            let other = classify_with(&c.text, &toolset, other_profile);
            let response = Response::Completed {
                verdict: &other,
                text: &c.text,
            };
            let (other_score, _) =
                score_with_check(suite, &q.id, &q.expect, response, Some(&other));
            let (strict_profile, lenient_profile) = match profile {
                Profile::Strict => (score.strict, other_score.strict),
                Profile::Lenient => (other_score.strict, score.strict),
            };
            Some(ProfilePasses {
                strict_profile,
                lenient_profile,
                verdicts_agree: v.kind == other.kind && v.calls == other.calls,
            })
        }
        _ => None,
    };
    slot.result = Some(QueryResult {
        id: q.id.clone(),
        tags: q.tags.clone(),
        expect: q.expect.clone(),
        score,
        verdict,
        prompt_tokens: completion.as_ref().and_then(|c| c.prompt_tokens),
        generated_tokens: completion.as_ref().and_then(|c| c.generated_tokens),
        timings: completion
            .as_ref()
            .map(|c| c.timings.clone())
            .unwrap_or_else(Timings::default),
        custom_check: custom,
        profiles,
    });
    slot.text = completion.map(|c| c.text);
    slot.error = missing;
    Finished::Scored
}

/// The expectation's score, with the plugin's custom check folded in.
fn score_with_check(
    suite: &Suite,
    id: &str,
    expect: &crate::suite::Expect,
    response: Response<'_>,
    verdict: Option<&Verdict>,
) -> (QueryScore, Option<crate::score::CustomCheck>) {
    let mut score = score_query(expect, response);
    let custom = verdict.and_then(|v| suite.custom_check(id, v));
    if let Some(c) = &custom {
        apply_custom_check(&mut score, c);
    }
    (score, custom)
}

fn write_line(
    w: &mut TranscriptWriter,
    slot: &Slot,
    result: &QueryResult,
    marked: bool,
) -> Result<(), RunError> {
    let record = TranscriptRecord {
        suite: &slot.prepared.suite,
        query_id: &slot.prepared.query_id,
        repeat: marked.then_some(slot.repeat),
        completion: slot.text.as_deref(),
        error: slot.error.as_deref(),
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
    })
}

/// Run 0's results per suite in pack and query order, with the repeats
/// section over every run when there were several.
fn assemble(
    suites: &[Suite],
    slots: Vec<Slot>,
    repeats: u32,
    backend: &dyn Backend,
    profile: Profile,
) -> RunResults {
    let mut per_suite: Vec<Vec<QueryResult>> = vec![Vec::new(); suites.len()];
    let mut outcomes: Vec<Vec<_>> = vec![Vec::new(); repeats as usize];
    for slot in slots {
        let Some(result) = slot.result else { continue };
        outcomes[slot.repeat as usize].push((
            slot.prepared.suite,
            result.id.clone(),
            result.score.strict,
            result.verdict.as_ref().map(|v| v.kind),
        ));
        if slot.repeat == 0 {
            per_suite[slot.suite].push(result);
        }
    }
    let results: Vec<SuiteResult> = suites
        .iter()
        .zip(per_suite)
        .map(|(suite, queries)| SuiteResult {
            pack: suite.info(),
            generation: suite.pack.pack.pack.generation.clone(),
            metrics: metrics_of(&queries),
            queries,
        })
        .collect();
    let overall = metrics_of(results.iter().flat_map(|s| s.queries.iter()));
    let mut warnings = backend.warnings();
    let mut repeats_section = None;
    if repeats > 1 {
        let greedy = suites
            .iter()
            .all(|s| s.pack.pack.pack.generation.temperature <= 0.0);
        if greedy {
            warnings.push(format!(
                "--repeats {repeats} with greedy decoding (temperature 0): the runs repeat one \
                 observation; set a temperature in the packs' [pack.generation] to measure stability"
            ));
        }
        repeats_section = Some(Repeats::from_runs(&outcomes, greedy));
    }
    RunResults {
        format_version: FORMAT_VERSION,
        generator: Generator::default(),
        created: now_rfc3339(),
        backend: backend.info(),
        parse_profile: profile,
        suites: results,
        overall,
        warnings,
        repeats: repeats_section,
        bench: None,
        provenance: None,
    }
}

/// Every (repeat, suite, query) with the query as the backend gets it.
/// Repeat-major, then pack and query order: the order a one-by-one backend
/// completes them and the order results are assembled in.
#[allow(clippy::type_complexity)]
fn prepared_queries(
    suites: &[Suite],
    repeats: u32,
) -> Result<Vec<(u32, usize, usize, PreparedQuery)>, RunError> {
    // Repeat-major, then pack and query order: the order a one-by-one
    // backend completes them and the order results are assembled in.
    // The tools each query is shown and scored against: the pack's type
    // rules applied, the query's own tools added (checked when the pack
    // was loaded, so an error here is a pack built in code).
    let mut toolsets: Vec<Vec<Arc<crate::schema::Toolset>>> = Vec::new();
    for suite in suites {
        let fail = |q: &str, source| RunError::Tools {
            suite: suite.id().to_string(),
            query: q.to_string(),
            source,
        };
        let base = suite.scoring_toolset().map_err(|e| fail("(all)", e))?;
        let per_query = (0..suite.pack.pack.queries.len())
            .map(|qi| {
                suite
                    .query_toolset(&base, qi)
                    .map_err(|e| fail(&suite.pack.pack.queries[qi].id, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        toolsets.push(per_query);
    }
    let mut slots = Vec::new();
    for r in 0..repeats {
        for (si, suite) in suites.iter().enumerate() {
            let pack = &suite.pack.pack;
            for (qi, q) in pack.queries.iter().enumerate() {
                let mut generation = pack.pack.generation.clone();
                generation.seed = generation.seed.wrapping_add(u64::from(r));
                slots.push((
                    r,
                    si,
                    qi,
                    PreparedQuery {
                        suite: pack.pack.id.clone(),
                        query_id: q.id.clone(),
                        messages: q.conversation(pack.pack.system_prompt.as_deref()),
                        generation,
                        toolset: Arc::clone(&toolsets[si][qi]),
                        repeat: r,
                    },
                ));
            }
        }
    }
    Ok(slots)
}
