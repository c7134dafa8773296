//! The Berkeley Function Calling Leaderboard's single-turn data as query
//! packs (docs/bfcl.md): each category one pack (JSON), each entry one query
//! with its own functions as tools (`tools_mode = "only"`) and its possible
//! answers as the expectation, scored by the pack's switches as BFCL's
//! Python checker scores (`integers = "python"`, `enums = "ignore"`,
//! `optional_null = true`).

pub mod answer;
pub mod schema;
pub mod source;

use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use answer::Converted;
pub use source::Source;

/// A problem with BFCL's data or with the import: the file, the entry, what
/// is wrong and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BfclError {
    pub file: String,
    pub entry: Option<String>,
    pub message: String,
    pub fix: String,
}

impl BfclError {
    pub fn file(
        file: impl Into<String>,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            file: file.into(),
            entry: None,
            message: message.into(),
            fix: fix.into(),
        }
    }
}

impl fmt::Display for BfclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.entry {
            Some(id) => write!(
                f,
                "{}: entry {id:?}: {}; fix: {}",
                self.file, self.message, self.fix
            ),
            None => write!(f, "{}: {}; fix: {}", self.file, self.message, self.fix),
        }
    }
}

impl std::error::Error for BfclError {}

/// Where in the data a problem is: file, entry id, and a path inside the entry.
#[derive(Debug, Clone)]
pub struct At {
    file: String,
    entry: Option<String>,
    path: Vec<String>,
}

impl At {
    pub fn new(file: impl Into<String>, entry: Option<String>) -> Self {
        Self {
            file: file.into(),
            entry,
            path: Vec::new(),
        }
    }

    pub fn with(&self, part: impl Into<String>) -> Self {
        let mut a = self.clone();
        a.path.push(part.into());
        a
    }

    pub fn err(&self, message: impl Into<String>, fix: impl Into<String>) -> BfclError {
        let message = message.into();
        let message = if self.path.is_empty() {
            message
        } else {
            format!("{}: {message}", self.path.join(", "))
        };
        BfclError {
            file: self.file.clone(),
            entry: self.entry.clone(),
            message,
            fix: fix.into(),
        }
    }
}

/// What a category's entries expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The possible answers' calls (AST categories).
    Calls,
    /// No call (irrelevance).
    Direct,
    /// At least one call (relevance).
    AnyTool,
}

/// The categories this importer turns into packs.
pub const CATEGORIES: &[(&str, Kind)] = &[
    ("simple_python", Kind::Calls),
    ("multiple", Kind::Calls),
    ("parallel", Kind::Calls),
    ("parallel_multiple", Kind::Calls),
    ("irrelevance", Kind::Direct),
    ("live_simple", Kind::Calls),
    ("live_multiple", Kind::Calls),
    ("live_parallel", Kind::Calls),
    ("live_parallel_multiple", Kind::Calls),
    ("live_irrelevance", Kind::Direct),
    ("live_relevance", Kind::AnyTool),
];

/// Categories (or name prefixes) left out, and why; the first match counts.
pub const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "simple_javascript",
        "arguments are JavaScript source text that BFCL's checker converts with its own type rules",
    ),
    (
        "simple_java",
        "arguments are Java source text that BFCL's checker converts with its own Java type rules",
    ),
    (
        "multi_turn",
        "multi-turn episodes executed against BFCL's simulated APIs",
    ),
    (
        "memory",
        "agentic: memory back-ends and prerequisite conversations",
    ),
    ("web_search", "agentic: live web search"),
    (
        "format_sensitivity",
        "not scored by BFCL: prompt-format variations of other entries",
    ),
];

/// Other names accepted by `--categories`.
const ALIASES: &[(&str, &str)] = &[("simple", "simple_python")];

pub fn kind_of(category: &str) -> Option<Kind> {
    CATEGORIES
        .iter()
        .find(|(c, _)| *c == category)
        .map(|(_, k)| *k)
}

fn unsupported_reason(category: &str) -> Option<&'static str> {
    UNSUPPORTED
        .iter()
        .find(|(prefix, _)| category.starts_with(prefix))
        .map(|(_, why)| *why)
}

/// `--sample N --seed S`: N entries of each category, the same for the same
/// seed on every machine (splitmix64 + Fisher-Yates), kept in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub n: usize,
    pub seed: u64,
}

/// Indices of `n` of `len` entries, sorted.
pub fn sample_indices(len: usize, sample: Sample) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..len).collect();
    if sample.n >= len {
        return idx;
    }
    let mut state = sample.seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for i in 0..sample.n {
        let j = i + (next() % (len - i) as u64) as usize;
        idx.swap(i, j);
    }
    let mut chosen = idx[..sample.n].to_vec();
    chosen.sort_unstable();
    chosen
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these categories (all supported ones found when `None`).
    pub categories: Option<Vec<String>>,
    pub sample: Option<Sample>,
}

/// One category's pack.
#[derive(Debug, Clone)]
pub struct CategoryPack {
    pub category: String,
    /// `bfcl-<category>.json`.
    pub file_name: String,
    /// The pack, in the JSON form `LoadedPack::from_json` reads.
    pub pack: Value,
    /// Entries in BFCL's file.
    pub entries: usize,
    /// Entries taken (all, or the sample).
    pub taken: usize,
    /// Entries left out: (id, why).
    pub skipped: Vec<(String, String)>,
}

impl CategoryPack {
    pub fn queries(&self) -> usize {
        self.pack["query"].as_array().map_or(0, Vec::len)
    }
}

/// A category found in the data and not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedCategory {
    pub category: String,
    pub entries: usize,
    pub why: String,
}

#[derive(Debug, Clone)]
pub struct Import {
    pub packs: Vec<CategoryPack>,
    pub skipped: Vec<SkippedCategory>,
}

/// The toolset every pack names: empty, since each query brings its own
/// tools. In a subfolder, so `packs --queries DIR` reads only the packs.
pub const TOOLSET_FILE: &str = "_import/toolset-none.json";
/// What the import wrote and from where.
pub const MANIFEST_FILE: &str = "_import/manifest.json";

/// The categories in a data folder: `BFCL_v<N>_<category>.json` → (category, file).
pub fn categories_in(data_dir: &Path) -> Result<Vec<(String, PathBuf)>, BfclError> {
    let shown = data_dir.display().to_string();
    let entries = std::fs::read_dir(data_dir).map_err(|e| {
        BfclError::file(
            &shown,
            format!("cannot list: {e}"),
            "give the bfcl-eval wheel or its unpacked folder",
        )
    })?;
    let mut out = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(rest) = name
            .strip_prefix("BFCL_v")
            .and_then(|r| r.strip_suffix(".json"))
        else {
            continue;
        };
        let Some((version, category)) = rest.split_once('_') else {
            continue;
        };
        if version.chars().all(|c| c.is_ascii_digit()) && !category.is_empty() {
            out.push((category.to_string(), e.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a JSON Lines file (BFCL's format: one object per line).
pub fn read_jsonl(path: &Path) -> Result<Vec<Value>, BfclError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| BfclError::file(&shown, format!("cannot read: {e}"), "check the file"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).map_err(|e| {
            BfclError::file(
                &shown,
                format!("line {}: not JSON ({e})", i + 1),
                "BFCL data files are JSON Lines: one entry object per line; re-fetch the wheel",
            )
        })?;
        if !v.is_object() {
            return Err(BfclError::file(
                &shown,
                format!("line {}: not an object", i + 1),
                "each line is one entry: {\"id\": …, …}",
            ));
        }
        out.push(v);
    }
    Ok(out)
}

/// How many entries a file of a skipped category holds: `Ok` its lines
/// (JSON Lines), `Err` the ids listed by a JSON document that indexes other
/// categories' entries (format_sensitivity).
fn count_entries(path: &Path) -> Result<usize, usize> {
    if let Ok(v) = read_jsonl(path) {
        return Ok(v.len());
    }
    let doc = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok());
    Err(match doc {
        Some(Value::Object(m)) => m.values().map(|v| v.as_array().map_or(1, Vec::len)).sum(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    })
}

fn entry_id(v: &Value, file: &str, line: usize) -> Result<String, BfclError> {
    match v.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(BfclError::file(
            file,
            format!("entry {} has no `id` string", line + 1),
            "every entry needs an \"id\"",
        )),
    }
}

/// The conversation of an entry: `user` for one user message, else `messages`.
fn conversation(entry: &Value, at: &At) -> Result<(String, Value), BfclError> {
    let turns = entry
        .get("question")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            at.err(
                "`question` is not a list of turns",
                "single-turn entries have \"question\": [[{\"role\": \"user\", \"content\": …}]]",
            )
        })?;
    let [turn] = turns.as_slice() else {
        return Err(at.err(
            format!(
                "`question` has {} turns; single-turn categories have one",
                turns.len()
            ),
            "leave multi-turn categories out (--categories)",
        ));
    };
    let msgs = turn.as_array().filter(|m| !m.is_empty()).ok_or_else(|| {
        at.err(
            "the turn is not a non-empty list of messages",
            "a turn is [{\"role\": \"user\", \"content\": …}, …]",
        )
    })?;
    let mut out = Vec::new();
    for (i, m) in msgs.iter().enumerate() {
        let role = m.get("role").and_then(Value::as_str);
        let content = m.get("content").and_then(Value::as_str);
        match (role, content) {
            (Some(r @ ("system" | "user" | "assistant" | "tool")), Some(c)) => {
                out.push(json!({ "role": r, "content": c }));
            }
            _ => {
                return Err(at.err(
                    format!("message {i} is {m}, not {{\"role\": system|user|assistant|tool, \"content\": text}}"),
                    "fix the message or leave the category out (--categories)",
                ))
            }
        }
    }
    if let [only] = out.as_slice() {
        if only["role"] == "user" {
            return Ok(("user".into(), only["content"].clone()));
        }
    }
    Ok(("messages".into(), Value::Array(out)))
}

/// One entry → one query (or why it is left out). `answer` is the entry's
/// possible answer (`{"id", "ground_truth"}`) for [`Kind::Calls`].
pub fn convert_entry(
    category: &str,
    kind: Kind,
    entry: &Value,
    answer: Option<&Value>,
    at: &At,
) -> Result<(Option<Value>, Converted), BfclError> {
    let id = entry.get("id").and_then(Value::as_str).ok_or_else(|| {
        at.err(
            "the entry has no `id` string",
            "every entry needs an \"id\"",
        )
    })?;
    let functions = entry
        .get("function")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            at.err(
                "`function` is not a list of function docs",
                "entries carry \"function\": [{\"name\", \"description\", \"parameters\"}, …]",
            )
        })?;
    let names: Vec<&str> = functions
        .iter()
        .filter_map(|f| f.get("name").and_then(Value::as_str))
        .collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            return Err(at.err(
                format!("function {n:?} is declared twice"),
                "give each function of an entry its own name",
            ));
        }
    }
    // An alias is left out when it would name, or alias, another function.
    let mut tools = Vec::new();
    for f in functions {
        let own = f.get("name").and_then(Value::as_str).unwrap_or("");
        let others: Vec<String> = names
            .iter()
            .filter(|n| **n != own)
            .flat_map(|n| std::iter::once(n.to_string()).chain(schema::underscore_alias(n)))
            .collect();
        let others: Vec<&str> = others.iter().map(String::as_str).collect();
        tools.push(schema::tool_schema(f, &others, at)?);
    }
    let (conv_key, conv) = conversation(entry, at)?;
    let converted = match kind {
        Kind::Direct => Converted::Expect(json!("direct"), Vec::new()),
        Kind::AnyTool => Converted::Expect(json!("any_tool"), Vec::new()),
        Kind::Calls => {
            let answer = answer.ok_or_else(|| {
                at.err(
                    "has no possible answer",
                    "possible_answer/ must hold an answer with the same id for every entry",
                )
            })?;
            let gt = answer.get("ground_truth").ok_or_else(|| {
                at.err(
                    "the possible answer has no `ground_truth`",
                    "possible answers look like {\"id\": …, \"ground_truth\": [{\"fn\": {\"arg\": [1]}}]}",
                )
            })?;
            answer::expectation(gt, functions, at)?
        }
    };
    let Converted::Expect(expect, widen) = &converted else {
        return Ok((None, converted));
    };
    for w in widen {
        let tool = tools
            .iter_mut()
            .find(|t| t.get("x-tool-name").and_then(Value::as_str) == Some(w.function.as_str()));
        if let Some(Value::Object(t)) = tool {
            let also = t.entry("x-also-valid").or_insert_with(|| json!({}));
            let slot = &mut also[w.parameter.as_str()];
            *slot = match slot.take() {
                Value::Null => w.schema.clone(),
                same if same == w.schema => same,
                other => json!({ "anyOf": [other, w.schema.clone()] }),
            };
        }
    }
    let mut q = Map::new();
    q.insert("id".into(), json!(id));
    q.insert(conv_key, conv);
    q.insert("tools_mode".into(), json!("only"));
    q.insert("tools".into(), Value::Array(tools));
    q.insert("expect".into(), expect.clone());
    q.insert("tags".into(), json!([category]));
    Ok((Some(Value::Object(q)), converted))
}

/// Resolves `--categories` against what the data holds.
fn chosen(
    found: &[(String, PathBuf)],
    wanted: Option<&[String]>,
) -> Result<Vec<String>, BfclError> {
    let available: Vec<&str> = found
        .iter()
        .map(|(c, _)| c.as_str())
        .filter(|c| kind_of(c).is_some())
        .collect();
    let Some(wanted) = wanted else {
        return Ok(available.iter().map(|c| c.to_string()).collect());
    };
    let mut out = Vec::new();
    for w in wanted {
        let w = ALIASES
            .iter()
            .find(|(a, _)| *a == w.as_str())
            .map_or(w.as_str(), |(_, c)| *c);
        if let Some(why) = unsupported_reason(w) {
            return Err(BfclError::file(
                "--categories",
                format!("category {w:?} is not supported: {why}"),
                format!("choose among {}", available.join(", ")),
            ));
        }
        if !available.contains(&w) {
            return Err(BfclError::file(
                "--categories",
                format!("no category {w:?} in the data"),
                format!("choose among {}", available.join(", ")),
            ));
        }
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    Ok(out)
}

/// Converts the chosen categories of a source.
pub fn import(source: &Source, opts: &Options) -> Result<Import, BfclError> {
    let found = categories_in(&source.data_dir)?;
    if found.is_empty() {
        return Err(BfclError::file(
            source.data_dir.display().to_string(),
            "holds no BFCL_v*_<category>.json files",
            "give the bfcl-eval wheel or its unpacked folder",
        ));
    }
    let chosen = chosen(&found, opts.categories.as_deref())?;
    let mut skipped = Vec::new();
    if opts.categories.is_none() {
        for (c, path) in &found {
            if kind_of(c).is_some() {
                continue;
            }
            let mut why = unsupported_reason(c)
                .unwrap_or("not a category this importer knows")
                .to_string();
            let entries = count_entries(path).unwrap_or_else(|ids| {
                why.push_str(&format!(
                    " (the file indexes {ids} entries of other categories)"
                ));
                0
            });
            skipped.push(SkippedCategory {
                category: c.clone(),
                entries,
                why,
            });
        }
    }
    let version = source.version.clone().unwrap_or_else(|| "unknown".into());
    let mut packs = Vec::new();
    for category in chosen {
        let (_, path) = found
            .iter()
            .find(|(c, _)| *c == category)
            .expect("chosen from found");
        let kind = kind_of(&category).expect("supported");
        packs.push(import_category(
            &category,
            kind,
            path,
            &version,
            source,
            opts.sample,
        )?);
    }
    Ok(Import { packs, skipped })
}

fn import_category(
    category: &str,
    kind: Kind,
    path: &Path,
    version: &str,
    source: &Source,
    sample: Option<Sample>,
) -> Result<CategoryPack, BfclError> {
    let file = path.display().to_string();
    let entries = read_jsonl(path)?;
    let answers: HashMap<String, Value> = if kind == Kind::Calls {
        let apath = path
            .parent()
            .unwrap_or(Path::new("."))
            .join("possible_answer")
            .join(path.file_name().unwrap_or_default());
        if !apath.is_file() {
            return Err(BfclError::file(
                apath.display().to_string(),
                format!("missing: category {category} needs its possible answers"),
                "use a complete bfcl-eval wheel or folder (possible_answer/ beside the data)",
            ));
        }
        let afile = apath.display().to_string();
        let mut m = HashMap::new();
        for (i, a) in read_jsonl(&apath)?.into_iter().enumerate() {
            m.insert(entry_id(&a, &afile, i)?, a);
        }
        m
    } else {
        HashMap::new()
    };
    let picked = match sample {
        Some(s) => sample_indices(entries.len(), s),
        None => (0..entries.len()).collect(),
    };
    let mut queries = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashMap::new();
    for &i in &picked {
        let entry = &entries[i];
        let id = entry_id(entry, &file, i)?;
        if let Some(prev) = seen.insert(id.clone(), i) {
            return Err(BfclError::file(
                &file,
                format!("entries {} and {} share the id {id:?}", prev + 1, i + 1),
                "give every entry its own id",
            ));
        }
        let at = At::new(&file, Some(id.clone()));
        match convert_entry(category, kind, entry, answers.get(&id), &at)? {
            (Some(q), Converted::Expect(..)) => queries.push(q),
            (_, Converted::Skip(why)) => skipped.push((id, why)),
            (None, Converted::Expect(..)) => unreachable!("an expectation always makes a query"),
        }
    }
    let sampled = match sample {
        Some(s) if s.n < entries.len() => format!(", a sample of {} (seed {})", s.n, s.seed),
        _ => String::new(),
    };
    let sha = source
        .sha256
        .as_deref()
        .map(|s| format!(", wheel sha256 {s}"))
        .unwrap_or_default();
    let license = source.license.as_deref().unwrap_or("Apache 2.0");
    let description = format!(
        "BFCL {category}: {} of its {} entries{sampled}, imported by `punie-eval import bfcl` \
         from bfcl-eval {version}{sha}. Data: Berkeley Function Calling Leaderboard \
         (ShishirPatil/gorilla), licence {license}.",
        queries.len(),
        entries.len()
    );
    let pack = json!({
        "pack": {
            "id": format!("bfcl-{category}"),
            "version": version,
            "description": description,
            "toolset": TOOLSET_FILE,
            "integers": "python",
            "floats": "python",
            "enums": "ignore",
            "optional_null": true,
        },
        "query": queries,
    });
    Ok(CategoryPack {
        category: category.to_string(),
        file_name: format!("bfcl-{category}.json"),
        pack,
        entries: entries.len(),
        taken: picked.len(),
        skipped,
    })
}

/// The empty toolset the packs name.
pub fn toolset_document() -> Value {
    json!({
        "name": "bfcl-none",
        "description": "No shared tools: every BFCL query brings its own (tools_mode = \"only\").",
        "tools": [],
    })
}

/// What `_import/manifest.json` records.
pub fn manifest(source: &Source, opts: &Options, import: &Import) -> Value {
    let cats: Map<String, Value> = import
        .packs
        .iter()
        .map(|p| {
            (
                p.category.clone(),
                json!({
                    "file": p.file_name,
                    "entries": p.entries,
                    "taken": p.taken,
                    "queries": p.queries(),
                    "skipped": p.skipped.iter().map(|(id, why)| json!({"id": id, "why": why})).collect::<Vec<_>>(),
                }),
            )
        })
        .collect();
    json!({
        "source": source.origin,
        "data_dir": source.data_dir.display().to_string(),
        "bfcl_eval_version": source.version,
        "sha256": source.sha256,
        "license": source.license,
        "sample": opts.sample.map(|s| json!({"n": s.n, "seed": s.seed})),
        "categories": cats,
        "skipped_categories": import.skipped.iter().map(|s| json!({"category": s.category, "entries": s.entries, "why": s.why})).collect::<Vec<_>>(),
    })
}

/// Writes the packs, the empty toolset and the manifest into `out`. Files
/// already there are refused unless `force`. Returns the paths written.
pub fn write(
    out: &Path,
    source: &Source,
    opts: &Options,
    import: &Import,
    force: bool,
) -> Result<Vec<PathBuf>, BfclError> {
    let shown = out.display().to_string();
    let mut files: Vec<(String, Value)> = import
        .packs
        .iter()
        .map(|p| (p.file_name.clone(), p.pack.clone()))
        .collect();
    files.push((TOOLSET_FILE.into(), toolset_document()));
    files.push((MANIFEST_FILE.into(), manifest(source, opts, import)));
    if !force {
        let existing: Vec<&str> = files
            .iter()
            .filter(|(n, _)| out.join(n).exists())
            .map(|(n, _)| n.as_str())
            .collect();
        if !existing.is_empty() {
            return Err(BfclError::file(
                &shown,
                format!("already holds {}", existing.join(", ")),
                "choose another --out, or add --force to replace them",
            ));
        }
    }
    std::fs::create_dir_all(out.join("_import")).map_err(|e| {
        BfclError::file(
            &shown,
            format!("cannot create: {e}"),
            "choose a writable --out",
        )
    })?;
    let mut written = Vec::new();
    for (name, doc) in files {
        let path = out.join(&name);
        let mut text = serde_json::to_string_pretty(&doc).expect("JSON values serialise");
        text.push('\n');
        std::fs::write(&path, text).map_err(|e| {
            BfclError::file(
                path.display().to_string(),
                format!("cannot write: {e}"),
                "choose a writable --out",
            )
        })?;
        written.push(path);
    }
    Ok(written)
}
