//! The two front ends of the pack model: TOML files (with line numbers from
//! toml's spans) and JSON (files or plugin hand-overs, located by key path).
//! Both feed the same serde model and the same checks.

use super::check;
use super::error::{Location, PackError, Problem};
use super::pack::Pack;
use super::ToolCatalog;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

/// One step of a key path inside a pack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

pub fn render_path(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

/// A parsed, structurally valid pack with the text it came from (kept to
/// locate problems found later, when the toolset is known).
#[derive(Debug, Clone)]
pub struct LoadedPack {
    pub pack: Pack,
    /// File path or plugin name, as shown in messages.
    pub origin: String,
    /// Directory that relative toolset paths are resolved against.
    pub base_dir: Option<PathBuf>,
    format: Format,
    text: String,
}

impl LoadedPack {
    /// Reads a `.toml` or `.json` pack file and checks its structure.
    pub fn from_file(path: &Path) -> Result<Self, PackError> {
        let (loaded, problems) = Self::read_file(path)?;
        loaded.fail_if_any(problems)?;
        Ok(loaded)
    }

    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PackError> {
        Self::parse(text.to_string(), Format::Toml, origin.to_string())
    }

    pub fn from_json(text: &str, origin: &str) -> Result<Self, PackError> {
        Self::parse(text.to_string(), Format::Json, origin.to_string())
    }

    /// Reads a pack file, resolves its toolset with `resolve` (given the
    /// parsed pack, returns the toolset or why it cannot be had) and checks
    /// everything — structure, the toolset itself, expectations against it —
    /// reporting all problems of the pack at once.
    pub fn from_file_with_toolset<T: ToolCatalog>(
        path: &Path,
        resolve: impl FnOnce(&LoadedPack) -> Result<T, String>,
    ) -> Result<(Self, T), PackError> {
        let (mut loaded, mut problems) = Self::read_file(path)?;
        let toolset = if loaded.pack.pack.toolset.trim().is_empty() {
            None
        } else {
            match resolve(&loaded) {
                Ok(t) => {
                    problems.extend(check::tools(&loaded.pack, &t));
                    Some(t)
                }
                Err(why) => {
                    problems.push((
                        vec![Seg::Key("pack".into()), Seg::Key("toolset".into())],
                        format!("toolset {:?}: {why}", loaded.pack.pack.toolset),
                        "name a built-in toolset or a toolset file (relative to the pack)".into(),
                    ));
                    None
                }
            }
        };
        loaded.base_dir = path.parent().map(Path::to_path_buf);
        loaded.fail_if_any(problems)?;
        Ok((
            loaded,
            toolset.expect("no problems, so the toolset resolved"),
        ))
    }

    fn read_file(path: &Path) -> Result<(Self, Vec<check::Found>), PackError> {
        let origin = path.display().to_string();
        let format = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Format::Toml,
            Some("json") => Format::Json,
            _ => return Err(PackError::UnknownFormat { path: origin }),
        };
        let text = std::fs::read_to_string(path).map_err(|source| PackError::Read {
            path: origin.clone(),
            source,
        })?;
        let mut loaded = Self::deserialize(text, format, origin)?;
        loaded.base_dir = path.parent().map(Path::to_path_buf);
        let problems = check::structure(&loaded.pack);
        Ok((loaded, problems))
    }

    fn parse(text: String, format: Format, origin: String) -> Result<Self, PackError> {
        let loaded = Self::deserialize(text, format, origin)?;
        let problems = check::structure(&loaded.pack);
        loaded.fail_if_any(problems)?;
        Ok(loaded)
    }

    fn deserialize(text: String, format: Format, origin: String) -> Result<Self, PackError> {
        let pack: Pack = match format {
            Format::Toml => toml::from_str(&text).map_err(|e| {
                let location = e
                    .span()
                    .map(|s| line_col(&text, s.start))
                    .unwrap_or_default();
                invalid(&origin, vec![deser_problem(location, e.message())])
            })?,
            Format::Json => serde_json::from_str(&text).map_err(|e| {
                let location = Location {
                    path: String::new(),
                    line: Some(e.line()),
                    column: Some(e.column()),
                };
                // serde_json appends " at line L column C"; we print those ourselves.
                let msg = e.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                invalid(&origin, vec![deser_problem(location, &msg)])
            })?,
        };
        Ok(Self {
            pack,
            origin,
            base_dir: None,
            format,
            text,
        })
    }

    /// Checks the expectations against the toolset: tool names and
    /// argument names must exist.
    pub fn check_tools(&self, catalog: &dyn ToolCatalog) -> Result<(), PackError> {
        self.fail_if_any(check::tools(&self.pack, catalog))
    }

    fn fail_if_any(&self, problems: Vec<check::Found>) -> Result<(), PackError> {
        if problems.is_empty() {
            return Ok(());
        }
        let mut problems: Vec<Problem> = problems
            .into_iter()
            .map(|(path, message, fix)| Problem {
                location: self.locate(&path),
                message,
                fix,
            })
            .collect();
        // File order: an author fixes a pack top to bottom.
        problems.sort_by_key(|p| (p.location.line, p.location.column));
        Err(invalid(&self.origin, problems))
    }

    /// Line and column of the deepest part of `path` present in the source.
    fn locate(&self, path: &[Seg]) -> Location {
        let mut loc = Location {
            path: render_path(path),
            ..Location::default()
        };
        if self.format == Format::Toml {
            if let Ok(doc) = DeTable::parse(&self.text) {
                if let Some(offset) = toml_offset(doc.get_ref(), path) {
                    let lc = line_col(&self.text, offset);
                    loc.line = lc.line;
                    loc.column = lc.column;
                }
            }
        }
        loc
    }
}

fn invalid(origin: &str, problems: Vec<Problem>) -> PackError {
    PackError::Invalid {
        origin: origin.to_string(),
        problems,
    }
}

/// Turns serde's messages into a problem with a fix for the common cases.
fn deser_problem(location: Location, message: &str) -> Problem {
    let message = message.trim();
    if message.contains("; fix: ") {
        return Problem::from_message(location, message);
    }
    let fix = if message.starts_with("unknown field") {
        "remove the key or correct its spelling (the message lists the keys allowed here)".into()
    } else if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|r| r.split('`').next())
    {
        format!("add `{field}` (see docs/query-packs.md)")
    } else if message.starts_with("unknown variant") {
        "use one of the values the message lists".into()
    } else if message.starts_with("invalid type") {
        "give the value the type the message names".into()
    } else {
        "correct the syntax at this position (see docs/query-packs.md)".into()
    };
    Problem {
        location,
        message: message.to_string(),
        fix,
    }
}

fn toml_offset(root: &DeTable<'_>, path: &[Seg]) -> Option<usize> {
    let mut table = root;
    let mut value: Option<&toml::Spanned<DeValue<'_>>> = None;
    let mut best = None;
    for seg in path {
        let next = match (seg, value.map(|v| v.get_ref())) {
            (Seg::Key(k), None) | (Seg::Key(k), Some(DeValue::Table(_))) => {
                if let Some(DeValue::Table(t)) = value.map(|v| v.get_ref()) {
                    table = t;
                }
                table
                    .iter()
                    .find(|(key, _)| key.get_ref() == k)
                    .map(|(_, v)| v)
            }
            (Seg::Index(i), Some(DeValue::Array(a))) => a.get(*i),
            _ => None,
        };
        match next {
            Some(v) => {
                best = Some(v.span().start);
                value = Some(v);
            }
            None => break,
        }
    }
    best
}

fn line_col(text: &str, offset: usize) -> Location {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    Location {
        path: String::new(),
        line: Some(line),
        column: Some(column),
    }
}
