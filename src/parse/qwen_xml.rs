//! Qwen3-Coder XML calls: `<function=NAME><parameter=P>value</parameter>…
//! </function>`, with or without the `<tool_call>` wrapper. Values are
//! text; they are converted by the schema's declared property types the
//! way Qwen3-Coder's own parser does (vLLM / mlx-lm `qwen3_coder`),
//! including its fallback to Python literals.

use super::big_int;
use super::code_mode;
use super::collect::Collector;
use super::json_call::RawCall;
use super::verdict::CallFormat;
use crate::schema::{JsonType, ToolSchema};
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

use super::tag::{FUNCTION, FUNCTION_END, PARAMETER, PARAMETER_END};

/// Parses every `<function=…>` in `text`. `wrapped`: inside `<tool_call>`.
pub(crate) fn parse(text: &str, wrapped: bool, out: &mut Collector<'_>) {
    let mut rest = text;
    while let Some(start) = FUNCTION.find(rest) {
        let after = &rest[start + FUNCTION.text.len()..];
        // The name ends at `>` on its own line; a `<` or a line break
        // first means the `>` is missing (the name must not run on into
        // the parameters).
        let Some(gt) = tag_name_end(after) else {
            out.broken.push(format!(
                "`{}` has no closing `>` after the function name",
                snippet(&rest[start..])
            ));
            rest = after;
            continue;
        };
        let name = clean_name(&after[..gt]);
        let body_and_rest = &after[gt + 1..];
        let Some((end, resume, drift)) = function_end(body_and_rest) else {
            let next = FUNCTION.find(body_and_rest);
            let why = if next.is_some() {
                "; another <function= starts before it closes"
            } else {
                " (output truncated?)"
            };
            // Lenient: the body runs to the next <function= or the end of
            // the text, as the engines' parsers read it.
            let what = format!("<function={name}> is never closed with </function>{why}");
            if !out.recoverable(
                what,
                "read up to the next <function= or the end of the text",
            ) {
                return;
            }
            let end = next.unwrap_or(body_and_rest.len());
            if name.is_empty() {
                out.broken
                    .push("<function=> has an empty function name".to_string());
            } else {
                if let Some(arguments) = call_body(&body_and_rest[..end], &name, "<function=", out)
                {
                    out.add(RawCall {
                        name,
                        arguments,
                        format: CallFormat::QwenXml,
                        rejected: None,
                        notes: Vec::new(),
                    });
                }
            }
            rest = &body_and_rest[end..];
            continue;
        };
        if let Some(drift) = drift {
            out.notes.push(format!(
                "<function={name}> is closed with `{drift}` instead of </function>"
            ));
        }
        if name.is_empty() {
            out.broken
                .push("<function=> has an empty function name".to_string());
        } else {
            if !wrapped {
                out.notes
                    .push(format!("<function={name}> is not wrapped in <tool_call>"));
            }
            if let Some(arguments) = call_body(&body_and_rest[..end], &name, "<function=", out) {
                out.add(RawCall {
                    name,
                    arguments,
                    format: CallFormat::QwenXml,
                    rejected: None,
                    notes: Vec::new(),
                });
            }
        }
        rest = &body_and_rest[resume..];
    }
}

/// Where a function body ends: `(body end, resume at, drifted end tag)`.
/// `None` when it never closes, or a second `<function=` starts first.
fn function_end(s: &str) -> Option<(usize, usize, Option<&'static str>)> {
    let next_function = FUNCTION.find(s).unwrap_or(s.len());
    if let Some(i) = FUNCTION_END.find(s) {
        return (i < next_function).then_some((i, i + FUNCTION_END.text.len(), None));
    }
    // `</function` cut before its `>`.
    let i = s.find("</function")?;
    let tail = &s[i + "</function".len()..];
    (i < next_function && (tail.is_empty() || tail.starts_with(['\n', '\r', '<', ' '])))
        .then_some((i, i + "</function".len(), Some("</function")))
}

/// The `>` that closes a tag name, if it comes before any `<` or line break.
fn tag_name_end(s: &str) -> Option<usize> {
    let i = s.find(['>', '<', '\n'])?;
    (s.as_bytes()[i] == b'>').then_some(i)
}

/// A tag's name without surrounding space or quotes (`<function="x">`).
fn clean_name(s: &str) -> String {
    s.trim().trim_matches(['"', '\'']).trim().to_string()
}

fn snippet(s: &str) -> String {
    let cut: String = s.chars().take(40).collect();
    cut.replace('\n', "\\n")
}

/// The arguments of one call from its body: `<parameter=P>` (or
/// `<parameter name="P">`) tags; failing those, a JSON object (noted — the
/// template asks for tags, but the arguments are there); an empty body is
/// a call with no arguments. `None` (and a `broken` entry) when the body
/// is something else. `open` names the tag in notes (`<function=`).
pub(crate) fn call_body(
    body: &str,
    function: &str,
    open: &str,
    out: &mut Collector<'_>,
) -> Option<Map<String, Value>> {
    if next_parameter(body).is_some() {
        return Some(parameters(body, function, out));
    }
    let t = body.trim();
    if t.is_empty() {
        return Some(Map::new());
    }
    let shown = if open == "<function=" {
        format!("<function={function}>")
    } else {
        format!("{open}\"{function}\">")
    };
    if t.starts_with('{') {
        let parsed = lenient_json(t).map(|v| (v, false)).or_else(|| {
            code_mode::python_literal(t)
                .filter(Value::is_object)
                .map(|v| (v, true))
        });
        return match parsed {
            Some((Value::Object(mut m), python)) => {
                // A whole call object inside the tag: unwrap its arguments.
                if m.get("name").and_then(Value::as_str) == Some(function) {
                    if let Some(Value::Object(args)) =
                        m.remove("arguments").or_else(|| m.remove("parameters"))
                    {
                        m = args;
                    }
                }
                out.notes.push(format!(
                    "{shown} holds its arguments as a {} object instead of <parameter=…> tags",
                    if python { "Python dict" } else { "JSON" }
                ));
                if !python {
                    big_int::note(t, &mut out.notes);
                }
                Some(m)
            }
            _ => {
                let why = match serde_json::from_str::<Value>(t) {
                    Err(e) => format!(
                        "not valid JSON at line {} column {}: {e}",
                        e.line(),
                        e.column()
                    ),
                    Ok(_) => "not a JSON object".to_string(),
                };
                out.broken.push(format!(
                    "{shown} holds no <parameter=…> tags and its body is {why}"
                ));
                None
            }
        };
    }
    out.broken.push(format!(
        "{shown} holds neither <parameter=…> tags nor a JSON object: starts with {:?}",
        snippet(t)
    ));
    None
}

/// The next parameter tag: `(tag start, name start)`. Both `<parameter=P>`
/// and `<parameter name="P">` count.
fn next_parameter(s: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = PARAMETER.find(&s[from..]) {
        let at = from + i;
        let tail = &s[at + PARAMETER.text.len()..];
        if tail.starts_with('=') {
            return Some((at, at + PARAMETER.text.len() + 1));
        }
        let spaced = tail.trim_start_matches([' ', '\t']);
        if spaced.len() < tail.len() {
            if let Some(name) = spaced.strip_prefix("name=") {
                return Some((at, s.len() - name.len()));
            }
        }
        from = at + PARAMETER.text.len();
    }
    None
}

/// Case-insensitive find of an ASCII needle given in lower case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

fn parameters(body: &str, function: &str, out: &mut Collector<'_>) -> Map<String, Value> {
    let tool = out.toolset.get(function);
    let mut arguments = Map::new();
    // Notes of this body, each once with its count: thousands of unclosed
    // or repeated tags give one line each, not thousands.
    let mut notes = Vec::new();
    let mut rest = body;
    while let Some((start, name_start)) = next_parameter(rest) {
        let after = &rest[name_start..];
        let Some(gt) = tag_name_end(after) else {
            out.broken.push(format!(
                "<function={function}>: `{}` has no closing `>`",
                snippet(&rest[start..])
            ));
            break;
        };
        let name = clean_name(&after[..gt]);
        let value_and_rest = &after[gt + 1..];
        let next_open = next_parameter(value_and_rest).map(|(s, _)| s);
        // The end tag; drifted forms (`</parameter1>`,
        // `</parameter_function>`, `</parameter` without `>`) end the value
        // too, noted, instead of leaking into it.
        // The exact tag wins, so that a value may hold `</param>` (HTML).
        // Both are looked for only up to the next parameter tag: searching
        // the whole rest from every unclosed tag was quadratic (issue #15:
        // 2.2 MB of unclosed tags took 85 s).
        let window = &value_and_rest[..next_open.unwrap_or(value_and_rest.len())];
        let close = PARAMETER_END
            .find(window)
            .or_else(|| find_ascii_ci(window, "</param"));
        let (raw, next) = match close {
            Some(c) => {
                let tag_tail = &value_and_rest[c + 2..];
                let (tag, resume) = match tag_tail.find(['>', '<', '\n']) {
                    Some(j) if tag_tail.as_bytes()[j] == b'>' => {
                        (&value_and_rest[c..c + 2 + j + 1], c + 2 + j + 1)
                    }
                    Some(j) => (&value_and_rest[c..c + 2 + j], c + 2 + j),
                    None => (&value_and_rest[c..], value_and_rest.len()),
                };
                if tag != PARAMETER_END.text {
                    notes.push(format!(
                        "<function={function}>: <parameter={name}> is closed with `{}` instead of </parameter>",
                        tag.trim_end()
                    ));
                }
                (&value_and_rest[..c], &value_and_rest[resume..])
            }
            None => {
                // Like Qwen3-Coder's parser, a missing </parameter> ends the
                // value at the next parameter or at </function> (noted).
                notes.push(format!(
                    "<function={function}>: <parameter={name}> is not closed with </parameter>"
                ));
                let end = next_open.unwrap_or(value_and_rest.len());
                (&value_and_rest[..end], &value_and_rest[end..])
            }
        };
        let value = convert(strip_newline(raw), tool, &name, function, &mut notes);
        if arguments.insert(name.clone(), value).is_some() {
            notes.push(format!(
                "<function={function}>: <parameter={name}> given twice; the last one counts"
            ));
        }
        rest = next;
    }
    out.notes.extend(counted(notes));
    arguments
}

/// Each distinct note once, in order of first appearance, with `(N times)`
/// when it repeats.
fn counted(notes: Vec<String>) -> Vec<String> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut merged: Vec<(String, usize)> = Vec::new();
    for note in notes {
        match index.get(&note) {
            Some(&i) => merged[i].1 += 1,
            None => {
                index.insert(note.clone(), merged.len());
                merged.push((note, 1));
            }
        }
    }
    merged
        .into_iter()
        .map(|(note, n)| {
            if n > 1 {
                format!("{note} ({n} times)")
            } else {
                note
            }
        })
        .collect()
}

/// Qwen3-Coder puts values on their own lines; its parser strips exactly
/// one leading and one trailing newline.
fn strip_newline(raw: &str) -> &str {
    let s = raw.strip_prefix('\n').unwrap_or(raw);
    s.strip_suffix('\n').unwrap_or(s)
}

/// Converts a value by the property's declared types: a union (`anyOf`,
/// `oneOf`, a type list) tries each type in declared order and the first
/// that reads the value wins (as vLLM takes the first non-null type, but
/// without giving up when it does not fit). Unknown tools and undeclared or untyped parameters (and so the
/// code-mode wrapper's Python) stay text.
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
    let wanted: Vec<JsonType> = types
        .iter()
        .copied()
        .filter(|t| *t != JsonType::Null)
        .collect();
    if wanted.is_empty() {
        return Value::String(text.to_string());
    }
    let trimmed = text.trim();
    if trimmed == "None" && !wanted.contains(&JsonType::String) {
        return Value::Null;
    }
    let mut python = false;
    for target in &wanted {
        let converted = match target {
            JsonType::String => return Value::String(text.to_string()),
            JsonType::Integer => integer(trimmed, function, param, notes),
            JsonType::Number => integer(trimmed, function, param, notes).or_else(|| float(trimmed)),
            JsonType::Boolean => match trimmed.to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            JsonType::Object | JsonType::Array => {
                let want_object = *target == JsonType::Object;
                let fits = |v: &Value| {
                    if want_object {
                        v.is_object()
                    } else {
                        v.is_array()
                    }
                };
                lenient_json(trimmed).filter(fits).or_else(|| {
                    let v = code_mode::python_literal(trimmed).filter(fits)?;
                    python = true;
                    Some(v)
                })
            }
            JsonType::Null => None,
        };
        if let Some(v) = converted {
            if matches!(target, JsonType::Object | JsonType::Array) && !python {
                big_int::note(trimmed, notes);
            }
            if python {
                notes.push(format!(
                    "<function={function}>: <parameter={param}> value is a Python literal, read as {v}"
                ));
            }
            return v;
        }
    }
    let expected = wanted
        .iter()
        .map(|t| format!("{t:?}"))
        .collect::<Vec<_>>()
        .join(" or ");
    notes.push(format!(
        "<function={function}>: <parameter={param}> value {trimmed:?} is not a valid {expected}; kept as text",
    ));
    Value::String(text.to_string())
}

/// An integer, exact to 64 bits (signed or unsigned); an integral float
/// (`5.0`) as its integer; a longer one as the nearest float, noted.
fn integer(text: &str, function: &str, param: &str, notes: &mut Vec<String>) -> Option<Value> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(Value::from(u));
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        let f = text.parse::<f64>().ok()?;
        notes.push(format!(
            "<function={function}>: <parameter={param}> integer {text} does not fit in 64 bits; read as {f:e} (precision lost)"
        ));
        return Number::from_f64(f).map(Value::Number);
    }
    let f = float_value(text)?;
    (f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15).then(|| Value::from(f as i64))
}

fn float_value(text: &str) -> Option<f64> {
    // Rust also reads "inf" and "NaN"; JSON has neither.
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn float(text: &str) -> Option<Value> {
    Number::from_f64(float_value(text)?).map(Value::Number)
}

/// JSON, also when its strings hold raw line breaks or tabs (Python's
/// `json.loads(strict=False)`, which the reference parsers use).
fn lenient_json(text: &str) -> Option<Value> {
    match serde_json::from_str(text) {
        Ok(v) => Some(v),
        Err(_) if text.contains(['\n', '\r', '\t']) => {
            let mut escaped = String::with_capacity(text.len() + 16);
            let (mut in_string, mut backslash) = (false, false);
            for c in text.chars() {
                match c {
                    '\n' if in_string => escaped.push_str("\\n"),
                    '\r' if in_string => escaped.push_str("\\r"),
                    '\t' if in_string => escaped.push_str("\\t"),
                    _ => escaped.push(c),
                }
                if in_string && c == '\\' {
                    backslash = !backslash;
                    continue;
                }
                if c == '"' && !backslash {
                    in_string = !in_string;
                }
                backslash = false;
            }
            serde_json::from_str(&escaped).ok()
        }
        Err(_) => None,
    }
}
