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
    /// Why the arguments could not be read (not an object, a string that
    /// does not decode to one): the call was attempted, but broken. The
    /// strict profile makes it `malformed_call`; lenient keeps it as an
    /// invalid call.
    pub rejected: Option<String>,
    /// What was unusual about reading it (added to the verdict's notes).
    pub notes: Vec<String>,
}

/// Keys a zero-argument call (`{"name": "get_time"}`) may carry beside
/// its name.
const NAME_ONLY_KEYS: &[&str] = &["name", "type", "id"];

/// `Ok(None)`: the value is not a tool call (e.g. a JSON answer).
/// `Err`: it is a call, but a broken one (what broke).
/// `zero_arg(name)`: whether `{"name": NAME}` with no `arguments` counts as
/// a call with no arguments (always inside a call wrapper; elsewhere only
/// for names of known tools, so that JSON data is not taken for a call).
pub(crate) fn interpret(
    value: Value,
    plain: CallFormat,
    zero_arg: &dyn Fn(&str) -> bool,
) -> Result<Option<Vec<RawCall>>, String> {
    match value {
        Value::Array(items) => {
            if items.is_empty() || !items.iter().all(|i| is_call_shaped(i, zero_arg)) {
                return Ok(None);
            }
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                if let Some(mut calls) = interpret(item, plain, zero_arg)? {
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
                    match interpret(item, CallFormat::OpenAi, zero_arg)? {
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
                || name_only(&obj, zero_arg)
            {
                return one(obj, plain).map(|c| Some(vec![c]));
            }
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// `{"name": NAME}` (maybe with `type` / `id`) and no arguments at all.
fn name_only(obj: &Map<String, Value>, zero_arg: &dyn Fn(&str) -> bool) -> bool {
    obj.get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty() && zero_arg(n))
        && obj.keys().all(|k| NAME_ONLY_KEYS.contains(&k.as_str()))
}

fn is_call_shaped(v: &Value, zero_arg: &dyn Fn(&str) -> bool) -> bool {
    v.as_object().is_some_and(|o| {
        o.contains_key("tool_calls")
            || o.get("function").is_some_and(Value::is_object)
            || (o.get("name").is_some_and(Value::is_string)
                && (o.contains_key("arguments") || o.contains_key("parameters")))
            || name_only(o, zero_arg)
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
    let mut notes = Vec::new();
    let (arguments, rejected) = match raw {
        None | Some(Value::Null) => (Map::new(), None),
        Some(Value::Object(m)) => (m, None),
        // OpenAI sends arguments as a JSON-encoded string.
        Some(Value::String(s)) if s.trim().is_empty() => (Map::new(), None),
        Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(Value::Object(m)) => {
                // Inside a string, the outer text's scan does not see them.
                super::big_int::note(&s, &mut notes);
                (m, None)
            }
            Ok(other) => (
                Map::new(),
                Some(format!(
                    "arguments of {name} decode to {other}, not a JSON object"
                )),
            ),
            Err(e) => (
                Map::new(),
                Some(format!(
                    "arguments of {name} are a string that is not valid JSON ({e})"
                )),
            ),
        },
        Some(other) => (
            Map::new(),
            Some(format!(
                "arguments of {name} must be a JSON object, found {other}"
            )),
        ),
    };
    Ok(RawCall {
        name,
        arguments,
        format,
        rejected,
        notes,
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
