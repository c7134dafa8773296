//! Qwen3-Coder XML calls: `<function=NAME><parameter=P>value</parameter>…
//! </function>`, with or without the `<tool_call>` wrapper. Values are
//! text; they are converted by the schema's declared property types the
//! way Qwen3-Coder's own parser does (vLLM / mlx-lm `qwen3_coder`).

use super::collect::Collector;
use super::json_call::RawCall;
use super::verdict::CallFormat;
use crate::schema::{JsonType, ToolSchema};
use serde_json::{Map, Number, Value};

const FUNCTION: &str = "<function=";
const FUNCTION_END: &str = "</function>";
const PARAMETER: &str = "<parameter=";
const PARAMETER_END: &str = "</parameter>";

/// Parses every `<function=…>` in `text`. `wrapped`: inside `<tool_call>`.
pub(crate) fn parse(text: &str, wrapped: bool, out: &mut Collector<'_>) {
    let mut rest = text;
    while let Some(start) = rest.find(FUNCTION) {
        let after = &rest[start + FUNCTION.len()..];
        let Some(gt) = after.find('>') else {
            out.broken.push(format!(
                "`{}` has no closing `>` after the function name",
                snippet(&rest[start..])
            ));
            return;
        };
        let name = after[..gt].trim().to_string();
        let body_and_rest = &after[gt + 1..];
        let Some(end) = body_and_rest.find(FUNCTION_END) else {
            out.broken.push(format!(
                "<function={name}> is never closed with </function> (output truncated?)"
            ));
            return;
        };
        if name.is_empty() {
            out.broken
                .push("<function=> has an empty function name".to_string());
        } else {
            if !wrapped {
                out.notes
                    .push(format!("<function={name}> is not wrapped in <tool_call>"));
            }
            let arguments = parameters(&body_and_rest[..end], &name, out);
            out.add(RawCall {
                name,
                arguments,
                format: CallFormat::QwenXml,
            });
        }
        rest = &body_and_rest[end + FUNCTION_END.len()..];
    }
}

fn snippet(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    cut.replace('\n', "\\n")
}

fn parameters(body: &str, function: &str, out: &mut Collector<'_>) -> Map<String, Value> {
    let tool = out.toolset.get(function);
    let mut arguments = Map::new();
    let mut rest = body;
    while let Some(start) = rest.find(PARAMETER) {
        let after = &rest[start + PARAMETER.len()..];
        let Some(gt) = after.find('>') else {
            out.broken.push(format!(
                "<function={function}>: `{}` has no closing `>`",
                snippet(&rest[start..])
            ));
            break;
        };
        let name = after[..gt].trim().to_string();
        let value_and_rest = &after[gt + 1..];
        // Like Qwen3-Coder's parser, a missing </parameter> ends the value
        // at the next <parameter=> or at </function> (noted, not fatal).
        let (raw, next) = match value_and_rest.find(PARAMETER_END) {
            Some(end) if value_and_rest[..end].find(PARAMETER).is_none() => (
                &value_and_rest[..end],
                &value_and_rest[end + PARAMETER_END.len()..],
            ),
            _ => {
                out.notes.push(format!(
                    "<function={function}>: <parameter={name}> is not closed with </parameter>"
                ));
                let end = value_and_rest
                    .find(PARAMETER)
                    .unwrap_or(value_and_rest.len());
                (&value_and_rest[..end], &value_and_rest[end..])
            }
        };
        let value = convert(strip_newline(raw), tool, &name, function, &mut out.notes);
        if arguments.insert(name.clone(), value).is_some() {
            out.notes.push(format!(
                "<function={function}>: <parameter={name}> given twice; the last one counts"
            ));
        }
        rest = next;
    }
    arguments
}

/// Qwen3-Coder puts values on their own lines; its parser strips exactly
/// one leading and one trailing newline.
fn strip_newline(raw: &str) -> &str {
    let s = raw.strip_prefix('\n').unwrap_or(raw);
    s.strip_suffix('\n').unwrap_or(s)
}

/// Unknown tools and undeclared parameters (and so the code-mode wrapper's
/// Python) stay text.
fn convert(
    text: &str,
    tool: Option<&ToolSchema>,
    param: &str,
    function: &str,
    notes: &mut Vec<String>,
) -> Value {
    if text.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    let Some(types) = tool.and_then(|t| t.property_types(param)) else {
        return Value::String(text.to_string());
    };
    let Some(target) = types.iter().find(|t| **t != JsonType::Null) else {
        return Value::String(text.to_string());
    };
    let trimmed = text.trim();
    let converted = match target {
        JsonType::String => return Value::String(text.to_string()),
        JsonType::Integer => trimmed.parse::<i64>().ok().map(Value::from),
        JsonType::Number => match trimmed.parse::<i64>() {
            Ok(i) => Some(Value::from(i)),
            Err(_) => trimmed
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number),
        },
        JsonType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            _ => None,
        },
        JsonType::Object | JsonType::Array => serde_json::from_str::<Value>(trimmed).ok(),
        JsonType::Null => None,
    };
    converted.unwrap_or_else(|| {
        notes.push(format!(
            "<function={function}>: <parameter={param}> value {trimmed:?} is not a valid {target:?}; kept as text",
        ));
        Value::String(text.to_string())
    })
}
