//! `<tool_call>…</tool_call>` blocks (Qwen3 / Hermes): JSON inside for the
//! Qwen3 format, `<function=…>` XML inside for Qwen3-Coder. Text outside
//! the blocks is prose, except a `<function=` there (unwrapped XML).

use super::big_int;
use super::code_mode;
use super::collect::Collector;
use super::depth;
use super::json_call::{self, RawCall};
use super::loose;
use super::qwen_xml;
use super::verdict::CallFormat;

use super::tag::{FUNCTION, TOOL_CALL as OPEN, TOOL_CALL_END as CLOSE};

/// Does the answer use the tagged formats at all?
pub(crate) fn present(answer: &str) -> bool {
    OPEN.is_in(answer) || broken_open_tag(answer) || CLOSE.is_in(answer) || FUNCTION.is_in(answer)
}

/// A `<tool_call` tag that is not `<tool_call>`: `<tool_call name="x">`,
/// `<tool_call ` cut short… Another tag that merely starts the same way
/// (`<tool_calls>`, Apriel's list wrapper; `<tool_call_x>`) is not one: it
/// is a wrapper like any other (`loose.rs`).
fn broken_open_tag(text: &str) -> bool {
    text.match_indices("<tool_call").any(|(i, m)| {
        !text[i + m.len()..]
            .starts_with(|c: char| c == '>' || c == '_' || c == '-' || c.is_ascii_alphanumeric())
    })
}

pub(crate) fn parse(answer: &str, out: &mut Collector<'_>) {
    let mut rest = answer;
    let mut outside = String::new();
    let mut unwrapped = false;
    while let Some(start) = OPEN.find(rest) {
        outside.push_str(&rest[..start]);
        let after = &rest[start + OPEN.text.len()..];
        let Some(end) = CLOSE.find(after) else {
            let line = answer[..answer.len() - rest.len() + start]
                .matches('\n')
                .count()
                + 1;
            let what =
                format!("<tool_call> opened on line {line} is never closed with </tool_call>");
            // Strict: a truncated block's calls are not counted (the note
            // says so). Lenient: parsed to the end of the text, as vLLM does.
            if out.recoverable(
                format!("{what} (output truncated?)"),
                "parsed to the end of the text",
            ) {
                block(after, out);
            }
            rest = "";
            break;
        };
        // An unwrapped call before this block (a model that left out the
        // first `<tool_call>`) comes first: calls keep the text's order.
        if FUNCTION.is_in(&outside) {
            qwen_xml::parse(&outside, false, out);
            outside.clear();
            unwrapped = true;
        }
        block(&after[..end], out);
        rest = &after[end + CLOSE.text.len()..];
    }
    outside.push_str(rest);
    if FUNCTION.is_in(&outside) {
        qwen_xml::parse(&outside, false, out);
    } else if unwrapped {
        // The `</tool_call>` that closes an unwrapped call belongs to it.
    } else if CLOSE.is_in(&outside) {
        out.broken
            .push("</tool_call> without an opening <tool_call>".to_string());
    } else if broken_open_tag(&outside) {
        out.broken
            .push("malformed <tool_call tag (expected exactly `<tool_call>`)".to_string());
    }
}

fn block(body: &str, out: &mut Collector<'_>) {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        out.broken.push("empty <tool_call></tool_call>".to_string());
    } else if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str(trimmed) {
            Err(e) => out.broken.push(format!(
                "bad JSON inside <tool_call> at line {} column {}: {e}",
                e.line(),
                e.column()
            )),
            Ok(value) => match json_call::interpret(value, CallFormat::QwenJson, &|_| true) {
                Ok(Some(calls)) => {
                    big_int::note(trimmed, &mut out.notes);
                    calls.into_iter().for_each(|c: RawCall| out.add(c));
                }
                Ok(None) => out
                    .broken
                    .push("JSON inside <tool_call> is not a call: expected {\"name\": …, \"arguments\": {…}}".to_string()),
                Err(e) => out.broken.push(format!("<tool_call>: {e}")),
            },
        }
    } else if FUNCTION.is_in(trimmed) {
        qwen_xml::parse(trimmed, true, out);
    } else if loose::has_attribute_call(trimmed) {
        loose::attribute_calls(trimmed, out);
    } else if let Some(bare) = bare_python(trimmed, out) {
        match bare {
            BarePython::Calls(why) => {
                if out.recoverable(why, "read as code mode") {
                    code_mode::extract(trimmed, out);
                }
            }
            BarePython::TooDeep(why) => out.broken.push(why),
        }
    } else {
        let start: String = trimmed.chars().take(40).collect();
        out.broken.push(format!(
            "<tool_call> holds neither JSON nor <function=…>: starts with {start:?}"
        ));
    }
}

enum BarePython {
    /// It calls tools, without the code-mode wrapper.
    Calls(String),
    /// It nests too deep to be read.
    TooDeep(String),
}

/// Python written straight into `<tool_call>` (seen in Punie's Phase 26
/// data): what is wrong with it, if it parses and calls tools (or nests
/// too deep to be parsed).
fn bare_python(body: &str, out: &Collector<'_>) -> Option<BarePython> {
    let wrapper = &out.toolset.code_mode()?.tool;
    match code_mode::called_tools(body, out.toolset) {
        Ok(tools) if !tools.is_empty() => Some(BarePython::Calls(format!(
            "<tool_call> holds Python calling {} without the <function={wrapper}> wrapper code mode needs",
            tools.join(", ")
        ))),
        Ok(_) | Err(code_mode::Unread::Syntax) => None,
        Err(code_mode::Unread::TooDeep) => Some(BarePython::TooDeep(depth::too_deep_note(
            "<tool_call> holds Python that",
        ))),
    }
}
