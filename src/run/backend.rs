//! The backend seam: anything that turns a prepared query into a completion.
//! The replay backend reads saved transcripts; the MLX backend (issue #3)
//! generates in process. The runner neither knows nor cares which.

use crate::schema::Toolset;
use crate::suite::{Generation, Message};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
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

/// Wall-clock timings of one completion, in seconds, when the backend knows them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Timings {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_s: Option<f64>,
}

impl Timings {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
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

/// Who produced the completions, recorded in every result file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// "replay", "mlx", …
    pub kind: String,
    /// One line for people, e.g. the transcript file or the model folder.
    pub description: String,
    /// Provenance facts (paths, hashes, versions) for the result file.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub details: Map<String, Value>,
}

pub trait Backend {
    fn info(&self) -> BackendInfo;
    fn complete(&mut self, query: &PreparedQuery) -> Result<Completion, CompletionError>;
    /// Problems worth reporting once the run is over (e.g. unused transcripts).
    fn warnings(&self) -> Vec<String> {
        Vec::new()
    }
}
