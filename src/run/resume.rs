//! Finishing an interrupted run (`run --resume DIR`). The run's
//! `transcripts.jsonl` holds one flushed line per finished query; the
//! queries it has are answered from it, the others go to the model, and the
//! new lines are appended. A last line cut by a kill mid-write (no final
//! newline) is dropped from the file first, so nothing is glued onto it and
//! its query runs again. The results then equal an uninterrupted run's.

use super::backend::{Backend, BackendInfo, Completion, CompletionError, Flow, Job, PreparedQuery};
use super::replay::{ReplayBackend, ReplayError};
use serde_json::json;
use std::path::Path;

/// What an interrupted run left.
pub struct Interrupted {
    pub finished: ReplayBackend,
    /// Bytes of a torn last line dropped from the file (0: none).
    pub torn_bytes: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ResumeError {
    #[error("{path}: nothing to resume: {source}; fix: run without --resume (a new run), or name the --out folder of the interrupted run")]
    Missing {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: cannot drop the torn last line: {source}; fix: check permissions")]
    Truncate {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Transcripts(#[from] ReplayError),
}

/// Reads an interrupted run's transcripts, dropping a torn last line from
/// the file.
pub fn interrupted(transcripts: &Path) -> Result<Interrupted, ResumeError> {
    let shown = transcripts.display().to_string();
    let bytes = std::fs::read(transcripts).map_err(|source| ResumeError::Missing {
        path: shown.clone(),
        source,
    })?;
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let torn_bytes = bytes.len() - whole;
    if torn_bytes > 0 {
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(transcripts)
            .and_then(|f| f.set_len(whole as u64).map(|()| f))
            .and_then(|f| f.sync_all());
        file.map_err(|source| ResumeError::Truncate {
            path: shown.clone(),
            source,
        })?;
    }
    let text = String::from_utf8_lossy(&bytes[..whole]);
    Ok(Interrupted {
        finished: ReplayBackend::from_jsonl(&text, &shown)?,
        torn_bytes,
    })
}

/// Answers the queries the interrupted run finished from its transcripts
/// and sends the rest to the model.
pub struct ResumeBackend<'a> {
    finished: ReplayBackend,
    model: &'a mut dyn Backend,
    resumed: usize,
}

impl<'a> ResumeBackend<'a> {
    pub fn new(finished: ReplayBackend, model: &'a mut dyn Backend) -> Self {
        Self {
            finished,
            model,
            resumed: 0,
        }
    }

    /// Whether the interrupted run finished this query.
    pub fn finished(&self, q: &PreparedQuery) -> bool {
        self.finished.has(q)
    }
}

impl Backend for ResumeBackend<'_> {
    fn info(&self) -> BackendInfo {
        let mut info = self.model.info();
        info.details.insert(
            "resumed".into(),
            json!({ "from": self.finished.origin(), "queries": self.finished.len() }),
        );
        info
    }

    fn capacity(&self) -> usize {
        self.model.capacity()
    }

    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        if self.finished.has(q) {
            self.resumed += 1;
            self.finished.complete(q)
        } else {
            self.model.complete(q)
        }
    }

    fn complete_all(
        &mut self,
        jobs: &[Job],
        done: &mut dyn FnMut(usize, Result<Completion, CompletionError>) -> Flow,
    ) {
        let (old, new): (Vec<&Job>, Vec<&Job>) =
            jobs.iter().partition(|j| self.finished.has(&j.query));
        for job in old {
            self.resumed += 1;
            if done(job.ticket, self.finished.complete(&job.query)) == Flow::Stop {
                return;
            }
        }
        let new: Vec<Job> = new.into_iter().cloned().collect();
        if !new.is_empty() {
            self.model.complete_all(&new, done);
        }
    }

    fn warnings(&self) -> Vec<String> {
        let mut w = self.finished.warnings();
        w.extend(self.model.warnings());
        w
    }
}
