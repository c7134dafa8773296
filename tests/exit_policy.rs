//! The one exit policy (issue #12): 0 success, 1 a check failed, 2 bad input
//! or usage, 3 a runtime failure (the model, MLX, a backend); and a closed
//! stdout (`… | head -1`) ends every command that prints a lot quietly,
//! with success and with its files written.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::cli_support;
use crate::cli_support::replay;
use cli_support::{punie, text};

/// A pack of `n` queries that all expect a call, and a replay file that
/// answers each directly: `n` failures, each listed in the summary.
fn big_fixture(dir: &Path, n: usize) {
    let mut pack =
        String::from("[pack]\nid = \"big\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n");
    let mut replay = String::new();
    for i in 0..n {
        pack += &format!(
            "\n[[query]]\nid = \"q{i:05}\"\nuser = \"Lint src/module_{i}.py please\"\nexpect = {{ tool = \"ruff_check\" }}\n"
        );
        replay += &format!(
            "{{\"query_id\": \"q{i:05}\", \"completion\": \"Ruff is a fast Python linter; module {i} looks fine to me.\"}}\n"
        );
    }
    std::fs::write(dir.join("big.toml"), pack).unwrap();
    std::fs::write(dir.join("big.jsonl"), replay).unwrap();
}

/// Runs `punie-eval ARGS` with `stdin`, reads one line of stdout, closes
/// it, and returns (exit code, stderr).
fn head_1(args: &[&str], cwd: &Path, stdin: &str) -> (Option<i32>, String) {
    // Stderr to a file: a log of one line per query must not fill a pipe
    // that nobody reads while the test waits on stdout.
    let log = tempfile::NamedTempFile::new().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log.reopen().unwrap())
        .spawn()
        .expect("start punie-eval");
    let mut input = child.stdin.take().unwrap();
    let feed = stdin.to_string();
    // Fed from a thread: the child stops reading once its stdout is gone.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(feed.as_bytes());
    });
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    out.read_line(&mut first).unwrap();
    assert!(!first.is_empty(), "no first line from {args:?}");
    drop(out);
    let status = child.wait().unwrap();
    let _ = feeder.join();
    (status.code(), std::fs::read_to_string(log.path()).unwrap())
}

#[test]
fn a_closed_stdout_ends_quietly_with_success() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    big_fixture(dir, 3000);

    // parse: 3000 verdicts, far more than a pipe holds.
    let lines: String = (0..3000)
        .map(|i| format!("{{\"completion\": \"I'll run ruff on module {i}.\"}}\n"))
        .collect();
    let (code, err) = head_1(&["parse"], dir, &lines);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );

    // run: the summary lists 3000 failures; results.json is written first.
    let args = [
        "run",
        "--suite",
        "big.toml",
        "--replay",
        "big.jsonl",
        "--out",
        "a",
    ];
    let (code, err) = head_1(&args, dir, "");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
    let results = std::fs::read_to_string(dir.join("a/results.json")).unwrap();
    assert!(results.contains("q02999"), "results.json incomplete");

    // compare: two runs, every query listed on each side.
    let full = replay(dir, "big.toml", "big.jsonl", "b", &[]);
    assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    let (code, err) = head_1(&["compare", "a/results.json", "b/results.json"], dir, "");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );

    // packs list / check: short, but through the same path.
    for args in [["packs", "list"], ["packs", "check"]] {
        let (code, err) = head_1(&args, Path::new(env!("CARGO_MANIFEST_DIR")), "");
        assert_eq!(code, Some(0), "{args:?}: {err}");
    }
}

#[test]
fn exit_codes_follow_one_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    big_fixture(dir, 3);
    let code = |args: &[&str]| punie(args, dir).status.code();

    // 0: a run that scored.
    assert_eq!(
        code(&[
            "run",
            "--suite",
            "big.toml",
            "--replay",
            "big.jsonl",
            "--out",
            "o"
        ]),
        Some(0)
    );
    // 1: the accuracy gate it asked for failed.
    assert_eq!(
        code(&[
            "run",
            "--suite",
            "big.toml",
            "--replay",
            "big.jsonl",
            "--out",
            "o1",
            "--min-accuracy",
            "0.5"
        ]),
        Some(1)
    );
    // 2: bad input (a pack that does not exist, a missing model folder).
    assert_eq!(
        code(&["run", "--suite", "nope.toml", "--replay", "big.jsonl"]),
        Some(2)
    );
    assert_eq!(code(&["compare", "nope.json", "o/results.json"]), Some(2));
    assert_eq!(
        code(&["run", "--suite", "big.toml", "--model", "no-such-dir"]),
        Some(2)
    );
    // 2: usage (clap).
    assert_eq!(code(&["run", "--no-such-flag"]), Some(2));
}

/// A model folder that exists but cannot be loaded is a model failure (3),
/// not bad usage; the message still names the file.
#[cfg(feature = "mlx")]
#[test]
fn a_model_that_fails_to_load_exits_three() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    big_fixture(dir, 3);
    let model = dir.join("broken");
    std::fs::create_dir(&model).unwrap();
    // A real tokenizer beside a truncated config.json.
    let tok = cli_support::tokenizer_dir();
    for f in ["tokenizer.json", "tokenizer_config.json"] {
        std::fs::copy(tok.join(f), model.join(f)).unwrap();
    }
    std::fs::write(model.join("config.json"), "{\"model_type\": \"qwen3\"").unwrap();
    for args in [
        vec!["generate", "--model", "broken", "--prompt", "hi"],
        vec![
            "run", "--suite", "big.toml", "--model", "broken", "--out", "o",
        ],
        vec![
            "bench",
            "--suite",
            "big.toml",
            "--model",
            "broken",
            "--no-hash",
        ],
    ] {
        let o = punie(&args, dir);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {err}");
        assert!(err.contains("config.json"), "{args:?}: {err}");
    }
}
