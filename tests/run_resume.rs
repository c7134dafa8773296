//! `run --resume DIR` and `bench --resume DIR` (issue 15): a run killed
//! with SIGKILL at several points — after the first query, half way, and in
//! the middle of writing a transcript line — resumes and ends with the same
//! results as a run that was never interrupted, with one transcript line
//! per query.

use crate::cli_support::{punie, results_json, text};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const QUERIES: usize = 24;

fn pack() -> String {
    let mut p = String::from(
        "[pack]\nid = \"resume\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\
         [pack.generation]\nmax_tokens = 48\n",
    );
    for i in 0..QUERIES {
        let expect = if i % 2 == 0 {
            "\"direct\""
        } else {
            "{ tool = \"git_status\" }"
        };
        p += &format!("\n[[query]]\nid = \"q{i}\"\nuser = \"Question number {i}: what changed?\"\nexpect = {expect}\n");
    }
    p
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.matches('\n').count())
}

/// `run` (or `bench`, one steady run) of the pack on `model`, then `tail`.
fn command<'a>(verb: &'a str, model: &'a str, tail: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![verb, "--model", model, "--suite", "pack.toml"];
    if verb == "bench" {
        args.extend(["--steady", "1", "--no-hash"]);
    }
    args.extend(tail);
    args
}

/// Starts `verb` into `out` and kills it (SIGKILL) once `after` transcript
/// lines are written. Returns how many lines the killed run left.
fn run_and_kill(dir: &Path, verb: &str, model: &str, out: &str, after: usize) -> usize {
    let mut child = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .args(command(verb, model, &["--out", out]))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start run");
    let transcripts = dir.join(out).join("transcripts.jsonl");
    let start = Instant::now();
    while lines(&transcripts) < after && start.elapsed() < Duration::from_secs(300) {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    lines(&transcripts)
}

/// What must not depend on an interruption: per query, the verdict and the
/// score (timings and token speeds do).
fn outcome(r: &Value) -> Vec<Value> {
    r["suites"][0]["queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            serde_json::json!({
                "id": q["id"], "strict": q["strict"], "soft": q["soft"], "reason": q["reason"],
                "verdict": q["verdict"], "profiles": q["profiles"],
            })
        })
        .collect()
}

fn resume(dir: &Path, verb: &str, model: &str, out: &str) -> Value {
    let o = punie(&command(verb, model, &["--resume", out]), dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("resuming"), "{}", text(&o.stderr));
    let t = std::fs::read_to_string(dir.join(out).join("transcripts.jsonl")).unwrap();
    assert_eq!(t.lines().count(), QUERIES, "one line per query:\n{t}");
    assert!(t.ends_with('\n'));
    // The resumed transcripts are a valid replay (no duplicates, no torn line).
    let o = punie(
        &[
            "run",
            "--suite",
            "pack.toml",
            "--replay",
            &format!("{out}/transcripts.jsonl"),
            "--out",
            &format!("{out}-replay"),
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    results_json(dir, out)
}

#[test]
fn killed_runs_resume_to_the_uninterrupted_results() {
    killed_and_resumed("run");
}

#[test]
fn killed_benches_resume_to_the_uninterrupted_results() {
    killed_and_resumed("bench");
}

fn killed_and_resumed(verb: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pack.toml"), pack()).unwrap();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();

    let o = punie(&command(verb, m, &["--out", "whole"]), dir);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let whole = outcome(&results_json(dir, "whole"));
    let o = punie(&command(verb, m, &["--out", "whole"]), dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("already holds a run"),
        "{}",
        text(&o.stderr)
    );

    for (out, after) in [("early", 1), ("half", QUERIES / 2)] {
        let left = run_and_kill(dir, verb, m, out, after);
        assert!(
            left < QUERIES,
            "{out}: the {verb} finished ({left} lines) before it was killed"
        );
        assert!(!dir.join(out).join("results.json").exists());
        let resumed = resume(dir, verb, m, out);
        assert_eq!(outcome(&resumed), whole, "{out}: killed after {left} lines");
        if verb == "bench" {
            // Timings are the resuming process's own, measured again.
            assert!(resumed["bench"]["load_s"].as_f64().unwrap() > 0.0);
            assert_eq!(resumed["bench"]["steady"].as_array().unwrap().len(), 1);
            // Throughput times only what this process generated.
            assert_eq!(resumed["bench"]["throughput"]["queries"], QUERIES - left);
        }
    }

    // Killed in the middle of writing a line: the file ends in half a line.
    std::fs::create_dir(dir.join("torn")).unwrap();
    let t = std::fs::read_to_string(dir.join("whole/transcripts.jsonl")).unwrap();
    let mut cut: String = t.lines().take(5).map(|l| format!("{l}\n")).collect();
    let sixth = t.lines().nth(5).unwrap();
    cut.push_str(&sixth[..sixth.len() / 2]);
    std::fs::write(dir.join("torn/transcripts.jsonl"), cut).unwrap();
    let o = punie(&command(verb, m, &["--resume", "torn"]), dir);
    assert!(
        text(&o.stderr).contains("dropped a torn last line"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(outcome(&results_json(dir, "torn")), whole);
    assert_eq!(lines(&dir.join("torn/transcripts.jsonl")), QUERIES);
}

#[test]
fn resume_needs_an_interrupted_run_and_a_fresh_out_needs_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("pack.toml"), pack()).unwrap();
    std::fs::create_dir(dir.join("empty")).unwrap();
    let o = punie(&["run", "--suite", "pack.toml", "--resume", "empty"], dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("nothing to resume"),
        "{}",
        text(&o.stderr)
    );
    let o = punie(
        &[
            "run",
            "--suite",
            "pack.toml",
            "--resume",
            "empty",
            "--out",
            "x",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("cannot be used with"),
        "{}",
        text(&o.stderr)
    );
}
