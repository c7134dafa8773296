//! Reading and writing results files: atomic writes (a reader never sees
//! half a file), and reads that check the format version before anything else.

use super::{RunResults, FORMAT_VERSION};
use crate::problem::Problem;
use serde_json::Value;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}; fix: check the path")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: not a punie-eval results file: {message}; fix: pass a results.json written by `punie-eval run` or `bench`")]
    Json {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: key format_version: {found} is not a results format this punie-eval knows (it reads {FORMAT_VERSION}); fix: compare with the punie-eval version that wrote it, or re-run to regenerate it")]
    Version { path: String, found: String },
}

impl RunResults {
    /// Reads a results file written by `run` or `bench`.
    pub fn read(path: &Path) -> Result<Self, LoadError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&text, &shown)
    }

    /// Parses a results document; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self, LoadError> {
        let json_err = |e: serde_json::Error| LoadError::Json {
            path: path.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        };
        let raw: Value = serde_json::from_str(text).map_err(json_err)?;
        // The version decides how to read the rest, so it is checked first.
        let found = match raw.get("format_version") {
            Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => None,
            Some(v) => Some(v.to_string()),
            None => Some("missing".to_string()),
        };
        if let Some(found) = found {
            return Err(LoadError::Version {
                path: path.to_string(),
                found,
            });
        }
        serde_json::from_str(text).map_err(json_err)
    }

    /// Writes the document as pretty JSON, atomically.
    pub fn write(&self, path: &Path) -> Result<(), Problem> {
        let text = serde_json::to_string_pretty(self).map_err(|e| {
            Problem::new(format!("{}: cannot serialize results: {e}", path.display()))
        })?;
        write_atomically(path, &text, "results")
    }
}

/// Writes beside the target and renames, so a reader never sees half a
/// file; the error names the file (`what` it holds) and the fix.
pub fn write_atomically(path: &Path, text: &str, what: &str) -> Result<(), Problem> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Problem::new(format!("{}: cannot write the {what}: {e}", path.display()))
                .fix("check the directory exists and is writable")
        })
}
