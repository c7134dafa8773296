//! The run loop through the Backend trait: prepared queries carry the
//! conversation and settings, and a backend that dies mid-run leaves every
//! transcript already scored on disk.

use punie_eval::parse::classify;
use punie_eval::run::{
    run_suites, Backend, BackendInfo, Completion, CompletionError, PreparedQuery, RunError,
    SuiteRun, Timings, TranscriptWriter,
};
use punie_eval::schema::Toolset;
use punie_eval::suite::{LoadedPack, Role};
use std::sync::Arc;

const PACK: &str = r#"
[pack]
id = "p"
version = "1"
toolset = "punie-phase27"
system_prompt = "SYS"
[pack.generation]
max_tokens = 64

[[query]]
id = "one"
user = "What does ruff check?"
expect = "direct"

[[query]]
id = "two"
system_prompt = "OWN"
user = "Lint src/a.py"
expect = { tool = "ruff_check" }

[[query]]
id = "three"
messages = [{ role = "system", content = "CONV" }, { role = "user", content = "hi" }]
expect = "direct"
"#;

/// Answers the first `die_after` queries, then fails fatally.
struct Scripted {
    seen: Vec<PreparedQuery>,
    die_after: usize,
}

impl Backend for Scripted {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "scripted".into(),
            description: "test backend".into(),
            details: Default::default(),
        }
    }
    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        self.seen.push(q.clone());
        if self.seen.len() > self.die_after {
            return Err(CompletionError::Fatal("device lost".into()));
        }
        Ok(Completion {
            text: "Ruff is a linter.".into(),
            prompt_tokens: Some(12),
            generated_tokens: Some(5),
            timings: Timings {
                total_s: Some(0.5),
                ..Timings::default()
            },
        })
    }
}

fn setup() -> (LoadedPack, Arc<Toolset>) {
    let pack = LoadedPack::from_toml(PACK, "p.toml").unwrap();
    let toolset = Arc::new(Toolset::builtin("punie-phase27").unwrap().unwrap());
    (pack, toolset)
}

#[test]
fn prepared_queries_carry_conversation_and_settings() {
    let (pack, toolset) = setup();
    let suites = [SuiteRun {
        pack: &pack,
        toolset: Arc::clone(&toolset),
    }];
    let mut backend = Scripted {
        seen: vec![],
        die_after: 10,
    };
    let results = run_suites(
        &suites,
        &mut backend,
        &mut |_, text| classify(text, &toolset),
        None,
        &mut |_, _| {},
    )
    .unwrap();
    let seen = &backend.seen;
    assert_eq!(seen.len(), 3);
    assert_eq!(
        (seen[0].suite.as_str(), seen[0].query_id.as_str()),
        ("p", "one")
    );
    assert_eq!(seen[0].generation.max_tokens, 64);
    assert_eq!(seen[0].toolset.name(), "punie-phase27");
    let roles: Vec<(Role, &str)> = seen[0]
        .messages
        .iter()
        .map(|m| (m.role, m.content.as_str()))
        .collect();
    assert_eq!(
        roles,
        [(Role::System, "SYS"), (Role::User, "What does ruff check?")]
    );
    assert_eq!(
        seen[1].messages[0].content, "OWN",
        "a query's own system prompt wins"
    );
    let roles: Vec<&str> = seen[2]
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect();
    assert_eq!(
        roles,
        ["CONV", "hi"],
        "a conversation's system message is not doubled"
    );

    let q = &results.suites[0].queries;
    assert_eq!(q[0].prompt_tokens, Some(12));
    assert_eq!(q[0].timings.total_s, Some(0.5));
    assert!(q[0].score.strict);
    assert_eq!(
        q[1].score.reason,
        "expected a call to ruff_check; got a direct answer"
    );
    assert_eq!(results.backend.kind, "scripted");
}

#[test]
fn a_fatal_backend_error_keeps_what_was_scored() {
    let (pack, toolset) = setup();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.jsonl");
    let mut writer = TranscriptWriter::append(&path).unwrap();
    let suites = [SuiteRun {
        pack: &pack,
        toolset: Arc::clone(&toolset),
    }];
    let mut backend = Scripted {
        seen: vec![],
        die_after: 2,
    };
    let err = run_suites(
        &suites,
        &mut backend,
        &mut |_, text| classify(text, &toolset),
        Some(&mut writer),
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(matches!(err, RunError::Backend { .. }));
    assert_eq!(
        err.to_string(),
        "suite p, query three: the backend failed: device lost"
    );
    // Read while the writer is still alive: lines are flushed as they are scored.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query_id"], "one");
    assert_eq!(lines[0]["strict_pass"], true);
    assert_eq!(lines[1]["query_id"], "two");
    assert_eq!(lines[1]["verdict"]["kind"], "direct");
    drop(writer);
}
