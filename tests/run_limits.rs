//! `run --query-timeout SECS` (issue 15): a generation still running past
//! the limit becomes that query's failure, with the reason, and the run
//! goes on to the next query.

use crate::cli_support::{punie, results_json, text};

#[test]
fn a_query_past_its_timeout_fails_with_the_reason_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let pack = "[pack]\nid = \"t\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\
                [pack.generation]\nmax_tokens = 64\n\
                [[query]]\nid = \"a\"\nuser = \"hello\"\nexpect = \"direct\"\n\
                [[query]]\nid = \"b\"\nuser = \"again\"\nexpect = \"direct\"\n";
    std::fs::write(dir.join("pack.toml"), pack).unwrap();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();
    // A limit no generation of 64 tokens meets.
    let o = punie(
        &[
            "run",
            "--model",
            m,
            "--suite",
            "pack.toml",
            "--out",
            "out",
            "--query-timeout",
            "0.000001",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let r = results_json(dir, "out");
    for q in r["suites"][0]["queries"].as_array().unwrap() {
        assert_eq!(q["observed"], "no_completion", "{q}");
        assert_eq!(q["failure"], "no_completion");
        let reason = q["reason"].as_str().unwrap();
        assert!(
            reason.contains("timed out: still generating after"),
            "{reason}"
        );
        assert!(reason.contains("--query-timeout 0.000001"), "{reason}");
    }
    // A generous limit changes nothing.
    let o = punie(
        &[
            "run",
            "--model",
            m,
            "--suite",
            "pack.toml",
            "--out",
            "ok",
            "--query-timeout",
            "600",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(0));
    let r = results_json(dir, "ok");
    assert_eq!(r["suites"][0]["queries"][0]["observed"], "direct");
    // Nonsense limits are refused.
    for bad in ["0", "-1", "nan"] {
        let o = punie(
            &[
                "run",
                "--model",
                m,
                "--suite",
                "pack.toml",
                "--out",
                "x",
                &format!("--query-timeout={bad}"),
            ],
            dir,
        );
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("not a positive number of seconds"),
            "{bad}"
        );
    }
}

/// Issue 15: a model that needs more memory than the machine has is refused
/// before it loads, saying both; the variable the fix names loads anyway.
#[test]
fn a_model_too_big_for_the_memory_is_refused_before_loading() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let model = crate::cli_support::synth_tiny(dir);
    let m = model.to_str().unwrap();
    let generate = |env: &[(&str, &str)]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_punie-eval"))
            .args([
                "generate",
                "--model",
                m,
                "--prompt",
                "hi",
                "--max-tokens",
                "2",
            ])
            .envs(env.iter().copied())
            .current_dir(dir)
            .output()
            .unwrap()
    };
    let o = generate(&[("PUNIE_EVAL_MEMORY_AVAILABLE", "1000000")]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(err.contains("loading needs about"), "{err}");
    assert!(err.contains("this machine has 0.00 GB available"), "{err}");
    assert!(err.contains("PUNIE_EVAL_SKIP_MEMORY_CHECK=1"), "{err}");
    let o = generate(&[
        ("PUNIE_EVAL_MEMORY_AVAILABLE", "1000000"),
        ("PUNIE_EVAL_SKIP_MEMORY_CHECK", "1"),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    // This machine has room for the tiny model.
    assert_eq!(generate(&[]).status.code(), Some(0));
}
