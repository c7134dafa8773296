//! Issue 13: verdicts that agree with the field. One group of tests per
//! class of wrong verdict (named `classN_…`), each with its neighbours.

use punie_eval::parse::{classify, classify_with, CallFormat, Profile, Verdict, VerdictKind};
use punie_eval::schema::Toolset;
use serde_json::{json, Value};
use std::sync::LazyLock;

static TOOLS: LazyLock<Toolset> = LazyLock::new(Toolset::punie_default);

/// Tools in the shapes Pydantic / MCP servers / BFCL emit.
static FIELD: LazyLock<Toolset> = LazyLock::new(|| {
    let doc = json!({
        "name": "field",
        "tools": [
            {"x-tool-name": "get_time", "type": "object", "properties": {}},
            {"x-tool-name": "search", "type": "object",
             "properties": {
                "query": {"type": "string"},
                "limit": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": null},
                "filters": {"anyOf": [{"type": "object"}, {"type": "null"}]},
                "tags": {"oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]},
                "exact": {"anyOf": [{"type": "boolean"}, {"type": "null"}]},
                "page": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
                "ratio": {"type": ["number", "null"]},
                "sort": {"$ref": "#/$defs/Sort"},
                "mode": {"enum": ["fast", "full"]},
                "id": {"type": "integer"},
                "big": {"type": "number"}
             },
             "required": ["query"],
             "$defs": {"Sort": {"type": "object", "properties": {"key": {"type": "string"}}}}}
        ]
    });
    Toolset::from_json(&doc, "<field>").expect("field toolset")
});

fn v(completion: &str) -> Verdict {
    classify(completion, &TOOLS)
}

fn f(completion: &str) -> Verdict {
    classify(completion, &FIELD)
}

fn has_note(verdict: &Verdict, part: &str) -> bool {
    verdict.notes.iter().any(|n| n.contains(part))
}

#[track_caller]
fn assert_call(verdict: &Verdict, name: &str) {
    assert_eq!(verdict.kind, VerdictKind::ToolCall, "{verdict:#?}");
    assert_eq!(verdict.calls.len(), 1, "{verdict:#?}");
    assert_eq!(verdict.calls[0].name, name, "{verdict:#?}");
}

#[track_caller]
fn assert_malformed(verdict: &Verdict, part: &str) {
    assert_eq!(verdict.kind, VerdictKind::MalformedCall, "{verdict:#?}");
    assert!(
        has_note(verdict, part),
        "no note with {part:?}: {verdict:#?}"
    );
}

const GIT_LOG: &str = r#"{"name": "git_log", "arguments": {"path": ".", "count": 3}}"#;

// ---- class 1: attempted calls in other wrappers are calls, never `direct` ----

#[test]
fn class1_json_call_in_other_wrapper_tags_is_a_call() {
    for tag in [
        "tool",
        "tools",
        "response",
        "json",
        "xml",
        "function_call",
        "tool_use",
        "toolcall",
        "functioncall",
    ] {
        let verdict = v(&format!("<{tag}>\n{GIT_LOG}\n</{tag}>"));
        assert_call(&verdict, "git_log");
        assert!(verdict.calls[0].valid, "{verdict:#?}");
        assert_eq!(verdict.calls[0].arguments["count"], json!(3));
        assert!(
            has_note(&verdict, &format!("wrapped in `<{tag}>`")),
            "{verdict:#?}"
        );
    }
}

#[test]
fn class1_json_call_after_engine_markers_is_a_call() {
    for text in [
        format!("[TOOL_CALLS][{GIT_LOG}]"),
        format!("[TOOL_CALLS] {GIT_LOG}"),
        "<|python_tag|>{\"name\": \"git_log\", \"parameters\": {\"path\": \".\", \"count\": 3}}"
            .to_string(),
        format!("functools[{GIT_LOG}]"),
    ] {
        let verdict = v(&text);
        assert_call(&verdict, "git_log");
        assert!(has_note(&verdict, "wrapped in"), "{verdict:#?}");
    }
}

#[test]
fn class1_json_call_after_a_line_of_prose_is_a_call() {
    let verdict = v(&format!("Here is the tool call:\n{GIT_LOG}"));
    assert_call(&verdict, "git_log");
    assert_eq!(verdict.calls[0].format, CallFormat::BareJson);
    assert!(has_note(&verdict, "after prose"), "{verdict:#?}");
    // …and a list of calls after prose.
    let verdict = v(&format!("Sure.\n[{GIT_LOG}, {GIT_LOG}]"));
    assert_eq!(verdict.kind, VerdictKind::ToolCall);
    assert_eq!(verdict.calls.len(), 2);
}

#[test]
fn class1_xml_and_other_fences_holding_a_json_call_are_calls() {
    for lang in ["xml", "tool_call", "javascript", "text"] {
        let verdict = v(&format!("```{lang}\n{GIT_LOG}\n```"));
        assert_call(&verdict, "git_log");
        assert_eq!(verdict.calls[0].format, CallFormat::FencedJson);
        assert!(
            has_note(&verdict, &format!("```{lang} fence")),
            "{verdict:#?}"
        );
    }
    // A wrapper inside a fence.
    let verdict = v(&format!("```xml\n<tools>\n{GIT_LOG}\n</tools>\n```"));
    assert_call(&verdict, "git_log");
}

#[test]
fn class1_function_name_attribute_is_a_call() {
    let verdict = v(
        "<function name=\"read_file\">\n<parameter name=\"path\">src/a.py</parameter>\n</function>",
    );
    assert_call(&verdict, "read_file");
    assert_eq!(verdict.calls[0].arguments["path"], json!("src/a.py"));
    assert!(verdict.calls[0].valid, "{verdict:#?}");
    assert!(has_note(&verdict, "is not the <function=read_file> form"));

    let verdict = v(r#"<function name="git_log">{"path": ".", "count": 2}</function>"#);
    assert_call(&verdict, "git_log");
    assert_eq!(verdict.calls[0].arguments["count"], json!(2));

    // Neighbours: <invoke name=…> (values converted by schema type) and
    // single quotes, inside <tool_call> too.
    let verdict = v("<invoke name='git_log'><parameter name=\"path\">.</parameter><parameter name=\"count\">5</parameter></invoke>");
    assert_call(&verdict, "git_log");
    assert_eq!(verdict.calls[0].arguments["count"], json!(5));
    let verdict = v("<tool_call>\n<function name=\"git_status\"><parameter name=\"path\">.</parameter></function>\n</tool_call>");
    assert_call(&verdict, "git_status");
}

#[test]
fn class1_broken_calls_in_other_wrappers_are_malformed() {
    assert_malformed(
        &v("<tools>\n{\"name\": \"git_log\", \"arguments\": {\"path\": \".\"\n</tools>"),
        "not valid JSON",
    );
    assert_malformed(
        &v("Calling it:\n{\"name\": \"git_log\", \"arguments\": {\"path\": "),
        "not valid JSON",
    );
    assert_malformed(
        &v("<function name=\"git_log\"><parameter name=\"path\">."),
        "never closed",
    );
    assert_malformed(
        &v("<tools>{\"name\": \"git_log\", \"arguments\": [1]}</tools>"),
        "must be a JSON object",
    );
}

#[test]
fn class1_json_data_in_an_answer_stays_direct() {
    for text in [
        "The package file is {\"name\": \"app\", \"version\": \"1.0\"}.",
        "[{\"name\": \"Alice\"}, {\"name\": \"Bob\"}]",
        "Use a dict like {\"name\": \"x\", \"size\": 3} here.",
        "In Python: `d = {'name': 'x'}`.",
        "A call has the shape {\"name\": ..., \"arguments\": {...}}.",
    ] {
        let verdict = v(text);
        assert_eq!(verdict.kind, VerdictKind::Direct, "{text:?} → {verdict:#?}");
    }
}

// ---- found by llama.cpp's tests (tests/test-chat.cpp) ----

/// Apriel's `<tool_calls>[…]</tool_calls>` is a list wrapper like `<tools>`,
/// not a broken `<tool_call` tag; a real broken tag is still malformed.
#[test]
fn peer_llamacpp_tool_calls_wrapper_is_not_a_broken_tool_call_tag() {
    let verdict = v(&format!("<tool_calls>[{GIT_LOG}]</tool_calls>"));
    assert_call(&verdict, "git_log");
    assert!(
        has_note(&verdict, "wrapped in `<tool_calls>`"),
        "{verdict:#?}"
    );
    let verdict = v(&format!(
        "I'm\nthinking\n[BEGIN FINAL RESPONSE]\n<tool_calls>\n[{GIT_LOG}, {GIT_LOG}]\n</tool_calls>"
    ));
    assert_eq!(verdict.kind, VerdictKind::ToolCall, "{verdict:#?}");
    assert_eq!(verdict.calls.len(), 2, "{verdict:#?}");
    for broken in [
        format!("<tool_call {GIT_LOG}"),
        format!("<tool_call\n{GIT_LOG}"),
        "<tool_call".to_string(),
    ] {
        assert_malformed(&v(&broken), "malformed <tool_call tag");
    }
}

/// A model that leaves out the first `<tool_call>` (llama.cpp accepts it:
/// "only the first call may omit it"): the unwrapped call stays first, and
/// its `</tool_call>` is not a stray end tag.
#[test]
fn peer_llamacpp_unwrapped_first_call_keeps_its_order() {
    let call = |n: u32| {
        format!("<function=git_log>\n<parameter=path>\n.\n</parameter>\n<parameter=count>\n{n}\n</parameter>\n</function>")
    };
    let counts = |verdict: &Verdict| -> Vec<Value> {
        verdict
            .calls
            .iter()
            .map(|c| c.arguments["count"].clone())
            .collect()
    };
    let verdict = v(&format!(
        "{}\n</tool_call>\n<tool_call>\n{}\n</tool_call>",
        call(1),
        call(2)
    ));
    assert_eq!(verdict.kind, VerdictKind::ToolCall, "{verdict:#?}");
    assert_eq!(counts(&verdict), [json!(1), json!(2)], "{verdict:#?}");
    // Unwrapped before and after wrapped ones: the text's order.
    let verdict = v(&format!(
        "{}\n<tool_call>\n{}\n</tool_call>\n{}",
        call(1),
        call(2),
        call(3)
    ));
    assert_eq!(
        counts(&verdict),
        [json!(1), json!(2), json!(3)],
        "{verdict:#?}"
    );
}

// ---- class 2: <function=NAME>{json}</function> keeps its arguments ----

#[test]
fn class2_function_with_json_body_keeps_arguments() {
    let verdict = v("<tool_call>\n<function=git_log>\n{\"path\": \".\", \"count\": 4}\n</function>\n</tool_call>");
    assert_call(&verdict, "git_log");
    assert_eq!(verdict.calls[0].arguments["count"], json!(4));
    assert!(verdict.calls[0].valid);
    assert!(has_note(
        &verdict,
        "as a JSON object instead of <parameter=…> tags"
    ));
    // A whole call object inside is unwrapped.
    let verdict = v("<tool_call><function=git_log>{\"name\": \"git_log\", \"arguments\": {\"path\": \".\"}}</function></tool_call>");
    assert_eq!(
        verdict.calls[0].arguments,
        json!({"path": "."}).as_object().unwrap().clone()
    );
    // An empty body is a call with no arguments, silently.
    let verdict = f("<tool_call><function=get_time></function></tool_call>");
    assert_call(&verdict, "get_time");
    assert!(verdict.notes.is_empty(), "{verdict:#?}");
}

#[test]
fn class2_function_body_that_is_neither_tags_nor_json_is_malformed() {
    assert_malformed(
        &v("<tool_call><function=git_log>{\"path\": \".\", </function></tool_call>"),
        "not valid JSON",
    );
    assert_malformed(
        &v("<tool_call><function=git_log>path=.</function></tool_call>"),
        "neither <parameter=…> tags nor a JSON object",
    );
    assert_malformed(
        &v("<tool_call><function=git_log>[1, 2]</function></tool_call>"),
        "neither <parameter=…> tags nor a JSON object",
    );
}

// ---- class 3: a function tag without `>` is malformed, not a long name ----

#[test]
fn class3_function_tag_missing_gt_is_malformed() {
    let verdict = v("<tool_call>\n<function=git_status\n<parameter=path>\n.\n</parameter>\n</function>\n</tool_call>");
    assert_malformed(&verdict, "has no closing `>` after the function name");
    assert!(verdict.calls.is_empty(), "{verdict:#?}");
    // Neighbours: at the end of the text, before a space-separated rest,
    // and the same for a parameter tag.
    assert_malformed(&v("<function=git_status"), "no closing `>`");
    assert_malformed(
        &v("<function=git_status <parameter=path>.</parameter></function>"),
        "no closing `>`",
    );
    assert_malformed(
        &v("<tool_call>\n<function=git_status>\n<parameter=path\n.\n</parameter>\n</function>\n</tool_call>"),
        "has no closing `>`",
    );
}

#[test]
fn class3_quoted_function_name_is_read_as_the_name() {
    let verdict = v("<tool_call>\n<function=\"git_status\">\n<parameter=path>\n.\n</parameter>\n</function>\n</tool_call>");
    assert_call(&verdict, "git_status");
}

// ---- class 4: schema-typed conversion through anyOf / oneOf / $ref / enum ----

fn search_call(params: &str) -> Verdict {
    f(&format!(
        "<tool_call>\n<function=search>\n<parameter=query>\nx\n</parameter>\n{params}</function>\n</tool_call>"
    ))
}

#[test]
fn class4_anyof_optional_int_converts() {
    let verdict = search_call("<parameter=limit>\n5\n</parameter>\n");
    assert_call(&verdict, "search");
    assert_eq!(verdict.calls[0].arguments["limit"], json!(5));
    assert!(verdict.calls[0].valid, "{verdict:#?}");
    let verdict = search_call("<parameter=limit>\nnull\n</parameter>\n");
    assert_eq!(verdict.calls[0].arguments["limit"], Value::Null);
    assert!(verdict.calls[0].valid);
}

#[test]
fn class4_union_shapes_convert() {
    let verdict = search_call(concat!(
        "<parameter=filters>\n{\"lang\": \"py\"}\n</parameter>\n",
        "<parameter=tags>\n[\"a\", \"b\"]\n</parameter>\n",
        "<parameter=exact>\ntrue\n</parameter>\n",
        "<parameter=page>\n7\n</parameter>\n",
        "<parameter=ratio>\n0.5\n</parameter>\n",
        "<parameter=sort>\n{\"key\": \"date\"}\n</parameter>\n",
        "<parameter=mode>\nfast\n</parameter>\n",
    ));
    let args = &verdict.calls[0].arguments;
    assert_eq!(args["filters"], json!({"lang": "py"}));
    assert_eq!(args["tags"], json!(["a", "b"]));
    assert_eq!(args["exact"], json!(true));
    assert_eq!(args["page"], json!(7));
    assert_eq!(args["ratio"], json!(0.5));
    assert_eq!(args["sort"], json!({"key": "date"}));
    assert_eq!(args["mode"], json!("fast"));
    assert!(verdict.calls[0].valid, "{verdict:#?}");
    // A union with string keeps text the other branches cannot read.
    let verdict = search_call("<parameter=page>\nlast\n</parameter>\n");
    assert_eq!(verdict.calls[0].arguments["page"], json!("last"));
    assert!(verdict.calls[0].valid);
}

#[test]
fn class4_property_types_read_through_unions() {
    use punie_eval::schema::JsonType;
    let tool = FIELD.get("search").unwrap();
    assert_eq!(
        tool.property_types("limit"),
        Some(&[JsonType::Integer, JsonType::Null][..])
    );
    assert_eq!(tool.property_types("sort"), Some(&[JsonType::Object][..]));
    assert_eq!(tool.property_types("mode"), Some(&[JsonType::String][..]));
}

// ---- class 5: Python literals in XML values ----

#[test]
fn class5_python_literals_in_xml_values() {
    let verdict = search_call(concat!(
        "<parameter=filters>\n{'lang': 'py', 'strict': True, 'max': None}\n</parameter>\n",
        "<parameter=tags>\n['a', 'b']\n</parameter>\n",
        "<parameter=exact>\nTrue\n</parameter>\n",
        "<parameter=limit>\nNone\n</parameter>\n",
    ));
    let args = &verdict.calls[0].arguments;
    assert_eq!(
        args["filters"],
        json!({"lang": "py", "strict": true, "max": null})
    );
    assert_eq!(args["tags"], json!(["a", "b"]));
    assert_eq!(args["exact"], json!(true));
    assert_eq!(args["limit"], Value::Null);
    assert!(verdict.calls[0].valid, "{verdict:#?}");
    assert!(has_note(&verdict, "is a Python literal"), "{verdict:#?}");
    // Neighbours: a tuple for an array; raw line breaks inside JSON strings.
    let verdict = search_call("<parameter=tags>\n('a', 'b')\n</parameter>\n");
    assert_eq!(verdict.calls[0].arguments["tags"], json!(["a", "b"]));
    let verdict = search_call("<parameter=filters>\n{\"code\": \"a\nb\"}\n</parameter>\n");
    assert_eq!(
        verdict.calls[0].arguments["filters"],
        json!({"code": "a\nb"})
    );
    // A string property keeps "None" and "True" as text.
    let verdict = search_call("").calls[0].arguments.clone();
    assert_eq!(verdict["query"], json!("x"));
    let verdict = f("<tool_call>\n<function=search>\n<parameter=query>\nNone\n</parameter>\n</function>\n</tool_call>");
    assert_eq!(verdict.calls[0].arguments["query"], json!("None"));
}

// ---- class 6: zero-argument calls ----

#[test]
fn class6_zero_argument_call_in_tool_call() {
    let verdict = f("<tool_call>\n{\"name\": \"get_time\"}\n</tool_call>");
    assert_call(&verdict, "get_time");
    assert!(verdict.calls[0].arguments.is_empty());
    assert!(verdict.calls[0].valid);
    // An unknown tool is still a call (an invalid one), not malformed.
    let verdict = f("<tool_call>{\"name\": \"get_weather\"}</tool_call>");
    assert_call(&verdict, "get_weather");
    assert!(!verdict.calls[0].valid);
}

#[test]
fn class6_zero_argument_call_in_bare_json_list_and_fence() {
    let verdict = f("[{\"name\": \"get_time\"}]");
    assert_call(&verdict, "get_time");
    let verdict = f("{\"name\": \"get_time\", \"type\": \"function\"}");
    assert_call(&verdict, "get_time");
    let verdict = f("```json\n{\"name\": \"get_time\"}\n```");
    assert_call(&verdict, "get_time");
    let verdict = f("<tools>{\"name\": \"get_weather\"}</tools>");
    assert_call(&verdict, "get_weather");
    // Not a tool: data.
    assert_eq!(f("{\"name\": \"Alice\"}").kind, VerdictKind::Direct);
}

// ---- class 7: large integers keep their precision ----

#[test]
fn class7_large_integers_keep_precision() {
    let max = u64::MAX;
    let verdict = search_call(&format!("<parameter=id>\n{max}\n</parameter>\n"));
    assert_eq!(verdict.calls[0].arguments["id"], json!(max));
    assert!(verdict.calls[0].valid, "{verdict:#?}");
    let verdict = search_call(&format!("<parameter=big>\n{max}\n</parameter>\n"));
    assert_eq!(verdict.calls[0].arguments["big"], json!(max));
    let verdict = search_call("<parameter=id>\n-9223372036854775808\n</parameter>\n");
    assert_eq!(verdict.calls[0].arguments["id"], json!(i64::MIN));
    let verdict = f(&format!(
        "<tool_call>{{\"name\": \"search\", \"arguments\": {{\"query\": \"x\", \"id\": {max}}}}}</tool_call>"
    ));
    assert_eq!(verdict.calls[0].arguments["id"], json!(max));
    // Beyond 64 bits: the nearest float, noted.
    let verdict = search_call("<parameter=big>\n123456789012345678901234567890\n</parameter>\n");
    assert!(verdict.calls[0].arguments["big"].is_f64());
    assert!(
        has_note(&verdict, "does not fit in 64 bits"),
        "{verdict:#?}"
    );
}

/// JSON call bodies in every wrapper: exact to 64 bits (signed or
/// unsigned); past that the nearest float, and a note naming the literal
/// (serde_json without `arbitrary_precision`: docs/parse.md, "Large
/// integers").
#[test]
fn class7_integers_past_64_bits_in_json_bodies_are_noted() {
    const BIG: &str = "123456789012345678901234567890";
    let bodies = |n: &str| {
        let args = format!("{{\"query\": \"x\", \"id\": {n}}}");
        let call = format!("{{\"name\": \"search\", \"arguments\": {args}}}");
        let openai = json!({"tool_calls": [{"function": {"name": "search", "arguments": args}}]});
        vec![
            format!("<tool_call>{call}</tool_call>"),
            call.clone(),
            format!("```json\n{call}\n```"),
            format!("```xml\n{call}\n```"),
            format!("<tools>{call}</tools>"),
            format!("Calling it now:\n{call}"),
            openai.to_string(),
            format!("<tool_call>\n<function=search>\n{args}\n</function>\n</tool_call>"),
        ]
    };
    for (n, want) in [
        ("18446744073709551615", json!(u64::MAX)),
        ("-9223372036854775808", json!(i64::MIN)),
    ] {
        for text in bodies(n) {
            let verdict = f(&text);
            assert_call(&verdict, "search");
            assert_eq!(verdict.calls[0].arguments["id"], want, "{text}");
            assert!(!has_note(&verdict, "64 bits"), "{verdict:#?}");
        }
    }
    for text in bodies(BIG) {
        let verdict = f(&text);
        assert_call(&verdict, "search");
        assert!(verdict.calls[0].arguments["id"].is_f64(), "{verdict:#?}");
        // Still an integer to the schema (a float with no fraction).
        assert!(verdict.calls[0].valid, "{verdict:#?}");
        assert!(
            has_note(&verdict, &format!("integer {BIG} does not fit in 64 bits")),
            "{text}: {verdict:#?}"
        );
    }
    // An object-typed XML parameter holding one; in a string, or a float
    // literal, there is nothing lost and nothing noted.
    let verdict = search_call(&format!(
        "<parameter=sort>\n{{\"key\": \"k\", \"n\": -{BIG}}}\n</parameter>\n"
    ));
    assert!(
        has_note(&verdict, &format!("integer -{BIG} does not fit")),
        "{verdict:#?}"
    );
    let verdict = f(&format!(
        "<tool_call>{{\"name\": \"search\", \"arguments\": {{\"query\": \"{BIG}\", \"big\": 1.5e30}}}}</tool_call>"
    ));
    assert_call(&verdict, "search");
    assert_eq!(verdict.calls[0].arguments["query"], json!(BIG));
    assert!(!has_note(&verdict, "64 bits"), "{verdict:#?}");
}

#[test]
fn class7_large_integers_in_code_mode_keep_precision() {
    let code = "git_log(\".\", 18446744073709551615)\ngit_log(\".\", -9223372036854775808)";
    let completion = format!(
        "<tool_call>{}</tool_call>",
        json!({"name": "execute_code", "arguments": {"code": code}})
    );
    let verdict = v(&completion);
    assert_eq!(verdict.calls.len(), 2, "{verdict:#?}");
    assert_eq!(verdict.calls[0].arguments["count"], json!(u64::MAX));
    assert_eq!(verdict.calls[1].arguments["count"], json!(i64::MIN));
}

// ---- class 8: drifted end tags end the value instead of leaking in ----

#[test]
fn class8_drifted_parameter_end_tags() {
    for (close, after) in [
        ("</parameter1>", "\n"),
        ("</parameter_function>", "\n"),
        ("</parameter", "\n"),
        ("</parameters>", "\n"),
        ("</Parameter>", "\n"),
        ("</param>", "\n"),
        ("</parameter >", ""),
    ] {
        let verdict = v(&format!(
            "<tool_call>\n<function=git_log>\n<parameter=path>\nsrc\n{close}{after}<parameter=count>\n2\n</parameter>\n</function>\n</tool_call>"
        ));
        assert_call(&verdict, "git_log");
        assert_eq!(
            verdict.calls[0].arguments["path"],
            json!("src"),
            "{close}: {verdict:#?}"
        );
        assert_eq!(verdict.calls[0].arguments["count"], json!(2), "{close}");
        assert!(verdict.calls[0].valid, "{close}: {verdict:#?}");
        assert!(
            has_note(&verdict, "instead of </parameter>"),
            "{close}: {verdict:#?}"
        );
    }
}

#[test]
fn class8_drifted_end_tags_before_function_end() {
    // The last parameter's end tag drifts, then </function> (or a cut one).
    for (close, end) in [
        ("</parameter_function>", "</function>"),
        ("</parameter1>", "</function>"),
        ("</parameter>", "</function"),
    ] {
        let verdict = v(&format!(
            "<tool_call>\n<function=git_status>\n<parameter=path>\n.\n{close}\n{end}\n</tool_call>"
        ));
        assert_call(&verdict, "git_status");
        assert_eq!(
            verdict.calls[0].arguments["path"],
            json!("."),
            "{close} {end}: {verdict:#?}"
        );
    }
    // An HTML value may hold </param> when </parameter> closes it.
    let verdict = v("<tool_call>\n<function=write_file>\n<parameter=path>\na.html\n</parameter>\n<parameter=content>\n<object><param name=\"a\"></param></object>\n</parameter>\n</function>\n</tool_call>");
    assert_eq!(
        verdict.calls[0].arguments["content"],
        json!("<object><param name=\"a\"></param></object>")
    );
}

// ---- class 9: promises in subjectless and progressive form ----

#[test]
fn class9_progressive_and_subjectless_promises() {
    for text in [
        "Running the tests now.",
        "Checking the git status…",
        "Now running pytest on tests/.",
        "I'm running the type checker on src/.",
        "Searching for usages of parse_config.",
        "Sure! Executing the linter.",
        "Will run the tests.",
        "Going to check the git diff.",
        "We'll run ruff on the project.",
        "Looking at the git log first.",
        "Type-checking src/app.py:",
    ] {
        let verdict = v(text);
        assert_eq!(
            verdict.kind,
            VerdictKind::Promise,
            "{text:?} → {verdict:#?}"
        );
    }
}

#[test]
fn class9_gerunds_in_statements_are_not_promises() {
    for text in [
        "Running the tests requires pytest.",
        "Checking types early saves time.",
        "Looking at the code, the bug is in the loop.",
        "Using git is easy: commit often.",
        "Reading the file is not necessary.",
        "Thinking about it, recursion fits better here.",
        "Will this work on Python 3.8? Yes.",
        "Nothing to do here.",
    ] {
        let verdict = v(text);
        assert_eq!(verdict.kind, VerdictKind::Direct, "{text:?} → {verdict:#?}");
    }
}

// ---- class 10: non-standard schema types are mapped, with a warning ----

#[test]
fn class10_non_standard_schema_types_are_mapped_with_warnings() {
    let doc = json!({
        "name": "bfcl",
        "tools": [{
            "x-tool-name": "calc", "type": "dict",
            "properties": {
                "x": {"type": "float"}, "name": {"type": "str"}, "n": {"type": "int"},
                "flag": {"type": "bool"}, "opts": {"type": "dict"}, "items": {"type": "list", "items": {"type": "String"}},
                "pair": {"type": "tuple"}, "anything": {"type": "any"}, "maybe": {"type": ["int", "None"]}
            },
            "required": ["x"]
        }]
    });
    let tools = Toolset::from_json(&doc, "<bfcl>").expect("mapped, not refused");
    let warnings: Vec<String> = tools.warnings().iter().map(ToString::to_string).collect();
    for (prop, found, mapped) in [
        ("x", "float", "number"),
        ("name", "str", "string"),
        ("n", "int", "integer"),
        ("flag", "bool", "boolean"),
        ("opts", "dict", "object"),
        ("items", "list", "array"),
        ("items", "String", "string"),
        ("pair", "tuple", "array"),
        ("maybe", "None", "null"),
    ] {
        assert!(
            warnings.iter().any(|w| w.contains("tool calc")
                && w.contains(&format!("property {prop:?}"))
                && w.contains(&format!("{found:?} read as JSON Schema \"{mapped}\""))),
            "{prop} {found}: {warnings:#?}"
        );
    }
    assert!(warnings
        .iter()
        .any(|w| w.contains("property \"anything\"") && w.contains("any type")));
    assert!(warnings
        .iter()
        .any(|w| w.contains("the arguments object") && w.contains("\"dict\"")));
    assert_eq!(
        tools.get("calc").unwrap().schema()["properties"]["x"]["type"],
        json!("number")
    );
    // The mapped types drive XML conversion and validation.
    let verdict = classify(
        "<tool_call>\n<function=calc>\n<parameter=x>\n2.5\n</parameter>\n<parameter=n>\n3\n</parameter>\n<parameter=anything>\nhi\n</parameter>\n<parameter=maybe>\nNone\n</parameter>\n</function>\n</tool_call>",
        &tools,
    );
    assert_eq!(verdict.calls[0].arguments["x"], json!(2.5));
    assert_eq!(verdict.calls[0].arguments["n"], json!(3));
    assert_eq!(verdict.calls[0].arguments["maybe"], Value::Null);
    assert!(verdict.calls[0].valid, "{verdict:#?}");
}

#[test]
fn class10_unmappable_types_are_still_refused() {
    let doc = json!({"name": "t", "tools": [{"x-tool-name": "f", "type": "object",
        "properties": {"m": {"type": "HashMap"}}}]});
    let err = Toolset::from_json(&doc, "<t>").expect_err("HashMap has no JSON Schema equivalent");
    assert!(err.to_string().contains("/properties/m"), "{err}");
    // Standard schemas load without warnings.
    assert!(Toolset::punie_phase33().warnings().is_empty());
}

// ---- every class: never a panic, whatever the truncation ----

#[test]
fn class_all_truncated_inputs_never_panic() {
    let samples = [
        format!("<tools>\n{GIT_LOG}\n</tools>"),
        "<function name=\"read_file\"><parameter name=\"path\">a</parameter></function>".to_string(),
        "<tool_call>\n<function=search>\n<parameter=filters>\n{'a': [1, (2, 3)]}\n</parameter1>\n</function>\n</tool_call>".to_string(),
        "[TOOL_CALLS][{\"name\": \"get_time\"}]".to_string(),
        "Running the tests now. ```xml\n{\"name\": \"x\", \"arguments\": {}}\n```".to_string(),
        "<invoke name='a'/><tool name=\"b\">{}</tool>".to_string(),
    ];
    for s in &samples {
        for (i, _) in s.char_indices() {
            let _ = f(&s[..i]);
            let _ = v(&s[..i]);
            let _ = f(&s[i..]);
        }
    }
}

// ---- the field's own test strings (tests/fixtures/parse_peers.jsonl) ----

/// Numbers equal by value (`100` and `100.0`, as the peers' JSON compares).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(i), Some(j), _, _) => i == j,
                (_, _, Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// The peer's tools (OpenAI `{name, parameters}`) as a toolset.
pub(crate) fn peer_toolset(tools: &[Value]) -> Toolset {
    let schemas: Vec<Value> = tools
        .iter()
        .map(|t| {
            let mut schema = t["parameters"].clone();
            schema["x-tool-name"] = t["name"].clone();
            if schema.get("type").is_none() {
                schema["type"] = json!("object");
            }
            schema
        })
        .collect();
    Toolset::from_json(&json!({"name": "peer", "tools": schemas}), "<peer>")
        .unwrap_or_else(|e| panic!("peer tools {tools:?}: {e}"))
}

#[test]
fn peer_corpus_agreement() {
    let text = include_str!("fixtures/parse_peers.jsonl");
    // (project, format) → [cases, kind, names, arguments]
    let mut table: std::collections::BTreeMap<(String, String), [usize; 4]> = Default::default();
    let mut failures = Vec::new();
    // The same cases under the lenient profile: [kind, names, arguments].
    let mut lenient = [0usize; 3];
    for (i, line) in text.lines().enumerate() {
        let case: Value = serde_json::from_str(line).expect("fixture line");
        let tools = peer_toolset(case["tools"].as_array().unwrap());
        let completion = case["completion"].as_str().unwrap();
        let verdict = classify(completion, &tools);
        let expect = &case["expect"];
        let [kind, names, arguments] = peer_agreement(&verdict, expect);
        let loose = classify_with(completion, &tools, Profile::Lenient);
        for (n, ok) in lenient.iter_mut().zip(peer_agreement(&loose, expect)) {
            *n += usize::from(ok);
        }
        let key = (
            case["project"].as_str().unwrap().to_string(),
            case["format"].as_str().unwrap().to_string(),
        );
        let row = table.entry(key).or_default();
        row[0] += 1;
        row[1] += usize::from(kind);
        row[2] += usize::from(names);
        row[3] += usize::from(arguments);
        let agrees = kind && names && arguments;
        let policy = case.get("policy").and_then(Value::as_str);
        match (agrees, policy) {
            (false, None) => failures.push(format!(
                "line {} {} {}: disagrees: {verdict:#?}",
                i + 1,
                case["project"],
                case["test"]
            )),
            (true, Some(p)) => failures.push(format!(
                "line {} {} {}: agrees, but is listed as a policy difference ({p})",
                i + 1,
                case["project"],
                case["test"]
            )),
            _ => {}
        }
    }
    let pct = |n: usize, d: usize| format!("{n} ({:.0}%)", 100.0 * n as f64 / d as f64);
    let mut total = [0usize; 4];
    println!("| peer | format | cases | kind | names | arguments |\n| --- | --- | --- | --- | --- | --- |");
    for ((project, format), r) in &table {
        println!(
            "| {project} | {format} | {} | {} | {} | {} |",
            r[0],
            pct(r[1], r[0]),
            pct(r[2], r[0]),
            pct(r[3], r[0])
        );
        for (t, x) in total.iter_mut().zip(r) {
            *t += x;
        }
    }
    println!(
        "| **all** | | **{}** | **{}** | **{}** | **{}** |",
        total[0],
        pct(total[1], total[0]),
        pct(total[2], total[0]),
        pct(total[3], total[0])
    );
    println!(
        "lenient profile: kind {}, names {}, arguments {}",
        pct(lenient[0], total[0]),
        pct(lenient[1], total[0]),
        pct(lenient[2], total[0])
    );
    // Lenient recovers what the engines recover: never less agreement.
    assert!(
        lenient[0] > total[1] && lenient[1] > total[2],
        "{lenient:?} vs {total:?}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether a verdict agrees with a peer's expectation: [kind, names, arguments].
fn peer_agreement(verdict: &Verdict, expect: &Value) -> [bool; 3] {
    let called = expect["called"].as_bool().unwrap();
    let want = expect["calls"].as_array().unwrap();
    let kind = (verdict.kind == VerdictKind::ToolCall) == called
        && (called || verdict.kind != VerdictKind::MalformedCall);
    let names = kind
        && verdict.calls.len() == want.len()
        && verdict
            .calls
            .iter()
            .zip(want)
            .all(|(c, w)| w["name"] == c.name.as_str());
    let arguments = names
        && verdict
            .calls
            .iter()
            .zip(want)
            .all(|(c, w)| same(&Value::Object(c.arguments.clone()), &w["arguments"]));
    [kind, names, arguments]
}

/// `schemas check` shows the class-10 mapping warnings (the toolset still loads).
#[test]
fn class10_schemas_check_prints_the_mapping_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bfcl.json");
    std::fs::write(
        &path,
        r#"{"name": "bfcl", "tools": [{"x-tool-name": "calc", "type": "dict",
            "properties": {"x": {"type": "float"}}, "required": ["x"]}]}"#,
    )
    .unwrap();
    let o = crate::cli_support::punie(
        &["schemas", "check", "--toolset", path.to_str().unwrap()],
        dir.path(),
    );
    let out = crate::cli_support::text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("warning:")
            && l.contains("tool calc")
            && l.contains("\"float\" read as JSON Schema \"number\"")),
        "{out}"
    );
    assert!(out.contains("ok: toolset bfcl"), "{out}");
}
