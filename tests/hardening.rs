//! Regressions of issue #15 (hardening), one test per class of bad input.

use crate::cli_support;
use cli_support::text;

/// Lost alignment: one line that is not UTF-8 becomes an error line in its
/// place and the stream goes on (was: one line out of three, exit 2).
#[test]
fn invalid_utf8_in_parse_input_is_an_error_line_in_place() {
    let o = cli_support::parse_stdin(
        b"{\"completion\":\"a\"}\r\n{\"completion\":\"b\xff\"}\n{\"completion\":\"I'll run the tests.\"}\n",
    );
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].contains("\"kind\":\"direct\""), "{out}");
    assert!(
        lines[1].contains("line 2") && lines[1].contains("not UTF-8"),
        "{out}"
    );
    assert!(lines[2].contains("\"kind\":\"promise\""), "{out}");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
}

/// Lost data: an output that names an input (or another output) is refused
/// before anything is written; the input is untouched.
#[test]
fn outputs_never_overwrite_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("p.toml"),
        "[pack]\nid = \"p\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\n[[query]]\nid = \"a\"\nuser = \"hi\"\nexpect = \"direct\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("t.jsonl"),
        "{\"query_id\": \"a\", \"completion\": \"Hello.\"}\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run", "--suite", "p.toml", "--replay", "t.jsonl", "--out", "o",
        ];
        args.extend(extra);
        cli_support::punie(&args, dir)
    };
    let ok = run(&[]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let before = std::fs::read_to_string(dir.join("o/results.json")).unwrap();

    for (extra, names) in [
        (vec!["--report", "html:o/results.json"], "o/results.json"),
        (vec!["--report", "markdown:p.toml"], "p.toml"),
        (vec!["--report", "junit:./t.jsonl"], "t.jsonl"),
        (
            vec!["--report", "html:r.html", "--report", "md:r.html"],
            "r.html",
        ),
    ] {
        let o = run(&extra);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {err}");
        assert!(
            err.contains(names) && err.contains("fix:"),
            "{extra:?}: {err}"
        );
    }
    assert!(std::fs::read_to_string(dir.join("p.toml"))
        .unwrap()
        .contains("[pack]"));
    assert_eq!(
        std::fs::read_to_string(dir.join("o/results.json")).unwrap(),
        before
    );

    let o = cli_support::punie(
        &[
            "compare",
            "o/results.json",
            "o/results.json",
            "--json",
            "o/results.json",
        ],
        dir,
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("would overwrite the input"));
    assert_eq!(
        std::fs::read_to_string(dir.join("o/results.json")).unwrap(),
        before
    );
}

/// Flags that a pack file would reject are rejected on the command line
/// too, before any model is loaded.
#[cfg(feature = "mlx")]
#[test]
fn generate_rejects_sampling_settings_a_pack_would_reject() {
    let dir = tempfile::tempdir().unwrap();
    for (flags, says) in [
        (vec!["--temperature", "NaN"], "--temperature"),
        (vec!["--temperature=-1"], "--temperature"),
        (vec!["--top-p", "5"], "--top-p"),
        (vec!["--top-p", "0"], "--top-p"),
        (vec!["--stop", ""], "--stop"),
    ] {
        let mut args = vec!["generate", "--prompt", "hi", "--model", "nowhere"];
        args.extend(&flags);
        let o = cli_support::punie(&args, dir.path());
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{flags:?}: {err}");
        assert!(
            err.contains(says) && err.contains("fix:"),
            "{flags:?}: {err}"
        );
    }
}

/// Crashes: a zero (or otherwise unsupported) bits or group size, in the
/// quantization block or a per-module override, is a located error, never
/// a division by zero (was: exit 101 in `model info`).
#[cfg(feature = "mlx")]
#[test]
fn zero_bits_or_group_size_are_config_errors_not_a_divide_by_zero() {
    let tmp = tempfile::tempdir().unwrap();
    let base = r#""model_type": "qwen3", "hidden_size": 64, "num_hidden_layers": 1,
        "intermediate_size": 128, "num_attention_heads": 2, "num_key_value_heads": 1,
        "head_dim": 32, "vocab_size": 100, "rms_norm_eps": 1e-6"#;
    for (quant, says) in [
        (
            r#"{"bits": 4, "group_size": 0}"#,
            "group_size 0 unsupported",
        ),
        (
            r#"{"bits": 4, "group_size": 64, "model.layers.0.mlp.gate_proj": {"bits": 0, "group_size": 64}}"#,
            "bits 0 unsupported",
        ),
        (
            r#"{"bits": 4, "group_size": 64, "model.layers.0.mlp.gate_proj": {"bits": 4, "group_size": 0}}"#,
            "group_size 0 unsupported",
        ),
        (
            r#"{"bits": 4, "group_size": 64, "model.embed_tokens": {"bits": 8}}"#,
            "needs integer bits and group_size",
        ),
    ] {
        let dir = tmp.path().join("m");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("config.json"),
            format!("{{{base}, \"quantization\": {quant}}}"),
        )
        .unwrap();
        let o = cli_support::punie(&["model", "info", dir.to_str().unwrap()], tmp.path());
        let err = text(&o.stderr);
        assert!(!err.contains("panicked"), "{quant}: {err}");
        assert_eq!(o.status.code(), Some(2), "{quant}: {err}");
        assert!(
            err.contains("config.json") && err.contains(says),
            "{quant}: {err}"
        );
    }
}

/// Lost data: a second run into the same --out is refused (it used to
/// append to the first run's transcripts and replace its results); --force
/// replaces the run, leaving one transcript line per query.
#[test]
fn a_rerun_into_a_used_out_is_refused_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("p.toml"),
        "[pack]\nid = \"p\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\n[[query]]\nid = \"a\"\nuser = \"hi\"\nexpect = \"direct\"\n\n[[query]]\nid = \"b\"\nuser = \"hey\"\nexpect = \"direct\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("t.jsonl"),
        "{\"query_id\": \"a\", \"completion\": \"Hello.\"}\n{\"query_id\": \"b\", \"completion\": \"Hi.\"}\n",
    )
    .unwrap();
    let first = cli_support::replay(dir, "p.toml", "t.jsonl", "o", &[]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let before = std::fs::read_to_string(dir.join("o/transcripts.jsonl")).unwrap();

    let again = cli_support::replay(dir, "p.toml", "t.jsonl", "o", &[]);
    let err = text(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(
        err.contains("already holds a run") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("o/transcripts.jsonl")).unwrap(),
        before
    );

    let forced = cli_support::replay(dir, "p.toml", "t.jsonl", "o", &["--force"]);
    assert_eq!(forced.status.code(), Some(0), "{}", text(&forced.stderr));
    let after = std::fs::read_to_string(dir.join("o/transcripts.jsonl")).unwrap();
    assert_eq!(after.lines().count(), 2, "{after}");
    // And the replaced run's transcripts replay cleanly (no duplicates).
    let replayed = cli_support::replay(dir, "p.toml", "o/transcripts.jsonl", "o2", &[]);
    assert_eq!(
        replayed.status.code(),
        Some(0),
        "{}",
        text(&replayed.stderr)
    );
}

/// Issue 15: a byte that is not UTF-8 in a pack, a replay file, a targets
/// file is reported at its line and column.
#[test]
fn invalid_utf8_in_pack_replay_and_targets_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = "[pack]\nid = \"a\"\nversion = \"1\"\ntoolset = \"punie-phase27\"\n\
                [[query]]\nid = \"x\"\nuser = \"cafe\"\nexpect = \"direct\"\n";
    let mut bad = good.replace("cafe", "caf#").into_bytes();
    let at = bad.iter().position(|&b| b == b'#').unwrap();
    bad[at] = 0xE9;
    std::fs::write(d.join("bad.toml"), &bad).unwrap();
    std::fs::write(d.join("good.toml"), good).unwrap();
    std::fs::create_dir(d.join("none")).unwrap();
    let o = crate::cli_support::punie(
        &["packs", "check", "--queries", "none", "--pack", "bad.toml"],
        d,
    );
    let err = crate::cli_support::text(&o.stderr);
    assert!(
        err.contains("bad.toml:7:12: byte 0xE9 is not UTF-8; fix: save the pack as UTF-8"),
        "{err}"
    );
    std::fs::write(
        d.join("t.jsonl"),
        b"{\"query_id\": \"x\", \"completion\": \"ok\"}\n{\"query_id\": \"y\", \"completion\": \"caf\xe9\"}\n",
    )
    .unwrap();
    let o = crate::cli_support::replay(d, "good.toml", "t.jsonl", "out", &[]);
    let err = crate::cli_support::text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("t.jsonl:2: column 37: byte 0xE9 is not UTF-8"),
        "{err}"
    );
    // Targets belong to bench (the `mlx` feature).
    #[cfg(feature = "mlx")]
    {
        std::fs::write(d.join("targets.toml"), b"accuracy = 0.5\n# caf\xe9\n").unwrap();
        let e = punie_eval::bench::targets::Targets::load(&d.join("targets.toml")).unwrap_err();
        assert!(e.to_string().contains("line 2, column 6: byte 0xE9"), "{e}");
    }
}
