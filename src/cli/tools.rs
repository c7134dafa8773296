//! Tools offered to the model in the prompt, in the OpenAI form chat
//! templates expect.

use punie_eval::chat::Tool;
use punie_eval::run::openai_tools;
use punie_eval::schema::Toolset;
use serde_json::Value;
use std::path::Path;

/// `--tools FILE`: a JSON array of OpenAI tool specs, or a toolset (a file
/// or a built-in name such as `punie-phase27`).
pub fn load_tools(spec: &Path) -> Result<Vec<Tool>, Box<dyn std::error::Error>> {
    if spec.is_file() {
        let text = std::fs::read_to_string(spec)?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not valid JSON: {e}", spec.display()))?;
        if let Value::Array(items) = v {
            return items
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    Tool::from_value(t)
                        .map_err(|e| format!("{}: tool #{i}: {e}", spec.display()).into())
                })
                .collect();
        }
    }
    let toolset = Toolset::open(&spec.to_string_lossy())?;
    Ok(openai_tools(&toolset))
}
