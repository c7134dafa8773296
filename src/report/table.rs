//! The one table model behind every report format: which columns the
//! summary has and in what order, which rows it shows, the confusion
//! matrix's cells and each query's outcome. Terminal, Markdown, HTML and
//! JUnit render these; none of them decides what is in a table, so they
//! cannot drift apart.

use crate::results::{QueryResult, RunResults, SuiteResult};
use crate::score::{Failure, Metrics, Observed, Rate};
use crate::suite::ExpectKind;

/// A summary column: its heading (and the terminal's narrower one).
pub struct Column {
    pub name: &'static str,
    pub short: &'static str,
}

/// The summary table's columns, first the row name.
pub const SUMMARY: [Column; 9] = [
    Column {
        name: "suite",
        short: "suite",
    },
    Column {
        name: "n",
        short: "n",
    },
    Column {
        name: "discrimination",
        short: "discrimination",
    },
    Column {
        name: "soft",
        short: "soft",
    },
    Column {
        name: "strict",
        short: "strict",
    },
    Column {
        name: "tool names",
        short: "tool names",
    },
    Column {
        name: "arg validity",
        short: "arg validity",
    },
    Column {
        name: "F1",
        short: "F1",
    },
    Column {
        name: "no completion",
        short: "none",
    },
];

/// One summary cell, typed: each format writes rates its own way.
pub enum Cell<'a> {
    Name(&'a str),
    /// The "overall" row's name (Markdown sets it in bold).
    Overall,
    Count(u64),
    Rate(&'a Rate),
    /// F1 of "calls a tool" (`None` when undefined).
    Score(Option<f64>),
}

/// The summary rows: one per suite, then "overall" when there are several.
pub fn summary(r: &RunResults) -> Vec<[Cell<'_>; 9]> {
    let mut rows: Vec<[Cell<'_>; 9]> = r
        .suites
        .iter()
        .map(|s| summary_row(&s.pack.id, &s.metrics))
        .collect();
    if r.suites.len() > 1 {
        let mut overall = summary_row("overall", &r.overall);
        overall[0] = Cell::Overall;
        rows.push(overall);
    }
    rows
}

fn summary_row<'a>(name: &'a str, m: &'a Metrics) -> [Cell<'a>; 9] {
    [
        Cell::Name(name),
        Cell::Count(m.queries),
        Cell::Rate(&m.discrimination_accuracy),
        Cell::Rate(&m.soft),
        Cell::Rate(&m.strict),
        Cell::Rate(&m.tool_name_accuracy),
        Cell::Rate(&m.argument_validity),
        Cell::Score(m.calls_tool.f1),
        Cell::Count(m.no_completion),
    ]
}

/// F1 as every format shows it.
pub fn score_text(f1: Option<f64>) -> String {
    f1.map_or_else(|| "n/a".to_string(), |f| format!("{f:.3}"))
}

/// One row of the overall confusion matrix (expected kind → counts by
/// observed behaviour, in `Observed::ALL` order).
pub struct ConfusionRow {
    pub expected: ExpectKind,
    pub counts: Vec<u64>,
    pub total: u64,
}

impl ConfusionRow {
    /// Whether the cell at `i` is the behaviour the expectation wanted.
    pub fn is_hit(&self, i: usize) -> bool {
        let o = Observed::ALL[i];
        match o.wants_tool() {
            Some(t) => {
                t == self.expected.wants_tool()
                    && o != Observed::MalformedCall
                    && o != Observed::Promise
            }
            None => false,
        }
    }
}

/// Every expected kind's row of the overall confusion matrix.
pub fn confusion(r: &RunResults) -> Vec<ConfusionRow> {
    let c = &r.overall.confusion;
    ExpectKind::ALL
        .iter()
        .map(|&e| ConfusionRow {
            expected: e,
            counts: Observed::ALL.iter().map(|&o| c.get(e, o)).collect(),
            total: c.row_total(e),
        })
        .collect()
}

/// How one query ended, as every format names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Pass,
    /// Right kind of behaviour, wrong details.
    SoftPass,
    Fail,
    /// No completion at all (scored as a failure).
    NoCompletion,
}

impl Outcome {
    pub fn of(q: &QueryResult) -> Self {
        match (q.score.strict, q.score.soft, q.score.observed) {
            (true, _, _) => Self::Pass,
            (false, _, Observed::NoCompletion) => Self::NoCompletion,
            (false, true, _) => Self::SoftPass,
            (false, false, _) => Self::Fail,
        }
    }

    /// "pass", "soft pass", "fail", "no completion".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::SoftPass => "soft pass",
            Self::Fail => "fail",
            Self::NoCompletion => "no completion",
        }
    }
}

/// Every query that did not pass strictly, in suite and query order.
pub fn failures(r: &RunResults) -> Vec<(&SuiteResult, &QueryResult, Outcome)> {
    r.suites
        .iter()
        .flat_map(|s| s.queries.iter().map(move |q| (s, q, Outcome::of(q))))
        .filter(|(_, _, o)| *o != Outcome::Pass)
        .collect()
}

/// Failing queries by class, in [`Failure::ALL`] order: `(class, count)`
/// for every class with at least one.
pub fn failure_classes(m: &Metrics) -> Vec<(Failure, u64)> {
    Failure::ALL
        .iter()
        .filter_map(|f| m.failures.get(f).map(|n| (*f, *n)))
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// A query's failure class as every format names it ("" when it passed).
pub fn class_of(q: &QueryResult) -> &'static str {
    q.score.failure.map_or("", Failure::as_str)
}

/// The lines under the summary in every format: the parse profile, the
/// tool hallucination rate, and format vs decision errors (the query's
/// pass under each profile). `(label, value)`.
pub fn verdict_lines(r: &RunResults) -> Vec<(&'static str, String)> {
    let m = &r.overall;
    let mut out = vec![
        ("parse profile", r.parse_profile.to_string()),
        (
            "tool hallucination (calls to tools not in the toolset)",
            m.tool_hallucination.display(),
        ),
    ];
    if let Some(p) = &m.profiles {
        out.push((
            "accuracy under the strict profile",
            p.accuracy_strict_profile.display(),
        ));
        out.push((
            "accuracy under the lenient profile",
            p.accuracy_lenient_profile.display(),
        ));
        out.push((
            "format errors (fail under strict, pass under lenient)",
            p.format_errors.to_string(),
        ));
        out.push((
            "decision errors (fail under lenient too)",
            p.decision_errors.to_string(),
        ));
        out.push((
            "verdicts the profiles disagree on",
            format!("{} of {}", p.disagreements, p.queries),
        ));
    }
    out
}
