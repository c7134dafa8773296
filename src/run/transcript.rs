//! Raw transcripts, one JSON line per query, appended and flushed as each
//! query finishes: a crash loses nothing already scored, and the file is a
//! valid `--replay` input.

use super::backend::Timings;
use crate::parse::Verdict;
use serde::Serialize;
use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize)]
pub struct TranscriptRecord<'a> {
    pub suite: &'a str,
    pub query_id: &'a str,
    /// The run index under `--repeats K` (absent for a plain run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// `null` when there was no completion (then `error` says why).
    pub completion: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Timings::is_empty")]
    pub timings: &'a Timings,
    pub verdict: Option<&'a Verdict>,
    pub soft_pass: bool,
    pub strict_pass: bool,
    pub reason: &'a str,
}

pub struct TranscriptWriter {
    path: PathBuf,
    out: BufWriter<File>,
    /// (suite, query, repeat) whose lines the file already has (a resumed
    /// run): not written again.
    written: HashSet<(String, String, u32)>,
}

impl TranscriptWriter {
    /// Opens (creating if needed) for appending: earlier runs' lines stay.
    pub fn append(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
            written: HashSet::new(),
        })
    }

    /// Skips the lines of queries the file already has (`--resume`).
    pub fn already_written(
        mut self,
        keys: impl IntoIterator<Item = (String, String, u32)>,
    ) -> Self {
        self.written.extend(keys);
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one line and flushes it to the OS before returning.
    pub fn write(&mut self, record: &TranscriptRecord<'_>) -> std::io::Result<()> {
        let key = (
            record.suite.to_string(),
            record.query_id.to_string(),
            record.repeat.unwrap_or(0),
        );
        if self.written.contains(&key) {
            return Ok(());
        }
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}
