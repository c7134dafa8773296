//! The two front ends of the pack model: TOML files (with line numbers from
//! toml's spans) and JSON (files or plugin hand-overs, located by key path).
//! Both feed the same serde model and the same checks.

use super::check;
use super::error::{ExpectError, Location, PackError, Problem};
use super::expect::Expect;
use super::pack::Pack;
use super::ToolCatalog;
use crate::text::ReadError;
use serde_json::Value;
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
    /// parsed pack, returns the toolset or the error of why it cannot be
    /// had, shown after the toolset's name) and checks everything —
    /// structure, the toolset itself, expectations against it — reporting
    /// all problems of the pack at once.
    pub fn from_file_with_toolset<T: ToolCatalog, E: std::error::Error>(
        path: &Path,
        resolve: impl FnOnce(&LoadedPack) -> Result<T, E>,
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
        let text = crate::text::read_utf8(path).map_err(|e| match e {
            ReadError::Io(source) => PackError::Read {
                path: origin.clone(),
                source,
            },
            ReadError::NotUtf8 { line, column, byte } => PackError::NotUtf8 {
                path: origin.clone(),
                line,
                column,
                byte,
            },
        })?;
        let (mut loaded, problems) = Self::deserialize(text, format, origin)?;
        loaded.base_dir = path.parent().map(Path::to_path_buf);
        Ok((loaded, problems))
    }

    fn parse(text: String, format: Format, origin: String) -> Result<Self, PackError> {
        let (loaded, problems) = Self::deserialize(text, format, origin)?;
        loaded.fail_if_any(problems)?;
        Ok(loaded)
    }

    /// Reads the pack with each `expect` as raw JSON, then parses the
    /// expectations. Returns the pack and its structural problems; when an
    /// expectation is wrong, fails at once with every wrong expectation and
    /// every structural problem (the toolset is not needed to find them).
    fn deserialize(
        text: String,
        format: Format,
        origin: String,
    ) -> Result<(Self, Vec<check::Found>), PackError> {
        let raw: Pack<Value> = match format {
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
        let structure = check::structure(&raw);
        match parse_expectations(raw) {
            Ok(pack) => Ok((
                Self {
                    pack,
                    origin,
                    base_dir: None,
                    format,
                    text,
                },
                structure,
            )),
            Err(wrong) => {
                let problems = wrong
                    .into_iter()
                    .map(|(query, e)| Problem {
                        location: locate_expect(format, &text, query),
                        message: e.message,
                        fix: e.fix,
                    })
                    .chain(structure.into_iter().map(|f| problem(format, &text, f)))
                    .collect();
                Err(invalid_in_file_order(&origin, problems))
            }
        }
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
        let problems = problems
            .into_iter()
            .map(|f| problem(self.format, &self.text, f))
            .collect();
        Err(invalid_in_file_order(&self.origin, problems))
    }
}

/// Parses every query's `expect`; on failure, every expectation that is
/// wrong, by query index.
fn parse_expectations(raw: Pack<Value>) -> Result<Pack, Vec<(usize, ExpectError)>> {
    let mut queries = Vec::with_capacity(raw.queries.len());
    let mut wrong = Vec::new();
    for (i, q) in raw.queries.into_iter().enumerate() {
        match Expect::from_value(&q.expect) {
            Ok(expect) => queries.push(q.with_expect(expect)),
            Err(e) => wrong.push((i, e)),
        }
    }
    if wrong.is_empty() {
        Ok(Pack {
            pack: raw.pack,
            queries,
        })
    } else {
        Err(wrong)
    }
}

fn problem(format: Format, text: &str, (path, message, fix): check::Found) -> Problem {
    Problem {
        location: locate(format, text, &path),
        message,
        fix,
    }
}

/// Line and column of the deepest part of `path` present in the source.
fn locate(format: Format, text: &str, path: &[Seg]) -> Location {
    let mut loc = Location {
        path: render_path(path),
        ..Location::default()
    };
    if format == Format::Toml {
        if let Ok(doc) = DeTable::parse(text) {
            if let Some(offset) = toml_offset(doc.get_ref(), path) {
                let lc = line_col(text, offset);
                loc.line = lc.line;
                loc.column = lc.column;
            }
        }
    }
    loc
}

/// Where an expectation problem is shown. TOML: the line and column of the
/// query's `expect` value, no key path (the message names the key inside
/// `expect`). JSON (no positions once parsed): the query's key path.
fn locate_expect(format: Format, text: &str, query: usize) -> Location {
    let path = [Seg::Key("query".into()), Seg::Index(query)];
    let at_expect = [path[0].clone(), path[1].clone(), Seg::Key("expect".into())];
    let mut loc = locate(format, text, &at_expect);
    if loc.line.is_some() {
        loc.path.clear();
    } else {
        loc.path = render_path(&path);
    }
    loc
}

fn invalid_in_file_order(origin: &str, mut problems: Vec<Problem>) -> PackError {
    // File order: an author fixes a pack top to bottom.
    problems.sort_by_key(|p| (p.location.line, p.location.column));
    invalid(origin, problems)
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
