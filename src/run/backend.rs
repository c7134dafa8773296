//! The backend seam: anything that turns a prepared query into a completion.
//! The replay backend reads saved transcripts; the MLX backend (issue #3)
//! generates in process. The runner neither knows nor cares which.

pub use crate::results::{BackendInfo, Timings};
use crate::schema::Toolset;
use crate::suite::{Generation, Message};
use std::sync::Arc;

/// A query ready for a model: the full conversation and sampling settings.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    /// The pack id (suites can share query ids; the pair is unique).
    pub suite: String,
    pub query_id: String,
    /// System prompt first (if any), ending with the turn to answer.
    pub messages: Vec<Message>,
    pub generation: Generation,
    /// The toolset the queries are scored against (the pack's, or the
    /// `--toolset` override): what a model backend puts in the prompt.
    pub toolset: Arc<Toolset>,
    /// Which of `--repeats K` runs this is (0 for a plain run); replay
    /// looks the transcript up by it, the seed is already offset by it.
    pub repeat: u32,
}

/// What a backend produced for one query.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: Option<u64>,
    pub generated_tokens: Option<u64>,
    pub timings: Timings,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CompletionError {
    /// Nothing for this query; it is scored as "no completion" and the run goes on.
    #[error("{0}")]
    Missing(String),
    /// The backend cannot go on (model gone, device error): the run stops,
    /// keeping every transcript already written.
    #[error("{0}")]
    Fatal(String),
}

/// One query handed to a backend, with the ticket that puts its answer
/// back in its place whatever order the answers come in.
#[derive(Debug, Clone)]
pub struct Job {
    pub ticket: usize,
    pub query: PreparedQuery,
}

/// Whether the runner wants more answers after the one it was just given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop: a fatal error, or the run cannot record more (its transcript
    /// file failed). A backend returns as soon as it can.
    Stop,
}

/// What the runner schedules onto. A backend completes one query at a time
/// (`complete`), or many at once and in any order (`capacity` > 1 and its own
/// `complete_all`: a batched generator, an HTTP client with requests in
/// flight). The runner keeps results in pack and query order either way.
pub trait Backend {
    fn info(&self) -> BackendInfo;

    /// How many jobs are worth handing over at once (1: one by one).
    fn capacity(&self) -> usize {
        1
    }

    fn complete(&mut self, query: &PreparedQuery) -> Result<Completion, CompletionError>;

    /// Completes `jobs`, handing each answer to `done` as soon as it is
    /// ready, in any order, and stopping when `done` says so. Jobs left
    /// unanswered after a `Stop` are not run. The default: one by one.
    fn complete_all(
        &mut self,
        jobs: &[Job],
        done: &mut dyn FnMut(usize, Result<Completion, CompletionError>) -> Flow,
    ) {
        for job in jobs {
            let answer = self.complete(&job.query);
            if done(job.ticket, answer) == Flow::Stop {
                return;
            }
        }
    }

    /// Problems worth reporting once the run is over (e.g. unused transcripts).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}
