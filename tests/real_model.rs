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
    let dir = punie_eval::provision::default::ensure_default_model()
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

/// The end-to-end proof: a tool-calling prompt rendered with the
/// model's own template (Qwen2.5's, from the GGUF) and the 14 tool schemas
/// yields the same first 16 greedy token ids from our runtime as from mlx-lm
/// 0.32.0 running the folder we imported.
#[test]
fn first_16_greedy_tokens_match_mlx_lm_on_a_tool_calling_prompt() {
    use punie_eval::chat::{ChatPrompt, Message, RenderOptions};
    let dir = default_model();
    let root = env!("CARGO_MANIFEST_DIR");
    let venv = Command::new("bash")
        .arg(format!("{root}/scripts/parity/setup-venv.sh"))
        .output()
        .unwrap();
    assert!(
        venv.status.success(),
        "{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    let python = String::from_utf8(venv.stdout).unwrap().trim().to_string();

    let prompt = ChatPrompt::load(&dir).unwrap();
    let toolset = punie_eval::schema::Toolset::punie_default();
    let tools = punie_eval::run::openai_tools(&toolset);
    let messages = [
        Message::system(
            "You are Punie, an AI coding assistant that helps with Python development via PyCharm.",
        ),
        Message::user("Check src/app.py for type errors."),
    ];
    let opts = RenderOptions {
        add_generation_prompt: true,
        ..Default::default()
    };
    let ids = prompt.encode(&messages, Some(&tools), &opts).unwrap();
    assert!(ids.len() > 1000, "the tool schemas are in the prompt");

    let ids_arg = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let mut reference = Command::new(&python);
    // The mlx-cpu wheel's reference BLAS makes a 2k-token f32 prefill take
    // minutes; bind Debian's OpenBLAS first, as our own binary does.
    for lib in [
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
        "/usr/lib/aarch64-linux-gnu/libopenblas.so.0",
    ] {
        if std::path::Path::new(lib).exists() {
            reference.env("LD_PRELOAD", lib);
        }
    }
    let out = reference
        .arg(format!("{root}/scripts/parity/reference.py"))
        .args(["--no-logits", "--generate", "16", "--tokens", &ids_arg])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let theirs: Vec<u32> = v["results"][0]["greedy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_u64().unwrap() as u32)
        .collect();

    let mut model = punie_eval::model::Model::load(&dir).unwrap();
    let ours = punie_eval::model::generate::greedy(&mut model, &ids, 16).unwrap();
    assert_eq!(
        ours,
        theirs,
        "ours: {:?}\nmlx-lm: {:?}",
        prompt.tokenizer().decode(&ours),
        prompt.tokenizer().decode(&theirs)
    );
}
