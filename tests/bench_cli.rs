//! `bench` and `compare` end to end on tiny synthesized models: the RESULTS
//! block, the JSON (metrics, provenance hashes checked independently), the
//! targets gate's exit codes, the HTML report, then a comparison of two runs.
#![cfg(feature = "mlx")]

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

use crate::cli_support;
use cli_support::{punie, repo, synth, text};

fn sha256(p: &Path) -> String {
    format!("{:x}", Sha256::digest(std::fs::read(p).unwrap()))
}

#[test]
fn bench_then_compare_on_tiny_models() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let moe = synth(dir, "qwen3_moe", Some("4"), "moe");
    let dense = synth(dir, "qwen3", None, "dense");
    std::fs::write(
        dir.join("easy.toml"),
        "load_s = 600.0\nwarmup_s = 600.0\nsteady_s = 600.0\nmemory_gb = 100.0\ndisk_gb = 25.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("hard.toml"),
        "disk_gb = 0.000001\naccuracy = 1.0\n",
    )
    .unwrap();
    let protocol = repo("queries/protocol.toml");
    let bench = |model: &Path, json: &str, targets: &str, extra: &[&str]| {
        let mut args = vec![
            "bench",
            "--model",
            model.to_str().unwrap(),
            "--suite",
            &protocol,
            "--max-tokens",
            "6",
            "--steady",
            "2",
            "--json",
            json,
            "--targets",
            targets,
        ];
        args.extend(extra);
        punie(&args, dir)
    };

    let a = bench(&moe, "a.json", "easy.toml", &["--report", "html:a.html"]);
    let out = text(&a.stdout);
    assert_eq!(a.status.code(), Some(0), "{out}\n{}", text(&a.stderr));
    for line in [
        "RESULTS",
        "Disk size:",
        "Load time:",
        "Warm-up time:",
        "Steady-state avg:",
        "over 2 runs",
        "Accuracy:",
        "PASS load_s",
        "PASS disk_gb",
    ] {
        assert!(out.contains(line), "{line:?} missing from:\n{out}");
    }
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("a.json")).unwrap()).unwrap();
    // What bench writes is a results file by the published schema, bench
    // and provenance sections included (and the schema checks them).
    let errors = cli_support::results_schema_errors(&v);
    assert!(errors.is_empty(), "{errors:#?}");
    let mut broken = v.clone();
    broken["bench"]["load_s"] = Value::from("fast");
    broken["provenance"]["extra"] = Value::from(1);
    assert_eq!(cli_support::results_schema_errors(&broken).len(), 2);
    let b = &v["bench"];
    // Disk size: every file of the folder, summed independently here.
    let disk: u64 = std::fs::read_dir(&moe)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert_eq!(b["disk_bytes"], disk);
    assert_eq!(b["steady"].as_array().unwrap().len(), 2);
    assert_eq!(b["steady_summary"]["n"], 2);
    assert!(b["peak_memory_bytes"].as_u64() >= b["active_memory_after_load_bytes"].as_u64());
    assert!(
        b["warmup"]["prompt_tokens"].as_u64().unwrap() > 100,
        "tools in the prompt"
    );
    assert!(b["warmup"]["generated_tokens"].as_u64().unwrap() <= 6);
    let p = &v["provenance"];
    assert_eq!(p["model_type"], "qwen3_moe");
    assert_eq!(p["quantization"]["bits"], 4);
    assert_eq!(p["mlx_version"], "0.32.2");
    assert_eq!(p["sha256"]["config.json"], sha256(&moe.join("config.json")));
    assert_eq!(
        p["sha256"]["tokenizer.json"],
        sha256(&moe.join("tokenizer.json"))
    );
    // Accuracy counts the protocol query once, whatever the steady runs did.
    assert_eq!(v["overall"]["strict"]["trials"], 1);
    // The accuracy pass as a workload, beside the latency figures.
    let t = &b["throughput"];
    assert_eq!(t["batch"], 1);
    assert_eq!(t["queries"], 1);
    assert!(t["wall_s"].as_f64().unwrap() > 0.0);
    assert!(t["generated_tokens"].as_u64().unwrap() <= 6);
    assert!(out.contains("Throughput:       1 queries in"), "{out}");
    // `--batch auto` said why; prefill and decode apart.
    assert!(
        t["batch_choice"]
            .as_str()
            .unwrap()
            .contains("bound by 1 queries"),
        "{t}"
    );
    assert!(t["prefill_s"].as_f64().unwrap() > 0.0, "{t}");
    assert!(t["decode_s"].as_f64().unwrap() >= 0.0, "{t}");
    assert!(t["decode_tps"].as_f64().is_some(), "{t}");
    assert!(out.contains("batch chosen: 1 queries"), "{out}");
    let html = std::fs::read_to_string(dir.join("a.html")).unwrap();
    assert!(html.contains("<svg"), "the HTML report has its plots");

    // A missed target: a FAIL line and exit 1, the JSON still written.
    let b_run = bench(&dense, "b.json", "hard.toml", &["--batch", "2"]);
    let out = text(&b_run.stdout);
    assert_eq!(b_run.status.code(), Some(1), "{out}");
    assert!(out.contains("FAIL disk_gb"), "{out}");
    assert!(dir.join("b.json").is_file());
    let bj: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("b.json")).unwrap()).unwrap();
    assert_eq!(
        bj["bench"]["throughput"]["batch"], 2,
        "--batch reaches the accuracy pass"
    );
    assert!(bj["bench"]["throughput"].get("batch_choice").is_none());

    let c = punie(&["compare", "a.json", "b.json", "--markdown", "c.md"], dir);
    let out = text(&c.stdout);
    assert_eq!(c.status.code(), Some(0), "{out}\n{}", text(&c.stderr));
    for want in ["Load", "Disk", "Peak memory", "McNemar", "→"] {
        assert!(out.contains(want), "{want:?} missing from:\n{out}");
    }
    assert!(std::fs::read_to_string(dir.join("c.md"))
        .unwrap()
        .contains('|'));
}
