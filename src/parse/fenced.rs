//! Markdown code fences: ```json holding `{"name", "arguments"}` (or a list,
//! or OpenAI `tool_calls`) is a call (Punie Phase 8 and earlier); a
//! ```python fence calling a tool directly is a broken call — the tool
//! never runs outside `execute_code`.

use super::code_mode;
use super::collect::Collector;
use super::depth;
use super::json_call;
use super::verdict::CallFormat;
use crate::schema::Toolset;

pub(crate) struct Fence<'a> {
    pub lang: String,
    pub body: &'a str,
    pub closed: bool,
}

/// Splits Markdown into fences and the prose around them.
pub(crate) fn split(text: &str) -> (Vec<Fence<'_>>, String) {
    let mut fences = Vec::new();
    let mut prose = String::new();
    let mut open: Option<(String, usize)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let t = line.trim_start();
        match &open {
            None if t.starts_with("```") => {
                let lang = t
                    .trim_start_matches('`')
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_lowercase();
                open = Some((lang, offset));
            }
            None => prose.push_str(line),
            // Models often close a fence at the end of the last line
            // (`}```), which Markdown would not; accept it.
            Some((lang, body_start)) if line.trim_end().ends_with("```") => {
                let content = line.trim_end().trim_end_matches('`');
                fences.push(Fence {
                    lang: lang.clone(),
                    body: &text[*body_start..start + content.len()],
                    closed: true,
                });
                open = None;
            }
            Some(_) => {}
        }
    }
    if let Some((lang, body_start)) = open {
        fences.push(Fence {
            lang,
            body: &text[body_start.min(text.len())..],
            closed: false,
        });
    }
    (fences, prose)
}

/// JSON fences: calls, or broken calls. A fence labelled otherwise
/// (```` ```xml ````, ```` ```tool_call ````…) whose whole body is a JSON
/// call is a call too (noted); its JSON that does not parse is left to the
/// other detectors.
pub(crate) fn parse_json(fences: &[Fence<'_>], out: &mut Collector<'_>) {
    for fence in fences {
        let body = fence.body.trim();
        if !(body.starts_with('{') || body.starts_with('[')) {
            continue;
        }
        if matches!(fence.lang.as_str(), "json" | "jsonc" | "json5" | "") {
            json_fence(fence, body, out);
        } else if let Ok(value) = serde_json::from_str(body) {
            let tools = out.toolset;
            let known = |name: &str| Collector::known(tools, name);
            match json_call::interpret(value, CallFormat::FencedJson, &known) {
                Ok(Some(calls)) => {
                    out.notes.push(format!(
                        "JSON tool call in a ```{} fence (not ```json)",
                        fence.lang
                    ));
                    super::big_int::note(body, &mut out.notes);
                    calls.into_iter().for_each(|c| out.add(c));
                }
                Ok(None) => {}
                Err(e) => out.broken.push(format!("```{} fence: {e}", fence.lang)),
            }
        }
    }
}

/// Python fences that call tools, described ("a ```python fence calls
/// git_status()"). Whether that is a broken call or an example inside an
/// explanation is for the caller to decide from the prose around it.
pub(crate) fn python_calls(fences: &[Fence<'_>], toolset: &Toolset) -> Vec<String> {
    fences
        .iter()
        .filter(|f| matches!(f.lang.as_str(), "python" | "py" | "python3" | ""))
        .filter(|f| !f.body.trim_start().starts_with(['{', '[']))
        .filter_map(|f| python_fence(f, toolset))
        .collect()
}

fn json_fence(fence: &Fence<'_>, body: &str, out: &mut Collector<'_>) {
    let tools = out.toolset;
    let known = |name: &str| Collector::known(tools, name);
    match serde_json::from_str(body) {
        Ok(value) => match json_call::interpret(value, CallFormat::FencedJson, &known) {
            Ok(Some(calls)) => {
                super::big_int::note(body, &mut out.notes);
                if !fence.closed {
                    out.notes.push("```json fence is not closed".to_string());
                }
                calls.into_iter().for_each(|c| out.add(c));
            }
            Ok(None) => {}
            Err(e) => out.broken.push(format!("```json fence: {e}")),
        },
        Err(e) if json_call::looks_like_call(body) => out.broken.push(format!(
            "```json fence holds a tool call that is not valid JSON (line {} column {}: {e}){}",
            e.line(),
            e.column(),
            if fence.closed {
                ""
            } else {
                "; the fence is never closed (output truncated?)"
            }
        )),
        Err(_) => {}
    }
}

/// Tools called as plain Python in a fence. Parsed when it parses; a
/// fragment that does not is scanned for `tool(`.
fn python_fence(fence: &Fence<'_>, toolset: &Toolset) -> Option<String> {
    let parsed = code_mode::called_tools(fence.body, toolset);
    let too_deep = matches!(parsed, Err(code_mode::Unread::TooDeep));
    let mut called: Vec<String> = match parsed {
        Ok(names) => names,
        Err(_) => toolset
            .tools()
            .map(|t| t.name())
            .chain(toolset.code_mode().map(|c| c.tool.as_str()))
            .filter(|name| calls_by_text(fence.body, name))
            .map(str::to_string)
            .collect(),
    };
    called.dedup();
    let first = called.first()?;
    let lang = if fence.lang.is_empty() {
        "code"
    } else {
        &fence.lang
    };
    let also = if called.len() > 1 {
        format!(" (also: {})", called[1..].join(", "))
    } else {
        String::new()
    };
    let deep = if too_deep {
        format!(
            " ({}; its calls read as text)",
            depth::too_deep_note("the fence")
        )
    } else {
        String::new()
    };
    Some(format!("a ```{lang} fence calls {first}(){also}{deep}"))
}

fn calls_by_text(body: &str, name: &str) -> bool {
    body.match_indices(name).any(|(i, _)| {
        let before = body[..i].chars().next_back();
        let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
        let after = body[i + name.len()..].trim_start();
        let is_def = body[..i].trim_end().ends_with("def");
        boundary && !is_def && after.starts_with('(')
    })
}
