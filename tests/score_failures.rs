//! The failure taxonomy (issue 13): every failing query says which class it
//! failed by, through the real parser and scorer; every report counts the
//! classes; each query is scored under both parse profiles, so a run splits
//! format errors from decision errors; `compare --parse-profile` pairs the
//! files under one profile.

use crate::cli_support::{punie, replay, results_json, results_schema_errors, text};
use punie_eval::parse::{classify, Profile};
use punie_eval::schema::Toolset;
use punie_eval::score::{score_query, Failure, Response};
use punie_eval::suite::Expect;
use serde_json::{json, Value};
use std::sync::LazyLock;

static TOOLS: LazyLock<Toolset> = LazyLock::new(Toolset::punie_default);

fn class(expect: Value, completion: &str) -> Option<Failure> {
    let e = Expect::from_value(&expect).unwrap();
    let v = classify(completion, &TOOLS);
    let s = score_query(
        &e,
        Response::Completed {
            verdict: &v,
            text: completion,
        },
    );
    assert_eq!(s.strict, s.failure.is_none(), "{s:?}");
    s.failure
}

fn call(name: &str, args: Value) -> String {
    format!(
        "<tool_call>{}</tool_call>",
        json!({"name": name, "arguments": args})
    )
}

#[test]
fn every_failure_class_is_reached_by_its_case() {
    let read = json!({"tool": "read_file", "args": {"path": "a.py"}});
    let cases: Vec<(Failure, Value, String)> = vec![
        (Failure::NoCall, read.clone(), "The file is short.".into()),
        (
            Failure::UnwantedCall,
            json!("direct"),
            call("git_status", json!({"path": "."})),
        ),
        (
            Failure::UnwantedCall,
            json!("direct"),
            "<tool_call>{\"name\": \"git_status\"".into(),
        ),
        (
            Failure::UnparseableCall,
            read.clone(),
            "<tool_call>{\"name\": \"read_file\", \"argu</tool_call>".into(),
        ),
        (
            Failure::UnknownTool,
            read.clone(),
            call("open_file", json!({"path": "a.py"})),
        ),
        (
            Failure::WrongTool,
            read.clone(),
            call("git_status", json!({"path": "."})),
        ),
        (
            Failure::MissingArgument,
            read.clone(),
            call("read_file", json!({})),
        ),
        (
            Failure::MissingArgument,
            json!({"tool": "git_log", "args": {"count": 5}}),
            call("git_log", json!({"path": "."})),
        ),
        (
            Failure::UnknownArgument,
            read.clone(),
            call("read_file", json!({"path": "a.py", "encoding": "utf8"})),
        ),
        (
            Failure::UnknownArgument,
            json!({"tool": "git_log", "args": {"count": {"present": false}}}),
            call("git_log", json!({"path": ".", "count": 3})),
        ),
        (
            Failure::WrongType,
            read.clone(),
            call("read_file", json!({"path": 7})),
        ),
        (
            Failure::WrongValue,
            read.clone(),
            call("read_file", json!({"path": "b.py"})),
        ),
        (
            Failure::WrongCallCount,
            json!({"tool": ["git_status", "git_diff"], "match": "all"}),
            call("git_status", json!({"path": "."})),
        ),
        (
            Failure::Promise,
            read.clone(),
            "I'll read the file for you.".into(),
        ),
        (Failure::NoQuestion, json!("ask"), "Fixed it.".into()),
    ];
    for (want, expect, completion) in cases {
        assert_eq!(
            class(expect.clone(), &completion),
            Some(want),
            "{expect} × {completion:?}"
        );
    }
    // Passing queries carry no class.
    assert_eq!(
        class(read, &call("read_file", json!({"path": "a.py"}))),
        None
    );
    // No completion.
    let e = Expect::from_value(&json!("direct")).unwrap();
    let s = score_query(&e, Response::Missing("timed out"));
    assert_eq!(s.failure, Some(Failure::NoCompletion));
}

const PACK: &str = r#"
[pack]
id = "classes"
version = "1"
description = "one query per failure class"
toolset = "punie-phase27"

[[query]]
id = "ok"
user = "Show the status"
expect = { tool = "git_status" }

[[query]]
id = "truncated"
user = "Show the diff"
expect = { tool = "git_diff" }

[[query]]
id = "invented"
user = "Read a.py"
expect = { tool = "read_file" }

[[query]]
id = "wrong"
user = "Show the log"
expect = { tool = "git_log" }

[[query]]
id = "chat"
user = "What is a diff?"
expect = "direct"
"#;

fn line(id: &str, completion: &str) -> String {
    json!({"query_id": id, "completion": completion}).to_string()
}

fn transcripts() -> String {
    [
        line("ok", &call("git_status", json!({"path": "."}))),
        // Cut off before </tool_call>: a format error only.
        line(
            "truncated",
            "<tool_call>\n{\"name\": \"git_diff\", \"arguments\": {\"path\": \".\"}}",
        ),
        line("invented", &call("open_file", json!({"path": "a.py"}))),
        line("wrong", &call("git_status", json!({"path": "."}))),
        line("chat", "A diff shows changed lines."),
    ]
    .join("\n")
        + "\n"
}

#[test]
fn runs_count_classes_hallucinations_and_format_versus_decision_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.toml"), PACK).unwrap();
    std::fs::write(dir.path().join("t.jsonl"), transcripts()).unwrap();
    let out = replay(
        dir.path(),
        "pack.toml",
        "t.jsonl",
        "strict-run",
        &[
            "--report",
            "markdown:r.md",
            "--report",
            "html:r.html",
            "--report",
            "junit:r.xml",
        ],
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    let r = results_json(dir.path(), "strict-run");
    assert_eq!(results_schema_errors(&r), Vec::<String>::new());
    assert_eq!(r["parse_profile"], "strict");
    let m = &r["overall"];
    assert_eq!(
        m["failures"],
        json!({"unparseable_call": 1, "unknown_tool": 1, "wrong_tool": 1})
    );
    // One call of four parsed calls names a tool not in the toolset (the
    // truncated one is not counted under strict).
    assert_eq!(m["tool_hallucination"]["successes"], 1);
    assert_eq!(m["tool_hallucination"]["trials"], 3);
    let p = &m["profiles"];
    assert_eq!(p["accuracy_strict_profile"]["successes"], 2);
    assert_eq!(p["accuracy_lenient_profile"]["successes"], 3);
    assert_eq!(p["format_errors"], 1);
    assert_eq!(p["decision_errors"], 2);
    assert_eq!(p["disagreements"], 1);
    let q = &r["suites"][0]["queries"][1];
    assert_eq!(q["failure"], "unparseable_call");
    assert_eq!(
        q["profiles"],
        json!({"strict_profile": false, "lenient_profile": true, "verdicts_agree": false})
    );
    assert_eq!(q["verdict"]["profile"], "strict");

    for needle in [
        "failures by class:",
        "unknown_tool",
        "tool hallucination (calls to tools not in the toolset): 33.3%",
        "format errors (fail under strict, pass under lenient): 1",
        "decision errors (fail under lenient too): 2",
        "classes/invented [soft pass, unknown_tool]",
    ] {
        assert!(
            stdout.contains(needle),
            "terminal lacks {needle:?}:\n{stdout}"
        );
    }
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("## Failures by class"), "{md}");
    assert!(md.contains("| wrong_tool | 1 |"), "{md}");
    assert!(
        md.contains("| format errors (fail under strict, pass under lenient) | 1 |"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.path().join("r.html")).unwrap();
    assert!(html.contains("<table id=classes>"), "{html}");
    assert!(html.contains("<td class=l>unparseable_call</td>"), "{html}");
    let xml = std::fs::read_to_string(dir.path().join("r.xml")).unwrap();
    assert!(
        xml.contains("<property name=\"failures.unknown_tool\" value=\"1\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("<property name=\"format_errors\" value=\"1\"/>"),
        "{xml}"
    );
    assert!(xml.contains("class wrong_tool;"), "{xml}");

    // The same transcripts under the lenient profile.
    let out = replay(
        dir.path(),
        "pack.toml",
        "t.jsonl",
        "lenient-run",
        &["--parse-profile", "lenient"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let l = results_json(dir.path(), "lenient-run");
    assert_eq!(l["parse_profile"], "lenient");
    assert_eq!(l["overall"]["strict"]["successes"], 3);
    assert_eq!(l["overall"]["profiles"], r["overall"]["profiles"]);
    assert_eq!(
        l["suites"][0]["queries"][1]["verdict"]["profile"],
        "lenient"
    );

    // Compared as scored, the profiles differ (warned); under one profile
    // the two runs are the same.
    let paths = ["strict-run/results.json", "lenient-run/results.json"];
    let out = punie(&["compare", paths[0], paths[1]], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("parse profiles differ (A: strict, B: lenient)"));
    assert!(
        text(&out.stdout).contains("1 fail→pass"),
        "{}",
        text(&out.stdout)
    );
    for p in Profile::ALL {
        let out = punie(
            &["compare", paths[0], paths[1], "--parse-profile", p.as_str()],
            dir.path(),
        );
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(!text(&out.stderr).contains("parse profiles differ"));
        assert!(stdout.contains("0 pass→fail, 0 fail→pass"), "{p}: {stdout}");
        assert!(stdout.contains(&format!("{p} parse profile")), "{stdout}");
    }
}

#[test]
fn parse_command_takes_the_profile() {
    let input = b"{\"completion\": \"<tool_call>{\\\"name\\\": \\\"git_status\\\", \\\"arguments\\\": {\\\"path\\\": \\\".\\\"}}\"}\n";
    for (flag, kind) in [("strict", "malformed_call"), ("lenient", "tool_call")] {
        let out = crate::cli_support::parse_stdin_with(input, &["--parse-profile", flag]);
        let v: Value = serde_json::from_str(text(&out.stdout).trim()).unwrap();
        assert_eq!(v["kind"], kind, "{flag}: {v}");
        assert_eq!(v["profile"], flag);
    }
    let out = crate::cli_support::parse_stdin_with(input, &["--parse-profile", "loose"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use strict or lenient"));
}
