//! Calls written outside the formats the other detectors read — the last
//! look before an answer counts as `direct`, because an attempted call is
//! never an abstention:
//!
//! - XML with the name as an attribute: `<function name="NAME">`,
//!   `<invoke name="NAME">`, `<tool name="NAME">` (parameters as
//!   `<parameter name="P">` / `<parameter=P>` tags or a JSON object);
//! - a JSON call object anywhere in the answer: in another wrapper
//!   (`<tool>`, `<tools>`, `<response>`, `<json>`, `<xml>`,
//!   `<function_call>`, `<|python_tag|>`, `[TOOL_CALLS]`, `functools`…), or
//!   after a line of prose.
//!
//! Each is a call, with a note naming what was unusual about it.

use super::collect::Collector;
use super::json_call::{self, RawCall};
use super::qwen_xml;
use super::verdict::CallFormat;
use serde_json::Value;
use std::ops::Range;

/// Openers of calls whose name is an attribute, with their end tags.
const ATTRIBUTE_TAGS: &[(&str, &str)] = &[
    ("<function", "</function>"),
    ("<invoke", "</invoke>"),
    ("<tool", "</tool>"),
];

/// Finds the calls in `answer`; adds them (or what broke) to `out`.
pub(crate) fn parse(answer: &str, out: &mut Collector<'_>) {
    let spans = attribute_calls(answer, out);
    embedded_json(answer, &spans, out);
}

/// Does the text hold an attribute-named call (`<function name="…">`)?
pub(crate) fn has_attribute_call(text: &str) -> bool {
    ATTRIBUTE_TAGS
        .iter()
        .any(|(open, _)| next_attribute_tag(text, open).is_some())
}

/// The next `<TAG name=` (with at least one space before `name=`):
/// `(tag start, index after "name=")`.
fn next_attribute_tag(text: &str, open: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = text[from..].find(open) {
        let at = from + i;
        let tail = &text[at + open.len()..];
        let spaced = tail.trim_start_matches([' ', '\t']);
        if spaced.len() < tail.len() {
            if let Some(value) = spaced.strip_prefix("name=") {
                return Some((at, text.len() - value.len()));
            }
        }
        from = at + open.len();
    }
    None
}

/// Parses every attribute-named call; returns the byte ranges they cover
/// (their JSON bodies are not read again as embedded calls).
pub(crate) fn attribute_calls(text: &str, out: &mut Collector<'_>) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    for (open, close) in ATTRIBUTE_TAGS {
        let mut from = 0;
        while let Some((start, value_at)) = next_attribute_tag(&text[from..], open) {
            let (start, value_at) = (from + start, from + value_at);
            let rest = &text[value_at..];
            // The name: quoted, or up to a space, `/` or `>`.
            let (name, after_name) = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => match rest[1..].find(q) {
                    Some(end) => (&rest[1..1 + end], 1 + end + 1),
                    None => ("", rest.len()),
                },
                _ => {
                    let end = rest.find([' ', '/', '>', '\n']).unwrap_or(rest.len());
                    (&rest[..end], end)
                }
            };
            let name = name.trim().to_string();
            let tag_rest = &rest[after_name..];
            let Some(gt) = tag_rest.find('>') else {
                out.broken.push(format!(
                    "`{open} name=…` tag is never closed with `>` (output truncated?)"
                ));
                spans.push(start..text.len());
                break;
            };
            let body_start = value_at + after_name + gt + 1;
            let self_closing = tag_rest[..gt].trim_end().ends_with('/');
            let (body, end) = if self_closing {
                ("", body_start)
            } else {
                match text[body_start..].find(close) {
                    Some(e) => (
                        &text[body_start..body_start + e],
                        body_start + e + close.len(),
                    ),
                    None => {
                        out.broken.push(format!(
                            "{open} name=\"{name}\"> is never closed with {close} (output truncated?)"
                        ));
                        spans.push(start..text.len());
                        break;
                    }
                }
            };
            spans.push(start..end);
            from = end;
            if name.is_empty() {
                out.broken
                    .push(format!("{open} name=…> has an empty or unquoted name"));
                continue;
            }
            let shown = format!("{open} name=");
            if let Some(arguments) = qwen_xml::call_body(body, &name, &shown, out) {
                out.notes.push(format!(
                    "{open} name=\"{name}\"> is not the <function={name}> form; read as a call"
                ));
                out.add(RawCall {
                    name,
                    arguments,
                    format: CallFormat::QwenXml,
                    rejected: None,
                    notes: Vec::new(),
                });
            }
        }
    }
    spans
}

/// Where an embedded JSON call stands.
enum Context {
    /// Right after a tag or marker that is not `<tool_call>`.
    Wrapper(String),
    /// Right after a code fence's opening line.
    Fence(String),
    /// After prose (or nothing): no wrapper at all.
    Prose,
}

/// The token just before `at` on its line: a wrapper tag, a fence, or prose.
fn context(text: &str, at: usize) -> Context {
    let before = text[..at].trim_end();
    let line = before.rsplit('\n').next().unwrap_or(before);
    let token = line.rsplit([' ', '\t']).next().unwrap_or(line);
    if token.starts_with("```") {
        return Context::Fence(token.trim_start_matches('`').to_string());
    }
    if token.ends_with('>') {
        if let Some(lt) = token.rfind('<') {
            let tag = &token[lt..];
            if !tag.starts_with("</") {
                return Context::Wrapper(tag.to_string());
            }
        }
    }
    let markers = ["[TOOL_CALLS]", "functools", "<|python_tag|>"];
    if let Some(m) = markers.iter().find(|m| token.ends_with(*m)) {
        return Context::Wrapper((*m).to_string());
    }
    Context::Prose
}

/// Any JSON call object or list of calls in the text, outside `skip`.
fn embedded_json(text: &str, skip: &[Range<usize>], out: &mut Collector<'_>) {
    if !(text.contains("\"name\"")
        || text.contains("\"function\"")
        || text.contains("\"tool_calls\""))
    {
        return;
    }
    let tools = out.toolset;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !matches!(bytes[i], b'{' | b'[') {
            i += 1;
            continue;
        }
        if let Some(span) = skip.iter().find(|s| s.contains(&i)) {
            i = span.end;
            continue;
        }
        let rest = &text[i..];
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(value)) => {
                let len = stream.byte_offset().max(1);
                let ctx = context(text, i);
                let wrapped = !matches!(ctx, Context::Prose);
                let known = |name: &str| wrapped || Collector::known(tools, name);
                let (format, note) = match &ctx {
                    Context::Wrapper(tag) => (
                        CallFormat::QwenJson,
                        format!("JSON tool call wrapped in `{tag}` instead of <tool_call>"),
                    ),
                    Context::Fence(lang) => (
                        CallFormat::FencedJson,
                        format!("JSON tool call in a ```{lang} fence"),
                    ),
                    Context::Prose => (
                        CallFormat::BareJson,
                        "JSON tool call after prose, with no <tool_call> wrapper".to_string(),
                    ),
                };
                match json_call::interpret(value, format, &known) {
                    Ok(Some(calls)) => {
                        out.notes.push(note);
                        super::big_int::note(&rest[..len], &mut out.notes);
                        calls.into_iter().for_each(|c| out.add(c));
                    }
                    Ok(None) => {}
                    Err(e) => out.broken.push(format!("{note}: {e}")),
                }
                i += len;
            }
            Some(Err(e)) if attempted_call(rest) => {
                out.broken.push(format!(
                    "JSON tool call is not valid JSON at line {} column {} of it: {e}",
                    e.line(),
                    e.column()
                ));
                return;
            }
            _ => i += 1,
        }
    }
}

/// A JSON call that does not parse: it opens like a call object and names
/// `name` with `arguments` / `parameters` before the next tag, fence or
/// blank line.
fn attempted_call(rest: &str) -> bool {
    let start = rest.trim_start_matches(['[', ' ', '\n', '\t', '\r']);
    if !start.starts_with('{') || !start[1..].trim_start().starts_with('"') {
        return false;
    }
    let end = ["</", "```", "\n\n"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap_or(rest.len());
    let window = &rest[..end];
    // `"name": "…"`: a real name, not a placeholder (`"name": ...`).
    let named = window.match_indices("\"name\"").any(|(i, m)| {
        window[i + m.len()..]
            .trim_start()
            .strip_prefix(':')
            .is_some_and(|v| v.trim_start().starts_with('"'))
    });
    named && (window.contains("\"arguments\"") || window.contains("\"parameters\""))
}
