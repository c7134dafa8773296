//! The terminal summary of a run: one row per suite and one overall, the
//! overall confusion matrix, then every strict failure with its reason.

use crate::results::RunResults;
use crate::score::{Metrics, Observed, Rate};
use crate::suite::ExpectKind;
use std::fmt::Write;

fn pct(r: &Rate) -> String {
    match (r.value, r.ci95) {
        (Some(v), Some([lo, hi])) => {
            format!("{:5.1}% [{:.0}–{:.0}]", v * 100.0, lo * 100.0, hi * 100.0)
        }
        _ => "n/a".into(),
    }
}

fn row(out: &mut String, name: &str, m: &Metrics) {
    let f1 = m
        .calls_tool
        .f1
        .map_or_else(|| "n/a".to_string(), |f| format!("{f:.3}"));
    let _ = writeln!(
        out,
        "{name:<20} {:>4} {:>19} {:>19} {:>19} {:>19} {:>19} {f1:>6} {:>5}",
        m.queries,
        pct(&m.discrimination_accuracy),
        pct(&m.soft),
        pct(&m.strict),
        pct(&m.tool_name_accuracy),
        pct(&m.argument_validity),
        m.no_completion,
    );
}

pub fn summary(r: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.backend.kind, r.backend.description);
    let _ = writeln!(
        out,
        "{:<20} {:>4} {:>19} {:>19} {:>19} {:>19} {:>19} {:>6} {:>5}",
        "suite",
        "n",
        "discrimination",
        "soft",
        "strict",
        "tool names",
        "arg validity",
        "F1",
        "none"
    );
    for s in &r.suites {
        row(&mut out, &s.pack.id, &s.metrics);
    }
    if r.suites.len() > 1 {
        row(&mut out, "overall", &r.overall);
    }
    let _ = writeln!(
        out,
        "(rates with Wilson 95% intervals; F1 of \"calls a tool\"; none = no completion)"
    );

    let _ = writeln!(out, "\nconfusion (rows expected, columns observed):");
    let _ = write!(out, "{:<10}", "");
    for o in Observed::ALL {
        let _ = write!(out, " {:>14}", o.as_str());
    }
    let _ = writeln!(out);
    for e in ExpectKind::ALL {
        if r.overall.confusion.row_total(e) == 0 {
            continue;
        }
        let _ = write!(out, "{:<10}", e.as_str());
        for o in Observed::ALL {
            let _ = write!(out, " {:>14}", r.overall.confusion.get(e, o));
        }
        let _ = writeln!(out);
    }

    // Missing completions are one line, not one per query: a partial
    // transcript file would otherwise bury the real failures.
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for s in &r.suites {
        for q in s.queries.iter().filter(|q| !q.score.strict) {
            let id = format!("{}/{}", s.pack.id, q.id);
            if q.score.observed == Observed::NoCompletion {
                missing.push(id);
            } else {
                let verdict = if q.score.soft { "soft pass" } else { "fail" };
                failures.push(format!("  {id} [{verdict}]: {}", q.score.reason));
            }
        }
    }
    if failures.is_empty() && missing.is_empty() {
        let _ = writeln!(out, "\nevery query passed strictly");
    }
    if !failures.is_empty() {
        let _ = writeln!(out, "\nstrict failures ({}):", failures.len());
        for f in failures {
            let _ = writeln!(out, "{f}");
        }
    }
    if !missing.is_empty() {
        let shown = missing
            .iter()
            .take(8)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let more = if missing.len() > 8 { ", …" } else { "" };
        let _ = writeln!(
            out,
            "\nno completion ({}, scored as failures): {shown}{more}",
            missing.len()
        );
    }
    if let Some(rep) = &r.repeats {
        out += &repeats_text(rep);
    }
    out
}

/// The `--repeats K` block: pass^k beside pass@k, and the queries that flip.
pub fn repeats_text(rep: &crate::score::Repeats) -> String {
    let mut out = String::new();
    let k = rep.k;
    let _ = writeln!(
        out,
        "
repeats: {k} runs (seed + 0..{})",
        k - 1
    );
    let _ = writeln!(out, "  pass^{k} (every run):  {}", rep.pass_hat_k.display());
    let _ = writeln!(out, "  pass@{k} (any run):    {}", rep.pass_at_k.display());
    let _ = writeln!(out, "  mean per run:        {}", rep.mean_pass.display());
    let _ = writeln!(out, "  stable queries:      {}", rep.stable.display());
    let flaky: Vec<String> = rep
        .flaky()
        .map(|q| {
            let runs = q.pattern();
            format!("  {}/{} {runs} ({}/{k})", q.suite, q.id, q.passes())
        })
        .collect();
    if !flaky.is_empty() {
        let _ = writeln!(out, "flaky queries ({}):", flaky.len());
        for f in flaky {
            let _ = writeln!(out, "{f}");
        }
    }
    out
}
