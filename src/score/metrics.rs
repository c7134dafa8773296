//! Suite metrics: every rate with its Wilson interval, the confusion matrix,
//! "calls a tool" precision/recall/F1, and per-tool and per-tag breakdowns.

use super::confusion::Confusion;
use super::failure::Failure;
use super::profiles::{ProfileCounter, ProfileMetrics, ProfilePasses};
use super::query::{Observed, QueryScore};
use super::rate::Rate;
use crate::suite::ExpectKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scored query as the aggregation needs it.
#[derive(Debug, Clone, Copy)]
pub struct Scored<'a> {
    pub score: &'a QueryScore,
    pub tags: &'a [String],
    pub expected_tools: &'a [&'a str],
    /// Validity of each call, by tool name (for per-tool validity).
    pub calls: &'a [(String, bool)],
    /// The query's pass under each parse profile, when both were scored.
    pub profiles: Option<&'a ProfilePasses>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub queries: u64,
    pub no_completion: u64,
    /// The call-or-not decision (malformed calls and promises count as
    /// deciding to call, never as abstaining).
    pub discrimination_accuracy: Rate,
    pub soft: Rate,
    pub strict: Rate,
    /// Among `tool` queries answered with a parsed call: the right tool(s).
    pub tool_name_accuracy: Rate,
    /// Among all parsed calls: arguments valid against the tool's schema.
    pub argument_validity: Rate,
    pub calls_tool: Binary,
    pub confusion: Confusion,
    pub per_tool: BTreeMap<String, ToolMetrics>,
    pub per_tag: BTreeMap<String, GroupMetrics>,
    /// Failing queries by class (classes with none are left out).
    #[serde(default)]
    pub failures: BTreeMap<Failure, u64>,
    /// Among all parsed calls: calls to tools not in the toolset.
    #[serde(default = "no_calls")]
    pub tool_hallucination: Rate,
    /// Accuracy under each parse profile, and format vs decision errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profiles: Option<ProfileMetrics>,
}

fn no_calls() -> Rate {
    Rate::new(0, 0)
}

/// "Calls a tool" as a binary classifier. Positive = tool_call,
/// malformed_call or promise; negative = direct. Queries without a
/// completion are left out (they are counted in `no_completion`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Binary {
    pub true_positive: u64,
    pub false_positive: u64,
    pub false_negative: u64,
    pub true_negative: u64,
    pub precision: Rate,
    pub recall: Rate,
    /// Harmonic mean of precision and recall; not a binomial proportion, so
    /// it has no Wilson interval.
    pub f1: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupMetrics {
    pub queries: u64,
    pub discrimination_accuracy: Rate,
    pub soft: Rate,
    pub strict: Rate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolMetrics {
    /// Queries expecting this tool (alone or among others).
    pub expected_in: GroupMetrics,
    /// Calls the model made to this tool, anywhere.
    pub calls: u64,
    /// Of those calls, how many had valid arguments.
    pub argument_validity: Rate,
    /// Calls to this tool in queries that expected a direct answer or question.
    pub spurious_calls: u64,
}

#[derive(Default)]
struct Counter {
    n: u64,
    disc: u64,
    soft: u64,
    strict: u64,
}

impl Counter {
    fn add(&mut self, s: &QueryScore) {
        self.n += 1;
        self.disc += u64::from(s.discrimination);
        self.soft += u64::from(s.soft);
        self.strict += u64::from(s.strict);
    }
    fn finish(&self) -> GroupMetrics {
        GroupMetrics {
            queries: self.n,
            discrimination_accuracy: Rate::new(self.disc, self.n),
            soft: Rate::new(self.soft, self.n),
            strict: Rate::new(self.strict, self.n),
        }
    }
}

pub fn metrics<'a>(items: impl IntoIterator<Item = Scored<'a>>) -> Metrics {
    let mut all = Counter::default();
    let mut no_completion = 0;
    let (mut names_ok, mut names_n) = (0, 0);
    let (mut valid, mut calls) = (0, 0);
    let (mut tp, mut fp, mut fn_, mut tn) = (0, 0, 0, 0);
    let mut confusion = Confusion::default();
    let mut tags: BTreeMap<String, Counter> = BTreeMap::new();
    let mut tools: BTreeMap<String, (Counter, u64, u64, u64)> = BTreeMap::new();
    let mut failures: BTreeMap<Failure, u64> = BTreeMap::new();
    let mut unknown = 0;
    let mut profiles = ProfileCounter::default();

    for it in items {
        let s = it.score;
        all.add(s);
        confusion.add(s.expected, s.observed);
        no_completion += u64::from(s.observed == Observed::NoCompletion);
        if let Some(ok) = s.tool_name_correct {
            names_n += 1;
            names_ok += u64::from(ok);
        }
        calls += s.calls;
        valid += s.valid_calls;
        unknown += s.unknown_tool_calls;
        if let Some(f) = s.failure {
            *failures.entry(f).or_default() += 1;
        }
        if let Some(p) = it.profiles {
            profiles.add(p);
        }
        match (s.expected.wants_tool(), s.observed.wants_tool()) {
            (true, Some(true)) => tp += 1,
            (false, Some(true)) => fp += 1,
            (true, Some(false)) => fn_ += 1,
            (false, Some(false)) => tn += 1,
            (_, None) => {}
        }
        for tag in it.tags {
            tags.entry(tag.clone()).or_default().add(s);
        }
        for tool in it.expected_tools {
            tools.entry(tool.to_string()).or_default().0.add(s);
        }
        let direct_expected = matches!(s.expected, ExpectKind::Direct | ExpectKind::Ask);
        for (name, ok) in it.calls {
            let e = tools.entry(name.clone()).or_default();
            e.1 += 1;
            e.2 += u64::from(*ok);
            e.3 += u64::from(direct_expected);
        }
    }
    let precision = Rate::new(tp, tp + fp);
    let recall = Rate::new(tp, tp + fn_);
    let f1 = (2 * tp + fp + fn_ > 0).then(|| 2.0 * tp as f64 / (2 * tp + fp + fn_) as f64);
    let overall = all.finish();
    Metrics {
        queries: overall.queries,
        no_completion,
        discrimination_accuracy: overall.discrimination_accuracy,
        soft: overall.soft,
        strict: overall.strict,
        tool_name_accuracy: Rate::new(names_ok, names_n),
        argument_validity: Rate::new(valid, calls),
        calls_tool: Binary {
            true_positive: tp,
            false_positive: fp,
            false_negative: fn_,
            true_negative: tn,
            precision,
            recall,
            f1,
        },
        confusion,
        per_tool: tools
            .into_iter()
            .map(|(name, (c, n, ok, spurious))| {
                (
                    name,
                    ToolMetrics {
                        expected_in: c.finish(),
                        calls: n,
                        argument_validity: Rate::new(ok, n),
                        spurious_calls: spurious,
                    },
                )
            })
            .collect(),
        per_tag: tags.into_iter().map(|(t, c)| (t, c.finish())).collect(),
        failures,
        tool_hallucination: Rate::new(unknown, calls),
        profiles: profiles.finish(),
    }
}
