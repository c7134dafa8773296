//! Who produced a run's completions, and how long each took.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

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
