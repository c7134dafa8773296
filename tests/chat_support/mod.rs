//! Shared set-up of the chat tests: the Qwen3 tokenizer asset and the fixtures.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The folder holding the Qwen3 tokenizer.json and tokenizer_config.json,
/// fetched (and verified) by scripts/fetch-qwen3-tokenizer.sh.
pub fn qwen3_assets() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let script = manifest_dir().join("scripts/fetch-qwen3-tokenizer.sh");
        let out = Command::new("bash").arg(&script).output();
        match out {
            Ok(o) if o.status.success() => {
                let stdout = String::from_utf8_lossy(&o.stdout);
                PathBuf::from(stdout.lines().last().unwrap_or_default().trim())
            }
            Ok(o) => panic!(
                "the Qwen3 tokenizer asset is missing and fetching it failed:\n{}\n\
                 run: bash scripts/fetch-qwen3-tokenizer.sh",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => panic!(
                "cannot run {}: {e}\nrun: bash scripts/fetch-qwen3-tokenizer.sh",
                script.display()
            ),
        }
    })
}

pub fn fixture(name: &str) -> serde_json::Value {
    let path = manifest_dir().join("tests/fixtures/chat").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run: python3 scripts/gen_chat_fixtures.py",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A scratch model folder with the Qwen3 tokenizer.json copied in.
pub fn model_dir_with_tokenizer() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(
        qwen3_assets().join("tokenizer.json"),
        dir.path().join("tokenizer.json"),
    )
    .expect("copy tokenizer.json");
    dir
}
