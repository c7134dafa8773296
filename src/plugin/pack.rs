//! A plugin's pack: the JSON it handed over, read by the same front end as
//! query files, plus the extra tool schemas it brings (a top-level `tools`
//! array) added to the pack's toolset.

use super::abi::SYM_PACK;
use super::error::{PluginError, ToolProblem};
use super::library::{parse_json, reported_error, Plugin};
use crate::schema::{ToolSchema, Toolset};
use crate::suite::LoadedPack;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

const PACK_SHAPE: &str = "a query pack as JSON ({\"pack\": {…}, \"query\": […]}, see docs/query-packs.md), optionally with \"tools\": [tool schema, …]";

/// A plugin and the checked pack it provides.
#[derive(Debug, Clone)]
pub struct PluginPack {
    pub plugin: Arc<Plugin>,
    pub loaded: LoadedPack,
    /// Tool schemas the plugin adds to the pack's toolset.
    pub tools: Vec<Value>,
}

impl PluginPack {
    /// Reads the pack a loaded plugin handed over.
    pub fn from_plugin(plugin: Arc<Plugin>) -> Result<Self, PluginError> {
        let (loaded, tools) = read(plugin.path(), &plugin.manifest().id, plugin.pack_text())?;
        Ok(Self {
            plugin,
            loaded,
            tools,
        })
    }

    pub fn id(&self) -> &str {
        &self.loaded.pack.pack.id
    }

    /// The toolset the pack is scored against: `base` (or the toolset the
    /// pack names) plus the plugin's tools, named `<base>+<pack id>` when
    /// tools were added. The pack's expectations are checked against it.
    pub fn toolset(&self, base: Option<&Toolset>) -> Result<Toolset, PluginError> {
        toolset(self.plugin.path(), &self.loaded, &self.tools, base)
    }
}

/// Reads the JSON a plugin at `path`, whose manifest says `id`, handed over
/// as its pack: the pack, and the tool schemas it adds. Text only, no
/// library: the fuzz target reads plugin JSON through here.
pub fn read(path: &Path, id: &str, text: &str) -> Result<(LoadedPack, Vec<Value>), PluginError> {
    let shape = |message: String| PluginError::Shape {
        path: path.to_path_buf(),
        function: SYM_PACK,
        message,
        what: PACK_SHAPE,
    };
    let mut doc = parse_json(path, SYM_PACK, text, PACK_SHAPE)?;
    reported_error(path, SYM_PACK, &doc)?;
    let Some(obj) = doc.as_object_mut() else {
        return Err(shape(format!(
            "expected a JSON object, found {}",
            kind(&doc)
        )));
    };
    let tools = match obj.remove("tools") {
        None => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(shape(format!(
                "`tools` must be an array of tool schema objects, found {}",
                kind(&other)
            )))
        }
    };
    // Without `tools` the plugin's own text is read, so line/column of
    // deserialization errors point into what the plugin produced.
    let text = if tools.is_empty() {
        text.to_string()
    } else {
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    };
    let origin = format!("{} (plugin pack)", path.display());
    let loaded = LoadedPack::from_json(&text, &origin).map_err(|source| PluginError::Pack {
        path: path.to_path_buf(),
        source,
    })?;
    if loaded.pack.pack.id != id {
        return Err(PluginError::IdMismatch {
            path: path.to_path_buf(),
            id: id.to_string(),
            pack_id: loaded.pack.pack.id.clone(),
        });
    }
    Ok((loaded, tools))
}

/// [`PluginPack::toolset`] for a pack read by [`read`].
pub fn toolset(
    path: &Path,
    loaded: &LoadedPack,
    tools: &[Value],
    base: Option<&Toolset>,
) -> Result<Toolset, PluginError> {
    let base = match base {
        Some(t) => t.clone(),
        None => {
            let spec = &loaded.pack.pack.toolset;
            Toolset::open(spec).map_err(|source| PluginError::Toolset {
                path: path.to_path_buf(),
                spec: spec.clone(),
                source: Box::new(source),
                builtins: Toolset::builtin_names().collect::<Vec<_>>().join(", "),
            })?
        }
    };
    let toolset = if tools.is_empty() {
        base
    } else {
        extend(path, &loaded.pack.pack.id, tools, &base)?
    };
    loaded
        .check_tools(&toolset)
        .map_err(|source| PluginError::Pack {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(toolset)
}

fn extend(path: &Path, id: &str, added: &[Value], base: &Toolset) -> Result<Toolset, PluginError> {
    // Each added schema is compiled on its own first, so problems are
    // reported as `tools[i]` of the plugin rather than by position in
    // the combined toolset.
    let mut problems = Vec::new();
    for (i, schema) in added.iter().enumerate() {
        let origin = format!("{} tools[{i}]", path.display());
        match ToolSchema::from_value(schema.clone(), &origin) {
            Ok(tool) if base.contains(tool.name()) => {
                problems.push(ToolProblem::AlreadyInToolset {
                    name: tool.name().to_string(),
                    toolset: base.name().to_string(),
                    origin,
                })
            }
            Ok(_) => {}
            Err(issues) => problems.extend(issues.into_iter().map(ToolProblem::Schema)),
        }
    }
    if !problems.is_empty() {
        return Err(PluginError::Tools {
            path: path.to_path_buf(),
            problems,
        });
    }
    let mut tools: Vec<Value> = base.tools().map(|t| t.schema().clone()).collect();
    tools.extend(added.iter().cloned());
    let mut doc = json!({
        "name": format!("{}+{id}", base.name()),
        "description": format!("{} plus the tools of plugin {id}", base.name()),
        "tools": tools,
    });
    if let Some(cm) = base.code_mode() {
        doc["code_mode"] = json!({"tool": cm.tool, "parameter": cm.parameter});
    }
    Toolset::from_json(&doc, &path.display().to_string()).map_err(|source| PluginError::Extended {
        path: path.to_path_buf(),
        source: Box::new(source),
    })
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
