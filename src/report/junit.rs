//! JUnit XML: one `<testsuite>` per query pack, one `<testcase>` per query;
//! a strict failure is a `<failure>` carrying the reason, a missing
//! completion an `<error>`. CI systems render this without any plugin.

use super::table::{self, Outcome};
use crate::results::RunResults;
use std::fmt::Write;

/// Escapes text for XML attributes and content, dropping characters XML 1.0
/// cannot carry at all (control characters other than tab/newline/CR).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn secs(v: f64) -> String {
    format!("{v:.3}")
}

pub fn junit(r: &RunResults) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let all: Vec<Outcome> = r
        .suites
        .iter()
        .flat_map(|s| s.queries.iter().map(Outcome::of))
        .collect();
    let (tests, errors, failures) = counts(&all);
    let _ = writeln!(
        out,
        "<testsuites name=\"punie-eval\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">"
    );
    for s in &r.suites {
        let outcomes: Vec<Outcome> = s.queries.iter().map(Outcome::of).collect();
        let (n, errs, fails) = counts(&outcomes);
        let time: f64 = s.queries.iter().filter_map(|q| q.timings.total_s).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{fails}\" errors=\"{errs}\" time=\"{}\" timestamp=\"{}\">",
            escape(&s.pack.id),
            secs(time),
            escape(r.created.trim_end_matches('Z'))
        );
        let _ = writeln!(
            out,
            "    <properties>\n      <property name=\"backend\" value=\"{}\"/>\n      <property name=\"pack_version\" value=\"{}\"/>\n      <property name=\"toolset\" value=\"{}\"/>\n      <property name=\"parse_profile\" value=\"{}\"/>\n      <property name=\"tool_hallucination\" value=\"{}\"/>",
            escape(&format!("{} {}", r.backend.kind, r.backend.description)),
            escape(&s.pack.version),
            escape(&s.pack.toolset),
            r.parse_profile,
            escape(&s.metrics.tool_hallucination.display())
        );
        // Counts per failure class, and format vs decision errors.
        for (f, n) in table::failure_classes(&s.metrics) {
            let _ = writeln!(
                out,
                "      <property name=\"failures.{}\" value=\"{n}\"/>",
                f.as_str()
            );
        }
        if let Some(p) = &s.metrics.profiles {
            let _ = writeln!(
                out,
                "      <property name=\"format_errors\" value=\"{}\"/>\n      <property name=\"decision_errors\" value=\"{}\"/>",
                p.format_errors, p.decision_errors
            );
        }
        let _ = writeln!(out, "    </properties>");
        for q in &s.queries {
            let time = q.timings.total_s.map(secs).unwrap_or_else(|| "0".into());
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{time}\"",
                escape(&s.pack.id),
                escape(&q.id)
            );
            let observed = q.score.observed.as_str();
            let outcome = Outcome::of(q);
            if outcome == Outcome::Pass {
                let _ = writeln!(out, "/>");
            } else if outcome == Outcome::NoCompletion {
                let _ = writeln!(
                    out,
                    ">\n      <error message=\"{}\" type=\"{observed}\"/>\n    </testcase>",
                    escape(&q.score.reason)
                );
            } else {
                let kind = if outcome == Outcome::SoftPass {
                    "soft_pass"
                } else {
                    "fail"
                };
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{kind}\">class {}; expected {}, observed {observed}; called [{}]</failure>\n    </testcase>",
                    escape(&q.score.reason),
                    table::class_of(q),
                    q.score.expected.as_str(),
                    escape(&q.score.called.join(", "))
                );
            }
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// (tests, errors = no completion, failures = the other non-passes).
fn counts(outcomes: &[Outcome]) -> (usize, usize, usize) {
    let errors = outcomes
        .iter()
        .filter(|o| **o == Outcome::NoCompletion)
        .count();
    let failures = outcomes
        .iter()
        .filter(|o| matches!(o, Outcome::Fail | Outcome::SoftPass))
        .count();
    (outcomes.len(), errors, failures)
}
