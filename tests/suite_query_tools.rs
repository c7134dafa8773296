//! Issue 14: a query brings its own tools (added to the pack's toolset, or
//! instead of it), tool names with dots and aliases, and the pack's type
//! switches (integers, floats, enums, optional_null) and `x-also-valid` —
//! through a real replay run,
//! and refused with a located fix when written wrong.

use crate::cli_support::{punie, replay, results_json, results_schema_errors, text};
use serde_json::json;

const PACK: &str = r#"
[pack]
id = "bfcl-like"
version = "1"
toolset = "punie-phase27"
integers = "python"
floats = "python"
enums = "ignore"
optional_null = true

[[query]]
id = "factorial"
user = "What is 5 factorial?"
tools_mode = "only"
tools = [{ "x-tool-name" = "math.factorial", "x-aliases" = ["math_factorial"], type = "object", properties = { number = { type = "integer" }, unit = { type = "string", enum = ["none"] } }, required = ["number"] }]
expect = { tool = "math.factorial", args = { number = 5 } }

[[query]]
id = "by-alias"
user = "What is 6 factorial?"
tools_mode = "only"
tools = [{ "x-tool-name" = "math.factorial", "x-aliases" = ["math_factorial"], type = "object", properties = { number = { type = "integer" } }, required = ["number"] }]
expect = { tool = "math.factorial", args = { number = 6 } }

[[query]]
id = "float-for-int"
user = "What is 7 factorial?"
tools_mode = "only"
tools = [{ "x-tool-name" = "math.factorial", type = "object", properties = { number = { type = "integer" } }, required = ["number"] }]
expect = { tool = "math.factorial" }

[[query]]
id = "int-in-floats"
user = "Average 1 and 2.5"
tools_mode = "only"
tools = [{ "x-tool-name" = "mean", type = "object", properties = { xs = { type = "array", items = { type = "number" } } }, required = ["xs"] }]
expect = { tool = "mean" }

[[query]]
id = "floats-written-as-floats"
user = "Average 1 and 2.5"
tools_mode = "only"
tools = [{ "x-tool-name" = "mean", type = "object", properties = { xs = { type = "array", items = { type = "number" } } }, required = ["xs"] }]
expect = { tool = "mean" }

[[query]]
id = "also-valid"
user = "Add line x_var; average 1 and 2.5"
tools_mode = "only"
tools = [{ "x-tool-name" = "mean", type = "object", properties = { xs = { type = "array", items = { type = "number" } }, line = { type = "integer" } }, required = ["xs"], "x-also-valid" = { xs = { type = "array", items = { type = "integer" } }, line = { type = "string" } } }]
expect = { tool = "mean", args = { line = "x_var" } }

[[query]]
id = "added"
user = "Show the status, then the weather in Paris"
tools = [{ "x-tool-name" = "get_weather", type = "object", properties = { city = { type = "string" }, unit = { type = "string", enum = ["c", "f"] } }, required = ["city"] }]
expect = { tool = ["git_status", "get_weather"], match = "all" }
"#;

fn call(name: &str, args: serde_json::Value) -> String {
    format!(
        "<tool_call>{}</tool_call>",
        json!({"name": name, "arguments": args})
    )
}

fn line(id: &str, completion: &str) -> String {
    json!({"query_id": id, "completion": completion}).to_string()
}

#[test]
fn queries_bring_their_own_tools_aliases_and_type_rules() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), PACK).unwrap();
    let transcripts = [
        // enums = "ignore" lets "kelvin" through; optional_null lets null.
        line(
            "factorial",
            &call("math.factorial", json!({"number": 5, "unit": "kelvin"})),
        ),
        line("by-alias", &call("math_factorial", json!({"number": 6}))),
        line(
            "float-for-int",
            &call("math.factorial", json!({"number": 7.0})),
        ),
        line("int-in-floats", &call("mean", json!({"xs": [1, 2.5]}))),
        line(
            "floats-written-as-floats",
            &call("mean", json!({"xs": [1.0, 2.5]})),
        ),
        line(
            "also-valid",
            &call("mean", json!({"xs": [1, 2.5], "line": "x_var"})),
        ),
        line(
            "added",
            &format!(
                "{}\n{}",
                call("git_status", json!({"path": "."})),
                call("get_weather", json!({"city": "Paris", "unit": null}))
            ),
        ),
    ]
    .join("\n");
    std::fs::write(dir.path().join("t.jsonl"), transcripts + "\n").unwrap();
    let out = replay(dir.path(), "pack.toml", "t.jsonl", "out", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let r = results_json(dir.path(), "out");
    assert_eq!(results_schema_errors(&r), Vec::<String>::new());
    let q = |i: usize| &r["suites"][0]["queries"][i];
    assert_eq!(q(0)["strict"], true, "{}", q(0)["reason"]);
    assert_eq!(q(1)["strict"], true, "{}", q(1)["reason"]);
    assert_eq!(q(1)["verdict"]["calls"][0]["name"], "math.factorial");
    assert!(q(1)["verdict"]["notes"][0]
        .as_str()
        .unwrap()
        .contains("math_factorial is an alias of math.factorial"));
    // integers = "python": 7.0 is a float.
    assert_eq!(q(2)["strict"], false);
    assert_eq!(q(2)["failure"], "wrong_type");
    assert!(
        q(2)["reason"].as_str().unwrap().contains("7.0 is a float"),
        "{}",
        q(2)["reason"]
    );
    // floats = "python": 1 is not a float inside a float array…
    assert_eq!(q(3)["strict"], false);
    assert_eq!(q(3)["failure"], "wrong_type");
    assert!(
        q(3)["reason"]
            .as_str()
            .unwrap()
            .contains("/xs/0: 1 is an integer, not a float"),
        "{}",
        q(3)["reason"]
    );
    // …1.0 is,
    assert_eq!(q(4)["strict"], true, "{}", q(4)["reason"]);
    // and x-also-valid takes the integers and the string for an integer.
    assert_eq!(q(5)["strict"], true, "{}", q(5)["reason"]);
    assert_eq!(q(6)["strict"], true, "{}", q(6)["reason"]);
}

#[test]
fn default_rules_enforce_enums_and_refuse_null() {
    let dir = tempfile::tempdir().unwrap();
    let pack = PACK
        .replace("integers = \"python\"\n", "")
        .replace("floats = \"python\"\n", "")
        .replace("enums = \"ignore\"\n", "")
        .replace("optional_null = true\n", "");
    std::fs::write(dir.path().join("pack.toml"), pack).unwrap();
    let transcripts = [
        line(
            "factorial",
            &call("math.factorial", json!({"number": 5, "unit": "kelvin"})),
        ),
        line(
            "float-for-int",
            &call("math.factorial", json!({"number": 7.0})),
        ),
        line("int-in-floats", &call("mean", json!({"xs": [1, 2.5]}))),
        line(
            "floats-written-as-floats",
            &call("mean", json!({"xs": [1.0, 2.5]})),
        ),
        line(
            "also-valid",
            &call("mean", json!({"xs": [1, 2.5], "line": "x_var"})),
        ),
        line(
            "added",
            &format!(
                "{}\n{}",
                call("git_status", json!({"path": "."})),
                call("get_weather", json!({"city": "Paris", "unit": null}))
            ),
        ),
    ]
    .join("\n");
    std::fs::write(dir.path().join("t.jsonl"), transcripts + "\n").unwrap();
    let out = replay(dir.path(), "pack.toml", "t.jsonl", "out", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = results_json(dir.path(), "out");
    let q = |i: usize| &r["suites"][0]["queries"][i];
    assert_eq!(q(0)["failure"], "wrong_value", "{}", q(0)["reason"]);
    // JSON Schema: 7.0 is an integer, 1 a number.
    assert_eq!(q(2)["strict"], true, "{}", q(2)["reason"]);
    assert_eq!(q(3)["strict"], true, "{}", q(3)["reason"]);
    assert_eq!(q(6)["failure"], "wrong_type", "{}", q(6)["reason"]);
}

#[test]
fn wrong_query_tools_are_refused_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = r#"
[pack]
id = "bad"
version = "1"
toolset = "punie-phase27"

[[query]]
id = "a"
user = "x"
tools = [{ "x-tool-name" = "bad name!", type = "object" }]
expect = "direct"

[[query]]
id = "b"
user = "y"
tools_mode = "only"
expect = "direct"

[[query]]
id = "c"
user = "z"
tools_mode = "only"
tools = [{ "x-tool-name" = "math.factorial", type = "object", properties = { number = { type = "integer" } } }]
expect = { tool = "git_status" }
"#;
    std::fs::write(dir.path().join("bad.toml"), bad).unwrap();
    std::fs::create_dir(dir.path().join("none")).unwrap();
    let out = punie(
        &["packs", "check", "--queries", "none", "--pack", "bad.toml"],
        dir.path(),
    );
    let err = text(&out.stderr) + &text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.toml:10:10: query[0].tools[0]"), "{err}");
    assert!(
        err.contains("tools[0] is not a usable tool schema"),
        "{err}"
    );
    assert!(err.contains("joined by dots"), "{err}");
    assert!(err.contains("tools_mode = \"only\" but no tools"), "{err}");
    assert!(
        err.contains("expects tool `git_status`, which is not in toolset the query's tools"),
        "{err}"
    );
    assert!(err.contains("bad.toml:"), "{err}");
}
