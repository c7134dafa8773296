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

impl Problem {
    /// Splits "what; fix: how" messages (as the expectation parser writes them).
    pub fn from_message(location: Location, text: &str) -> Self {
        match text.split_once("; fix: ") {
            Some((message, fix)) => Self {
                location,
                message: message.to_string(),
                fix: fix.to_string(),
            },
            None => Self {
                location,
                message: text.to_string(),
                fix: "see docs/query-packs.md for the pack format".to_string(),
            },
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
