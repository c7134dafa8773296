//! Errors of loading and linting tool schemas and toolsets.

use std::fmt;

/// One problem in a schema or toolset file: where (file and JSON pointer)
/// and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The file (or in-memory origin) the problem is in.
    pub file: String,
    /// RFC 6901 JSON pointer into that file ("" = the whole document).
    pub pointer: String,
    pub message: String,
}

impl Issue {
    pub fn new(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Issue {
            file: file.to_string(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "(document root)"
        } else {
            &self.pointer
        };
        write!(f, "{} at {}: {}", self.file, pointer, self.message)
    }
}

/// Why a toolset could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path}: cannot read: {source} (check the path exists and is readable)")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid JSON at line {line} column {column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{} problem(s) found:\n{}", .0.len(), list(.0))]
    Invalid(Vec<Issue>),
}

fn list(issues: &[Issue]) -> String {
    issues
        .iter()
        .map(|i| format!("  - {i}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl SchemaError {
    pub(crate) fn json(file: &str, e: &serde_json::Error) -> Self {
        SchemaError::Json {
            file: file.to_string(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
    }

    /// The individual problems (one for I/O and JSON errors).
    pub fn issues(&self) -> Vec<Issue> {
        match self {
            SchemaError::Invalid(v) => v.clone(),
            SchemaError::Io { path, .. } => vec![Issue::new(path, "", self.to_string())],
            SchemaError::Json { file, .. } => vec![Issue::new(file, "", self.to_string())],
        }
    }
}
