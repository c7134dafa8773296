//! The results contract: the versioned JSON document that `run` and `bench`
//! write (schemas/results.schema.json) and that `compare` and every report
//! format read. It sits below both producers and consumers: nothing here
//! knows how the numbers were made or how they will be shown.

mod bench;
mod file;
mod time;
mod timings;
mod unit;

pub use bench::{
    BenchMetrics, BenchSettings, Measurement, Provenance, QuantizationInfo, Summary, Throughput,
    Timed,
};
pub use file::{write_atomically, LoadError};
pub use time::{now_rfc3339, rfc3339};
pub use timings::{BackendInfo, Timings};
pub use unit::Unit;

use crate::parse::Verdict;
use crate::score::{metrics, Metrics, QueryScore, Scored};
use crate::suite::{Expect, Generation};
use serde::{Deserialize, Serialize};

/// Bumped on any change a reader must know about; readers refuse newer majors.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub format_version: u32,
    pub generator: Generator,
    /// UTC, RFC 3339.
    pub created: String,
    pub backend: BackendInfo,
    /// The parse profile the verdicts and scores are under (each query is
    /// also scored under the other: `overall.profiles`).
    #[serde(default)]
    pub parse_profile: crate::parse::Profile,
    pub suites: Vec<SuiteResult>,
    /// Metrics over every query of every suite.
    pub overall: Metrics,
    /// Things worth knowing that did not stop the run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// `--repeats K`: pass^k, pass@k and per-query stability over K runs
    /// (the rest of the file is run 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeats: Option<crate::score::Repeats>,
    /// `bench`: load, memory, warm-up and steady-state measurements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bench: Option<BenchMetrics>,
    /// `bench`: exactly what was measured (model files' hashes, runtime).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<Provenance>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

impl Default for Generator {
    fn default() -> Self {
        Self {
            name: env!("CARGO_PKG_NAME").to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuiteResult {
    pub pack: PackInfo,
    pub generation: Generation,
    pub metrics: Metrics,
    pub queries: Vec<QueryResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackInfo {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// Where the pack came from (file path or plugin name).
    pub source: String,
    /// The toolset the queries were scored against.
    pub toolset: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryResult {
    pub id: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub expect: Expect,
    #[serde(flatten)]
    pub score: QueryScore,
    /// `None` when there was no completion.
    pub verdict: Option<Verdict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Timings::is_empty")]
    pub timings: Timings,
    /// The plugin's custom check, when the pack's plugin has one for this query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_check: Option<crate::score::CustomCheck>,
    /// The query's pass under each parse profile (absent without a completion).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<crate::score::ProfilePasses>,
}

impl QueryResult {
    fn call_validity(&self) -> Vec<(String, bool)> {
        self.verdict
            .iter()
            .flat_map(|v| v.calls.iter().map(|c| (c.name.clone(), c.valid)))
            .collect()
    }
}

/// Metrics of a set of query results (a suite, or all suites together).
pub fn metrics_of<'a>(queries: impl IntoIterator<Item = &'a QueryResult>) -> Metrics {
    // Owned per-query data that `Scored` borrows from.
    type Row<'q> = (&'q QueryResult, Vec<&'q str>, Vec<(String, bool)>);
    let rows: Vec<Row<'_>> = queries
        .into_iter()
        .map(|q| (q, q.expect.tool_names(), q.call_validity()))
        .collect();
    metrics(rows.iter().map(|(q, tools, calls)| Scored {
        score: &q.score,
        tags: &q.tags,
        expected_tools: tools,
        calls,
        profiles: q.profiles.as_ref(),
    }))
}
