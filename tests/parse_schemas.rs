//! Tool schemas and toolsets: the built-ins, every lint error class, in-memory
//! toolsets, and the `schemas check` / `parse` commands.

use punie_eval::schema::{SchemaError, ToolSchema, Toolset};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const PHASE27: [&str; 14] = [
    "typecheck",
    "ruff_check",
    "pytest_run",
    "goto_definition",
    "find_references",
    "hover",
    "document_symbols",
    "workspace_symbols",
    "git_status",
    "git_diff",
    "git_log",
    "read_file",
    "write_file",
    "run_command",
];

fn issues(result: Result<Toolset, SchemaError>) -> Vec<String> {
    match result {
        Ok(t) => panic!("expected lint errors, toolset {} loaded", t.name()),
        Err(e) => e.issues().iter().map(ToString::to_string).collect(),
    }
}

fn has(issues: &[String], part: &str) {
    assert!(
        issues.iter().any(|i| i.contains(part)),
        "expected an issue containing {part:?} in {issues:#?}"
    );
}

fn good_tool() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "x-tool-name": "lint_docs",
        "type": "object",
        "properties": {"path": {"type": "string"}, "strict": {"type": "boolean"}},
        "required": ["path"],
        "additionalProperties": false,
        "x-positional-order": ["path", "strict"]
    })
}

#[test]
fn builtin_toolsets_have_the_punie_tools() {
    let t = Toolset::punie_default();
    assert_eq!(t.name(), "punie-phase27");
    assert_eq!(t.len(), 14);
    for name in PHASE27 {
        assert!(t.contains(name), "{name}");
    }
    assert_eq!(t.code_mode().map(|c| c.tool.as_str()), Some("execute_code"));
    assert_eq!(
        t.get("goto_definition")
            .map(|g| g.positional_order().to_vec()),
        Some(vec![
            "file_path".to_string(),
            "line".to_string(),
            "column".to_string(),
            "symbol".to_string()
        ])
    );
    let p33 = Toolset::punie_phase33();
    assert_eq!(p33.len(), 26);
    assert!(p33.contains("cst_rename") && !t.contains("cst_rename"));
}

#[test]
fn builtin_files_on_disk_match_and_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/toolsets");
    for name in ["punie-phase27", "punie-phase33"] {
        let t = Toolset::load(root.join(format!("{name}.json")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(t.name(), name);
    }
}

#[test]
fn in_memory_toolset_with_inline_and_builtin_tools() {
    let doc = json!({"name": "mine", "tools": ["../tools/typecheck.json", good_tool()]});
    let t = Toolset::from_json(&doc, "plugin:mine").expect("valid toolset");
    assert_eq!(
        t.tools().map(|t| t.name()).collect::<Vec<_>>(),
        ["typecheck", "lint_docs"]
    );
    assert!(t.code_mode().is_none());
    let v = punie_eval::parse::classify("<tool_call>{\"name\": \"lint_docs\", \"arguments\": {\"path\": \"docs\", \"strict\": 1}}</tool_call>", &t);
    assert!(!v.calls[0].valid);
    assert!(
        v.calls[0].errors[0].starts_with("/strict:"),
        "{:?}",
        v.calls[0].errors
    );
}

#[test]
fn plugin_can_add_a_tool_but_not_a_duplicate() {
    let mut t = Toolset::punie_default();
    t.add_tool(ToolSchema::from_value(good_tool(), "plugin").expect("compiles"))
        .expect("added");
    assert!(t.contains("lint_docs"));
    let again = ToolSchema::from_value(good_tool(), "plugin2").expect("compiles");
    let err = t.add_tool(again).expect_err("duplicate");
    assert!(
        err.to_string()
            .contains("duplicate tool name \"lint_docs\""),
        "{err}"
    );
}

#[test]
fn lint_not_2020_12() {
    let mut tool = good_tool();
    tool["$schema"] = json!("http://json-schema.org/draft-07/schema#");
    let got = issues(Toolset::from_json(
        &json!({"name": "x", "tools": [tool]}),
        "mem",
    ));
    has(&got, "mem#/tools/0 at /$schema: declares");
}

#[test]
fn lint_invalid_json_schema_keyword() {
    let mut tool = good_tool();
    tool["properties"]["path"]["type"] = json!("text");
    let got = issues(Toolset::from_json(
        &json!({"name": "x", "tools": [tool]}),
        "mem",
    ));
    has(
        &got,
        "at /properties/path/type: not a valid JSON Schema 2020-12",
    );
}

#[test]
fn lint_not_type_object() {
    let mut tool = good_tool();
    tool["type"] = json!("array");
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [tool]}),
            "mem",
        )),
        "at /type: a tool's arguments schema must have \"type\": \"object\"",
    );
}

#[test]
fn lint_positional_order_names_unknown_property_or_repeats() {
    let mut tool = good_tool();
    tool["x-positional-order"] = json!(["path", "mode", "path"]);
    let got = issues(Toolset::from_json(
        &json!({"name": "x", "tools": [tool]}),
        "mem",
    ));
    has(
        &got,
        "at /x-positional-order/1: positional parameter \"mode\" is not declared",
    );
    has(
        &got,
        "at /x-positional-order/2: positional parameter \"path\" is listed twice",
    );
}

#[test]
fn lint_required_not_in_properties() {
    let mut tool = good_tool();
    tool["required"] = json!(["path", "recursive"]);
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [tool]}),
            "mem",
        )),
        "at /required/1: required property \"recursive\" is not declared",
    );
}

#[test]
fn lint_missing_or_bad_tool_name() {
    let mut tool = good_tool();
    tool.as_object_mut().expect("object").remove("x-tool-name");
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [tool]}),
            "mem",
        )),
        "at /x-tool-name: missing",
    );
    let mut tool = good_tool();
    tool["x-tool-name"] = json!("lint docs");
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [tool]}),
            "mem",
        )),
        "must be identifiers (letters, digits, _, -) joined by dots",
    );
    // BFCL's dotted names are tool names.
    let mut tool = good_tool();
    tool["x-tool-name"] = json!("math.factorial");
    tool["x-aliases"] = json!(["math_factorial"]);
    let t = Toolset::from_json(&json!({"name": "x", "tools": [tool]}), "mem").unwrap();
    assert_eq!(t.get("math_factorial").unwrap().name(), "math.factorial");
    assert!(!t.get("math.factorial").unwrap().callable_in_code());
    // An alias that repeats the name is refused.
    let mut tool = good_tool();
    tool["x-aliases"] = json!(["lint_docs"]);
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [tool]}),
            "mem",
        )),
        "not the tool's own name",
    );
}

#[test]
fn lint_duplicate_tool_names() {
    let got = issues(Toolset::from_json(
        &json!({"name": "x", "tools": [good_tool(), good_tool()]}),
        "mem",
    ));
    has(
        &got,
        "mem at /tools/1: duplicate tool name \"lint_docs\" (first defined at /tools/0)",
    );
}

#[test]
fn lint_toolset_shape() {
    let got = issues(Toolset::from_json(
        &json!({"nmae": "x", "tools": "typecheck.json", "code_mode": "execute_code"}),
        "mem",
    ));
    has(&got, "mem at /nmae: unknown key");
    has(&got, "mem at /name: missing or empty `name`");
    has(&got, "mem at /code_mode: `code_mode` must be");
    has(&got, "mem at /tools: missing `tools`");
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": [42]}),
            "mem",
        )),
        "mem at /tools/0: a tool entry must be a path string or a schema object",
    );
    has(
        &issues(Toolset::from_json(
            &json!({"name": "x", "tools": ["custom/thing.json"]}),
            "mem",
        )),
        "is not a built-in tool file",
    );
}

#[test]
fn lint_files_name_the_file_and_collects_every_problem() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = good_tool();
    bad["required"] = json!(["nope"]);
    bad["type"] = json!("string");
    std::fs::write(dir.path().join("bad.json"), bad.to_string()).expect("write");
    std::fs::write(dir.path().join("broken.json"), "{\"x-tool-name\": ").expect("write");
    let set = dir.path().join("set.json");
    std::fs::write(
        &set,
        json!({"name": "t", "tools": ["bad.json", "broken.json", "missing.json"]}).to_string(),
    )
    .expect("write");
    let got = issues(Toolset::load(&set));
    assert_eq!(got.len(), 4, "{got:#?}");
    has(&got, "bad.json at /type:");
    has(&got, "bad.json at /required/0:");
    has(
        &got,
        "broken.json at (document root): not valid JSON at line 1",
    );
    has(&got, "cannot read tool schema");
    let err = Toolset::load(dir.path().join("absent.json")).expect_err("missing file");
    assert!(
        err.to_string().contains("absent.json: cannot read"),
        "{err}"
    );
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_punie-eval"))
}

#[test]
fn cli_schemas_check_ok_and_failing() {
    let out = bin().args(["schemas", "check"]).output().expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("ok: toolset punie-phase27") && stdout.contains("26 tools"),
        "{stdout}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let set = dir.path().join("set.json");
    std::fs::write(
        &set,
        json!({"name": "t", "tools": [good_tool(), good_tool()]}).to_string(),
    )
    .expect("write");
    let out = bin()
        .args(["schemas", "check", "--toolset"])
        .arg(&set)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("duplicate tool name"));
}

#[test]
fn cli_parse_keeps_order_reports_bad_lines_and_exits_2() {
    let mut child = bin()
        .args(["parse", "--toolset", "punie-phase27"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let input = [
        json!({"completion": "<tool_call>{\"name\": \"git_status\", \"arguments\": {\"path\": \".\"}}</tool_call>", "id": 7}).to_string(),
        "{not json".to_string(),
        json!({"completion": "A Protocol is a structural type."}).to_string(),
        json!({"text": "x"}).to_string(),
        json!({"completion": "I'll run the type checker."}).to_string(),
    ]
    .join("\n");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["kind"], "tool_call");
    assert!(lines[1]["error"]
        .as_str()
        .expect("error")
        .starts_with("line 2: expected JSON object with string field \"completion\""));
    assert_eq!(lines[2]["kind"], "direct");
    assert!(lines[3]["error"]
        .as_str()
        .expect("error")
        .contains("no \"completion\" field"));
    assert_eq!(lines[4]["kind"], "promise");
}

#[test]
fn cli_parse_all_good_exits_0() {
    let mut child = bin()
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"{\"completion\": \"hi\"}\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(out.status.success());
}
