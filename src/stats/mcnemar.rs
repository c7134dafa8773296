//! The exact (binomial) McNemar test. Two runs answer the same queries; only
//! the discordant pairs carry information: `b` queries passed in A and failed
//! in B, `c` failed in A and passed in B. Under "no difference" each
//! discordant pair goes either way with probability ½, so b ~ Bin(b + c, ½).
//! Suites are small (tens of queries, a handful of discordant pairs), where
//! the χ² approximation is badly off; the exact test is cheap and right.

use serde::{Deserialize, Serialize};

/// The significance level used for verdicts and the detectable difference.
pub const ALPHA: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct McNemar {
    /// Queries scored in both runs.
    pub shared: u64,
    /// Passed in A, failed in B.
    pub b: u64,
    /// Failed in A, passed in B.
    pub c: u64,
    /// Exact two-sided p-value: min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½);
    /// 1 when there are no discordant pairs.
    pub p_value: f64,
}

impl McNemar {
    pub fn new(shared: u64, b: u64, c: u64) -> Self {
        Self {
            shared,
            b,
            c,
            p_value: exact_p(b, c),
        }
    }

    pub fn significant(&self) -> bool {
        self.p_value < ALPHA
    }

    /// The verdict in words, e.g. "B is better: 2 regressions vs 10
    /// improvements, p = 0.039 (significant at 0.05)".
    pub fn verdict(&self, a: &str, b: &str) -> String {
        let (worse, better) = (self.b, self.c);
        if worse + better == 0 {
            return format!(
                "no difference: {a} and {b} agree on all {} shared queries",
                self.shared
            );
        }
        let counts = format!(
            "{better} quer{} fixed, {worse} broken, p = {}",
            if better == 1 { "y" } else { "ies" },
            fmt_p(self.p_value)
        );
        if !self.significant() {
            return format!(
                "no significant difference between {a} and {b} ({counts}; needs p < {ALPHA})"
            );
        }
        let winner = if better > worse { b } else { a };
        format!("{winner} is significantly better ({counts} < {ALPHA})")
    }
}

/// p-values for people: 3 significant digits, "<0.0001" below that.
pub fn fmt_p(p: f64) -> String {
    if p < 1e-4 {
        "<0.0001".to_string()
    } else if p >= 0.1 {
        format!("{p:.2}")
    } else {
        let decimals = (2.0 - p.log10().floor()) as usize;
        format!("{p:.decimals$}")
    }
}

/// Exact two-sided McNemar p-value for discordant counts b and c.
pub fn exact_p(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // Sum of C(n, i)·2^-n for i ≤ k in log space: n can be thousands.
    let ln_half_n = n as f64 * std::f64::consts::LN_2;
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_c - ln_half_n).exp();
    }
    (2.0 * tail).min(1.0)
}

/// The smallest accuracy difference `shared` paired queries can detect at
/// [`ALPHA`]: the fewest discordant pairs that can reach p < ALPHA — all of
/// them one way (b = d, c = 0), the most extreme split, so p = 2·½^d — divided
/// by the number of queries. `None` when no split of `shared` queries can
/// reach significance (fewer than 6 queries at 0.05).
pub fn min_detectable(shared: u64) -> Option<MinDetectable> {
    (1..=shared)
        .find(|&d| exact_p(d, 0) < ALPHA)
        .map(|d| MinDetectable {
            discordant: d,
            rate: d as f64 / shared as f64,
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MinDetectable {
    /// Net discordant pairs (all in one direction) needed for p < ALPHA.
    pub discordant: u64,
    /// The same as a difference in accuracy: discordant / shared.
    pub rate: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // 2·(1 + 12 + 66)/4096
        assert!((exact_p(10, 2) - 0.038_574_2).abs() < 1e-6);
        assert!((exact_p(2, 10) - exact_p(10, 2)).abs() < 1e-15);
        assert_eq!(exact_p(0, 0), 1.0);
        assert_eq!(exact_p(3, 3), 1.0);
        assert!((exact_p(5, 0) - 0.0625).abs() < 1e-12);
        assert!((exact_p(6, 0) - 0.031_25).abs() < 1e-12);
    }

    #[test]
    fn large_counts_stay_finite() {
        let p = exact_p(600, 400);
        assert!(p > 0.0 && p < 1e-9, "{p}");
        assert!((exact_p(500, 500) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn detectable_difference() {
        assert_eq!(min_detectable(5), None);
        let d = min_detectable(60).unwrap();
        assert_eq!(d.discordant, 6);
        assert!((d.rate - 0.1).abs() < 1e-12);
    }

    #[test]
    fn p_formatting() {
        assert_eq!(fmt_p(0.038_574_2), "0.0386");
        assert_eq!(fmt_p(0.5), "0.50");
        assert_eq!(fmt_p(1.0), "1.00");
        assert_eq!(fmt_p(0.000_01), "<0.0001");
    }
}
