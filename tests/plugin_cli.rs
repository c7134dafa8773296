//! `punie-eval packs` and `punie-eval run --plugin` through the real binary:
//! plugins load beside query files, broken plugins are reported by file with
//! an exit code below 100 while the other packs are listed and run, id
//! collisions are reported, and a plugin's custom check fails a query with
//! its message in results.json.

use crate::plugin_support;

use plugin_support::{c_plugin, not_a_library, repo, rust_plugins};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};

fn punie(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .current_dir(repo())
        .args(args)
        .output()
        .expect("run punie-eval")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    let c = o.status.code().expect("exited, not killed by a signal");
    assert!(c < 100, "exit code {c}");
    c
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn list_files_and_plugins_and_report_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let bad = not_a_library(dir.path());
    let git = &rust_plugins().git;
    let o = punie(&["packs", "list", "--plugin", s(git), "--plugin", s(&bad)]);
    let (out, err) = (text(&o.stdout), text(&o.stderr));
    assert_eq!(code(&o), 2, "{out}\n{err}");
    for id in ["discrimination", "protocol", "git "] {
        assert!(out.contains(id), "{id} missing from:\n{out}");
    }
    assert!(out.contains("[custom check]"), "{out}");
    assert!(
        err.contains(s(&bad)) && err.contains("not a loadable shared library"),
        "{err}"
    );
}

#[test]
fn check_passes_for_good_plugins_and_fails_for_broken_ones() {
    let dir = tempfile::tempdir().unwrap();
    let c = c_plugin(dir.path(), "c_example", &[]);
    let tc = &rust_plugins().toolset_change;
    let o = punie(&["packs", "check", "--plugin", s(tc), "--plugin", s(&c)]);
    let out = text(&o.stdout);
    assert_eq!(code(&o), 0, "{out}\n{}", text(&o.stderr));
    assert!(out.contains("ok  toolset-change-phase32 (24 queries, toolset punie-phase27+toolset-change-phase32 with 26 tools)"), "{out}");
    assert!(out.contains("ok  c-example"), "{out}");

    let broken = c_plugin(dir.path(), "abi", &["BROKEN_ABI"]);
    let o = punie(&["packs", "check", "--plugin-dir", s(dir.path())]);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 1, "{}\n{err}", text(&o.stdout));
    assert!(
        err.contains(s(&broken)) && err.contains("ABI version 999"),
        "{err}"
    );
    assert!(text(&o.stdout).contains("ok  c-example"));
}

#[test]
fn show_a_plugin_pack() {
    let o = punie(&[
        "packs",
        "show",
        "toolset-change-phase32",
        "--plugin",
        s(&rust_plugins().toolset_change),
    ]);
    let out = text(&o.stdout);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        out.contains("adds tools:  cst_find_pattern, cst_rename"),
        "{out}"
    );
    assert!(out.contains("cst_rename-request"), "{out}");
    let o = punie(&["packs", "show", "nope", "--plugin", s(&rust_plugins().git)]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("use one of: discrimination, protocol, git"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn pack_id_collisions_are_reported() {
    let git = s(&rust_plugins().git);
    let o = punie(&["packs", "list", "--plugin", git, "--plugin", git]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("pack id \"git\" is also the id of plugin"),
        "{}",
        text(&o.stderr)
    );
}

fn replay_line(query: &str, completion: &str) -> String {
    replay_in("git", query, completion)
}

fn replay_in(suite: &str, query: &str, completion: &str) -> String {
    json!({"suite": suite, "query_id": query, "completion": completion}).to_string()
}

#[test]
fn run_applies_the_custom_check_and_survives_a_broken_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let call = |name: &str, args: Value| {
        format!(
            "<tool_call>\n{}\n</tool_call>",
            json!({"name": name, "arguments": args})
        )
    };
    let lines = [
        replay_line(
            "status-clean",
            &call("run_command", json!({"command": "git status"})),
        ),
        replay_line(
            "status-uncommitted",
            &call("git_status", json!({"path": "."})),
        ),
        replay_line("explain-rebase", "Merge keeps history; rebase rewrites it."),
        replay_in(
            "c-example",
            "read-config",
            &call("read_file", json!({"path": "setup.cfg"})),
        ),
    ];
    let transcripts = dir.path().join("t.jsonl");
    std::fs::write(&transcripts, lines.join("\n")).unwrap();
    let bad = c_plugin(dir.path(), "null", &["BROKEN_NULL"]);
    let c = c_plugin(dir.path(), "c_example", &[]);
    let out_dir = dir.path().join("out");
    let o = punie(&[
        "run",
        "--plugin",
        s(&rust_plugins().git),
        "--plugin",
        s(&bad),
        "--plugin",
        s(&c),
        "--replay",
        s(&transcripts),
        "--out",
        s(&out_dir),
    ]);
    let err = text(&o.stderr);
    assert_eq!(code(&o), 2, "{}\n{err}", text(&o.stdout));
    assert!(
        err.contains(s(&bad)) && err.contains("null pointer"),
        "{err}"
    );

    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("results.json")).unwrap())
            .unwrap();
    let suite = &results["suites"][0];
    assert_eq!(suite["pack"]["id"], "git");
    let query = |id: &str| {
        suite["queries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap()
            .clone()
    };
    let shell = query("status-clean");
    assert_eq!(shell["custom_check"]["pass"], false);
    assert_eq!(shell["strict"], false);
    assert!(
        shell["reason"]
            .as_str()
            .unwrap()
            .contains("custom check of plugin git failed: shelled out"),
        "{shell}"
    );
    let typed = query("status-uncommitted");
    assert_eq!(typed["custom_check"]["pass"], true);
    assert_eq!(typed["strict"], true);
    let direct = query("explain-rebase");
    assert!(direct.get("custom_check").is_none());
    assert_eq!(direct["strict"], true);

    // The expectation alone passes (a valid read_file call); the C plugin's
    // rule (it must read pyproject.toml) fails it.
    let c_suite = &results["suites"][1];
    assert_eq!(c_suite["pack"]["id"], "c-example");
    let read = &c_suite["queries"][0];
    assert_eq!(read["id"], "read-config");
    assert_eq!(read["soft"], true);
    assert_eq!(read["strict"], false);
    assert_eq!(
        read["custom_check"]["message"],
        "read_file did not name pyproject.toml"
    );
    assert!(
        read["reason"]
            .as_str()
            .unwrap()
            .contains("the expectation passed"),
        "{read}"
    );
}
