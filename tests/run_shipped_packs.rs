//! The shipped packs are satisfiable: a model that answers every query the
//! way a careful engineer would (calls in the production code-mode format or
//! Qwen3 JSON, valid against the toolset) passes every query strictly, and
//! one that always calls a tool fails every direct query. Catches
//! expectations no valid call can meet (a regex that contradicts the schema,
//! a required argument the expectation forgets).

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

fn code(src: &str) -> String {
    format!("<tool_call>\n<function=execute_code>\n<parameter=code>\n{src}\n</parameter>\n</function>\n</tool_call>")
}

fn qwen(name: &str, args: Value) -> String {
    format!(
        "<tool_call>\n{}\n</tool_call>",
        json!({ "name": name, "arguments": args })
    )
}

const DIRECT: &str = "Here is how that works, with a short example.";

fn ideal() -> Vec<(&'static str, &'static str, String)> {
    let d = "discrimination";
    vec![
        ("protocol", "protocol-usage", code("result = find_references(\"src/punie/agent/protocol.py\", 12, 7, \"Protocol\")\nprint(result.references)")),
        (d, "typecheck-file", code("result = typecheck(\"src/billing/invoice.py\")\nprint(result.error_count)")),
        (d, "typecheck-package", qwen("typecheck", json!({"path": "src/billing"}))),
        (d, "typecheck-explain-optional", DIRECT.into()),
        (d, "typecheck-explain-protocol", DIRECT.into()),
        (d, "ruff-file", code("result = ruff_check(\"src/billing/tax.py\")\nprint(result)")),
        (d, "ruff-tests-dir", qwen("ruff_check", json!({"path": "tests/"}))),
        (d, "ruff-what-checks", DIRECT.into()),
        (d, "ruff-check-vs-format", DIRECT.into()),
        (d, "pytest-file", code("result = pytest_run(\"tests/test_invoice.py\")\nprint(result.failed)")),
        (d, "pytest-suite-passing", qwen("pytest_run", json!({"path": "tests/unit"}))),
        (d, "pytest-fixtures", DIRECT.into()),
        (d, "pytest-k-option", DIRECT.into()),
        (d, "goto-class", code("result = goto_definition(\"src/billing/service.py\", 14, 8, \"InvoiceRepository\")\nprint(result.locations)")),
        (d, "goto-function", qwen("goto_definition", json!({"file_path": "src/config/loader.py", "line": 42, "column": 12, "symbol": "parse_config"}))),
        (d, "goto-explain", DIRECT.into()),
        (d, "goto-builtin-len", DIRECT.into()),
        (d, "refs-function", code("result = find_references(\"src/config/settings.py\", 10, 4, \"load_settings\")\nprint(result.references)")),
        (d, "refs-class-usage", qwen("find_references", json!({"file_path": "src/net/retry.py", "line": 7, "column": 6, "symbol": "RetryPolicy"}))),
        (d, "refs-vs-grep", DIRECT.into()),
        (d, "refs-dead-code", DIRECT.into()),
        (d, "hover-type", code("result = hover(\"src/billing/report.py\", 27, 8, \"totals\")\nprint(result)")),
        (d, "hover-docstring", qwen("hover", json!({"file_path": "src/jobs/batch.py", "line": 12, "column": 5, "symbol": "process_batch"}))),
        (d, "hover-what-shows", DIRECT.into()),
        (d, "hover-docstring-convention", DIRECT.into()),
        (d, "docsyms-models", code("result = document_symbols(\"src/billing/models.py\")\nprint(result.symbols)")),
        (d, "docsyms-outline", qwen("document_symbols", json!({"file_path": "src/utils/text.py"}))),
        (d, "docsyms-module-vs-package", DIRECT.into()),
        (d, "docsyms-dunder-all", DIRECT.into()),
        (d, "wsyms-class", code("result = workspace_symbols(\"ConfigLoader\")\nprint(result.symbols)")),
        (d, "wsyms-pattern", qwen("workspace_symbols", json!({"query": "Repository"}))),
        (d, "wsyms-naming", DIRECT.into()),
        (d, "wsyms-symbol-index", DIRECT.into()),
        (d, "status-modified", code("result = git_status(\".\")\nprint(result)")),
        (d, "status-clean", qwen("git_status", json!({"path": "."}))),
        (d, "status-explain", DIRECT.into()),
        (d, "status-staging-area", DIRECT.into()),
        (d, "diff-staged", code("result = git_diff(\".\", True)\nprint(result)")),
        (d, "diff-file", qwen("git_diff", json!({"path": "src/billing/views.py"}))),
        (d, "diff-staged-flag", DIRECT.into()),
        (d, "diff-read-hunk", DIRECT.into()),
        (d, "log-recent", code("result = git_log(\".\", 5)\nprint(result)")),
        (d, "log-file-history", qwen("git_log", json!({"path": "src/auth/session.py"}))),
        (d, "log-commit-message", DIRECT.into()),
        (d, "log-reflog", DIRECT.into()),
        (d, "read-pyproject", code("print(read_file(\"pyproject.toml\"))")),
        (d, "read-init-exports", qwen("read_file", json!({"path": "src/billing/__init__.py"}))),
        (d, "read-pyproject-purpose", DIRECT.into()),
        (d, "read-lines-python", DIRECT.into()),
        (d, "write-constants", qwen("write_file", json!({"path": "src/billing/constants.py", "content": "MAX_RETRIES = 3\n"}))),
        (d, "write-gitignore", qwen("write_file", json!({"path": ".gitignore", "content": "__pycache__/\n.venv/\n"}))),
        (d, "write-gitignore-contents", DIRECT.into()),
        (d, "write-json-python", DIRECT.into()),
        (d, "cmd-uv-sync", code("print(run_command(\"uv sync\"))")),
        (d, "cmd-disk-usage", qwen("run_command", json!({"command": "du", "args": ["-sh", ".venv"]}))),
        (d, "cmd-uv-sync-explain", DIRECT.into()),
        (d, "cmd-subprocess", DIRECT.into()),
        (d, "multi-typecheck-and-lint", code("t = typecheck(\"src/billing/\")\nr = ruff_check(\"src/billing/\")\nprint(t.error_count, r.violation_count)")),
        (d, "any-broke-anything", code("print(pytest_run(\"tests\"))")),
        (d, "any-whats-here", qwen("document_symbols", json!({"file_path": "src/billing/__init__.py"}))),
        (d, "any-todo-count", qwen("run_command", json!({"command": "grep", "args": ["-rn", "TODO", "src"]}))),
        (d, "search-callers-unknown-location", qwen("workspace_symbols", json!({"query": "send_invoice_email"}))),
        (d, "direct-gil", DIRECT.into()),
        (d, "direct-dataclass-slots", DIRECT.into()),
        (d, "ask-fix-bug", "Which bug do you mean? Please share the error message or the failing test.".into()),
        (d, "ask-rename-it", "What would you like renamed: a function, a class or a file?".into()),
        (d, "ask-update-function", "Which function should I update, and what should change?".into()),
    ]
}

fn run(transcripts: &[(&str, &str, String)], dir: &Path) -> Value {
    let lines: Vec<String> = transcripts
        .iter()
        .map(|(suite, id, c)| json!({"suite": suite, "query_id": id, "completion": c}).to_string())
        .collect();
    std::fs::write(dir.join("t.jsonl"), lines.join("\n")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .arg("run")
        .arg("--suite")
        .arg(root.join("queries/protocol.toml"))
        .arg(root.join("queries/discrimination.toml"))
        .arg("--replay")
        .arg(dir.join("t.jsonl"))
        .arg("--out")
        .arg(dir.join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("out/results.json")).unwrap();
    std::fs::remove_dir_all(dir.join("out")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn ideal_answers_pass_every_shipped_query_strictly() {
    let dir = tempfile::tempdir().unwrap();
    let transcripts = ideal();
    let results = run(&transcripts, dir.path());
    let failures: Vec<String> = results["suites"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["queries"].as_array().unwrap().iter())
        .filter(|q| q["strict"] != true)
        .map(|q| format!("{}: {}", q["id"], q["reason"]))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(results["overall"]["queries"], 67);
    assert_eq!(results["overall"]["no_completion"], 0);
    assert!(
        results.get("warnings").is_none(),
        "every transcript matched a query"
    );
}

#[test]
fn always_calling_a_tool_fails_every_direct_query() {
    let dir = tempfile::tempdir().unwrap();
    let transcripts: Vec<_> = ideal()
        .into_iter()
        .map(|(s, id, _)| (s, id, qwen("git_status", json!({"path": "."}))))
        .collect();
    let results = run(&transcripts, dir.path());
    let m = &results["suites"][1]["metrics"];
    let c = &m["confusion"];
    assert_eq!(c["direct"]["tool_call"], 30);
    assert_eq!(c["ask"]["tool_call"], 3);
    assert_eq!(m["discrimination_accuracy"]["successes"], 33);
    assert_eq!(m["discrimination_accuracy"]["trials"], 66);
    assert_eq!(m["calls_tool"]["recall"]["value"], 1.0);
    assert_eq!(m["calls_tool"]["precision"]["value"], 0.5);
    // Only the git_status and any-tool queries pass strictly.
    assert_eq!(m["strict"]["successes"], 5);
    assert_eq!(m["per_tool"]["git_status"]["spurious_calls"], 33);
}
