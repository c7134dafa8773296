//! A toolset: the named set of tools a model is evaluated against, plus how
//! code mode wraps them. Loaded from a file, from in-memory JSON (plugins),
//! or from the built-in Punie toolsets embedded in the binary.

use super::embedded;
use super::error::{Issue, SchemaError};
use super::rules::Rules;
use super::tool::ToolSchema;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// The wrapper tool of Punie-style code mode: a call to `tool` whose
/// `parameter` holds Python that calls the real tools.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMode {
    pub tool: String,
    pub parameter: String,
}

/// A set of compiled tool schemas, looked up by name. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Toolset {
    name: String,
    description: String,
    origin: String,
    code_mode: Option<CodeMode>,
    tools: Vec<Arc<ToolSchema>>,
    index: HashMap<String, usize>,
    known: String,
}

/// Resolves a tool reference (a path string in `tools`) to `(origin, text)`.
type Resolver<'a> = dyn Fn(&str) -> Result<(String, String), Unresolved> + 'a;

/// Why a tool reference in `tools` gave no schema text (an [`Issue`] of
/// the toolset at that entry).
#[derive(Debug, thiserror::Error)]
enum Unresolved {
    #[error("cannot read tool schema {shown}: {source} (paths are relative to the toolset file)")]
    Unreadable {
        shown: String,
        source: std::io::Error,
    },
    #[error("{reference:?} is not a built-in tool file; in-memory toolsets must inline other tool schemas as objects")]
    NotBuiltIn { reference: String },
}

const TOOLSET_KEYS: &[&str] = &[
    "$schema",
    "$comment",
    "name",
    "description",
    "code_mode",
    "tools",
];

impl Toolset {
    /// An empty toolset; add tools with [`add_tool`](Self::add_tool).
    pub fn new(name: &str, code_mode: Option<CodeMode>) -> Self {
        Toolset {
            name: name.to_string(),
            description: String::new(),
            origin: "<memory>".to_string(),
            code_mode,
            tools: Vec::new(),
            index: HashMap::new(),
            known: String::new(),
        }
    }

    /// Loads a toolset file; tool paths in it are relative to its folder.
    /// Every problem in the toolset and its tool files is reported at once.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, SchemaError> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SchemaError::Io {
            path: origin.clone(),
            source,
        })?;
        let doc: Value = serde_json::from_str(&text).map_err(|e| SchemaError::json(&origin, &e))?;
        let base = path.parent().unwrap_or(Path::new("."));
        let resolve = |reference: &str| {
            let p = base.join(reference);
            let shown = p.display().to_string();
            match std::fs::read_to_string(&p) {
                Ok(text) => Ok((shown, text)),
                Err(source) => Err(Unresolved::Unreadable { shown, source }),
            }
        };
        Self::build(&doc, &origin, &resolve)
    }

    /// Builds a toolset from in-memory JSON (same format as a toolset file).
    /// Tools may be inline schema objects, or references to the built-in
    /// tool files by name (`"../tools/typecheck.json"`).
    pub fn from_json(doc: &Value, origin: &str) -> Result<Self, SchemaError> {
        let resolve = |reference: &str| {
            embedded::tool_file(reference)
                .map(|(path, text)| (format!("<built-in schemas/{path}>"), text.to_string()))
                .ok_or_else(|| Unresolved::NotBuiltIn {
                    reference: reference.to_string(),
                })
        };
        Self::build(doc, origin, &resolve)
    }

    /// A built-in toolset by name (`punie-phase27`, `punie-phase33`).
    pub fn builtin(name: &str) -> Option<Result<Self, SchemaError>> {
        let (_, path, text) = embedded::TOOLSETS.iter().find(|(n, _, _)| *n == name)?;
        let origin = format!("<built-in schemas/{path}>");
        Some(
            serde_json::from_str::<Value>(text)
                .map_err(|e| SchemaError::json(&origin, &e))
                .and_then(|doc| Self::from_json(&doc, &origin)),
        )
    }

    /// A toolset named on the command line: a file path, or the name of a
    /// built-in toolset (`punie-phase27`, `punie-phase33`).
    pub fn open(spec: &str) -> Result<Self, SchemaError> {
        let path = Path::new(spec);
        if !path.exists() {
            if let Some(builtin) = Self::builtin(spec) {
                return builtin;
            }
            if !spec.contains(['/', '\\']) && !spec.ends_with(".json") {
                let names: Vec<_> = Self::builtin_names().collect();
                return Err(SchemaError::Io {
                    path: spec.to_string(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!(
                            "no such file, and not a built-in toolset (built-in: {})",
                            names.join(", ")
                        ),
                    ),
                });
            }
        }
        Self::load(path)
    }

    /// Names of the built-in toolsets.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        embedded::TOOLSETS.iter().map(|(n, _, _)| *n)
    }

    /// Punie's production toolset: the 14 Phase 27 tools in code mode.
    pub fn punie_default() -> Self {
        Self::builtin_or_report("punie-phase27")
    }

    /// Phase 32/33: the 14 tools plus 12 LibCST / domain-validation tools.
    pub fn punie_phase33() -> Self {
        Self::builtin_or_report("punie-phase33")
    }

    fn builtin_or_report(name: &str) -> Self {
        match Self::builtin(name) {
            Some(Ok(t)) => t,
            // The embedded files are covered by unit tests; reaching this
            // means the binary was built from broken schema files.
            Some(Err(e)) => panic!("built-in toolset {name} is broken: {e}"),
            None => panic!("built-in toolset {name} is not embedded"),
        }
    }

    /// Adds a compiled tool (e.g. from a plugin). Fails on a duplicate name
    /// or one that shadows the code-mode wrapper.
    pub fn add_tool(&mut self, tool: ToolSchema) -> Result<(), SchemaError> {
        let clash = if let Some(n) = std::iter::once(tool.name())
            .chain(tool.aliases().iter().map(String::as_str))
            .find(|n| self.index.contains_key(*n))
        {
            Some(format!(
                "duplicate tool name {n:?} (already defined in toolset {})",
                self.name
            ))
        } else if self
            .code_mode
            .as_ref()
            .is_some_and(|c| c.tool == tool.name())
        {
            Some(format!(
                "tool name {:?} is the code-mode wrapper of toolset {}",
                tool.name(),
                self.name
            ))
        } else {
            None
        };
        if let Some(message) = clash {
            return Err(SchemaError::Invalid(vec![Issue::new(
                tool.origin(),
                "/x-tool-name",
                message,
            )]));
        }
        self.push(tool);
        Ok(())
    }

    fn push(&mut self, tool: ToolSchema) {
        self.index.insert(tool.name().to_string(), self.tools.len());
        for a in tool.aliases() {
            self.index.entry(a.clone()).or_insert(self.tools.len());
        }
        if !self.known.is_empty() {
            self.known.push_str(", ");
        }
        self.known.push_str(tool.name());
        self.tools.push(Arc::new(tool));
    }

    fn build(doc: &Value, origin: &str, resolve: &Resolver<'_>) -> Result<Self, SchemaError> {
        let mut issues = Vec::new();
        let Some(root) = doc.as_object() else {
            return Err(SchemaError::Invalid(vec![Issue::new(
                origin,
                "",
                "a toolset must be a JSON object with `name` and `tools`",
            )]));
        };
        for key in root.keys() {
            if !TOOLSET_KEYS.contains(&key.as_str()) {
                issues.push(Issue::new(
                    origin,
                    format!("/{key}"),
                    format!(
                        "unknown key {key:?}; a toolset has {}",
                        TOOLSET_KEYS.join(", ")
                    ),
                ));
            }
        }
        let name = match root.get("name").and_then(Value::as_str) {
            Some(n) if !n.trim().is_empty() => n.to_string(),
            _ => {
                issues.push(Issue::new(
                    origin,
                    "/name",
                    "missing or empty `name` (a string naming the toolset)",
                ));
                String::new()
            }
        };
        let code_mode = match root.get("code_mode") {
            None | Some(Value::Null) => None,
            Some(cm) => {
                let tool = cm.get("tool").and_then(Value::as_str);
                let parameter = cm.get("parameter").and_then(Value::as_str);
                match (tool, parameter) {
                    (Some(t), Some(p)) if !t.is_empty() && !p.is_empty() => Some(CodeMode {
                        tool: t.to_string(),
                        parameter: p.to_string(),
                    }),
                    _ => {
                        issues.push(Issue::new(
                            origin,
                            "/code_mode",
                            "`code_mode` must be {\"tool\": WRAPPER_NAME, \"parameter\": CODE_PARAMETER}",
                        ));
                        None
                    }
                }
            }
        };
        let mut set = Toolset::new(&name, code_mode);
        set.origin = origin.to_string();
        set.description = root
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let Some(entries) = root.get("tools").and_then(Value::as_array) else {
            issues.push(Issue::new(
                origin,
                "/tools",
                "missing `tools`: an array of tool schema paths or inline schema objects",
            ));
            return Err(SchemaError::Invalid(issues));
        };
        let mut first_at: HashMap<String, usize> = HashMap::new();
        for (i, entry) in entries.iter().enumerate() {
            let at = format!("/tools/{i}");
            let (tool_origin, tool_doc) = match entry {
                Value::String(reference) => match resolve(reference) {
                    Err(why) => {
                        issues.push(Issue::new(origin, at, why.to_string()));
                        continue;
                    }
                    Ok((tool_origin, text)) => match serde_json::from_str::<Value>(&text) {
                        Ok(v) => (tool_origin, v),
                        Err(e) => {
                            issues.push(Issue::new(
                                &tool_origin,
                                "",
                                format!(
                                    "not valid JSON at line {} column {}: {e}",
                                    e.line(),
                                    e.column()
                                ),
                            ));
                            continue;
                        }
                    },
                },
                Value::Object(_) => (format!("{origin}#{at}"), entry.clone()),
                other => {
                    issues.push(Issue::new(
                        origin,
                        at,
                        format!(
                            "a tool entry must be a path string or a schema object, found {other}"
                        ),
                    ));
                    continue;
                }
            };
            let tool = match ToolSchema::from_value(tool_doc, &tool_origin) {
                Ok(t) => t,
                Err(mut tool_issues) => {
                    issues.append(&mut tool_issues);
                    continue;
                }
            };
            if let Some(j) = first_at.get(tool.name()) {
                issues.push(Issue::new(
                    origin,
                    at,
                    format!(
                        "duplicate tool name {:?} (first defined at /tools/{j})",
                        tool.name()
                    ),
                ));
                continue;
            }
            if set
                .code_mode
                .as_ref()
                .is_some_and(|c| c.tool == tool.name())
            {
                issues.push(Issue::new(
                    origin,
                    at,
                    format!(
                        "tool {:?} has the name of the code-mode wrapper (/code_mode/tool)",
                        tool.name()
                    ),
                ));
                continue;
            }
            first_at.insert(tool.name().to_string(), i);
            set.push(tool);
        }
        if issues.is_empty() {
            Ok(set)
        } else {
            Err(SchemaError::Invalid(issues))
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where the toolset came from (file path or `<built-in …>`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn code_mode(&self) -> Option<&CodeMode> {
        self.code_mode.as_ref()
    }

    /// This toolset with every tool validated under other type rules (the
    /// schemas shown to the model are unchanged).
    pub fn with_rules(&self, rules: Rules) -> Result<Self, SchemaError> {
        if rules.is_default() && self.tools.iter().all(|t| t.rules().is_default()) {
            return Ok(self.clone());
        }
        let mut out = Self::new(&self.name, self.code_mode.clone());
        out.description.clone_from(&self.description);
        out.origin.clone_from(&self.origin);
        for t in &self.tools {
            out.push(t.with_rules(rules).map_err(SchemaError::Invalid)?);
        }
        Ok(out)
    }

    /// This toolset with more tools (a query's own), or only those when
    /// `only`; the added tools are validated under `rules`.
    pub fn with_tools(
        &self,
        tools: Vec<ToolSchema>,
        only: bool,
        rules: Rules,
    ) -> Result<Self, SchemaError> {
        let mut out = if only {
            let mut t = Self::new(&self.name, None);
            t.origin.clone_from(&self.origin);
            t
        } else {
            self.clone()
        };
        for t in tools {
            out.add_tool(t.with_rules(rules).map_err(SchemaError::Invalid)?)?;
        }
        Ok(out)
    }

    /// A tool by its name or one of its aliases.
    pub fn get(&self, name: &str) -> Option<&ToolSchema> {
        self.index.get(name).map(|&i| self.tools[i].as_ref())
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// The tools in declaration order.
    pub fn tools(&self) -> impl Iterator<Item = &ToolSchema> {
        self.tools.iter().map(Arc::as_ref)
    }

    pub fn len(&self) -> usize {
        self.tools.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// What loading mapped rather than refused: every non-standard schema
    /// type read as its JSON Schema equivalent, naming tool and property.
    pub fn warnings(&self) -> Vec<Issue> {
        self.tools
            .iter()
            .flat_map(|t| t.warnings().iter().cloned())
            .collect()
    }

    /// "a, b, c": the known tool names, for "unknown tool" messages.
    pub fn known_names(&self) -> &str {
        &self.known
    }
}
