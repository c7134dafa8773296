//! The tools of a toolset in the OpenAI form chat templates expect.

use crate::chat::Tool;
use crate::schema::Toolset;
use serde_json::{Map, Value};

/// `{"type":"function","function":{name, description, parameters}}` for each
/// tool. Our own `x-` keywords, `$schema`, `$id` and `title` are not shown
/// to the model; the rest keeps its key order (what the model was trained on).
pub fn openai_tools(toolset: &Toolset) -> Vec<Tool> {
    toolset
        .tools()
        .map(|t| {
            let schema = t.schema();
            let mut params = Map::new();
            for (k, v) in schema.as_object().into_iter().flatten() {
                let hidden = k.starts_with("x-")
                    || matches!(k.as_str(), "$schema" | "$id" | "title" | "description");
                if !hidden {
                    params.insert(k.clone(), v.clone());
                }
            }
            let description = schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            Tool::function(t.name(), description, Value::Object(params))
        })
        .collect()
}
