//! Per-query scoring: every expectation × verdict kind, with the reason.

use punie_eval::parse::{Call, CallFormat, Profile, Verdict, VerdictKind};
use punie_eval::schema::Fault;
use punie_eval::score::{score_query, Observed, QueryScore, Response};
use punie_eval::suite::Expect;
use serde_json::{json, Value};

fn expect(v: Value) -> Expect {
    Expect::from_value(&v).unwrap()
}

fn call(name: &str, args: Value, valid: bool) -> Call {
    Call {
        name: name.into(),
        arguments: args.as_object().cloned().unwrap_or_default(),
        valid,
        errors: if valid {
            vec![]
        } else {
            vec!["/path: \"path\" is a required property".into()]
        },
        fault: (!valid).then_some(Fault::MissingArgument),
        format: CallFormat::QwenJson,
        result_fields: vec![],
    }
}

fn verdict(kind: VerdictKind, calls: Vec<Call>) -> Verdict {
    Verdict {
        kind,
        calls,
        notes: vec![],
        thinking: None,
        profile: Profile::Strict,
    }
}

fn score(e: &Expect, v: &Verdict, text: &str) -> QueryScore {
    score_query(e, Response::Completed { verdict: v, text })
}

#[test]
fn right_tool_valid_args_passes_strictly() {
    let e = expect(json!({"tool": "typecheck", "args": {"path": {"regex": "app\\.py$"}}}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![call("typecheck", json!({"path": "src/app.py"}), true)],
    );
    let s = score(&e, &v, "");
    assert!(s.soft && s.strict && s.discrimination);
    assert_eq!(s.tool_name_correct, Some(true));
    assert_eq!(
        s.reason,
        "called typecheck with valid arguments meeting the argument expectations"
    );
}

#[test]
fn direct_answer_where_a_tool_was_expected() {
    let e = expect(json!({"tool": "typecheck"}));
    let v = verdict(VerdictKind::Direct, vec![]);
    let s = score(&e, &v, "Types look fine.");
    assert!(!s.soft && !s.strict && !s.discrimination);
    assert_eq!(s.observed, Observed::Direct);
    assert_eq!(
        s.reason,
        "expected a call to typecheck; got a direct answer"
    );
    assert_eq!(s.tool_name_correct, None);
}

#[test]
fn wrong_tool_is_soft_pass_strict_fail() {
    let e = expect(json!({"tool": "typecheck"}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![call("ruff_check", json!({"path": "."}), true)],
    );
    let s = score(&e, &v, "");
    assert!(s.soft && !s.strict);
    assert_eq!(s.tool_name_correct, Some(false));
    assert_eq!(s.reason, "expected a call to typecheck; called ruff_check");
}

#[test]
fn invalid_arguments_fail_strictly_with_schema_errors() {
    let e = expect(json!({"tool": "typecheck"}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![call("typecheck", json!({}), false)],
    );
    let s = score(&e, &v, "");
    assert!(s.soft && !s.strict);
    assert_eq!(s.tool_name_correct, Some(true));
    assert_eq!(
        s.reason,
        "called typecheck but its arguments are invalid: /path: \"path\" is a required property"
    );
}

#[test]
fn argument_expectation_miss_names_the_argument() {
    let e = expect(json!({"tool": "git_log", "args": {"count": 5}}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![call("git_log", json!({"path": ".", "count": 10}), true)],
    );
    let s = score(&e, &v, "");
    assert!(s.soft && !s.strict);
    assert_eq!(
        s.reason,
        "called git_log but argument `count` is 10, expected 5"
    );
}

#[test]
fn any_and_all_matching() {
    let any = expect(json!({"tool": ["find_references", "workspace_symbols"], "match": "any"}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![
            call("read_file", json!({"path": "a.py"}), true),
            call("workspace_symbols", json!({"query": "Protocol"}), true),
        ],
    );
    let s = score(&any, &v, "");
    assert!(s.strict, "{}", s.reason);
    assert_eq!(
        s.reason,
        "called workspace_symbols with valid arguments (also called read_file)"
    );

    let all = expect(json!({"tool": ["typecheck", "ruff_check"], "match": "all"}));
    let one = verdict(
        VerdictKind::ToolCall,
        vec![call("typecheck", json!({"path": "src"}), true)],
    );
    let s = score(&all, &one, "");
    assert!(s.soft && !s.strict);
    assert_eq!(s.tool_name_correct, Some(false));
    assert_eq!(
        s.reason,
        "expected calls to all of typecheck, ruff_check; missing ruff_check (called typecheck)"
    );
    let both = verdict(
        VerdictKind::ToolCall,
        vec![
            call("ruff_check", json!({"path": "src"}), true),
            call("typecheck", json!({"path": "src"}), true),
        ],
    );
    assert!(score(&all, &both, "").strict);
}

#[test]
fn a_later_call_of_the_same_tool_can_satisfy() {
    let e = expect(json!({"tool": "read_file", "args": {"path": "b.py"}}));
    let v = verdict(
        VerdictKind::ToolCall,
        vec![
            call("read_file", json!({"path": "a.py"}), true),
            call("read_file", json!({"path": "b.py"}), true),
        ],
    );
    assert!(score(&e, &v, "").strict);
}

#[test]
fn malformed_call_is_never_an_abstention() {
    let direct = expect(json!("direct"));
    let mut v = verdict(VerdictKind::MalformedCall, vec![]);
    v.notes.push("unclosed <tool_call>".into());
    let s = score(&direct, &v, "<tool_call>{\"name\": ");
    assert!(!s.soft && !s.strict && !s.discrimination);
    assert_eq!(
        s.reason,
        "expected a direct answer; tried to call a tool but broke the format (unclosed \
         <tool_call>) — a broken call is never an abstention"
    );
    // Where a tool was expected, the decision was right but the output unusable.
    let tool = expect(json!({"tool": "typecheck"}));
    let s = score(&tool, &v, "");
    assert!(s.discrimination && !s.soft && !s.strict);
}

#[test]
fn promise_is_a_decision_to_call_without_a_call() {
    let v = verdict(VerdictKind::Promise, vec![]);
    let s = score(
        &expect(json!({"tool": "typecheck"})),
        &v,
        "I'll run the type checker.",
    );
    assert!(s.discrimination && !s.soft);
    assert_eq!(
        s.reason,
        "expected a call to typecheck; promised a tool action in prose without calling one"
    );
    let s = score(&expect(json!("direct")), &v, "I'll run the type checker.");
    assert!(!s.discrimination && !s.soft);
}

#[test]
fn direct_expected_and_tool_called() {
    let v = verdict(
        VerdictKind::ToolCall,
        vec![call("ruff_check", json!({"path": "."}), true)],
    );
    let s = score(&expect(json!("direct")), &v, "");
    assert!(!s.soft && !s.strict && !s.discrimination);
    assert_eq!(s.reason, "expected a direct answer; called ruff_check");
}

#[test]
fn any_tool_needs_one_valid_call() {
    let e = expect(json!("any_tool"));
    let ok = verdict(
        VerdictKind::ToolCall,
        vec![call("git_status", json!({"path": "."}), true)],
    );
    assert!(score(&e, &ok, "").strict);
    let bad = verdict(
        VerdictKind::ToolCall,
        vec![call("git_status", json!({}), false)],
    );
    let s = score(&e, &bad, "");
    assert!(s.soft && !s.strict);
    assert!(s
        .reason
        .starts_with("called git_status but its arguments are invalid"));
}

#[test]
fn ask_needs_a_visible_question() {
    let e = expect(json!("ask"));
    let v = verdict(VerdictKind::Direct, vec![]);
    let s = score(&e, &v, "Which bug do you mean? Can you share the error?");
    assert!(s.soft && s.strict);
    let s = score(&e, &v, "<think>which bug?</think>I fixed it.");
    assert!(
        s.soft && !s.strict,
        "a question inside <think> is not asked"
    );
    assert_eq!(
        s.reason,
        "expected a clarifying question; answered directly without asking one"
    );
}

#[test]
fn missing_completion_fails_with_its_cause() {
    let s = score_query(
        &expect(json!("direct")),
        Response::Missing("no transcript for this query in t.jsonl"),
    );
    assert_eq!(s.observed, Observed::NoCompletion);
    assert!(!s.soft && !s.strict && !s.discrimination);
    assert_eq!(
        s.reason,
        "expected a direct answer; no completion (no transcript for this query in t.jsonl)"
    );
}
