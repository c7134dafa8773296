//! The report formats on results that `punie-eval run --replay` wrote from
//! crafted transcripts: JUnit XML well-formed with one testcase per query,
//! HTML with the confusion matrix and an SVG latency plot when (and only
//! when) queries were timed, Markdown tables, `--report FORMAT:FILE`.

use punie_eval::report::{self, Format, ReportSpec};
use punie_eval::results::RunResults;
use std::path::PathBuf;

use crate::cli_support::replay;

const PACK: &str = r#"
[pack]
id = "mini"
version = "1"
description = "report fixture"
toolset = "punie-phase27"

[[query]]
id = "lint"
user = "Lint src/app.py"
expect = { tool = "ruff_check" }

[[query]]
id = "types"
user = "Type-check src/app.py"
expect = { tool = "typecheck" }

[[query]]
id = "explain"
user = "What does ruff check?"
expect = "direct"

[[query]]
id = "odd"
user = "What is a protocol?"
expect = "direct"

[[query]]
id = "missing"
user = "Run the tests"
expect = { tool = "pytest_run" }
"#;

fn line(id: &str, completion: &str, secs: Option<f64>) -> String {
    let mut v = serde_json::json!({ "query_id": id, "completion": completion });
    if let Some(s) = secs {
        v["timings"] = serde_json::json!({ "total_s": s });
    }
    v.to_string() + "\n"
}

fn transcripts(timed: bool) -> String {
    let t = |s: f64| timed.then_some(s);
    line(
        "lint",
        "<tool_call>\n{\"name\": \"ruff_check\", \"arguments\": {\"path\": \"src/app.py\"}}\n</tool_call>",
        t(1.5),
    ) + &line("types", "Types look fine.", t(0.75))
        + &line(
            "odd",
            "<tool_call>\n{\"name\": \"x<&>\\\"y\", \"arguments\": {}}\n</tool_call>",
            t(0.5),
        )
        + &line("explain", "Ruff checks Python code for lint violations.", t(2.25))
}

struct Run {
    _dir: tempfile::TempDir,
    root: PathBuf,
    results: RunResults,
}

fn run(timed: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    std::fs::write(root.join("mini.toml"), PACK).unwrap();
    std::fs::write(root.join("t.jsonl"), transcripts(timed)).unwrap();
    let out = replay(&root, "mini.toml", "t.jsonl", "out", &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(root.join("out/results.json")).unwrap();
    Run {
        _dir: dir,
        root,
        results: serde_json::from_str(&text).unwrap(),
    }
}

/// Element name and its attributes (values as written, still escaped).
type Element = (String, Vec<(String, String)>);

/// A small XML well-formedness check: one root, every tag closed in order,
/// attributes quoted, only the five predefined entities, no stray `<`/`&`.
fn check_xml(xml: &str) -> Result<Vec<Element>, String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("no XML declaration")?;
    let mut stack: Vec<String> = Vec::new();
    let mut elements = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    let check_text = |t: &str| -> Result<(), String> {
        let mut s = t;
        while let Some(i) = s.find('&') {
            let tail = &s[i..];
            if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
                .iter()
                .any(|e| tail.starts_with(e))
            {
                return Err(format!("bad entity at {tail:.20}"));
            }
            s = &s[i + 1..];
        }
        if t.contains('>') && t.contains('<') {
            return Err(format!("stray markup in {t:?}"));
        }
        Ok(())
    };
    while let Some(open) = rest.find('<') {
        check_text(&rest[..open])?;
        if !stack.is_empty() || rest[..open].trim().is_empty() {
        } else {
            return Err(format!("text outside the root: {:?}", &rest[..open]));
        }
        let close = rest[open..].find('>').ok_or("unclosed tag")? + open;
        let tag = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let top = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
            if top != name {
                return Err(format!("</{name}> closes <{top}>"));
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attrs_text) = tag.split_once(' ').unwrap_or((tag, ""));
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad element name {name:?}"));
        }
        let mut attrs = Vec::new();
        loop {
            attrs_text = attrs_text.trim_start();
            if attrs_text.is_empty() {
                break;
            }
            let (key, after) = attrs_text
                .split_once("=\"")
                .ok_or(format!("unquoted attribute in <{name}>"))?;
            let end = after.find('"').ok_or("unterminated attribute")?;
            let value = &after[..end];
            if value.contains('<') {
                return Err(format!("< in attribute {key}"));
            }
            check_text(value)?;
            attrs.push((key.to_string(), value.to_string()));
            attrs_text = &after[end + 1..];
        }
        if stack.is_empty() {
            roots += 1;
        }
        elements.push((name.to_string(), attrs));
        if !self_closing {
            stack.push(name.to_string());
        }
    }
    check_text(rest)?;
    if !stack.is_empty() {
        return Err(format!("unclosed elements {stack:?}"));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(elements)
}

#[test]
fn xml_checker_rejects_broken_xml() {
    let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    assert!(check_xml(&format!("{decl}<a><b></a></b>")).is_err());
    assert!(check_xml(&format!("{decl}<a x=\"1 & 2\"/>")).is_err());
    assert!(check_xml(&format!("{decl}<a/><b/>")).is_err());
    assert!(check_xml(&format!("{decl}<a x=\"&lt;ok&gt;\">t &amp; u</a>")).is_ok());
}

#[test]
fn junit_is_well_formed_with_one_testcase_per_query() {
    let r = run(true);
    let xml = report::render(&r.results, Format::Junit).unwrap();
    let elements = check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let cases: Vec<&Vec<(String, String)>> = elements
        .iter()
        .filter(|(n, _)| n == "testcase")
        .map(|(_, a)| a)
        .collect();
    assert_eq!(cases.len(), 5, "{xml}");
    let attr = |a: &Vec<(String, String)>, k: &str| {
        a.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let names: Vec<String> = cases.iter().map(|a| attr(a, "name")).collect();
    assert_eq!(names, ["lint", "types", "explain", "odd", "missing"]);
    assert_eq!(attr(cases[0], "time"), "1.500");
    let root = &elements[0];
    assert_eq!(root.0, "testsuites");
    assert_eq!(attr(&root.1, "tests"), "5");
    assert_eq!(attr(&root.1, "failures"), "2");
    assert_eq!(attr(&root.1, "errors"), "1");
    assert_eq!(elements.iter().filter(|(n, _)| n == "failure").count(), 2);
    // The model's bogus tool name is data, escaped, never markup.
    assert!(xml.contains("x&lt;&amp;&gt;&quot;y"), "{xml}");
    assert_eq!(elements.iter().filter(|(n, _)| n == "error").count(), 1);
    assert!(
        xml.contains("expected a call to typecheck; got a direct answer"),
        "{xml}"
    );
}

#[test]
fn html_has_confusion_matrix_verdicts_and_svg_when_timed() {
    let r = run(true);
    let html = report::render(&r.results, Format::Html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<table id=confusion>"), "{html}");
    // Row "tool": 1 tool_call (lint), 1 direct (types), 1 no_completion (missing).
    assert!(
        html.contains("<tr><th class=l>tool</th><td class=hit>1</td><td>1</td><td class=zero>0</td><td class=zero>0</td><td>1</td><td>3</td></tr>"),
        "{html}"
    );
    assert!(html.contains("<svg id=latency"), "{html}");
    assert_eq!(html.matches("<rect ").count(), 4, "one bar per timed query");
    assert!(html.contains("mini/lint: 1.500s"), "{html}");
    // Query text is escaped, never markup; no scripts or external files.
    assert!(html.contains("x&lt;&amp;&gt;&quot;y"), "{html}");
    assert!(!html.contains("x<&>"));
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    assert!(html.contains("expected a call to typecheck; got a direct answer"));
}

#[test]
fn html_without_timings_has_no_plot() {
    let r = run(false);
    let html = report::render(&r.results, Format::Html).unwrap();
    assert!(html.contains("<table id=confusion>"));
    assert!(!html.contains("<svg"), "{html}");
}

#[test]
fn markdown_has_suite_table_confusion_and_failures() {
    let r = run(true);
    let md = report::render(&r.results, Format::Markdown).unwrap();
    assert!(md.contains("| mini | 5 |"), "{md}");
    assert!(md.contains("| tool | 1 | 1 | 0 | 0 | 1 |"), "{md}");
    assert!(md.contains("## Strict failures (3)"), "{md}");
    assert!(md.contains("| mini | missing | no_completion |"), "{md}");
}

#[test]
fn report_specs_parse_and_write() {
    let spec: ReportSpec = "html:out/r.html".parse().unwrap();
    assert_eq!(spec.format, Format::Html);
    assert_eq!(spec.path, PathBuf::from("out/r.html"));
    assert_eq!(
        "md:x".parse::<ReportSpec>().unwrap().format,
        Format::Markdown
    );
    let e = "pdf:x".parse::<ReportSpec>().unwrap_err();
    assert!(e.contains("unknown report format \"pdf\""), "{e}");
    assert!("report.html"
        .parse::<ReportSpec>()
        .unwrap_err()
        .contains("FORMAT:FILE"));

    let r = run(true);
    let path = r.root.join("r.json");
    report::write(&r.results, Format::Json, &path).unwrap();
    let back: RunResults = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(back, r.results);
    let e =
        report::write(&r.results, Format::Html, &r.root.join("no/such/dir/r.html")).unwrap_err();
    assert!(
        e.message
            .contains("no/such/dir/r.html: cannot write the report"),
        "{e}"
    );
    assert_eq!(
        e.fix.as_deref(),
        Some("check the directory exists and is writable")
    );
}

#[test]
fn run_writes_every_requested_report() {
    let r = run(true);
    let out = replay(
        &r.root,
        "mini.toml",
        "t.jsonl",
        "again",
        &[
            "--report",
            "junit:r.xml",
            "--report",
            "html:r.html",
            "--report",
            "md:r.md",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(r.root.join("r.xml")).unwrap();
    check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert!(std::fs::read_to_string(r.root.join("r.html"))
        .unwrap()
        .contains("<svg id=latency"));
    assert!(std::fs::read_to_string(r.root.join("r.md"))
        .unwrap()
        .contains("| mini | 5 |"));

    let out = replay(
        &r.root,
        "mini.toml",
        "t.jsonl",
        "x",
        &["--report", "pdf:r.pdf"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown report format \"pdf\""));
}
