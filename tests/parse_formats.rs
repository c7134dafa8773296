//! Every call format, every malformed variant, promises and direct answers.

use punie_eval::parse::{classify, CallFormat, Verdict, VerdictKind};
use punie_eval::schema::Toolset;
use serde_json::json;
use std::sync::LazyLock;

static TOOLS: LazyLock<Toolset> = LazyLock::new(Toolset::punie_default);

fn v(completion: &str) -> Verdict {
    classify(completion, &TOOLS)
}

fn names(verdict: &Verdict) -> Vec<&str> {
    verdict.calls.iter().map(|c| c.name.as_str()).collect()
}

fn assert_malformed(completion: &str, note_part: &str) {
    let verdict = v(completion);
    assert_eq!(
        verdict.kind,
        VerdictKind::MalformedCall,
        "{completion:?} → {verdict:?}"
    );
    assert!(
        verdict.notes.iter().any(|n| n.contains(note_part)),
        "expected a note containing {note_part:?}, got {:?}",
        verdict.notes
    );
}

// ---- Qwen3 / Hermes JSON in <tool_call> ----

#[test]
fn qwen_json_single_call() {
    let verdict = v(
        "<tool_call>\n{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src/\"}}\n</tool_call>",
    );
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    let call = &verdict.calls[0];
    assert_eq!(call.name, "typecheck");
    assert_eq!(call.format, CallFormat::QwenJson);
    assert_eq!(call.arguments["path"], json!("src/"));
    assert!(call.valid, "{:?}", call.errors);
}

#[test]
fn qwen_json_several_calls_in_order() {
    let verdict = v(concat!(
        "<tool_call>\n{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}\n</tool_call>\n",
        "<tool_call>\n{\"name\": \"git_diff\", \"arguments\": {\"path\": \".\", \"staged\": true}}\n</tool_call>"
    ));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(names(&verdict), ["git_status", "git_diff"]);
    assert!(verdict.calls.iter().all(|c| c.valid));
}

#[test]
fn qwen_json_with_prose_preamble_is_a_call() {
    let verdict = v("I'll run the type checker.\n<tool_call>{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src\"}}</tool_call>");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
}

#[test]
fn qwen_json_arguments_as_string_are_decoded() {
    let verdict = v("<tool_call>{\"name\": \"read_file\", \"arguments\": \"{\\\"path\\\": \\\"a.py\\\"}\"}</tool_call>");
    assert_eq!(verdict.calls[0].arguments["path"], json!("a.py"));
    assert!(verdict.calls[0].valid);
}

#[test]
fn unclosed_tool_call_is_malformed() {
    assert_malformed(
        "<tool_call>\n{\"name\": \"typecheck\", \"arguments\": {\"path\": \"sr",
        "never closed with </tool_call>",
    );
}

#[test]
fn bad_json_inside_tool_call_is_malformed() {
    assert_malformed(
        "<tool_call>\n{\"name\": \"typecheck\", \"arguments\": {\"path\": src/}}\n</tool_call>",
        "bad JSON inside <tool_call> at line 1",
    );
}

#[test]
fn empty_tool_call_is_malformed() {
    assert_malformed("<tool_call>\n</tool_call>", "empty <tool_call>");
}

#[test]
fn json_without_name_in_tool_call_is_malformed() {
    assert_malformed(
        "<tool_call>{\"tool\": \"typecheck\"}</tool_call>",
        "is not a call",
    );
}

#[test]
fn tool_call_with_neither_json_nor_xml_is_malformed() {
    assert_malformed(
        "<tool_call>typecheck src/</tool_call>",
        "holds neither JSON nor <function=",
    );
}

#[test]
fn stray_closing_tag_is_malformed() {
    assert_malformed(
        "{\"name\": \"typecheck\"}</tool_call>",
        "without an opening <tool_call>",
    );
}

// ---- Qwen3-Coder XML ----

#[test]
fn qwen_xml_values_converted_by_schema_types() {
    let verdict = v(concat!(
        "<tool_call>\n<function=goto_definition>\n",
        "<parameter=file_path>\nsrc/a.py\n</parameter>\n",
        "<parameter=line>\n20\n</parameter>\n",
        "<parameter=column>\n8\n</parameter>\n",
        "<parameter=symbol>\nparse_response\n</parameter>\n",
        "</function>\n</tool_call>"
    ));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    let call = &verdict.calls[0];
    assert_eq!(call.format, CallFormat::QwenXml);
    assert_eq!(
        serde_json::Value::Object(call.arguments.clone()),
        json!({"file_path": "src/a.py", "line": 20, "column": 8, "symbol": "parse_response"})
    );
    assert!(call.valid, "{:?}", call.errors);
}

#[test]
fn qwen_xml_boolean_and_string_verbatim() {
    let verdict = v("<tool_call><function=git_diff><parameter=path>\n.\n</parameter><parameter=staged>\nTrue\n</parameter></function></tool_call>");
    assert_eq!(verdict.calls[0].arguments["staged"], json!(true));
    // Only one leading and one trailing newline are stripped.
    let verdict = v("<tool_call><function=write_file><parameter=path>a.py</parameter><parameter=content>\n\nx = 1\n\n</parameter></function></tool_call>");
    assert_eq!(verdict.calls[0].arguments["content"], json!("\nx = 1\n"));
}

#[test]
fn qwen_xml_array_parameter_parsed_as_json() {
    let verdict = v("<tool_call><function=run_command><parameter=command>ls</parameter><parameter=args>[\"-la\"]</parameter></function></tool_call>");
    assert_eq!(verdict.calls[0].arguments["args"], json!(["-la"]));
    assert!(verdict.calls[0].valid);
}

#[test]
fn qwen_xml_unconvertible_value_stays_text_and_fails_schema() {
    let verdict = v("<tool_call><function=git_log><parameter=path>.</parameter><parameter=count>ten</parameter></function></tool_call>");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    let call = &verdict.calls[0];
    assert_eq!(call.arguments["count"], json!("ten"));
    assert!(!call.valid);
    assert!(
        call.errors.iter().any(|e| e.starts_with("/count:")),
        "{:?}",
        call.errors
    );
}

#[test]
fn qwen_xml_without_wrapper_is_a_call_with_a_note() {
    let verdict = v("<function=typecheck>\n<parameter=path>\nsrc/\n</parameter>\n</function>");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("not wrapped in <tool_call>")));
}

#[test]
fn qwen_xml_function_never_closed_is_malformed() {
    assert_malformed(
        "<function=typecheck>\n<parameter=path>\nsrc/",
        "never closed with </function>",
    );
    assert_malformed(
        "<tool_call>\n<function=typecheck>\n</tool_call>",
        "never closed with </function>",
    );
}

#[test]
fn qwen_xml_function_name_not_terminated_is_malformed() {
    assert_malformed(
        "<tool_call><function=typecheck</tool_call>",
        "has no closing `>` after the function name",
    );
}

#[test]
fn qwen_xml_missing_parameter_close_is_tolerated_with_note() {
    let verdict = v(
        "<tool_call><function=git_log><parameter=path>.<parameter=count>5</function></tool_call>",
    );
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(verdict.calls[0].arguments["count"], json!(5));
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("not closed with </parameter>")));
}

// ---- Code mode ----

fn code(python: &str) -> String {
    format!("<tool_call><function=execute_code>\n<parameter=code>\n{python}\n</parameter>\n</function></tool_call>")
}

#[test]
fn code_mode_binds_positional_and_keyword_arguments() {
    let verdict = v(&code(
        "result = find_references(\"src/a.py\", 45, 20, \"transform_data\")\nlog = git_log(\".\", count=5)\nprint(result.reference_count)",
    ));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(names(&verdict), ["find_references", "git_log"]);
    let refs = &verdict.calls[0];
    assert_eq!(refs.format, CallFormat::CodeMode);
    assert_eq!(
        serde_json::Value::Object(refs.arguments.clone()),
        json!({"file_path": "src/a.py", "line": 45, "column": 20, "symbol": "transform_data"})
    );
    assert!(refs.valid);
    assert_eq!(refs.result_fields, ["reference_count"]);
    assert_eq!(verdict.calls[1].arguments["count"], json!(5));
}

#[test]
fn code_mode_records_attribute_access_in_all_forms() {
    let verdict = v(&code(concat!(
        "result = typecheck(\"src/\")\n",
        "if result.error_count > 0:\n",
        "    for e in result.errors[:3]:\n",
        "        print(e.message)\n",
        "print(ruff_check(\"src/\").violation_count)\n",
    )));
    assert_eq!(verdict.calls[0].result_fields, ["error_count", "errors"]);
    assert_eq!(verdict.calls[1].result_fields, ["violation_count"]);
}

#[test]
fn code_mode_unknown_result_field_is_noted() {
    let verdict = v(&code(
        "r = hover(\"a.py\", 1, 1, \"X\")\nprint(r.type_info)",
    ));
    assert!(
        verdict
            .notes
            .iter()
            .any(|n| n.contains("result has no field `type_info`")),
        "{:?}",
        verdict.notes
    );
}

#[test]
fn code_mode_calls_inside_functions_loops_and_comprehensions() {
    let verdict = v(&code(concat!(
        "def check(p):\n    return typecheck(p)\n",
        "for p in [\"src/\", \"tests/\"]:\n    check(p)\n",
        "files = [read_file(f) for f in [\"a.py\"]]\n",
    )));
    assert_eq!(names(&verdict), ["typecheck", "read_file"]);
}

#[test]
fn code_mode_non_literal_argument_is_marked_not_failed() {
    let verdict = v(&code(
        "r = workspace_symbols(\"X\")\nfor s in r.symbols:\n    print(read_file(s.file))",
    ));
    let read = verdict
        .calls
        .iter()
        .find(|c| c.name == "read_file")
        .expect("read_file call");
    assert_eq!(read.arguments["path"], json!({"$expr": "s.file"}));
    assert!(read.valid, "{:?}", read.errors);
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("`path` is the expression `s.file`")));
}

#[test]
fn code_mode_literal_kinds_become_json() {
    let verdict = v(&code(
        "run_command(\"ls\", args=[\"-l\", \"-a\"], cwd=None)\ngit_log(\".\", -1)",
    ));
    assert_eq!(verdict.calls[0].arguments["args"], json!(["-l", "-a"]));
    assert_eq!(verdict.calls[0].arguments["cwd"], json!(null));
    assert!(verdict.calls[0].valid);
    assert_eq!(verdict.calls[1].arguments["count"], json!(-1));
    assert!(!verdict.calls[1].valid, "count must be >= 1");
}

#[test]
fn code_mode_too_many_positional_arguments_is_invalid() {
    let verdict = v(&code("typecheck(\"src/\", \"extra\")"));
    assert!(!verdict.calls[0].valid);
    assert!(verdict.calls[0]
        .errors
        .iter()
        .any(|e| e.contains("takes 1 positional argument(s) but 2 were given")));
}

#[test]
fn code_mode_duplicate_argument_is_invalid() {
    let verdict = v(&code("typecheck(\"src/\", path=\"tests/\")"));
    assert!(verdict.calls[0]
        .errors
        .iter()
        .any(|e| e.contains("multiple values for argument 'path'")));
}

#[test]
fn code_mode_missing_required_argument_is_invalid() {
    let verdict = v(&code("goto_definition(\"a.py\", 3)"));
    let errors = &verdict.calls[0].errors;
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"column\" is a required property")),
        "{errors:?}"
    );
}

#[test]
fn code_mode_unknown_tool_is_an_invalid_call() {
    let verdict = v(&code("r = search_code(\"TokenManager\")\nprint(r)"));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    let call = &verdict.calls[0];
    assert_eq!(call.name, "search_code");
    assert!(!call.valid);
    assert!(
        call.errors[0].starts_with("unknown tool search_code; known: read_file, write_file"),
        "{:?}",
        call.errors
    );
}

#[test]
fn code_mode_local_helpers_and_builtins_are_not_tools() {
    let verdict = v(&code(
        "def summarize(r):\n    return len(r.errors)\nprint(summarize(typecheck(\"src\")))",
    ));
    assert_eq!(names(&verdict), ["typecheck"]);
}

#[test]
fn code_mode_syntax_error_is_malformed_with_position() {
    assert_malformed(
        &code("result = typecheck(\"src/\"\nprint(result)"),
        "Python syntax error at line",
    );
}

#[test]
fn code_mode_without_tools_is_a_wrapper_call_with_note() {
    let verdict = v(&code("print(1 + 1)"));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(names(&verdict), ["execute_code"]);
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("calls none of the toolset's tools")));
}

#[test]
fn code_mode_missing_code_parameter_is_malformed() {
    assert_malformed(
        "<tool_call><function=execute_code><parameter=source>x</parameter></function></tool_call>",
        "no string `code` parameter",
    );
}

#[test]
fn code_mode_in_qwen_json_is_unpacked_too() {
    let verdict = v("<tool_call>{\"name\": \"execute_code\", \"arguments\": {\"code\": \"git_status(\\\".\\\")\"}}</tool_call>");
    assert_eq!(names(&verdict), ["git_status"]);
    assert_eq!(verdict.calls[0].format, CallFormat::CodeMode);
}

#[test]
fn run_command_where_typed_tool_exists_is_flagged() {
    for (command, typed) in [
        ("git status", "git_status"),
        ("ruff check src/", "ruff_check"),
        ("uv run pytest tests/", "pytest_run"),
        ("cd repo && git log -n 5", "git_log"),
        ("mypy src", "typecheck"),
    ] {
        let verdict = v(&code(&format!("run_command({command:?})")));
        assert!(
            verdict
                .notes
                .iter()
                .any(|n| n.contains(&format!("typed tool {typed} exists"))),
            "{command}: {:?}",
            verdict.notes
        );
    }
    for fine in [
        "grep -r 'class Protocol' src/",
        "rg TODO",
        "ruff format src/",
        "cat a.py | grep x",
    ] {
        let verdict = v(&code(&format!("run_command({fine:?})")));
        assert!(
            !verdict.notes.iter().any(|n| n.contains("typed tool")),
            "{fine}: {:?}",
            verdict.notes
        );
    }
}

// ---- fences, bare JSON, OpenAI ----

#[test]
fn fenced_json_call() {
    let verdict = v("I'll use the read_file tool.\n\n```json\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"README.md\"}}\n```");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(verdict.calls[0].format, CallFormat::FencedJson);
    assert!(verdict.calls[0].valid);
}

#[test]
fn fenced_json_list_of_calls() {
    let verdict = v("```json\n[{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src\"}}, {\"name\": \"ruff_check\", \"arguments\": {\"path\": \"src\"}}]\n```");
    assert_eq!(names(&verdict), ["typecheck", "ruff_check"]);
}

#[test]
fn fenced_json_data_is_not_a_call() {
    let verdict =
        v("A config looks like this:\n```json\n{\"name\": \"demo\", \"version\": 2}\n```");
    assert_eq!(verdict.kind, VerdictKind::Direct);
}

#[test]
fn fenced_json_broken_or_truncated_is_malformed() {
    assert_malformed(
        "```json\n{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src\"\n```",
        "not valid JSON",
    );
    assert_malformed(
        "```json\n{\"name\": \"typecheck\", \"arguments\": {",
        "never closed",
    );
}

#[test]
fn python_fence_calling_a_tool_is_malformed() {
    assert_malformed(
        "```python\nresult = git_status(\".\")\nprint(result.files)\n```",
        "calls git_status() as plain code",
    );
    assert_malformed("```python\ngit_status(\n```", "calls git_status()");
}

#[test]
fn python_fence_without_tools_is_direct() {
    let verdict =
        v("Here is how:\n```python\nimport hashlib\nprint(hashlib.sha256(b'x').hexdigest())\n```");
    assert_eq!(verdict.kind, VerdictKind::Direct);
}

#[test]
fn bare_json_call() {
    let verdict = v("{\"name\": \"git_log\", \"arguments\": {\"path\": \".\", \"count\": 3}}");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(verdict.calls[0].format, CallFormat::BareJson);
    assert!(verdict.calls[0].valid);
}

#[test]
fn bare_json_truncated_is_malformed() {
    assert_malformed(
        "{\"name\": \"git_log\", \"arguments\": {\"path\": \".",
        "not valid JSON",
    );
}

#[test]
fn bare_json_data_is_direct() {
    assert_eq!(v("{\"answer\": 42}").kind, VerdictKind::Direct);
}

#[test]
fn openai_tool_calls_with_string_arguments() {
    let verdict = v(
        r#"{"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "hover", "arguments": "{\"file_path\": \"a.py\", \"line\": 3, \"column\": 5, \"symbol\": \"X\"}"}}]}"#,
    );
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(verdict.calls[0].format, CallFormat::OpenAi);
    assert_eq!(verdict.calls[0].arguments["line"], json!(3));
    assert!(verdict.calls[0].valid);
}

#[test]
fn openai_bare_array_and_bad_arguments() {
    let verdict = v(
        r#"[{"type": "function", "function": {"name": "git_status", "arguments": "{\"path\": \".\"}"}}]"#,
    );
    assert_eq!(names(&verdict), ["git_status"]);
    assert_malformed(
        r#"{"tool_calls": [{"function": {"name": "git_status", "arguments": "{\"path\": "}}]}"#,
        "not valid JSON",
    );
}

// ---- schema validation of calls ----

#[test]
fn unknown_tool_lists_known_tools() {
    let verdict = v("<tool_call>{\"name\": \"search\", \"arguments\": {}}</tool_call>");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert!(!verdict.calls[0].valid);
    assert!(verdict.calls[0].errors[0].contains("unknown tool search; known: read_file"));
}

#[test]
fn schema_error_classes_are_reported_with_pointers() {
    let cases = [
        (json!({}), "\"path\" is a required property"),
        (json!({"path": 3}), "/path: 3 is not of type \"string\""),
        (json!({"path": ""}), "/path:"),
        (
            json!({"path": ".", "verbose": true}),
            "Additional properties are not allowed",
        ),
        (
            json!({"path": ".", "count": 0}),
            "/count: 0 is less than the minimum of 1",
        ),
        (
            json!({"path": ".", "count": 2.5}),
            "/count: 2.5 is not of type \"integer\"",
        ),
    ];
    for (args, expected) in cases {
        let completion = format!(
            "<tool_call>{}</tool_call>",
            json!({"name": "git_log", "arguments": args})
        );
        let verdict = v(&completion);
        let call = &verdict.calls[0];
        assert!(!call.valid, "{args} should be invalid");
        assert!(
            call.errors.iter().any(|e| e.contains(expected)),
            "{args}: expected {expected:?} in {:?}",
            call.errors
        );
    }
}

// ---- thinking ----

#[test]
fn thinking_is_separated_and_never_parsed() {
    let verdict = v("<think>Maybe <tool_call>{\"name\": \"typecheck\"}</tool_call> would help? I'll run the tests.</think>\n\nA Protocol defines structural types.");
    assert_eq!(verdict.kind, VerdictKind::Direct);
    assert!(verdict.thinking.as_deref().unwrap_or("").contains("Maybe"));
}

#[test]
fn thinking_opened_by_the_prompt_then_call() {
    let verdict = v("The user wants types checked.\n</think>\n\n<tool_call>{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src\"}}</tool_call>");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(
        verdict.thinking.as_deref(),
        Some("The user wants types checked.")
    );
}

#[test]
fn truncated_inside_thinking_is_noted() {
    let verdict = v("<think>I should call typecheck(");
    assert_eq!(verdict.kind, VerdictKind::Direct);
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("ends inside <think>")));
}

// ---- promises vs direct answers ----

#[test]
fn promises_are_detected() {
    for text in [
        "I'll run the type checker.",
        "Let me check the git status",
        "Sure! I'll search the workspace for 'TokenManager'.",
        "I'll use document_symbols to get the file structure.",
        "I'll analyze the commit history.",
        "I'm going to look at src/app.py first.",
        "Okay, let me run the tests and report back.",
        "I'll handle that using the appropriate tool.",
    ] {
        let verdict = v(text);
        assert_eq!(verdict.kind, VerdictKind::Promise, "{text}");
        assert!(verdict
            .notes
            .iter()
            .any(|n| n.contains("promises a tool action")));
    }
}

#[test]
fn direct_answers_mentioning_tools_are_not_promises() {
    for text in [
        "goto_definition finds where a symbol is defined, while find_references finds all places where that symbol is used.",
        "Call goto_definition() and check the result.success field.",
        "I can certainly help you with that! However, I will need the data set to perform the calculations.",
        "Run a linter (ruff check) to find bugs, style violations, and code smells.",
        "Let me explain: a Protocol enables structural subtyping.",
        "Let's look at an example of a decorator.",
        "If you want, I'll run the tests for you.",
        "Use typecheck for structured type error data. Let me know if you need more.",
        "I'm sorry, but I'm unable to perform external tasks like ordering a pizza.",
    ] {
        assert_eq!(v(text).kind, VerdictKind::Direct, "{text}");
    }
}

#[test]
fn verdict_serializes_to_the_documented_shape() {
    let verdict =
        v("<tool_call>{\"name\": \"typecheck\", \"arguments\": {\"path\": \"src\"}}</tool_call>");
    let value = serde_json::to_value(&verdict).expect("serialize");
    assert_eq!(
        value,
        json!({"kind": "tool_call", "calls": [{"name": "typecheck", "arguments": {"path": "src"}, "valid": true, "errors": [], "format": "qwen_json"}], "profile": "strict"})
    );
}

#[test]
fn pathological_nesting_is_not_walked() {
    let deep = format!(
        "x = {}typecheck(\"src\"){}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    // Past the documented parse limit: a broken call naming the limit
    // (tests/parse_hardening.rs covers chains and every wrapper).
    assert_malformed(&code(&deep), "parse limit of 200 levels");
    // Deep JSON is refused by serde_json's recursion limit, as a broken call.
    let deep_json = format!(
        "<tool_call>{{\"name\": \"typecheck\", \"arguments\": {}1{}}}</tool_call>",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    assert_eq!(v(&deep_json).kind, VerdictKind::MalformedCall);
}

#[test]
fn python_fence_in_a_long_explanation_is_an_example() {
    let text = "Typed tools return Pydantic models instead of raw text, which enables structured access to \
                fields, type-checked code, and reliable automation instead of parsing strings. Compare the two \
                approaches below and note how the structured one reads a field directly:\n\
                ```python\nresult = goto_definition(\"src/app.py\", 15, 10, \"UserService\")\nprint(result.locations[0].file)\n```\n";
    let verdict = v(text);
    assert_eq!(verdict.kind, VerdictKind::Direct);
    assert!(verdict
        .notes
        .iter()
        .any(|n| n.contains("example inside an explanation")));
}

#[test]
fn json_fence_closed_on_the_last_line_is_accepted() {
    let verdict = v("I'll use the read_file tool.\n\n```json\n{\n  \"name\": \"read_file\",\n  \"arguments\": {\"path\": \"models.py\"}\n}```");
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert!(verdict.notes.is_empty(), "{:?}", verdict.notes);
}

#[test]
fn python_directly_in_tool_call_is_malformed() {
    assert_malformed(
        "<tool_call>result = goto_definition(\"a.py\", 1, 1, \"X\")\nprint(result.success)</tool_call>",
        "holds Python calling goto_definition without the <function=execute_code> wrapper",
    );
}
