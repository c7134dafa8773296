//! The replay backend: completions from a transcripts JSONL file (one
//! `{"query_id": …, "completion": …}` per line, optionally `suite`, token
//! counts and `timings`). The `transcripts.jsonl` a run writes is itself a
//! valid replay file, so a toolset or parser change is re-scored against past
//! generations without a model.

use super::backend::{Backend, BackendInfo, Completion, CompletionError, PreparedQuery, Timings};
use serde::Deserialize;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Line {
    query_id: String,
    /// `null` when the run that wrote it had no completion for the query.
    completion: Option<String>,
    #[serde(default)]
    suite: Option<String>,
    /// Which `--repeats` run the line belongs to (absent: run 0).
    #[serde(default)]
    repeat: u32,
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    generated_tokens: Option<u64>,
    #[serde(default)]
    timings: Option<Timings>,
    #[serde(default)]
    error: Option<String>,
}

struct Entry {
    line: usize,
    record: Line,
}

pub struct ReplayBackend {
    origin: String,
    /// Keyed by (suite, query id); suite `None` for lines that name none.
    entries: HashMap<(Option<String>, String, u32), Entry>,
    used: BTreeSet<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("{path}: cannot read the transcripts: {source}; fix: check the --replay path")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}; fix: {fix}")]
    Line {
        path: String,
        line: usize,
        message: String,
        fix: String,
    },
}

impl ReplayBackend {
    pub fn from_file(path: &Path) -> Result<Self, ReplayError> {
        let origin = path.display().to_string();
        let text = crate::text::read_utf8(path).map_err(|e| match e {
            crate::text::ReadError::Io(source) => ReplayError::Read {
                path: origin.clone(),
                source,
            },
            crate::text::ReadError::NotUtf8 { line, column, byte } => ReplayError::Line {
                path: origin.clone(),
                line,
                message: format!("column {column}: byte 0x{byte:02X} is not UTF-8"),
                fix: "transcripts are UTF-8 JSON lines; save the file as UTF-8".into(),
            },
        })?;
        Self::from_jsonl(&text, &origin)
    }

    pub fn from_jsonl(text: &str, origin: &str) -> Result<Self, ReplayError> {
        let err = |line: usize, message: String, fix: &str| ReplayError::Line {
            path: origin.to_string(),
            line,
            message,
            fix: fix.to_string(),
        };
        let mut entries: HashMap<(Option<String>, String, u32), Entry> = HashMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            if raw.trim().is_empty() {
                continue;
            }
            let fix = "each line must be a JSON object with \"query_id\" and \"completion\" \
                       (a string, or null for none)";
            let value: serde_json::Value = serde_json::from_str(raw)
                .map_err(|e| err(line, format!("not a transcript line ({e})"), fix))?;
            // `completion: null` is a recorded failure; a missing key is a typo.
            if value.get("completion").is_none() {
                return Err(err(line, "the line has no \"completion\" key".into(), fix));
            }
            let record: Line = serde_json::from_value(value)
                .map_err(|e| err(line, format!("not a transcript line ({e})"), fix))?;
            let key = (record.suite.clone(), record.query_id.clone(), record.repeat);
            if let Some(first) = entries.get(&key) {
                return Err(err(
                    line,
                    format!(
                        "a second transcript for query {:?}{}{} (first on line {})",
                        record.query_id,
                        record
                            .suite
                            .as_deref()
                            .map(|s| format!(" of suite {s:?}"))
                            .unwrap_or_default(),
                        if record.repeat > 0 {
                            format!(", repeat {}", record.repeat)
                        } else {
                            String::new()
                        },
                        first.line
                    ),
                    "keep one transcript per query and run (add \"suite\" to tell suites \
                     apart, \"repeat\" to tell --repeats runs apart)",
                ));
            }
            entries.insert(key, Entry { line, record });
        }
        Ok(Self {
            origin: origin.to_string(),
            entries,
            used: BTreeSet::new(),
        })
    }
}

impl ReplayBackend {
    /// The entry for a query: by suite and id, else by id alone.
    fn entry(&self, q: &PreparedQuery) -> Option<&Entry> {
        self.entries
            .get(&(Some(q.suite.clone()), q.query_id.clone(), q.repeat))
            .or_else(|| self.entries.get(&(None, q.query_id.clone(), q.repeat)))
    }

    /// Whether the transcripts have a line for this query (and repeat).
    pub fn has(&self, q: &PreparedQuery) -> bool {
        self.entry(q).is_some()
    }

    /// The transcripts file, as shown in messages.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// (suite, query, repeat) of every line that names its suite.
    pub fn keys(&self) -> impl Iterator<Item = (String, String, u32)> + '_ {
        self.entries
            .keys()
            .filter_map(|(s, q, r)| Some((s.clone()?, q.clone(), *r)))
    }

    /// The number of transcript lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Backend for ReplayBackend {
    fn info(&self) -> BackendInfo {
        let mut details = serde_json::Map::new();
        details.insert("transcripts".into(), json!(self.origin));
        details.insert("lines".into(), json!(self.entries.len()));
        BackendInfo {
            kind: "replay".into(),
            description: format!("replay of {}", self.origin),
            details,
        }
    }

    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        let Some(entry) = self.entry(q) else {
            let run = if q.repeat > 0 {
                format!(" (repeat {})", q.repeat)
            } else {
                String::new()
            };
            return Err(CompletionError::Missing(format!(
                "no transcript for this query{run} in {}",
                self.origin
            )));
        };
        let line = entry.line;
        let r = &entry.record;
        let answer = match &r.completion {
            Some(text) => Ok(Completion {
                text: text.clone(),
                prompt_tokens: r.prompt_tokens,
                generated_tokens: r.generated_tokens,
                timings: r.timings.clone().unwrap_or_default(),
            }),
            None => Err(CompletionError::Missing(format!(
                "{}:{line}: the transcript has no completion{}",
                self.origin,
                r.error
                    .as_deref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ))),
        };
        self.used.insert(line);
        answer
    }

    fn warnings(&self) -> Vec<String> {
        let mut unused: Vec<&Entry> = self
            .entries
            .values()
            .filter(|e| !self.used.contains(&e.line))
            .collect();
        if unused.is_empty() {
            return Vec::new();
        }
        unused.sort_by_key(|e| e.line);
        let shown: Vec<String> = unused
            .iter()
            .take(10)
            .map(|e| format!("{:?} (line {})", e.record.query_id, e.line))
            .collect();
        vec![format!(
            "{}: {} transcript(s) match no query of the suites: {}{}",
            self.origin,
            unused.len(),
            shown.join(", "),
            if unused.len() > 10 { ", …" } else { "" }
        )]
    }
}
