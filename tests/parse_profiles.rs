//! Parse profiles (issue 13): strict refuses every format break; lenient
//! recovers what the serving engines recover. Each class of recovery has
//! a test named after it, and the profile is recorded in the verdict.

use punie_eval::parse::{classify, classify_with, Profile, Verdict, VerdictKind};
use punie_eval::schema::{Fault, Toolset};
use std::sync::LazyLock;

static TOOLS: LazyLock<Toolset> = LazyLock::new(Toolset::punie_default);

fn both(completion: &str) -> (Verdict, Verdict) {
    (
        classify_with(completion, &TOOLS, Profile::Strict),
        classify_with(completion, &TOOLS, Profile::Lenient),
    )
}

fn has_note(v: &Verdict, part: &str) -> bool {
    v.notes.iter().any(|n| n.contains(part))
}

#[test]
fn the_profile_is_recorded_and_strict_is_the_default() {
    let text =
        "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}</tool_call>";
    assert_eq!(classify(text, &TOOLS).profile, Profile::Strict);
    let (s, l) = both(text);
    assert_eq!(s.profile, Profile::Strict);
    assert_eq!(l.profile, Profile::Lenient);
    // A well-formed call is the same verdict under both.
    assert_eq!(s.kind, VerdictKind::ToolCall);
    assert_eq!((s.kind, &s.calls, &s.notes), (l.kind, &l.calls, &l.notes));
}

#[test]
fn unclosed_tool_call_is_parsed_to_the_end_only_when_lenient() {
    let text = "<tool_call>\n{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}";
    let (s, l) = both(text);
    assert_eq!(s.kind, VerdictKind::MalformedCall, "{s:?}");
    assert!(has_note(&s, "never closed"), "{s:?}");
    assert_eq!(l.kind, VerdictKind::ToolCall, "{l:?}");
    assert_eq!(l.calls[0].name, "git_status");
    assert!(l.calls[0].valid);
    assert!(
        has_note(&l, "lenient: parsed to the end of the text"),
        "{l:?}"
    );
    // Truncated inside the JSON: broken under both.
    let (s, l) = both("<tool_call>\n{\"name\": \"git_status\", \"argu");
    assert_eq!(s.kind, VerdictKind::MalformedCall);
    assert_eq!(l.kind, VerdictKind::MalformedCall, "{l:?}");
}

#[test]
fn unclosed_function_is_read_to_the_end_only_when_lenient() {
    let text = "<tool_call>\n<function=read_file>\n<parameter=path>\nsrc/a.py\n</parameter>\n";
    let (s, l) = both(text);
    assert_eq!(s.kind, VerdictKind::MalformedCall, "{s:?}");
    assert_eq!(l.kind, VerdictKind::ToolCall, "{l:?}");
    assert_eq!(l.calls[0].name, "read_file");
    assert_eq!(l.calls[0].arguments["path"], "src/a.py");
    // A second function before the first closes: each read up to the next.
    let text = "<function=git_status>\n<function=git_diff>\n</function>";
    let l = classify_with(text, &TOOLS, Profile::Lenient);
    let names: Vec<&str> = l.calls.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["git_status", "git_diff"], "{l:?}");
}

#[test]
fn broken_element_beside_valid_call_keeps_the_valid_call_when_lenient() {
    let text =
        "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}</tool_call>\n\
                <tool_call>{\"name\": \"git_diff\", \"argu</tool_call>";
    let (s, l) = both(text);
    assert_eq!(s.kind, VerdictKind::MalformedCall, "{s:?}");
    // Strict keeps the parsed call in `calls` (not hidden), but the verdict
    // is malformed.
    assert_eq!(s.calls.len(), 1);
    assert_eq!(l.kind, VerdictKind::ToolCall, "{l:?}");
    assert_eq!(l.calls.len(), 1);
    assert!(has_note(&l, "lenient: dropped a broken call"), "{l:?}");
    // Nothing parsed at all: malformed under lenient too.
    let l = classify_with(
        "<tool_call>{\"name\": \"git_diff\", \"argu</tool_call>",
        &TOOLS,
        Profile::Lenient,
    );
    assert_eq!(l.kind, VerdictKind::MalformedCall);
}

#[test]
fn non_object_arguments_are_an_invalid_call_when_lenient() {
    let text = "<tool_call>{\"name\": \"read_file\", \"arguments\": \"hello\"}</tool_call>";
    let (s, l) = both(text);
    assert_eq!(s.kind, VerdictKind::MalformedCall, "{s:?}");
    assert!(has_note(&s, "arguments of read_file"), "{s:?}");
    assert_eq!(l.kind, VerdictKind::ToolCall, "{l:?}");
    assert!(!l.calls[0].valid);
    assert_eq!(l.calls[0].fault, Some(Fault::UnreadableArguments));
    // A string holding an object is OpenAI's wire format: fine under both.
    let text = "<tool_call>{\"name\": \"read_file\", \"arguments\": \"{\\\"path\\\": \\\"a.py\\\"}\"}</tool_call>";
    let (s, l) = both(text);
    assert_eq!(s.kind, VerdictKind::ToolCall, "{s:?}");
    assert_eq!(s.calls, l.calls);
}

#[test]
fn missing_code_mode_wrapper_is_read_as_code_mode_when_lenient() {
    let tools = Toolset::open("punie-phase33").expect("built-in toolset");
    assert!(tools.code_mode().is_some());
    let text = "<tool_call>\nresult = typecheck(\"src/\")\nprint(result.error_count)\n</tool_call>";
    let s = classify_with(text, &tools, Profile::Strict);
    let l = classify_with(text, &tools, Profile::Lenient);
    assert_eq!(s.kind, VerdictKind::MalformedCall, "{s:?}");
    assert!(has_note(&s, "without the <function="), "{s:?}");
    assert_eq!(l.kind, VerdictKind::ToolCall, "{l:?}");
    assert_eq!(l.calls[0].name, "typecheck");
    assert!(has_note(&l, "lenient: read as code mode"), "{l:?}");
}

#[test]
fn unknown_tool_calls_carry_the_unknown_tool_fault() {
    let v = classify(
        "<tool_call>{\"name\": \"deploy\", \"arguments\": {}}</tool_call>",
        &TOOLS,
    );
    assert_eq!(v.calls[0].fault, Some(Fault::UnknownTool));
    let v = classify(
        "<tool_call>{\"name\": \"read_file\", \"arguments\": {}}</tool_call>",
        &TOOLS,
    );
    assert_eq!(v.calls[0].fault, Some(Fault::MissingArgument), "{v:?}");
    let v = classify(
        "<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": 3}}</tool_call>",
        &TOOLS,
    );
    assert_eq!(v.calls[0].fault, Some(Fault::WrongType), "{v:?}");
    let v = classify(
        "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\", \"colour\": true}}</tool_call>",
        &TOOLS,
    );
    assert_eq!(v.calls[0].fault, Some(Fault::UnknownArgument), "{v:?}");
    let v = classify(
        "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}</tool_call>",
        &TOOLS,
    );
    assert_eq!(v.calls[0].fault, None);
}

/// The engines' own test strings that punie-eval's strict profile
/// disagrees with on purpose: the lenient profile agrees with the engine on
/// the verdict kind for each of those about truncation, junk beside a call
/// and non-object arguments.
#[test]
fn lenient_profile_agrees_with_the_engines_on_their_recovered_cases() {
    let text = include_str!("fixtures/parse_peers.jsonl");
    let mut checked = 0;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let Some(policy) = case["policy"].as_str() else {
            continue;
        };
        if !policy.starts_with("strict:") {
            continue;
        }
        let tools = super::parse_field::peer_toolset(case["tools"].as_array().unwrap());
        let completion = case["completion"].as_str().unwrap();
        let strict = classify_with(completion, &tools, Profile::Strict);
        let lenient = classify_with(completion, &tools, Profile::Lenient);
        assert_eq!(strict.kind, VerdictKind::MalformedCall, "{}", case["test"]);
        assert!(case["expect"]["called"].as_bool().unwrap());
        assert_eq!(
            lenient.kind,
            VerdictKind::ToolCall,
            "{}: {lenient:?}",
            case["test"]
        );
        let want: Vec<&str> = case["expect"]["calls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        let got: Vec<&str> = lenient.calls.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(got, want, "{}", case["test"]);
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} strict-policy cases in the corpus"
    );
}
