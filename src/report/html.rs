//! One self-contained HTML report (no scripts, no external files): summary,
//! confusion matrix, per-query verdicts and, when queries were timed, an
//! inline SVG latency plot. Opens anywhere, attaches to any CI run.

use super::junit::escape;
use super::table::{self, Cell, Outcome};
use crate::results::RunResults;
use crate::score::{Observed, Rate};
use std::fmt::Write;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}\
td.l,th.l{text-align:left}tr.fail td{background:#fde8e8}tr.soft td{background:#fff6dd}\
td.hit{background:#e3f4e3;font-weight:bold}td.zero{color:#bbb}svg text{font:11px sans-serif}";

/// [`Rate::display`] with the interval and counts set small.
fn pct(r: &Rate) -> String {
    let text = r.display();
    match text.split_once(' ') {
        Some((value, detail)) if r.value.is_some() => format!("{value} <small>{detail}</small>"),
        _ => "n/a".into(),
    }
}

fn cell_html(c: &Cell<'_>) -> String {
    match c {
        Cell::Name(n) => format!("<td class=l>{}</td>", escape(n)),
        Cell::Overall => "<td class=l>overall</td>".to_string(),
        Cell::Count(n) => format!("<td>{n}</td>"),
        Cell::Rate(r) => format!("<td>{}</td>", pct(r)),
        Cell::Score(f1) => format!("<td>{}</td>", table::score_text(*f1)),
    }
}

pub fn html(r: &RunResults) -> String {
    let mut out = String::new();
    let title = format!("punie-eval — {} {}", r.backend.kind, r.backend.description);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8><title>{}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = writeln!(
        out,
        "<h1>punie-eval results</h1><p>backend: <b>{}</b> — {}<br>created: {}<br>generator: {} {}</p>",
        escape(&r.backend.kind),
        escape(&r.backend.description),
        escape(&r.created),
        escape(&r.generator.name),
        escape(&r.generator.version)
    );

    let _ = write!(out, "<h2>Summary</h2><table id=summary><tr>");
    for (i, c) in table::SUMMARY.iter().enumerate() {
        let class = if i == 0 { " class=l" } else { "" };
        let _ = write!(out, "<th{class}>{}</th>", c.name);
    }
    let _ = writeln!(out, "</tr>");
    for row in table::summary(r) {
        let cells: String = row.iter().map(cell_html).collect();
        let _ = writeln!(out, "<tr>{cells}</tr>");
    }
    let _ = writeln!(out, "</table><p>Rates with Wilson 95% intervals.</p>");

    let _ = writeln!(
        out,
        "<h2>Confusion matrix</h2><table id=confusion><tr><th class=l>expected \\ observed</th>"
    );
    for o in Observed::ALL {
        let _ = write!(out, "<th>{}</th>", o.as_str());
    }
    let _ = writeln!(out, "<th>total</th></tr>");
    for row in table::confusion(r) {
        let _ = write!(out, "<tr><th class=l>{}</th>", row.expected.as_str());
        for (i, n) in row.counts.iter().enumerate() {
            // The cell where behaviour matched the expectation kind.
            let class = if *n == 0 {
                " class=zero"
            } else if row.is_hit(i) {
                " class=hit"
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{n}</td>");
        }
        let _ = writeln!(out, "<td>{}</td></tr>", row.total);
    }
    let _ = writeln!(out, "</table>");

    let classes = table::failure_classes(&r.overall);
    if !classes.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Failures by class</h2><table id=classes><tr><th class=l>class</th><th>queries</th><th class=l>meaning</th></tr>"
        );
        for (f, n) in classes {
            let _ = writeln!(
                out,
                "<tr><td class=l>{}</td><td>{n}</td><td class=l>{}</td></tr>",
                f.as_str(),
                f.meaning()
            );
        }
        let _ = writeln!(out, "</table>");
    }
    let _ = writeln!(out, "<h2>Verdicts</h2><table id=verdicts>");
    for (label, value) in table::verdict_lines(r) {
        let _ = writeln!(
            out,
            "<tr><th class=l>{label}</th><td>{}</td></tr>",
            escape(&value)
        );
    }
    let _ = writeln!(out, "</table>");

    if let Some(svg) = latency_svg(r) {
        let _ = writeln!(out, "<h2>Latency per query</h2>\n{svg}");
    }

    let _ = writeln!(out, "<h2>Queries</h2><table id=queries><tr><th class=l>suite</th><th class=l>query</th><th class=l>expected</th><th class=l>observed</th><th class=l>called</th><th class=l>result</th><th class=l>class</th><th>time</th><th class=l>reason</th></tr>");
    for s in &r.suites {
        for q in &s.queries {
            let (class, result) = match Outcome::of(q) {
                Outcome::Pass => ("pass", "pass"),
                Outcome::SoftPass => ("soft", "soft pass"),
                Outcome::Fail | Outcome::NoCompletion => ("fail", "fail"),
            };
            let time = q
                .timings
                .total_s
                .map_or(String::new(), |t| format!("{t:.2}s"));
            let _ = writeln!(
                out,
                "<tr class={class}><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td><td class=l>{}</td><td class=l>{result}</td><td class=l>{}</td><td>{time}</td><td class=l>{}</td></tr>",
                escape(&s.pack.id),
                escape(&q.id),
                q.score.expected.as_str(),
                q.score.observed.as_str(),
                escape(&q.score.called.join(", ")),
                table::class_of(q),
                escape(&q.score.reason)
            );
        }
    }
    let _ = writeln!(out, "</table>");
    for w in &r.warnings {
        let _ = writeln!(out, "<p>warning: {}</p>", escape(w));
    }
    out.push_str("</body></html>\n");
    out
}

/// Bars of each timed query's total time, in run order, with a y axis;
/// `None` when no query has a timing (replays of untimed transcripts).
fn latency_svg(r: &RunResults) -> Option<String> {
    let points: Vec<(String, f64, bool)> = r
        .suites
        .iter()
        .flat_map(|s| {
            s.queries.iter().filter_map(|q| {
                q.timings
                    .total_s
                    .filter(|t| t.is_finite() && *t >= 0.0)
                    .map(|t| (format!("{}/{}", s.pack.id, q.id), t, q.score.strict))
            })
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let (left, bottom, plot_h) = (50.0, 20.0, 200.0);
    let bar_w = (600.0 / points.len() as f64).clamp(2.0, 24.0);
    let width = left + bar_w * points.len() as f64 + 10.0;
    let height = plot_h + bottom + 10.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg id=latency xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" role=img aria-label=\"total time per query\">"
    );
    for i in 0..=4 {
        let v = top * f64::from(i) / 4.0;
        let y = 10.0 + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = writeln!(
            s,
            "<line x1=\"{left}\" x2=\"{width:.0}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{:.0}\" y=\"{:.1}\" text-anchor=\"end\">{v:.2}s</text>",
            left - 4.0,
            y + 4.0
        );
    }
    for (i, (name, t, pass)) in points.iter().enumerate() {
        let h = if top > 0.0 { plot_h * t / top } else { 0.0 };
        let x = left + bar_w * i as f64;
        let color = if *pass { "#4a8" } else { "#d55" };
        let _ = writeln!(
            s,
            "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{color}\"><title>{}: {t:.3}s</title></rect>",
            10.0 + plot_h - h,
            (bar_w - 1.0).max(1.0),
            escape(name)
        );
    }
    let _ = writeln!(
        s,
        "<line x1=\"{left}\" x2=\"{left}\" y1=\"10\" y2=\"{:.0}\" stroke=\"#888\"/><text x=\"{left}\" y=\"{:.0}\">queries in run order (green: strict pass, red: fail)</text></svg>",
        10.0 + plot_h,
        height - 4.0
    );
    Some(s)
}

/// 1, 2 or 5 times a power of ten, at least `v` (axis tops people can read).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * mag)
}
