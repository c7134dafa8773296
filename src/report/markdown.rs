//! Markdown: a run's summary (per-suite table, confusion matrix, failures)
//! and a comparison (deltas or side-by-side table, tests, flips), for pull
//! requests and notebooks.

use super::compare::{detectable_text, letter, Comparison};
use super::table::{self, Cell};
use crate::results::RunResults;
use crate::score::Observed;
use crate::stats::mcnemar::fmt_p;
use std::fmt::Write;

/// Table cells must not break the table: pipes escaped, newlines flattened.
pub fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

fn cell_text(c: &Cell<'_>) -> String {
    match c {
        Cell::Name(n) => cell(n),
        Cell::Overall => "**overall**".to_string(),
        Cell::Count(n) => n.to_string(),
        Cell::Rate(r) => r.display(),
        Cell::Score(f1) => table::score_text(*f1),
    }
}

/// A run's results as Markdown.
pub fn results(r: &RunResults) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# punie-eval results\n");
    let _ = writeln!(
        out,
        "- backend: {} — {}\n- created: {}\n- generator: {} {}\n",
        cell(&r.backend.kind),
        cell(&r.backend.description),
        r.created,
        r.generator.name,
        r.generator.version
    );
    let names: Vec<&str> = table::SUMMARY.iter().map(|c| c.name).collect();
    let _ = writeln!(out, "| {} |", names.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(names.len() - 1));
    for row in table::summary(r) {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    let _ = writeln!(out, "\nRates with Wilson 95% intervals.\n");

    let _ = writeln!(
        out,
        "## Confusion matrix (rows expected, columns observed)\n"
    );
    let _ = write!(out, "| expected \\ observed |");
    for o in Observed::ALL {
        let _ = write!(out, " {} |", o.as_str());
    }
    let _ = writeln!(out, "\n|---|{}", "---:|".repeat(Observed::ALL.len()));
    for row in table::confusion(r) {
        let _ = write!(out, "| {} |", row.expected.as_str());
        for n in &row.counts {
            let _ = write!(out, " {n} |");
        }
        let _ = writeln!(out);
    }

    let classes = table::failure_classes(&r.overall);
    if !classes.is_empty() {
        let _ = writeln!(
            out,
            "\n## Failures by class\n\n| class | queries | meaning |\n|---|---:|---|"
        );
        for (f, n) in classes {
            let _ = writeln!(out, "| {} | {n} | {} |", f.as_str(), f.meaning());
        }
    }
    let _ = writeln!(out, "\n## Verdicts\n\n| measure | value |\n|---|---:|");
    for (label, value) in table::verdict_lines(r) {
        let _ = writeln!(out, "| {label} | {} |", cell(&value));
    }

    let failures: Vec<String> = table::failures(r)
        .into_iter()
        .map(|(s, q, _)| {
            format!(
                "| {} | {} | {} | {} | {} |",
                cell(&s.pack.id),
                cell(&q.id),
                q.score.observed.as_str(),
                table::class_of(q),
                cell(&q.score.reason)
            )
        })
        .collect();
    if failures.is_empty() {
        let _ = writeln!(out, "\nEvery query passed strictly.");
    } else {
        let _ = writeln!(out, "\n## Strict failures ({})\n", failures.len());
        let _ = writeln!(
            out,
            "| suite | query | observed | class | reason |\n|---|---|---|---|---|"
        );
        for f in failures {
            let _ = writeln!(out, "{f}");
        }
    }
    if let Some(rep) = &r.repeats {
        let k = rep.k;
        let _ = writeln!(out, "\n## Repeats ({k} runs, seed + 0..{})\n", k - 1);
        let _ = writeln!(out, "| measure | rate |\n|---|---:|");
        let _ = writeln!(
            out,
            "| pass^{k} (every run) | {} |",
            rep.pass_hat_k.display()
        );
        let _ = writeln!(out, "| pass@{k} (any run) | {} |", rep.pass_at_k.display());
        let _ = writeln!(out, "| mean per run | {} |", rep.mean_pass.display());
        let _ = writeln!(out, "| stable queries | {} |", rep.stable.display());
        let flaky: Vec<_> = rep.flaky().collect();
        if !flaky.is_empty() {
            let _ = writeln!(out, "\n| flaky query | passes | runs |\n|---|---:|---|");
            for q in flaky {
                let runs = q.pattern();
                let _ = writeln!(
                    out,
                    "| {}/{} | {}/{k} | {runs} |",
                    cell(&q.suite),
                    cell(&q.id),
                    q.passes()
                );
            }
        }
    }
    for w in &r.warnings {
        let _ = writeln!(out, "\n> warning: {}", cell(w));
    }
    out
}

/// A comparison as Markdown: two files get a metric/A/B/delta table, more
/// get one column per file.
pub fn comparison(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# punie-eval comparison\n");
    for f in &c.files {
        let _ = writeln!(
            out,
            "- **{}** — `{}` ({})",
            cell(&f.label),
            cell(&f.path),
            f.created
        );
    }
    let _ = writeln!(out);
    let _ = write!(out, "| metric |");
    for i in 0..c.files.len() {
        let _ = write!(out, " {} |", letter(i));
    }
    let two = c.files.len() == 2;
    if two {
        let _ = write!(out, " Δ (B − A) |");
    }
    let _ = writeln!(
        out,
        "\n|---|{}{}",
        "---:|".repeat(c.files.len()),
        if two { "---:|" } else { "" }
    );
    for m in &c.metrics {
        let _ = write!(out, "| {} |", cell(&m.label));
        for i in 0..c.files.len() {
            let _ = write!(out, " {} |", m.show(i));
        }
        if two {
            let _ = write!(out, " {} |", m.delta(0, 1).unwrap_or_default());
        }
        let _ = writeln!(out);
    }
    for p in &c.pairs {
        let (a, b) = (letter(p.baseline), letter(p.other));
        let _ = writeln!(out, "\n## {b} vs {a}\n");
        if let Some(m) = &p.strict {
            let _ = writeln!(
                out,
                "- McNemar exact test (strict, {} shared queries): {} pass→fail, {} fail→pass, p = {}",
                m.shared,
                m.b,
                m.c,
                fmt_p(m.p_value)
            );
        }
        if let Some(m) = &p.discrimination {
            let _ = writeln!(
                out,
                "- McNemar exact test (discrimination): {} pass→fail, {} fail→pass, p = {}",
                m.b,
                m.c,
                fmt_p(m.p_value)
            );
        }
        let _ = writeln!(out, "- **Verdict:** {}", cell(&p.verdict));
        let _ = writeln!(
            out,
            "- Smallest detectable difference: {}",
            detectable_text(p)
        );
        if !p.flips.is_empty() {
            let _ = writeln!(
                out,
                "\n| change | suite | query | reason (failing side) |\n|---|---|---|---|"
            );
            for f in &p.flips {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    f.direction.arrow(),
                    cell(&f.suite),
                    cell(&f.query),
                    cell(&f.reason)
                );
            }
        }
    }
    if !c.warnings.is_empty() {
        let _ = writeln!(out, "\n## Warnings\n");
        for w in &c.warnings {
            let _ = writeln!(out, "- {}", cell(w));
        }
    }
    out
}
