//! The run loop through the Backend trait: prepared queries carry the
//! conversation and settings, a backend that dies mid-run leaves every
//! transcript already scored on disk, a backend that answers many jobs out
//! of order gets results in pack and query order, and a policy can give a
//! query several turns.

use punie_eval::parse::Verdict;
use punie_eval::run::{
    Backend, BackendInfo, Completion, CompletionError, Flow, Job, Next, Observer, Policy,
    PreparedQuery, RunError, Runner, Suite, Timings, TranscriptWriter,
};
use punie_eval::schema::Toolset;
use punie_eval::suite::Message;
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
    let suites = [Suite::new(pack, toolset)];
    let mut backend = Scripted {
        seen: vec![],
        die_after: 10,
    };
    let results = Runner::new(&suites).run(&mut backend).unwrap();
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
    let suites = [Suite::new(pack, toolset)];
    let mut backend = Scripted {
        seen: vec![],
        die_after: 2,
    };
    let err = Runner::new(&suites)
        .transcripts(&mut writer)
        .run(&mut backend)
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

/// Takes every job at once and answers them last first; answers a query
/// with a call when its text mentions "Lint" (so a wrong order would
/// move the call to another query).
struct Reversed {
    batches: Vec<usize>,
}

impl Backend for Reversed {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "reversed".into(),
            description: "answers out of order".into(),
            details: Default::default(),
        }
    }
    fn capacity(&self) -> usize {
        64
    }
    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        let user = q.messages.last().map(|m| m.content.as_str()).unwrap_or("");
        let text = if user.contains("Lint") {
            r#"<tool_call>{"name": "ruff_check", "arguments": {"path": "src/a.py"}}</tool_call>"#
        } else {
            "An answer."
        };
        Ok(Completion {
            text: text.into(),
            prompt_tokens: Some(user.len() as u64),
            generated_tokens: None,
            timings: Timings::default(),
        })
    }
    fn complete_all(
        &mut self,
        jobs: &[Job],
        done: &mut dyn FnMut(usize, Result<Completion, CompletionError>) -> Flow,
    ) {
        self.batches.push(jobs.len());
        for job in jobs.iter().rev() {
            let answer = self.complete(&job.query);
            if done(job.ticket, answer) == Flow::Stop {
                return;
            }
        }
    }
}

/// The queries in the order they finished, and how many transcript lines
/// the file had when each did.
#[derive(Default)]
struct Seen(Vec<String>, Option<std::path::PathBuf>, Vec<usize>);

impl Observer for Seen {
    fn finished(&mut self, suite: &str, q: &punie_eval::results::QueryResult) {
        self.0.push(format!("{suite}/{}", q.id));
        if let Some(p) = &self.1 {
            let lines = std::fs::read_to_string(p)
                .unwrap_or_default()
                .lines()
                .count();
            self.2.push(lines);
        }
    }
}

#[test]
fn results_stay_in_pack_and_query_order_when_a_backend_answers_out_of_order() {
    let (pack, toolset) = setup();
    let mut second = pack.clone();
    second.pack.pack.id = "q".into();
    let suites = [
        Suite::new(pack, Arc::clone(&toolset)),
        Suite::new(second, toolset),
    ];
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("transcripts.jsonl");
    let mut writer = TranscriptWriter::append(&path).unwrap();
    let mut seen = Seen(vec![], Some(path.clone()), vec![]);
    let mut backend = Reversed { batches: vec![] };
    let results = Runner::new(&suites)
        .transcripts(&mut writer)
        .observer(&mut seen)
        .run(&mut backend)
        .unwrap();
    drop(writer);
    // One batch of all six jobs, answered last first.
    assert_eq!(backend.batches, [6]);
    assert_eq!(
        seen.0,
        ["q/three", "q/two", "q/one", "p/three", "p/two", "p/one"]
    );
    let order: Vec<(String, String)> = results
        .suites
        .iter()
        .flat_map(|s| s.queries.iter().map(|q| (s.pack.id.clone(), q.id.clone())))
        .collect();
    let want: Vec<(String, String)> = ["p", "q"]
        .iter()
        .flat_map(|p| ["one", "two", "three"].map(|q| (p.to_string(), q.to_string())))
        .collect();
    assert_eq!(order, want);
    for s in &results.suites {
        // Each answer landed on its own query: "two" is the lint request.
        assert!(s.queries.iter().all(|q| q.score.strict), "{:?}", s.queries);
        assert_eq!(
            s.queries[1].prompt_tokens,
            Some("Lint src/a.py".len() as u64)
        );
    }
    // Each line was written as its query finished; at the end the file has
    // every query once, in run order (the same file whatever the order).
    assert_eq!(seen.2, [1, 2, 3, 4, 5, 6]);
    let text = std::fs::read_to_string(&path).unwrap();
    let ids: Vec<String> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{}/{}",
                v["suite"].as_str().unwrap(),
                v["query_id"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        ids,
        ["p/one", "p/two", "p/three", "q/one", "q/two", "q/three"]
    );
}

/// A policy that feeds a tool result back once after a call.
struct OneToolResult {
    calls: u32,
}

impl Policy for OneToolResult {
    fn after(&mut self, _: &PreparedQuery, step: u32, c: &Completion, v: &Verdict) -> Next {
        if step == 0 && !v.calls.is_empty() {
            self.calls += 1;
            return Next::Continue(vec![
                Message {
                    role: Role::Assistant,
                    content: c.text.clone(),
                },
                Message {
                    role: Role::Tool,
                    content: "All checks passed!".into(),
                },
            ]);
        }
        Next::Done
    }
}

/// Answers a call first, then a direct answer once a tool result is there.
struct Agent {
    seen: Vec<usize>,
}

impl Backend for Agent {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: "agent".into(),
            description: "two-step".into(),
            details: Default::default(),
        }
    }
    fn complete(&mut self, q: &PreparedQuery) -> Result<Completion, CompletionError> {
        self.seen.push(q.messages.len());
        let answered = q.messages.iter().any(|m| m.content == "All checks passed!");
        let text = if answered {
            "Ruff found no problems."
        } else {
            r#"<tool_call>{"name": "ruff_check", "arguments": {"path": "src/a.py"}}</tool_call>"#
        };
        Ok(Completion {
            text: text.into(),
            prompt_tokens: None,
            generated_tokens: None,
            timings: Timings::default(),
        })
    }
}

#[test]
fn a_policy_can_give_a_query_more_turns() {
    let (pack, toolset) = setup();
    let suites = [Suite::new(pack, toolset)];
    let mut backend = Agent { seen: vec![] };
    let mut policy = OneToolResult { calls: 0 };
    let results = Runner::new(&suites)
        .policy(&mut policy)
        .run(&mut backend)
        .unwrap();
    // Every query called first; each was asked again with two more messages.
    assert_eq!(policy.calls, 3);
    assert_eq!(backend.seen, [2, 2, 2, 4, 4, 4]);
    // Scored on the final turn: a direct answer.
    let q = &results.suites[0].queries;
    assert_eq!(q.len(), 3);
    assert!(q[0].score.strict, "{}", q[0].score.reason);
    assert!(
        !q[1].score.strict,
        "query two expected a call: {}",
        q[1].score.reason
    );
}
