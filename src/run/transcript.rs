//! Raw transcripts, one JSON line per query, appended and flushed as each
//! query finishes: a crash loses nothing already scored, and the file is a
//! valid `--replay` input. A batch finishes queries out of order; at the
//! end of a run the file is put back in run order, so it is the same file
//! whatever the batch size.

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

    /// Rewrites the file with its lines in `order` ((suite, query, repeat)
    /// keys; lines of other keys after them, as they were), unless they
    /// already are. The new file replaces the old by a rename: a crash
    /// leaves one or the other, whole.
    pub fn put_in_order(&mut self, order: &[(String, String, u32)]) -> std::io::Result<()> {
        self.out.flush()?;
        let text = std::fs::read_to_string(&self.path)?;
        let rank: std::collections::HashMap<(&str, &str, u32), usize> = order
            .iter()
            .enumerate()
            .map(|(i, (s, q, r))| ((s.as_str(), q.as_str(), *r), i))
            .collect();
        let place = |line: &str| -> usize {
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => return usize::MAX,
            };
            let key = (
                v["suite"].as_str().unwrap_or_default(),
                v["query_id"].as_str().unwrap_or_default(),
                v["repeat"].as_u64().unwrap_or(0) as u32,
            );
            rank.get(&key).copied().unwrap_or(usize::MAX)
        };
        let mut lines: Vec<(usize, &str)> = text.lines().map(|l| (place(l), l)).collect();
        if lines.windows(2).all(|w| w[0].0 <= w[1].0) {
            return Ok(());
        }
        lines.sort_by_key(|(p, _)| *p);
        let tmp = self.path.with_extension("jsonl.reordering");
        {
            let mut w = BufWriter::new(File::create(&tmp)?);
            for (_, l) in &lines {
                w.write_all(l.as_bytes())?;
                w.write_all(b"\n")?;
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        }
        std::fs::rename(&tmp, &self.path)?;
        let file = OpenOptions::new().append(true).open(&self.path)?;
        self.out = BufWriter::new(file);
        Ok(())
    }
}
