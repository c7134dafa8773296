//! The folder a `run` or `bench` writes: `results.json` at the end and
//! `transcripts.jsonl`, one flushed line per finished query, as it goes. A
//! fresh run into a folder that already holds one is refused unless
//! `--force` replaces it or `--resume` finishes it (a second run used to
//! append to the first one's transcripts and replace its results).

use super::Failure;
use punie_eval::results::now_rfc3339;
use punie_eval::run::{ReplayBackend, TranscriptWriter};
use std::path::{Path, PathBuf};

pub struct RunDir {
    dir: PathBuf,
    pub results: PathBuf,
    pub transcripts: PathBuf,
    /// Files of an earlier run that `--force` replaces.
    previous: Vec<PathBuf>,
    /// The interrupted run's finished queries (`--resume`).
    finished: Option<ReplayBackend>,
}

impl RunDir {
    /// `--resume DIR`, else `--out DIR`, else `results/<kind>-<UTC time>`,
    /// created if missing (so that the outputs can be checked against the
    /// inputs, [`RunDir::outputs`]); nothing in it is touched before
    /// [`RunDir::open`].
    pub fn at(kind: &str, out: Option<&Path>, resume: Option<&Path>) -> Result<Self, Failure> {
        let dir = resume.or(out).map(Path::to_path_buf).unwrap_or_else(|| {
            let stamp: String = now_rfc3339()
                .chars()
                .filter(|c| *c != ':' && *c != '-')
                .collect();
            PathBuf::from("results").join(format!("{kind}-{stamp}"))
        });
        std::fs::create_dir_all(&dir).map_err(|e| {
            format!(
                "{}: cannot create the output directory: {e}; fix: choose another --out",
                dir.display()
            )
        })?;
        Ok(Self {
            transcripts: dir.join("transcripts.jsonl"),
            results: dir.join("results.json"),
            dir,
            previous: Vec::new(),
            finished: None,
        })
    }

    /// `resume`: reads the interrupted run's finished queries, dropping a
    /// torn last line (a kill mid-write) from its transcripts. Without
    /// `resume` or `force`, a folder that holds a run is refused.
    pub fn open(&mut self, resume: bool, force: bool) -> Result<(), Failure> {
        let dir = &self.dir;
        let previous: Vec<PathBuf> = [&self.results, &self.transcripts]
            .into_iter()
            .filter(|p| p.exists())
            .cloned()
            .collect();
        if resume {
            let i = punie_eval::run::interrupted(&self.transcripts)?;
            if i.torn_bytes > 0 {
                eprintln!(
                    "note: {}: dropped a torn last line ({} bytes, cut by the interruption); its query runs again",
                    self.transcripts.display(),
                    i.torn_bytes
                );
            }
            eprintln!(
                "resuming {}: {} finished queries kept",
                dir.display(),
                i.finished.len()
            );
            self.finished = Some(i.finished);
        } else if !previous.is_empty() && !force {
            return Err(Failure::Input(format!(
                "{}: already holds a run ({}); fix: pass --resume {} to finish it, --force to replace it, or choose another --out",
                dir.display(),
                previous
                    .iter()
                    .filter_map(|p| p.file_name())
                    .map(|n| n.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(", "),
                dir.display()
            )));
        } else if force {
            self.previous = previous;
        }
        Ok(())
    }

    /// The folder's two files, for the overwrite check.
    pub fn outputs(&self) -> Vec<(&'static str, &Path)> {
        vec![
            ("results", self.results.as_path()),
            ("transcripts", self.transcripts.as_path()),
        ]
    }

    /// Starts writing: removes the run `--force` replaces (`run` calls this
    /// once the model has loaded, so a failed load loses nothing) and opens the
    /// transcripts for appending. Returns the writer and, with `--resume`,
    /// the finished queries, whose lines the writer does not repeat.
    pub fn start(&mut self) -> Result<(TranscriptWriter, Option<ReplayBackend>), Failure> {
        for p in self.previous.drain(..) {
            std::fs::remove_file(&p).map_err(|e| {
                format!(
                    "{}: cannot replace: {e}; fix: check permissions",
                    p.display()
                )
            })?;
        }
        let mut writer = TranscriptWriter::append(&self.transcripts).map_err(|e| {
            format!(
                "{}: cannot open for writing: {e}; fix: choose another --out",
                self.transcripts.display()
            )
        })?;
        let finished = self.finished.take();
        if let Some(f) = &finished {
            writer = writer.already_written(f.keys().collect::<Vec<_>>());
        }
        Ok((writer, finished))
    }
}
