//! Regressions of issue #15 (hardening), one test per class of bad input.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::cli_support;
use cli_support::text;

/// Lost alignment: one line that is not UTF-8 becomes an error line in its
/// place and the stream goes on (was: one line out of three, exit 2).
#[test]
fn invalid_utf8_in_parse_input_is_an_error_line_in_place() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_punie-eval"))
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"{\"completion\":\"a\"}\r\n{\"completion\":\"b\xff\"}\n{\"completion\":\"I'll run the tests.\"}\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
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
