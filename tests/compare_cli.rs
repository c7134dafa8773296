//! `punie-eval compare` end to end through the binary, on result files that
//! `punie-eval run --replay` wrote from crafted transcripts: deltas, the exact
//! McNemar test, flips, side-by-side tables, bench metrics, refusals.

use serde_json::Value;
use std::path::PathBuf;

use crate::cli_support;
use cli_support::{punie, text};

/// 14 queries that all want a direct answer: a direct answer passes, a tool
/// call fails, so each transcript line decides pass or fail.
fn pack(id: &str) -> String {
    let mut s = format!(
        "[pack]\nid = \"{id}\"\nversion = \"1\"\ndescription = \"compare fixture\"\ntoolset = \"punie-phase27\"\n"
    );
    for i in 1..=14 {
        s += &format!(
            "\n[[query]]\nid = \"d{i:02}\"\nuser = \"Explain concept {i}\"\nexpect = \"direct\"\n"
        );
    }
    s
}

/// Transcripts passing exactly the queries in `pass`, each taking `secs`.
fn transcripts(pass: &[u32], secs: f64) -> String {
    (1..=14)
        .map(|i| {
            let completion = if pass.contains(&i) {
                format!("Concept {i} is explained like this.")
            } else {
                "<tool_call>\n{\"name\": \"git_status\", \"arguments\": {}}\n</tool_call>".to_string()
            };
            serde_json::json!({
                "query_id": format!("d{i:02}"),
                "completion": completion,
                "generated_tokens": 20,
                "timings": {"total_s": secs, "first_token_s": secs / 4.0, "generation_s": secs / 2.0}
            })
            .to_string()
                + "\n"
        })
        .collect()
}

struct Fixture {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

/// Runs `pack_id` over transcripts passing `pass`; returns results.json's path.
fn run(f: &Fixture, name: &str, pack_id: &str, pass: &[u32], secs: f64) -> String {
    let root = &f.root;
    std::fs::write(root.join(format!("{pack_id}.toml")), pack(pack_id)).unwrap();
    std::fs::write(root.join(format!("{name}.jsonl")), transcripts(pass, secs)).unwrap();
    let out = punie(
        &[
            "run",
            "--suite",
            &format!("{pack_id}.toml"),
            "--replay",
            &format!("{name}.jsonl"),
            "--out",
            name,
        ],
        root,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    format!("{name}/results.json")
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    Fixture { _dir: dir, root }
}

/// A passes d01–d10 and d13; B passes d11–d13: b = 10, c = 2.
fn a_and_b(f: &Fixture) -> (String, String) {
    let a = run(f, "a", "mini", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13], 2.0);
    let b = run(f, "b", "mini", &[11, 12, 13], 2.5);
    (a, b)
}

#[test]
fn two_files_give_deltas_mcnemar_and_flips() {
    let f = fixture();
    let (a, b) = a_and_b(&f);
    let out = punie(
        &[
            "compare",
            &a,
            &b,
            "--json",
            "cmp.json",
            "--markdown",
            "cmp.md",
        ],
        &f.root,
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");

    // 11/14 → 3/14: −57.1 pp, relative −72.7%.
    assert!(
        stdout.contains("78.6% (11/14) → 21.4% (3/14)  (-57.1 pp / -72.7%)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Mean query time:") && stdout.contains("2.00s → 2.50s  (+0.50s / +25.0%)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("14 shared, 10 pass→fail, 2 fail→pass, p = 0.0386"),
        "{stdout}"
    );
    assert!(
        stdout.contains("verdict: A is significantly better"),
        "{stdout}"
    );
    assert!(
        stdout.contains("smallest detectable difference: 42.9 pp (6 discordant"),
        "{stdout}"
    );
    assert!(stdout.contains("pass→fail mini/d01"), "{stdout}");
    assert!(stdout.contains("fail→pass mini/d11"), "{stdout}");
    assert!(!stdout.contains("mini/d13"), "d13 passed in both: {stdout}");
    assert!(!stdout.contains("mini/d14"), "d14 failed in both: {stdout}");
    assert!(stderr.is_empty(), "same suites, no warning: {stderr}");

    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join("cmp.json")).unwrap()).unwrap();
    let pair = &json["pairs"][0];
    assert_eq!(pair["strict"]["b"], 10);
    assert_eq!(pair["strict"]["c"], 2);
    assert!((pair["strict"]["p_value"].as_f64().unwrap() - 0.038_574).abs() < 1e-5);
    assert_eq!(pair["flips"].as_array().unwrap().len(), 12);
    assert_eq!(pair["min_detectable"]["discordant"], 6);

    let md = std::fs::read_to_string(f.root.join("cmp.md")).unwrap();
    assert!(
        md.contains("| Accuracy (strict) | 78.6% (11/14) | 21.4% (3/14) | -57.1 pp / -72.7% |"),
        "{md}"
    );
    assert!(md.contains("| pass→fail | mini | d01 |"), "{md}");
}

#[test]
fn identical_runs_show_no_difference() {
    let f = fixture();
    let a = run(&f, "a", "mini", &[1, 2, 3], 1.0);
    let b = run(&f, "b", "mini", &[1, 2, 3], 1.0);
    let out = punie(&["compare", &a, &b], &f.root);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout.contains("p = 1.00"), "{stdout}");
    assert!(
        stdout.contains("no difference: A and B agree on all 14 shared queries"),
        "{stdout}"
    );
    assert!(!stdout.contains("flipped"), "{stdout}");
}

#[test]
fn bench_sections_are_compared_when_both_have_them() {
    let f = fixture();
    let (a, b) = a_and_b(&f);
    let add_bench = |path: &str, load: f64, warmup: f64, mem: u64| {
        let p = f.root.join(path);
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        // A whole, typed bench section (results.schema.json), Punie's numbers.
        let timed = serde_json::json!({
            "total_s": 2.36, "time_to_first_token_s": 0.5, "prompt_tokens": 44,
            "generated_tokens": 128, "prompt_tps": 88.0, "generation_tps": 70.0
        });
        v["bench"] = serde_json::json!({
            "disk_bytes": 21_010_000_000u64, "load_s": load,
            "active_memory_after_load_bytes": 19_000_000_000u64, "peak_memory_bytes": mem,
            "benchmark_query": "protocol/protocol-usage", "warmup_s": warmup, "warmup": timed,
            "steady": [timed, timed, timed], "steady_avg_s": 2.36,
            "steady_summary": {"n": 3, "mean": warmup / 2.0, "min": 2.36, "median": 2.36, "max": 2.36, "cv": 0.0},
            "steady_outputs_identical": true, "mean_ttft_s": 0.5,
            "mean_generation_tps": load * 10.0, "mean_prompt_tps": 88.0
        });
        std::fs::write(&p, v.to_string()).unwrap();
    };
    add_bench(&a, 6.46, 8.24, 19_550_000_000u64);
    add_bench(&b, 8.06, 11.55, 19_550_000_000u64);
    let out = punie(&["compare", &a, &b], &f.root);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // Punie's own numbers from its baseline document.
    assert!(
        stdout.contains("6.46s → 8.06s  (+1.60s / +24.8%)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("8.24s → 11.55s  (+3.31s / +40.2%)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("19.55 GB → 19.55 GB  (+0.00 GB / +0.0%)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("ignored") && !stdout.contains("Times"),
        "{stdout}"
    );
    // bench's own key names: `_tps` is per second, the steady summary in seconds.
    assert!(stdout.contains("64.6/s → 80.6/s"), "{stdout}");
    assert!(stdout.contains("4.12s → 5.78s"), "{stdout}");
}

#[test]
fn three_files_side_by_side_and_differing_suites_warn() {
    let f = fixture();
    let (a, b) = a_and_b(&f);
    let c = run(&f, "c", "other", &[1, 2], 3.0);
    let out = punie(&["compare", &a, &b, &c, "--markdown", "three.md"], &f.root);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let header = stdout
        .lines()
        .find(|l| l.starts_with("metric"))
        .unwrap_or_else(|| panic!("no table header: {stdout}"));
    assert!(header.contains('A') && header.contains('B') && header.contains('C'));
    let strict = stdout
        .lines()
        .find(|l| l.starts_with("Accuracy (strict)"))
        .unwrap();
    for cell in ["78.6% (11/14)", "21.4% (3/14)", "14.3% (2/14)"] {
        assert!(strict.contains(cell), "{strict}");
    }
    assert!(stderr.contains("warning: suites differ"), "{stderr}");
    assert!(stdout.contains("C vs A"), "{stdout}");
    assert!(
        stdout.contains("no shared queries between A and C"),
        "{stdout}"
    );
    let md = std::fs::read_to_string(f.root.join("three.md")).unwrap();
    assert!(md.contains("| metric | A | B | C |"), "{md}");
}

#[test]
fn unknown_format_versions_and_broken_files_are_refused() {
    let f = fixture();
    let (a, _) = a_and_b(&f);
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(f.root.join(&a)).unwrap()).unwrap();
    v["format_version"] = 2.into();
    std::fs::write(f.root.join("future.json"), v.to_string()).unwrap();
    std::fs::write(
        f.root.join("broken.json"),
        "{\"format_version\": 1,\n \"suites\": [}",
    )
    .unwrap();

    let out = punie(&["compare", &a, "future.json"], &f.root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("future.json: key format_version: 2 is not a results format"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());

    let out = punie(&["compare", &a, "broken.json"], &f.root);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("broken.json:2:"), "{stderr}");

    let out = punie(&["compare", &a], &f.root);
    assert_eq!(out.status.code(), Some(2), "one file is a usage error");
}
