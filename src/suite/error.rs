//! Errors of query packs: every problem names the file, the line (TOML) or
//! the key path (JSON), what is wrong and how to fix it. All problems of a
//! pack are reported at once, so an author fixes a pack in one pass.

use std::fmt;

/// A position inside a pack: the key path, and the line/column when the
/// front end knows them (TOML does; JSON from plugins has only the path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// e.g. `query[3].expect.tool[0]` (empty for the whole document).
    pub path: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

/// One thing wrong with a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub location: Location,
    pub message: String,
    pub fix: String,
}

/// What is wrong with one `expect` value, as the expectation parser finds
/// it: the key path inside the query (`expect.args.path.regex`), what is
/// wrong (a sentence naming that key) and how to fix it, kept apart so the
/// pack loader needs no string splitting. Shown as `message; fix: fix`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}; fix: {fix}")]
pub struct ExpectError {
    /// Key path inside the query, e.g. `expect.tool[1].name`.
    pub path: String,
    pub message: String,
    pub fix: String,
}

impl ExpectError {
    pub(crate) fn new(
        path: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            fix: fix.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{path}: cannot read the query pack: {source}; fix: check the path")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: byte 0x{byte:02X} is not UTF-8; fix: save the pack as UTF-8")]
    NotUtf8 {
        path: String,
        line: usize,
        column: usize,
        byte: u8,
    },
    #[error("{path}: unknown query pack format; fix: name the file *.toml or *.json")]
    UnknownFormat { path: String },
    #[error("{}", Invalid { origin, problems: problems.as_slice() })]
    Invalid {
        origin: String,
        problems: Vec<Problem>,
    },
}

impl PackError {
    /// The problems of an invalid pack (empty for I/O errors).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

struct Invalid<'a> {
    origin: &'a str,
    problems: &'a [Problem],
}

impl fmt::Display for Invalid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "{}: invalid query pack ({n} problem{})",
            self.origin,
            if n == 1 { "" } else { "s" }
        )?;
        for p in self.problems {
            write!(f, "\n  {}", self.origin)?;
            if let Some(line) = p.location.line {
                write!(f, ":{line}")?;
                if let Some(col) = p.location.column {
                    write!(f, ":{col}")?;
                }
            }
            if p.location.path.is_empty() {
                write!(f, ": {}", p.message)?;
            } else {
                write!(f, ": {}: {}", p.location.path, p.message)?;
            }
            write!(f, "\n    fix: {}", p.fix)?;
        }
        Ok(())
    }
}
