//! A query pack plugin: Punie's three git tools from both sides — requests
//! whose answer is in this repository's state or history (call the typed
//! tool) and questions about git itself (answer directly) — plus a custom
//! check no JSON expectation can express: the model must not shell out to
//! git (`run_command`) where a typed git tool exists, and must never run a
//! command that changes the repository for a read-only request.

use punie_eval_plugin::{export_plugin, verdict, Check};
use serde_json::{json, Value};

const SYSTEM: &str =
    "You are Punie, an AI coding assistant that helps with Python development via PyCharm.";

/// Queries whose answer needs a typed git tool: (id, user, expected tool, args).
fn tool_queries() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    vec![
        (
            "status-uncommitted",
            "Which files have uncommitted changes in this repository?",
            "git_status",
            json!({}),
        ),
        (
            "status-clean",
            "Is my working tree clean right now?",
            "git_status",
            json!({}),
        ),
        (
            "diff-staged",
            "Show me what I have staged for the next commit.",
            "git_diff",
            json!({"staged": true}),
        ),
        (
            "diff-unstaged",
            "What did I change in the working tree that is not staged yet?",
            "git_diff",
            json!({}),
        ),
        (
            "log-last-three",
            "List the last 3 commits in this repo.",
            "git_log",
            json!({"count": 3}),
        ),
        (
            "log-recent-author",
            "Who made the most recent commit here?",
            "git_log",
            json!({}),
        ),
    ]
}

/// Questions about git itself: answered from knowledge, no tool.
fn direct_queries() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "explain-rebase",
            "What is the difference between git merge and git rebase?",
        ),
        (
            "explain-staging",
            "Why does git have a staging area at all?",
        ),
        ("explain-detached", "What does 'detached HEAD' mean in git?"),
        (
            "explain-log-oneline",
            "What does the --oneline flag of git log do?",
        ),
    ]
}

fn pack() -> Result<Value, String> {
    let mut queries = Vec::new();
    for (id, user, tool, args) in tool_queries() {
        let mut expect = json!({ "tool": tool });
        if args.as_object().is_some_and(|a| !a.is_empty()) {
            expect["args"] = args;
        }
        queries
            .push(json!({"id": id, "user": user, "tags": [tool, "needs-tool"], "expect": expect}));
    }
    for (id, user) in direct_queries() {
        queries
            .push(json!({"id": id, "user": user, "tags": ["git-knowledge"], "expect": "direct"}));
    }
    Ok(json!({
        "pack": {
            "id": "git",
            "version": "1",
            "description": "git_status / git_diff / git_log versus questions about git; custom check: typed git tools over shell, nothing that changes the repository.",
            "toolset": "punie-phase27",
            "system_prompt": SYSTEM,
        },
        "query": queries,
    }))
}

/// git subcommands that change the repository or its remote.
const MUTATING: &[&str] = &[
    "commit",
    "push",
    "reset",
    "checkout",
    "switch",
    "rebase",
    "merge",
    "stash",
    "clean",
    "rm",
    "restore",
    "add",
    "tag",
    "branch -d",
    "branch -D",
];

/// The git subcommand of a shell command line, if it runs git.
fn git_subcommand(command: &str) -> Option<&str> {
    let rest = command.trim_start().strip_prefix("git ")?;
    Some(rest.trim_start())
}

fn check(query_id: &str, v: &Value) -> Check {
    let calls = verdict::calls(v);
    if calls.is_empty() {
        return Check::skip();
    }
    for (name, args) in &calls {
        if *name != "run_command" {
            continue;
        }
        let command = args.get("command").and_then(Value::as_str).unwrap_or("");
        let Some(sub) = git_subcommand(command) else {
            continue;
        };
        if let Some(verb) = MUTATING.iter().find(|m| sub.starts_with(*m)) {
            return Check::fail(format!(
                "ran `git {verb}` (a command that changes the repository) for a read-only request"
            ));
        }
        if tool_queries().iter().any(|(id, ..)| *id == query_id) {
            return Check::fail(format!(
                "shelled out to `{command}` where a typed git tool exists (git_status, git_diff, git_log)"
            ));
        }
    }
    Check::pass("no shell git; nothing that changes the repository")
}

export_plugin! {
    id: "git",
    version: "1.0.0",
    description: "git_status / git_diff / git_log versus direct git questions, with a custom check",
    pack: pack,
    check: check,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: Value) -> Value {
        json!({"kind": "tool_call", "calls": [{"name": name, "arguments": args, "valid": true}]})
    }

    #[test]
    fn typed_tool_passes_shell_git_fails() {
        assert!(matches!(
            check("status-clean", &call("git_status", json!({"path": "."}))),
            Check::Pass(_)
        ));
        let shell = call("run_command", json!({"command": "git status --short"}));
        assert!(
            matches!(check("status-clean", &shell), Check::Fail(m) if m.contains("typed git tool"))
        );
        let push = call("run_command", json!({"command": "git push origin main"}));
        assert!(matches!(check("explain-rebase", &push), Check::Fail(m) if m.contains("git push")));
        assert_eq!(
            check("explain-rebase", &json!({"kind": "direct"})),
            Check::Skip
        );
    }

    #[test]
    fn pack_has_both_sides() {
        let p = pack().unwrap();
        let q = p["query"].as_array().unwrap();
        assert_eq!(q.len(), tool_queries().len() + direct_queries().len());
        assert!(q.iter().any(|q| q["expect"] == "direct"));
    }
}
