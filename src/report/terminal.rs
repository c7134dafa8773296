//! The terminal summary of a run: one row per suite and one overall, the
//! overall confusion matrix, then every strict failure with its reason.

use super::table::{self, Cell, Outcome};
use crate::results::RunResults;
use crate::score::{Observed, Rate};
use std::fmt::Write;

fn pct(r: &Rate) -> String {
    match (r.value, r.ci95) {
        (Some(v), Some([lo, hi])) => {
            format!("{:5.1}% [{:.0}–{:.0}]", v * 100.0, lo * 100.0, hi * 100.0)
        }
        _ => "n/a".into(),
    }
}

/// Column widths of the summary (the name left-aligned, the rest right).
const WIDTHS: [usize; 9] = [20, 4, 19, 19, 19, 19, 19, 6, 5];

fn cell_text(c: &Cell<'_>) -> String {
    match c {
        Cell::Name(n) => n.to_string(),
        Cell::Overall => "overall".to_string(),
        Cell::Count(n) => n.to_string(),
        Cell::Rate(r) => pct(r),
        Cell::Score(f1) => table::score_text(*f1),
    }
}

fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, (text, w)) in cells.zip(WIDTHS).enumerate() {
        if i == 0 {
            let _ = write!(out, "{text:<w$}");
        } else {
            let _ = write!(out, " {text:>w$}");
        }
    }
    let _ = writeln!(out);
}

pub fn summary(r: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", r.backend.kind, r.backend.description);
    line(&mut out, table::SUMMARY.iter().map(|c| c.short.to_string()));
    for row in table::summary(r) {
        line(&mut out, row.iter().map(cell_text));
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
    for row in table::confusion(r).iter().filter(|row| row.total > 0) {
        let _ = write!(out, "{:<10}", row.expected.as_str());
        for n in &row.counts {
            let _ = write!(out, " {n:>14}");
        }
        let _ = writeln!(out);
    }

    let classes = table::failure_classes(&r.overall);
    if !classes.is_empty() {
        let _ = writeln!(out, "\nfailures by class:");
        for (f, n) in classes {
            let _ = writeln!(out, "  {:<22} {n:>5}  {}", f.as_str(), f.meaning());
        }
    }
    let _ = writeln!(out);
    for (label, value) in table::verdict_lines(r) {
        let _ = writeln!(out, "{label}: {value}");
    }

    // Missing completions are one line, not one per query: a partial
    // transcript file would otherwise bury the real failures.
    let mut missing = Vec::new();
    let mut failures = Vec::new();
    for (s, q, outcome) in table::failures(r) {
        let id = format!("{}/{}", s.pack.id, q.id);
        if outcome == Outcome::NoCompletion {
            missing.push(id);
        } else {
            failures.push(format!(
                "  {id} [{}, {}]: {}",
                outcome.as_str(),
                table::class_of(q),
                q.score.reason
            ));
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
