//! Every command that runs a model exits once its work is done (issue #15,
//! item 3): many runs of each under a timeout. A generation that stops on
//! an end-of-turn token leaves the next token's forward pass queued; before
//! the fix, exiting while that pass ran a matmul on OpenBLAS's threads
//! deadlocked OpenBLAS's exit-time shutdown (2 of 3 runs of `generate` on
//! the default model hung for good). See `runtime::quiesce`.
#![cfg(feature = "mlx")]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::cli_support;
use cli_support::{repo, text, tokenizer_dir};

/// Runs `punie-eval ARGS` and kills it after `limit`: Err says it hung.
fn run_bounded(args: &[&str], cwd: &Path, limit: Duration) -> Result<String, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start punie-eval");
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert!(status.success(), "punie-eval {args:?} failed: {all}");
            return Ok(all);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().expect("output");
            return Err(format!(
                "punie-eval {args:?} did not exit within {limit:?}; it had printed:\n{}{}",
                text(&out.stdout),
                text(&out.stderr)
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The default real model: an f32 0.5B whose every decode step is a long
/// OpenBLAS matmul, so a pass left in flight at exit is all but certain.
#[test]
fn generate_on_the_default_model_exits_every_time() {
    let model = punie_eval::provision::default::ensure_default_model()
        .unwrap_or_else(|e| panic!("default model unavailable: {e}"));
    let tmp = tempfile::tempdir().unwrap();
    let m = model.to_str().unwrap();
    let mut hung = Vec::new();
    for _ in 0..4 {
        // Answers "4" and ends its turn well before 6 tokens: the stop
        // that leaves a forward pass queued.
        let args = [
            "generate",
            "--model",
            m,
            "--prompt",
            "What is 2+2? Answer with the number only.",
            "--max-tokens",
            "6",
        ];
        match run_bounded(&args, tmp.path(), Duration::from_secs(120)) {
            Ok(out) => assert!(out.contains('4'), "{out}"),
            Err(e) => hung.push(e),
        }
    }
    assert!(
        hung.is_empty(),
        "{} of 4 runs hung:\n{}",
        hung.len(),
        hung.join("\n")
    );
}

fn synth(dir: &Path) -> PathBuf {
    let out = dir.join("tiny");
    let tok = tokenizer_dir();
    let args = [
        "model",
        "synth",
        "--arch",
        "qwen3",
        "--tokenizer",
        tok.to_str().unwrap(),
        out.to_str().unwrap(),
    ];
    run_bounded(&args, dir, Duration::from_secs(120)).unwrap();
    out
}

/// `model synth`, `generate`, `run`, `bench` and `doctor` on a tiny model,
/// each several times: all of them exit.
#[test]
fn every_model_command_exits_on_a_tiny_model() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = synth(dir);
    let m = model.to_str().unwrap();
    let protocol = repo("queries/protocol.toml");
    let limit = Duration::from_secs(120);
    let mut hung = Vec::new();
    for i in 0..4 {
        let out = dir.join(format!("run{i}"));
        let json = dir.join(format!("bench{i}.json"));
        let commands: Vec<Vec<&str>> = vec![
            vec![
                "generate",
                "--model",
                m,
                "--prompt",
                "hi",
                "--max-tokens",
                "8",
            ],
            // A stop string ends it through the token callback, with the
            // next pass queued (the path that hung on the real model).
            vec![
                "generate",
                "--model",
                m,
                "--prompt",
                "hi",
                "--max-tokens",
                "8",
                "--stop",
                " kepada",
            ],
            vec![
                "run",
                "--model",
                m,
                "--suite",
                &protocol,
                "--max-tokens",
                "8",
                "--out",
                out.to_str().unwrap(),
            ],
            vec![
                "bench",
                "--model",
                m,
                "--suite",
                &protocol,
                "--max-tokens",
                "8",
                "--steady",
                "1",
                "--no-hash",
                "--json",
                json.to_str().unwrap(),
            ],
            vec!["doctor"],
        ];
        for args in &commands {
            if let Err(e) = run_bounded(args, dir, limit) {
                hung.push(e);
            }
        }
    }
    assert!(
        hung.is_empty(),
        "{} runs hung:\n{}",
        hung.len(),
        hung.join("\n")
    );
}
