//! The conversation a prompt is rendered from, in OpenAI chat form:
//! system/user/assistant/tool messages, assistant `tool_calls` whose
//! `function.arguments` is an object, and tool specs
//! `{"type": "function", "function": {name, description, parameters}}`.
//!
//! [`Message::to_template`] gives a template what transformers gives it:
//! keys whose value would be `None` are left out (transformers drops them, so
//! templates see them undefined), and reasoning is also offered as
//! `thinking`, as transformers 5 aliases it.

use super::error::{ChatError, ToolSpecError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// The assistant's reasoning, when kept apart from `content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_content: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// On a tool message: which call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// On a tool message: the tool's name (some templates print it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolCall {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(rename = "type", default = "function_type")]
    pub kind: String,
    pub function: FunctionCall,
}

fn function_type() -> String {
    "function".to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionCall {
    pub name: String,
    /// An object as the model's training data has it; a JSON string is kept
    /// as a string (templates print it verbatim or reject it).
    pub arguments: Value,
}

impl Message {
    fn new(role: Role, content: impl Into<String>) -> Self {
        Message {
            role,
            content: Some(content.into()),
            reasoning_content: None,
            tool_calls: Vec::new(),
            tool_call_id: None,
            name: None,
        }
    }

    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }

    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }

    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }

    /// An assistant turn that calls tools (content may be empty).
    pub fn assistant_calls(content: impl Into<String>, calls: Vec<ToolCall>) -> Self {
        Message {
            tool_calls: calls,
            ..Self::new(Role::Assistant, content)
        }
    }

    /// A tool's result, answering the call `tool_call_id` if given.
    pub fn tool(content: impl Into<String>, tool_call_id: Option<String>) -> Self {
        Message {
            tool_call_id,
            ..Self::new(Role::Tool, content)
        }
    }

    /// The message as the template sees it (see the module docs).
    pub fn to_template(&self) -> Value {
        let mut m = Map::new();
        if let Some(r) = &self.reasoning_content {
            m.insert("thinking".into(), Value::String(r.clone()));
        }
        m.insert("role".into(), Value::String(self.role.as_str().into()));
        if let Some(c) = &self.content {
            m.insert("content".into(), Value::String(c.clone()));
        }
        if let Some(r) = &self.reasoning_content {
            m.insert("reasoning_content".into(), Value::String(r.clone()));
        }
        if !self.tool_calls.is_empty() {
            m.insert(
                "tool_calls".into(),
                serde_json::to_value(&self.tool_calls).unwrap_or(Value::Null),
            );
        }
        if let Some(id) = &self.tool_call_id {
            m.insert("tool_call_id".into(), Value::String(id.clone()));
        }
        if let Some(n) = &self.name {
            m.insert("name".into(), Value::String(n.clone()));
        }
        Value::Object(m)
    }
}

impl ToolCall {
    pub fn new(name: impl Into<String>, arguments: Value) -> Self {
        ToolCall {
            id: None,
            kind: function_type(),
            function: FunctionCall {
                name: name.into(),
                arguments,
            },
        }
    }
}

/// A tool spec in OpenAI form. Its JSON is kept as given, key order included:
/// templates print the schema, and the model was trained on that exact text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tool(Value);

impl Tool {
    pub fn function(name: &str, description: &str, parameters: Value) -> Self {
        Tool(serde_json::json!({
            "type": "function",
            "function": {"name": name, "description": description, "parameters": parameters},
        }))
    }

    /// Accepts `{"type": "function", "function": {...}}` or a bare
    /// `{"name": ..., "description": ..., "parameters": ...}` (wrapped).
    pub fn from_value(value: Value) -> Result<Self, ToolSpecError> {
        let Value::Object(obj) = &value else {
            return Err(ToolSpecError::NotAnObject);
        };
        if obj.contains_key("function") {
            match obj.get("function").and_then(|f| f.get("name")) {
                Some(Value::String(_)) => Ok(Tool(value)),
                _ => Err(ToolSpecError::FunctionName),
            }
        } else if let Some(Value::String(_)) = obj.get("name") {
            let mut wrapped = Map::new();
            wrapped.insert("type".into(), Value::String("function".into()));
            wrapped.insert("function".into(), value);
            Ok(Tool(Value::Object(wrapped)))
        } else {
            Err(ToolSpecError::Shape)
        }
    }

    pub fn name(&self) -> &str {
        self.0
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    pub fn as_json(&self) -> &Value {
        &self.0
    }
}

/// Reads a JSON file holding a list of tools (either form of [`Tool::from_value`]).
pub fn tools_from_file(path: &Path) -> Result<Vec<Tool>, ChatError> {
    let value = super::error::read_json(path)?;
    let Value::Array(items) = value else {
        return Err(ChatError::Input {
            origin: path.display().to_string(),
            message: "expected a JSON list of tools".into(),
        });
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            Tool::from_value(v).map_err(|source| ChatError::ToolSpec {
                origin: format!("{} [{i}]", path.display()),
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn template_view_drops_absent_keys_and_aliases_reasoning() {
        let mut m = Message::assistant("Done.");
        m.reasoning_content = Some("why".into());
        let v = m.to_template();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["thinking", "role", "content", "reasoning_content"]);
        let u = Message::user("hi").to_template();
        assert_eq!(u, json!({"role": "user", "content": "hi"}));
    }

    #[test]
    fn openai_messages_round_trip() {
        let raw = json!({"role": "assistant", "content": "", "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "typecheck", "arguments": {"path": "src/"}}}
        ]});
        let m: Message = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(m.tool_calls[0].function.name, "typecheck");
        assert_eq!(m.to_template(), raw);
        let bad = serde_json::from_value::<Message>(json!({"role": "robot", "content": "x"}));
        assert!(bad.is_err());
    }

    #[test]
    fn tools_keep_key_order_and_accept_bare_functions() {
        let t = Tool::from_value(json!({"name": "git_status", "parameters": {"z": 1, "a": 2}}))
            .unwrap();
        assert_eq!(t.name(), "git_status");
        let text = serde_json::to_string(t.as_json()).unwrap();
        assert_eq!(
            text,
            r#"{"type":"function","function":{"name":"git_status","parameters":{"z":1,"a":2}}}"#
        );
        assert!(Tool::from_value(json!({"description": "nameless"})).is_err());
        assert!(Tool::from_value(json!({"function": {"name": 3}})).is_err());
    }
}
