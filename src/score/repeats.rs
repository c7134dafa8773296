//! Repeated runs of one suite (`--repeats K`, sampling with seed, seed+1, …):
//! pass^k — the share of queries that pass in *every* one of the K runs, the
//! reliability a user sees (τ-bench) — beside pass@k (in any run) and the
//! mean per-run pass rate, and each query's stability across the runs. A
//! single run of a sampled model hides how often a query flips.

use super::Rate;
use crate::parse::VerdictKind;
use serde::{Deserialize, Serialize};

/// One query over the K runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryRepeats {
    pub suite: String,
    pub id: String,
    /// Strict outcome of each run, in run order.
    pub strict: Vec<bool>,
    /// Verdict kind of each run (`null` where there was no completion).
    pub verdicts: Vec<Option<VerdictKind>>,
}

impl QueryRepeats {
    pub fn passes(&self) -> usize {
        self.strict.iter().filter(|&&p| p).count()
    }
    /// The strict outcome of each run as ✓/✗, e.g. "✓✗✓".
    pub fn pattern(&self) -> String {
        self.strict
            .iter()
            .map(|&p| if p { '✓' } else { '✗' })
            .collect()
    }

    /// Same strict outcome and same verdict kind in every run.
    pub fn stable(&self) -> bool {
        self.strict.windows(2).all(|w| w[0] == w[1])
            && self.verdicts.windows(2).all(|w| w[0] == w[1])
    }
}

/// The `repeats` section of a results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Repeats {
    pub k: u32,
    /// The sampling seed of each run (the pack's seed plus the run index).
    pub seed_offsets: Vec<u64>,
    /// Queries passing strictly in all K runs.
    pub pass_hat_k: Rate,
    /// Queries passing strictly in at least one run.
    pub pass_at_k: Rate,
    /// Strict passes over all runs and queries (K × queries trials).
    pub mean_pass: Rate,
    /// Queries whose strict outcome and verdict kind never changed.
    pub stable: Rate,
    /// Whether every run was greedy: then the K runs are one observation.
    pub greedy: bool,
    pub queries: Vec<QueryRepeats>,
}

/// One run's outcome for one query: (suite, id, strict, verdict kind).
pub type Outcome = (String, String, bool, Option<VerdictKind>);

impl Repeats {
    /// From the K runs' outcomes, each in the same query order (the runner
    /// runs the same suites each time). Queries missing from a later run
    /// count as failures in it.
    pub fn from_runs(runs: &[Vec<Outcome>], greedy: bool) -> Repeats {
        let k = runs.len();
        let mut queries: Vec<QueryRepeats> = runs
            .first()
            .map(|first| {
                first
                    .iter()
                    .map(|(suite, id, _, _)| QueryRepeats {
                        suite: suite.clone(),
                        id: id.clone(),
                        strict: Vec::with_capacity(k),
                        verdicts: Vec::with_capacity(k),
                    })
                    .collect()
            })
            .unwrap_or_default();
        for run in runs {
            let by_key: std::collections::HashMap<(&str, &str), (bool, Option<VerdictKind>)> = run
                .iter()
                .map(|(s, i, p, v)| ((s.as_str(), i.as_str()), (*p, *v)))
                .collect();
            for q in &mut queries {
                let hit = by_key.get(&(q.suite.as_str(), q.id.as_str()));
                q.strict.push(hit.is_some_and(|h| h.0));
                q.verdicts.push(hit.and_then(|h| h.1));
            }
        }
        let n = queries.len() as u64;
        let count =
            |f: &dyn Fn(&QueryRepeats) -> bool| queries.iter().filter(|q| f(q)).count() as u64;
        let all = count(&|q| q.passes() == k);
        let any = count(&|q| q.passes() > 0);
        let stable = count(&|q| q.stable());
        let passes: u64 = queries.iter().map(|q| q.passes() as u64).sum();
        Repeats {
            k: k as u32,
            seed_offsets: (0..k as u64).collect(),
            pass_hat_k: Rate::new(all, n),
            pass_at_k: Rate::new(any, n),
            mean_pass: Rate::new(passes, n * k as u64),
            stable: Rate::new(stable, n),
            greedy,
            queries,
        }
    }

    /// Queries that passed in some runs and failed in others.
    pub fn flaky(&self) -> impl Iterator<Item = &QueryRepeats> {
        let k = self.k as usize;
        self.queries
            .iter()
            .filter(move |q| q.passes() > 0 && q.passes() < k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(id: &str, pass: bool, v: VerdictKind) -> Outcome {
        ("s".into(), id.into(), pass, Some(v))
    }

    #[test]
    fn pass_hat_k_needs_every_run_and_pass_at_k_any() {
        use VerdictKind::*;
        let runs = vec![
            vec![
                o("a", true, ToolCall),
                o("b", true, ToolCall),
                o("c", false, Direct),
            ],
            vec![
                o("a", true, ToolCall),
                o("b", false, MalformedCall),
                o("c", false, Direct),
            ],
            vec![
                o("a", true, ToolCall),
                o("b", true, ToolCall),
                o("c", false, Promise),
            ],
        ];
        let r = Repeats::from_runs(&runs, false);
        assert_eq!(r.k, 3);
        assert_eq!((r.pass_hat_k.successes, r.pass_hat_k.trials), (1, 3));
        assert_eq!((r.pass_at_k.successes, r.pass_at_k.trials), (2, 3));
        assert_eq!((r.mean_pass.successes, r.mean_pass.trials), (5, 9));
        // c never passes but its verdict changed: not stable.
        assert_eq!(r.stable.successes, 1);
        let flaky: Vec<&str> = r.flaky().map(|q| q.id.as_str()).collect();
        assert_eq!(flaky, ["b"]);
        assert_eq!(r.queries[1].strict, [true, false, true]);
    }

    #[test]
    fn a_query_missing_from_a_later_run_fails_there() {
        let runs = vec![vec![o("a", true, VerdictKind::ToolCall)], vec![]];
        let r = Repeats::from_runs(&runs, true);
        assert_eq!(r.queries[0].strict, [true, false]);
        assert_eq!(r.queries[0].verdicts, [Some(VerdictKind::ToolCall), None]);
        assert_eq!(r.pass_hat_k.successes, 0);
        assert!(r.greedy);
    }
}
