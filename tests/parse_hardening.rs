//! Regressions of issue #15 (hardening) in `src/parse/`, one test per class
//! of hostile input: Python nested past the parse limit (a verdict, never a
//! stack overflow) and Qwen3-Coder XML with unclosed parameter tags (linear,
//! not quadratic). Each runs `classify` in a thread with the default 2 MiB
//! test-thread stack, stated explicitly so a larger `RUST_MIN_STACK` cannot
//! hide a regression; `parse_command_…` runs the CLI, whose main thread has
//! 8 MiB.

use crate::cli_support::text;
use punie_eval::parse::{classify, Verdict, VerdictKind};
use punie_eval::schema::Toolset;
use serde_json::json;

const LIMIT_NOTE: &str = "parse limit of 200 levels";

/// `classify` on a thread with a 2 MiB stack (Rust's default for tests).
fn classify_on_2_mib(completion: String) -> Verdict {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || classify(&completion, &Toolset::punie_default()))
        .expect("spawn")
        .join()
        .expect("classify panicked")
}

fn fenced(code: &str) -> String {
    format!("```python\n{code}\n```")
}

fn tool_call_json(code: &str) -> String {
    format!(
        "<tool_call>{}</tool_call>",
        json!({"name": "execute_code", "arguments": {"code": code}})
    )
}

fn tool_call_xml(code: &str) -> String {
    format!("<tool_call>\n<function=execute_code>\n<parameter=code>\n{code}\n</parameter>\n</function>\n</tool_call>")
}

fn assert_too_deep(completion: String, what: &str) {
    let verdict = classify_on_2_mib(completion);
    assert_eq!(
        verdict.kind,
        VerdictKind::MalformedCall,
        "{what}: {verdict:?}"
    );
    assert!(
        verdict.notes.iter().any(|n| n.contains(LIMIT_NOTE)),
        "{what}: expected a note naming the limit, got {:?}",
        verdict.notes
    );
}

/// Issue #15 item 1: `git_status()` followed by `()` ten thousand times, or
/// `.x()` chained nine thousand times, overflowed the stack (SIGABRT) in
/// every code-mode wrapper; the bracket guard saw nesting 1.
#[test]
fn stack_depth_long_call_chains_are_malformed_not_a_crash() {
    let chains = [
        format!("git_status(){}", "()".repeat(10_000)),
        format!("git_status(){}", ".x()".repeat(9_000)),
    ];
    for chain in &chains {
        let shown = &chain[..20];
        assert_too_deep(fenced(chain), &format!("fence {shown}"));
        assert_too_deep(tool_call_json(chain), &format!("<tool_call> JSON {shown}"));
        assert_too_deep(tool_call_xml(chain), &format!("<function=> XML {shown}"));
        // Python straight inside <tool_call>, without the wrapper.
        assert_too_deep(
            format!("<tool_call>\n{chain}\n</tool_call>"),
            &format!("bare Python {shown}"),
        );
    }
}

/// The same class without call syntax: every construct whose tree nests one
/// level per token — operators, unary chains, subscripts, lambdas,
/// conditionals, f-strings, brackets, indented blocks.
#[test]
fn stack_depth_deep_expressions_and_blocks_are_malformed_not_a_crash() {
    let mut blocks = String::new();
    for i in 0..600 {
        blocks.push_str(&" ".repeat(i));
        blocks.push_str("if x:\n");
    }
    blocks.push_str(&" ".repeat(600));
    blocks.push_str("git_status()\n");
    let cases = [
        (
            "binary operators",
            format!("x = git_status(){}", " + a".repeat(20_000)),
        ),
        ("power", format!("x = {}1", "1 ** ".repeat(20_000))),
        (
            "unary minus",
            format!("git_log('.', {}1)", "-".repeat(20_000)),
        ),
        ("not", format!("x = {}git_status()", "not ".repeat(10_000))),
        (
            "await",
            format!(
                "async def f():\n    x = {}git_status()",
                "await ".repeat(10_000)
            ),
        ),
        (
            "subscripts",
            format!("x = git_status(){}", "[0]".repeat(10_000)),
        ),
        (
            "lambdas",
            format!("x = {}git_status()", "lambda: ".repeat(5_000)),
        ),
        (
            "lambda defaults",
            format!("x = {}1", "lambda a, b=".repeat(5_000)),
        ),
        (
            "conditionals",
            format!("x = {}git_status()", "a if b else ".repeat(5_000)),
        ),
        (
            "nested calls",
            format!(
                "x = {}'.'{}",
                "git_status(".repeat(5_000),
                ")".repeat(5_000)
            ),
        ),
        (
            "lists",
            format!("git_log({}1{})", "[".repeat(5_000), "]".repeat(5_000)),
        ),
        (
            "f-strings",
            format!(
                "x = {}git_status(){}",
                "f\"{".repeat(3_000),
                "}\"".repeat(3_000)
            ),
        ),
        ("blocks", blocks),
    ];
    for (what, code) in cases {
        assert_too_deep(tool_call_json(&code), what);
    }
}

/// Code up to the limit is parsed as before, on the same 2 MiB stack: the
/// limit is far above real code and far below what the stack holds.
#[test]
fn stack_depth_code_below_the_limit_is_still_parsed() {
    let cases = [
        format!("r = typecheck('src/'){}", "()".repeat(150)),
        format!("r = typecheck('src/'){}", ".x()".repeat(75)),
        format!("r = {}'src/'{}", "typecheck(".repeat(150), ")".repeat(150)),
        format!("r = typecheck({}1{})", "(1, ".repeat(150), ")".repeat(150)),
        format!("r = typecheck('src/'){}", " + a".repeat(150)),
    ];
    for code in cases {
        let verdict = classify_on_2_mib(tool_call_json(&code));
        assert_eq!(verdict.kind, VerdictKind::ToolCall, "{:?}", verdict.notes);
        assert_eq!(verdict.calls[0].name, "typecheck");
        assert!(
            !verdict.notes.iter().any(|n| n.contains(LIMIT_NOTE)),
            "{:?}",
            verdict.notes
        );
    }
}

/// A deep Python literal as a typed XML parameter value (read through the
/// same Python parser) stays text, noted; no crash.
#[test]
fn stack_depth_deep_python_literal_parameter_stays_text() {
    let value = format!("{}1{}", "(".repeat(10_000), ",)".repeat(10_000));
    let completion = format!(
        "<tool_call>\n<function=run_command>\n<parameter=command>\nls\n</parameter>\n<parameter=args>\n{value}\n</parameter>\n</function>\n</tool_call>"
    );
    let verdict = classify_on_2_mib(completion);
    assert_eq!(verdict.kind, VerdictKind::ToolCall, "{:?}", verdict.notes);
    assert!(verdict.calls[0].arguments["args"].is_string());
}

/// The `parse` command (8 MiB main thread) answers every line: the deep
/// ones in their place, the batch around them intact (was: SIGABRT, and 50
/// good lines before the bad one produced no output).
#[test]
fn stack_depth_parse_command_keeps_every_line() {
    let good = json!({"completion": "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}</tool_call>"});
    let mut input = String::new();
    for _ in 0..50 {
        input.push_str(&format!("{good}\n"));
    }
    let chains = [
        format!("git_status(){}", "()".repeat(10_000)),
        format!("git_status(){}", ".x()".repeat(9_000)),
    ];
    for chain in &chains {
        for completion in [fenced(chain), tool_call_json(chain), tool_call_xml(chain)] {
            input.push_str(&format!("{}\n", json!({ "completion": completion })));
        }
    }
    input.push_str(&format!("{good}\n"));
    let o = crate::cli_support::parse_stdin(input.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 57, "{}", text(&o.stderr));
    for (i, line) in lines.iter().enumerate() {
        let deep = (50..56).contains(&i);
        let kind = if deep { "malformed_call" } else { "tool_call" };
        assert!(
            line.contains(&format!("\"kind\":\"{kind}\"")),
            "line {i}: {line:.200}"
        );
        assert_eq!(line.contains(LIMIT_NOTE), deep, "line {i}: {line:.300}");
    }
}

/// Issue #15 item 4: many unclosed `<parameter=…>` tags and one
/// `</parameter>` at the end — every tag searched the whole rest for an
/// end tag (1.1 MB: 10.6 s, 2.2 MB: 85 s). The search now stops at the next
/// tag. Behaviour, not time, is asserted: a 2 MB input gives the reference
/// parser's reading (each value ends at the next tag, the last one counts),
/// with each note once, counted.
#[test]
fn qwen_xml_unclosed_parameters_parse_in_linear_time() {
    let n = 110_000;
    let completion = format!(
        "<tool_call>\n<function=git_status>\n{}</parameter>\n</function>\n</tool_call>",
        "<parameter=path>\nx\n".repeat(n)
    );
    assert!(completion.len() > 2_000_000);
    let verdict = classify_on_2_mib(completion);
    assert_eq!(verdict.kind, VerdictKind::ToolCall, "{:?}", verdict.notes);
    assert_eq!(verdict.calls.len(), 1);
    assert_eq!(verdict.calls[0].name, "git_status");
    assert_eq!(verdict.calls[0].arguments["path"], json!("x"));
    assert!(verdict.calls[0].valid, "{:?}", verdict.calls[0].errors);
    assert_eq!(
        verdict.notes,
        [
            format!("<function=git_status>: <parameter=path> is not closed with </parameter> ({} times)", n - 1),
            format!("<function=git_status>: <parameter=path> given twice; the last one counts ({} times)", n - 1),
        ]
    );

    // The attribute-named form (`loose.rs`) and a drifted end tag at the end,
    // with a distinct parameter per tag: every value is kept.
    let n = 70_000;
    let tags: String = (0..n)
        .map(|i| format!("<parameter name=\"p{i}\">\nv{i}\n"))
        .collect();
    let completion = format!("<function name=\"git_status\">\n{tags}</param>\n</function>");
    assert!(completion.len() > 2_000_000);
    let verdict = classify_on_2_mib(completion);
    assert_eq!(
        verdict.kind,
        VerdictKind::ToolCall,
        "{:?}",
        &verdict.notes[..3]
    );
    let arguments = &verdict.calls[0].arguments;
    assert_eq!(arguments.len(), n);
    assert_eq!(arguments["p0"], json!("v0"));
    assert_eq!(
        arguments[&format!("p{}", n - 1)],
        json!(format!("v{}", n - 1))
    );
}
