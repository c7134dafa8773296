//! A JSON answer: the whole completion is `{"name", "arguments"}`, a list of
//! them, or an OpenAI message with `tool_calls`.

use super::big_int;
use super::collect::Collector;
use super::json_call;
use super::verdict::CallFormat;
use serde_json::Value;

/// Handles an answer that starts like JSON; returns false if it is not a
/// call (plain data or prose), leaving the answer to the other detectors.
pub(crate) fn parse(answer: &str, out: &mut Collector<'_>) -> bool {
    let text = answer.trim();
    if !(text.starts_with('{') || text.starts_with('[')) {
        return false;
    }
    // `[TOOL_CALLS][…]` and other bracketed markers are not JSON: left to
    // the wrapper detector.
    let second = text[1..].trim_start().chars().next();
    if text.starts_with('[')
        && !second
            .is_some_and(|c| matches!(c, '{' | '[' | '"' | ']' | '-' | '0'..='9' | 't' | 'f' | 'n'))
    {
        return false;
    }
    let tools = out.toolset;
    let known = |name: &str| Collector::known(tools, name);
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    match stream.next() {
        Some(Ok(value)) => match json_call::interpret(value, CallFormat::BareJson, &known) {
            Ok(Some(calls)) => {
                big_int::note(&text[..stream.byte_offset()], &mut out.notes);
                if !text[stream.byte_offset()..].trim().is_empty() {
                    out.notes.push("prose follows the JSON call".to_string());
                }
                calls.into_iter().for_each(|c| out.add(c));
                true
            }
            Ok(None) => false,
            Err(e) => {
                out.broken.push(format!("JSON call: {e}"));
                true
            }
        },
        Some(Err(e)) if json_call::looks_like_call(text) => {
            out.broken.push(format!(
                "JSON tool call is not valid JSON at line {} column {}: {e}",
                e.line(),
                e.column()
            ));
            true
        }
        _ => false,
    }
}
