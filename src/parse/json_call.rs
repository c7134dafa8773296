//! Recognising tool calls in a parsed JSON value, whatever the wrapper:
//! Qwen/Hermes `{"name", "arguments"}`, OpenAI `tool_calls` / `function`
//! (arguments as a JSON string), and lists of either.

use super::verdict::CallFormat;
use serde_json::{Map, Value};

/// A call found in JSON, before schema validation.
pub(crate) struct RawCall {
    pub name: String,
    pub arguments: Map<String, Value>,
    pub format: CallFormat,
}

/// `Ok(None)`: the value is not a tool call (e.g. a JSON answer).
/// `Err`: it is a call, but a broken one (what broke).
pub(crate) fn interpret(value: Value, plain: CallFormat) -> Result<Option<Vec<RawCall>>, String> {
    match value {
        Value::Array(items) => {
            if items.is_empty() || !items.iter().all(is_call_shaped) {
                return Ok(None);
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(mut calls) = interpret(item, plain)? {
                    out.append(&mut calls);
                }
            }
            Ok(Some(out))
        }
        Value::Object(mut obj) => {
            if let Some(list) = obj.remove("tool_calls") {
                let Value::Array(items) = list else {
                    return Err("`tool_calls` must be an array of calls".to_string());
                };
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    match interpret(item, CallFormat::OpenAi)? {
                        Some(mut calls) => out.append(&mut calls),
                        None => return Err(format!("`tool_calls[{i}]` is not a call: expected {{\"function\": {{\"name\", \"arguments\"}}}}")),
                    }
                }
                return Ok(Some(out));
            }
            if let Some(Value::Object(function)) = obj.remove("function") {
                return one(function, CallFormat::OpenAi).map(|c| Some(vec![c]));
            }
            if obj.get("name").is_some_and(Value::is_string)
                && (obj.contains_key("arguments") || obj.contains_key("parameters"))
            {
                return one(obj, plain).map(|c| Some(vec![c]));
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

fn is_call_shaped(v: &Value) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("tool_calls")
            || o.get("function").is_some_and(Value::is_object)
            || (o.get("name").is_some_and(Value::is_string)
                && (o.contains_key("arguments") || o.contains_key("parameters")))
    })
}

fn one(mut obj: Map<String, Value>, format: CallFormat) -> Result<RawCall, String> {
    let name = match obj.remove("name") {
        Some(Value::String(n)) if !n.is_empty() => n,
        Some(other) => {
            return Err(format!(
                "call `name` must be a non-empty string, found {other}"
            ))
        }
        None => return Err("call has no `name`".to_string()),
    };
    let raw = obj.remove("arguments").or_else(|| obj.remove("parameters"));
    let arguments = match raw {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m,
        // OpenAI sends arguments as a JSON-encoded string.
        Some(Value::String(s)) if s.trim().is_empty() => Map::new(),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Object(m)) => m,
            Ok(other) => {
                return Err(format!(
                    "arguments of {name} decode to {other}, not a JSON object"
                ))
            }
            Err(e) => {
                return Err(format!(
                    "arguments of {name} are a string that is not valid JSON ({e})"
                ))
            }
        },
        Some(other) => {
            return Err(format!(
                "arguments of {name} must be a JSON object, found {other}"
            ))
        }
    };
    Ok(RawCall {
        name,
        arguments,
        format,
    })
}

/// Does this text look like an attempt at a JSON tool call? Used to tell a
/// broken call from a JSON-looking answer when the JSON does not parse.
pub(crate) fn looks_like_call(text: &str) -> bool {
    text.contains("\"tool_calls\"")
        || (text.contains("\"name\"")
            && (text.contains("\"arguments\"") || text.contains("\"parameters\"")))
        || text.contains("\"function\"")
}
