//! Output of results: the terminal summary and the report formats (JSON,
//! Markdown, JUnit XML, self-contained HTML); `compare` puts several result
//! files side by side. Reads only the results contract (`crate::results`).

pub mod compare;
pub mod html;
pub mod junit;
pub mod markdown;
pub mod table;
pub mod terminal;

use crate::problem::Problem;
use crate::results::RunResults;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// A report format for [`write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Markdown,
    Junit,
    Html,
}

impl Format {
    pub const NAMES: &'static str = "json, markdown (md), junit, html";
}

// `String` errors on purpose (here and in `ReportSpec`): these parse clap
// arguments (`--format`, `--report`), clap prints the error as it is, and no
// code reads it apart; a typed error would add nothing.
impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "json" => Ok(Self::Json),
            "markdown" | "md" => Ok(Self::Markdown),
            "junit" | "xml" => Ok(Self::Junit),
            "html" => Ok(Self::Html),
            other => Err(format!(
                "unknown report format {other:?}; fix: use one of {}",
                Self::NAMES
            )),
        }
    }
}

/// `FORMAT:FILE`, the value of `--report`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    pub format: Format,
    pub path: PathBuf,
}

// (`String` errors: see `Format`'s `FromStr`.)
impl FromStr for ReportSpec {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (format, path) = s.split_once(':').ok_or_else(|| {
            format!(
                "{s:?} is not FORMAT:FILE; fix: e.g. --report html:report.html (formats: {})",
                Format::NAMES
            )
        })?;
        if path.is_empty() {
            return Err(format!(
                "{s:?} names no file; fix: e.g. --report {format}:report"
            ));
        }
        Ok(Self {
            format: format.parse()?,
            path: PathBuf::from(path),
        })
    }
}

/// Renders `results` in `format`.
pub fn render(results: &RunResults, format: Format) -> Result<String, serde_json::Error> {
    Ok(match format {
        Format::Json => serde_json::to_string_pretty(results)? + "\n",
        Format::Markdown => markdown::results(results),
        Format::Junit => junit::junit(results),
        Format::Html => html::html(results),
    })
}

/// Writes `results` as a `format` report to `path` (beside it first, then
/// renamed, so a reader never sees half a report).
pub fn write(results: &RunResults, format: Format, path: &Path) -> Result<(), Problem> {
    let text = render(results, format)
        .map_err(|e| Problem::new(format!("{}: cannot render the report: {e}", path.display())))?;
    write_file(path, &text)
}

/// Atomic text write of a report, with an error naming the file and the fix.
pub fn write_file(path: &Path, text: &str) -> Result<(), Problem> {
    crate::results::write_atomically(path, text, "report")
}
