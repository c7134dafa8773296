//! End to end on the default real model (Qwen2.5-Coder-0.5B-Instruct,
//! imported from its GGUF by the set-up): a handful of tests, since each
//! costs real CPU time. Needs `bash scripts/setup.sh` (the test command runs it).
#![cfg(feature = "mlx")]

use std::path::PathBuf;
use std::process::Command;

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_punie-eval")
}

fn default_model() -> PathBuf {
    let dir = punie_eval::model::default::ensure_default_model()
        .unwrap_or_else(|e| panic!("default model unavailable: {e}"));
    assert!(dir.join("config.json").is_file());
    dir
}

#[test]
fn doctor_reports_the_default_model_present() {
    default_model();
    let out = Command::new(bin())
        .args(["doctor", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["default_model"]["present"], true);
    assert_eq!(v["runtime"]["mlx_version"], "0.32.2");
}

#[test]
fn model_info_describes_the_imported_qwen2() {
    let dir = default_model();
    let i = punie_eval::model::info::model_info(&dir).unwrap();
    assert_eq!(i.model_type, "qwen2");
    assert_eq!((i.layers, i.hidden_size, i.vocab_size), (24, 896, 151936));
    // Qwen2.5-0.5B: 494M parameters (tied or not, within a few percent).
    assert!(
        (450_000_000..650_000_000).contains(&i.parameters),
        "{}",
        i.parameters
    );
}

/// The protocol suite through `punie-eval run` on CPU: a real completion,
/// rendered with the model's own template and the 14 tool schemas, parsed
/// and scored; results and transcripts written.
#[test]
fn protocol_suite_runs_end_to_end() {
    let model = default_model();
    let out = tempfile::tempdir().unwrap();
    let st = Command::new(bin())
        .args([
            "run",
            "--suite",
            "queries/protocol.toml",
            "--max-tokens",
            "64",
        ])
        .arg("--model")
        .arg(&model)
        .arg("--out")
        .arg(out.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("results.json")).unwrap())
            .unwrap();
    assert_eq!(results["backend"]["kind"], "mlx");
    assert_eq!(results["overall"]["queries"], 1);
    assert_eq!(results["overall"]["no_completion"], 0);
    let transcript = std::fs::read_to_string(out.path().join("transcripts.jsonl")).unwrap();
    let line: serde_json::Value = serde_json::from_str(transcript.lines().next().unwrap()).unwrap();
    let text = line["completion"].as_str().unwrap();
    assert!(!text.trim().is_empty());
    // The prompt carries the 14 tool schemas: well over a thousand tokens.
    assert!(line["prompt_tokens"].as_u64().unwrap() > 1000, "{line}");
}
