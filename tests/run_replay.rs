//! `punie-eval run --replay` end to end through the binary: a small pack,
//! crafted transcripts, the results JSON, the transcripts JSONL, the exit
//! codes and the per-query reasons.

use serde_json::Value;
use std::path::{Path, PathBuf};

use crate::cli_support;
use crate::cli_support::replay;
use cli_support::{punie, text};

const PACK: &str = r#"
[pack]
id = "mini"
version = "3"
description = "end-to-end fixture"
toolset = "punie-phase27"
system_prompt = "You are Punie."

[[query]]
id = "lint"
user = "Lint src/app.py"
tags = ["ruff_check"]
expect = { tool = "ruff_check", args = { path = { regex = 'src/app\.py$' } } }

[[query]]
id = "types"
user = "Type-check src/app.py"
tags = ["typecheck"]
expect = { tool = "typecheck" }

[[query]]
id = "log"
user = "Show the last 5 commits"
tags = ["git_log"]
expect = { tool = "git_log", args = { count = 5 } }

[[query]]
id = "what-ruff"
user = "What does ruff check?"
tags = ["ruff_check"]
expect = "direct"

[[query]]
id = "explain-diff"
user = "What does git diff --staged show?"
expect = "direct"

[[query]]
id = "refs"
user = "Where is Protocol used?"
expect = { tool = ["find_references", "workspace_symbols"], match = "any" }

[[query]]
id = "vague"
user = "Fix it."
expect = "ask"

[[query]]
id = "missing"
user = "Run the tests"
expect = { tool = "pytest_run" }
"#;

fn line(query_id: &str, completion: &str) -> String {
    serde_json::json!({ "query_id": query_id, "completion": completion }).to_string()
}

fn transcripts() -> String {
    [
        // Qwen3 JSON call, right tool and path.
        line(
            "lint",
            "<tool_call>\n{\"name\": \"ruff_check\", \"arguments\": {\"path\": \"src/app.py\"}}\n</tool_call>",
        ),
        // A direct answer where a tool was expected.
        line("types", "Your types look fine to me."),
        // Code mode, right tool, wrong count.
        line(
            "log",
            "<tool_call>\n<function=execute_code>\n<parameter=code>\nresult = git_log(\".\", 10)\nprint(result)\n</parameter>\n</function>\n</tool_call>",
        ),
        // The right direct answer.
        line(
            "what-ruff",
            "Ruff checks Python code for lint rule violations: pyflakes, pycodestyle, isort and more.",
        ),
        // A broken call where a direct answer was expected.
        line("explain-diff", "<tool_call>\n{\"name\": \"git_diff\", \"arguments\": {\"path\": \n</tool_call>"),
        // A promise where a tool was expected.
        line("refs", "I'll search the workspace for references to Protocol."),
        // A clarifying question.
        line("vague", "Which file and which error do you mean?"),
        // A transcript of no query of the pack.
        line("stray", "hello"),
    ]
    .join("\n")
        + "\n"
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("mini.toml"), PACK).unwrap();
    std::fs::write(root.join("t.jsonl"), transcripts()).unwrap();
    Fixture { _dir: dir, root }
}

fn query<'a>(results: &'a Value, id: &str) -> &'a Value {
    results["suites"][0]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == id)
        .unwrap_or_else(|| panic!("no query {id}"))
}

#[test]
fn replay_run_scores_every_query_with_reasons() {
    let f = fixture();
    let out = replay(&f.root, "mini.toml", "t.jsonl", "out", &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("out/results.json")).unwrap())
            .unwrap();
    assert_eq!(results["format_version"], 1);
    assert_eq!(results["backend"]["kind"], "replay");
    assert_eq!(results["suites"][0]["pack"]["id"], "mini");
    assert_eq!(results["suites"][0]["pack"]["version"], "3");
    assert_eq!(results["suites"][0]["pack"]["toolset"], "punie-phase27");

    let reasons = [
        ("lint", true, true, "called ruff_check with valid arguments meeting the argument expectations"),
        ("types", false, false, "expected a call to typecheck; got a direct answer"),
        ("log", true, false, "called git_log but argument `count` is 10, expected 5"),
        ("what-ruff", true, true, "answered directly, as expected"),
        ("refs", false, false, "expected a call to one of find_references, workspace_symbols; promised a tool action in prose without calling one"),
        ("vague", true, true, "asked a clarifying question, as expected"),
        ("missing", false, false, "expected a call to pytest_run; no completion (no transcript for this query in t.jsonl)"),
    ];
    for (id, soft, strict, reason) in reasons {
        let q = query(&results, id);
        assert_eq!(q["soft"], soft, "{id}: {q}");
        assert_eq!(q["strict"], strict, "{id}: {q}");
        assert_eq!(q["reason"], reason, "{id}");
    }
    let broken = query(&results, "explain-diff");
    assert_eq!(broken["observed"], "malformed_call");
    assert_eq!(broken["discrimination"], false);
    let reason = broken["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("expected a direct answer; tried to call a tool but broke the format"),
        "{reason}"
    );
    assert!(
        reason.ends_with("a broken call is never an abstention"),
        "{reason}"
    );
    assert_eq!(query(&results, "missing")["verdict"], Value::Null);
    assert_eq!(
        query(&results, "log")["verdict"]["calls"][0]["format"],
        "code_mode"
    );

    let m = &results["suites"][0]["metrics"];
    assert_eq!(m["queries"], 8);
    assert_eq!(m["no_completion"], 1);
    assert_eq!(m["strict"]["successes"], 3);
    assert_eq!(m["soft"]["successes"], 4);
    // Right decision: lint, log, refs (a promise is a decision to call),
    // what-ruff, vague.
    assert_eq!(m["discrimination_accuracy"]["successes"], 5);
    assert_eq!(m["confusion"]["direct"]["malformed_call"], 1);
    assert_eq!(m["confusion"]["tool"]["promise"], 1);
    assert_eq!(m["confusion"]["tool"]["no_completion"], 1);
    assert_eq!(m["calls_tool"]["false_positive"], 1);
    assert_eq!(m["per_tag"]["ruff_check"]["queries"], 2);
    assert_eq!(
        m["per_tool"]["git_log"]["expected_in"]["strict"]["successes"],
        0
    );
    let ci = m["strict"]["ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() < 3.0 / 8.0 && ci[1].as_f64().unwrap() > 3.0 / 8.0);
    assert!(results["warnings"][0]
        .as_str()
        .unwrap()
        .contains("\"stray\" (line 8)"));

    // Terminal summary and warning.
    assert!(stdout.contains("mini"), "{stdout}");
    assert!(stdout.contains("strict failures (4):"), "{stdout}");
    assert!(
        stdout.contains(
            "mini/types [fail, no_call]: expected a call to typecheck; got a direct answer"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("no completion (1, scored as failures): mini/missing"),
        "{stdout}"
    );
    assert!(
        stderr.contains("1 transcript(s) match no query"),
        "{stderr}"
    );

    // One transcript line per query, itself replayable to the same scores.
    let lines = std::fs::read_to_string(f.root.join("out/transcripts.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 8);
    let again = replay(&f.root, "mini.toml", "out/transcripts.jsonl", "again", &[]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    let replayed: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("again/results.json")).unwrap())
            .unwrap();
    for id in [
        "lint",
        "types",
        "log",
        "what-ruff",
        "explain-diff",
        "refs",
        "vague",
    ] {
        assert_eq!(
            query(&replayed, id)["reason"],
            query(&results, id)["reason"],
            "{id}"
        );
    }
    let missing = query(&replayed, "missing")["reason"].as_str().unwrap();
    assert!(
        missing.contains("the transcript has no completion"),
        "{missing}"
    );
}

/// Where `results` breaks the results schema ("pointer: message" each).
fn schema_errors(results: &Value) -> Vec<String> {
    cli_support::results_schema_errors(results)
}

#[test]
fn results_conform_to_the_results_schema() {
    let f = fixture();
    let out = replay(&f.root, "mini.toml", "t.jsonl", "out", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("out/results.json")).unwrap())
            .unwrap();
    let errors = schema_errors(&results);
    assert!(errors.is_empty(), "{errors:#?}");
    // And the schema is not vacuous: a results file without its version fails.
    let mut broken = results.clone();
    broken.as_object_mut().unwrap().remove("format_version");
    assert!(!schema_errors(&broken).is_empty());
}

#[test]
fn accuracy_gate_exits_one_below_the_threshold() {
    let f = fixture();
    let out = replay(
        &f.root,
        "mini.toml",
        "t.jsonl",
        "o1",
        &["--min-accuracy", "0.9"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("strict score 37.5% is below --min-accuracy 90.0%"));
    let out = replay(
        &f.root,
        "mini.toml",
        "t.jsonl",
        "o2",
        &["--min-accuracy", "0.3"],
    );
    assert_eq!(out.status.code(), Some(0));
    let out = punie(
        &[
            "run",
            "--suite",
            "mini.toml",
            "--replay",
            "t.jsonl",
            "--min-accuracy",
            "90",
        ],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("give a fraction (0.9 for 90%)"));
}

#[test]
fn usage_errors_exit_two_with_the_fix() {
    let f = fixture();
    // A model folder that does not exist: refused before anything runs,
    // whichever way this binary was built (with or without the mlx feature).
    let out = punie(
        &["run", "--suite", "mini.toml", "--model", "no-such-model"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        [
            "no-such-model",
            "loading the model",
            "without the `mlx` feature",
            "issue #3"
        ]
        .iter()
        .any(|m| err.contains(m)),
        "{err}"
    );
    assert!(
        !f.root.join("results").exists(),
        "nothing written on a usage error"
    );

    std::fs::write(
        f.root.join("bad.toml"),
        PACK.replace("tool = \"typecheck\"", "tool = \"typechek\""),
    )
    .unwrap();
    let out = punie(
        &["run", "--suite", "bad.toml", "--replay", "t.jsonl"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("bad.toml:19:"), "{err}");
    assert!(err.contains("did you mean `typecheck`?"), "{err}");

    std::fs::write(
        f.root.join("dup.jsonl"),
        format!("{}\n{}\n", line("lint", "a"), line("lint", "b")),
    )
    .unwrap();
    let out = punie(
        &["run", "--suite", "mini.toml", "--replay", "dup.jsonl"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("dup.jsonl:2: a second transcript for query \"lint\" (first on line 1)"),
        "{err}"
    );
}

#[test]
fn toolset_override_applies_to_every_pack() {
    let f = fixture();
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/toolsets/punie-phase33.json");
    let out = punie(
        &[
            "run",
            "--suite",
            "mini.toml",
            "--replay",
            "t.jsonl",
            "--out",
            "o",
            "--toolset",
            file.to_str().unwrap(),
        ],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("o/results.json")).unwrap())
            .unwrap();
    assert_eq!(results["suites"][0]["pack"]["toolset"], "punie-phase33");
    assert_eq!(query(&results, "lint")["strict"], true);

    let out = punie(
        &[
            "run",
            "--suite",
            "mini.toml",
            "--replay",
            "t.jsonl",
            "--toolset",
            "no-such-toolset",
        ],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--toolset \"no-such-toolset\""),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn all_problems_of_a_pack_come_at_once_including_its_toolset() {
    let f = fixture();
    let both = PACK
        .replace("tool = \"typecheck\"", "tool = \"typechek\"")
        .replace("id = \"log\"", "id = \"lint\"");
    std::fs::write(f.root.join("both.toml"), both).unwrap();
    let out = punie(
        &["run", "--suite", "both.toml", "--replay", "t.jsonl"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("invalid query pack (2 problems)"), "{err}");
    assert!(err.contains("both.toml:19:"), "{err}");
    assert!(err.contains("both.toml:22:"), "{err}");
    assert!(err.contains("duplicate query id \"lint\""), "{err}");

    let missing = PACK.replace(
        "toolset = \"punie-phase27\"",
        "toolset = \"tools/mine.json\"",
    );
    std::fs::write(f.root.join("missing.toml"), missing).unwrap();
    let out = punie(
        &["run", "--suite", "missing.toml", "--replay", "t.jsonl"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("missing.toml:6:"), "{err}");
    assert!(
        err.contains("pack.toolset: toolset \"tools/mine.json\""),
        "{err}"
    );
}

#[test]
fn malformed_transcript_lines_name_the_line() {
    let f = fixture();
    for (content, expected) in [
        (
            "{\"query_id\": \"lint\", \"complettion\": \"x\"}\n",
            "bad.jsonl:1: the line has no \"completion\" key",
        ),
        (
            "\n{\"query_id\": \"lint\", \"completion\": \"x\"}\nnot json\n",
            "bad.jsonl:3: not a transcript line",
        ),
        (
            "{\"query_id\": 7, \"completion\": \"x\"}\n",
            "bad.jsonl:1: not a transcript line (invalid type",
        ),
    ] {
        std::fs::write(f.root.join("bad.jsonl"), content).unwrap();
        let out = punie(
            &["run", "--suite", "mini.toml", "--replay", "bad.jsonl"],
            &f.root,
        );
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(err.contains(expected), "{err}");
        assert!(
            err.contains("fix: each line must be a JSON object"),
            "{err}"
        );
    }
    let out = punie(
        &["run", "--suite", "mini.toml", "--replay", "nope.jsonl"],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("nope.jsonl: cannot read the transcripts"));
}

/// Three `--repeats` runs from one transcripts file ("repeat": r per line):
/// pass^3 counts queries passing in all three, pass@3 in any, and the flaky
/// ones are named; the file conforms to the schema and `compare` shows it.
#[test]
fn repeats_give_pass_hat_k_pass_at_k_and_flaky_queries() {
    let f = fixture();
    let pack = PACK.replace(
        "system_prompt = \"You are Punie.\"",
        "system_prompt = \"You are Punie.\"\n[pack.generation]\ntemperature = 0.7\nseed = 40",
    );
    std::fs::write(f.root.join("sampled.toml"), pack).unwrap();
    let call = "<tool_call>\n{\"name\": \"ruff_check\", \"arguments\": {\"path\": \"src/app.py\"}}\n</tool_call>";
    let direct = "Ruff checks Python code for lint rule violations.";
    let mut lines = Vec::new();
    for r in 0..3u32 {
        let mut add = |id: &str, c: &str| {
            lines
                .push(serde_json::json!({"query_id": id, "completion": c, "repeat": r}).to_string())
        };
        add("lint", call); // passes every run
        add("what-ruff", if r == 1 { call } else { direct }); // flaky: 2/3
        add("types", "fine"); // fails every run
    }
    std::fs::write(f.root.join("rep.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = punie(
        &[
            "run",
            "--suite",
            "sampled.toml",
            "--replay",
            "rep.jsonl",
            "--repeats",
            "3",
            "--out",
            "rep",
        ],
        &f.root,
    );
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("pass^3 (every run):  12.5%"), "{stdout}");
    assert!(stdout.contains("mini/what-ruff ✓✗✓ (2/3)"), "{stdout}");
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("rep/results.json")).unwrap())
            .unwrap();
    let rep = &results["repeats"];
    assert_eq!(rep["k"], 3);
    assert_eq!(rep["pass_hat_k"]["successes"], 1); // lint
    assert_eq!(rep["pass_at_k"]["successes"], 2); // lint, what-ruff
    assert_eq!(rep["pass_hat_k"]["trials"], 8);
    // lint 3 + what-ruff 2 (+ nothing else) of 8 queries × 3 runs.
    assert_eq!(rep["mean_pass"]["successes"], 5);
    assert_eq!(rep["mean_pass"]["trials"], 24);
    assert_eq!(rep["greedy"], false);
    let wr = rep["queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "what-ruff")
        .unwrap();
    assert_eq!(wr["strict"], serde_json::json!([true, false, true]));
    assert_eq!(
        wr["verdicts"],
        serde_json::json!(["direct", "tool_call", "direct"])
    );
    // Run 0 is the body of the file.
    let q0 = results["suites"][0]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["id"] == "what-ruff")
        .unwrap();
    assert_eq!(q0["strict"], true);

    let errors = schema_errors(&results);
    assert!(errors.is_empty(), "{errors:#?}");

    // A missing repeat is a missing completion in that run, not a crash.
    let two: Vec<&str> = lines.iter().map(String::as_str).take(6).collect();
    std::fs::write(f.root.join("two.jsonl"), two.join("\n") + "\n").unwrap();
    let out = punie(
        &[
            "run",
            "--suite",
            "sampled.toml",
            "--replay",
            "two.jsonl",
            "--repeats",
            "3",
            "--out",
            "two",
        ],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let two: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("two/results.json")).unwrap())
            .unwrap();
    assert_eq!(two["repeats"]["pass_hat_k"]["successes"], 0);

    let out = punie(
        &["compare", "rep/results.json", "two/results.json"],
        &f.root,
    );
    let cmp = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(cmp.contains("pass^3 (every run)"), "{cmp}");
    assert!(cmp.contains("-12.5 pp"), "{cmp}");

    // Greedy repeats are called what they are.
    let out = punie(
        &[
            "run",
            "--suite",
            "mini.toml",
            "--replay",
            "rep.jsonl",
            "--repeats",
            "3",
            "--out",
            "g",
        ],
        &f.root,
    );
    assert!(
        text(&out.stderr).contains("greedy decoding"),
        "{}",
        text(&out.stderr)
    );
    // K = 0 is refused by the argument parser.
    let out = punie(
        &[
            "run",
            "--suite",
            "mini.toml",
            "--replay",
            "rep.jsonl",
            "--repeats",
            "0",
        ],
        &f.root,
    );
    assert_eq!(out.status.code(), Some(2));
}
