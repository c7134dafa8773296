//! The results document: versioned JSON (schemas/results.schema.json), the
//! input of `compare` and of every report format.

use crate::parse::Verdict;
use crate::run::{BackendInfo, Timings};
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
    }))
}

/// Now, as RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the epoch → `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, Howard Hinnant).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3_600,
        rem % 3_600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::rfc3339;

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_700_000), "2026-11-26T13:33:20Z");
    }
}
