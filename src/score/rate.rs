//! A rate k/n with its Wilson 95% score interval. Suites are small (tens of
//! queries) and rates sit near 0 or 1, where the normal approximation gives
//! intervals outside [0, 1]; Wilson's stays inside and keeps its coverage.

use serde::{Deserialize, Serialize};

/// z for a two-sided 95% interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Successes over trials, the point estimate and the Wilson 95% interval
/// (`None` when there were no trials: a rate of nothing is not 0%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rate {
    pub successes: u64,
    pub trials: u64,
    pub value: Option<f64>,
    pub ci95: Option<[f64; 2]>,
}

impl Rate {
    pub fn new(successes: u64, trials: u64) -> Self {
        debug_assert!(successes <= trials);
        let successes = successes.min(trials);
        Self {
            successes,
            trials,
            value: (trials > 0).then(|| successes as f64 / trials as f64),
            ci95: wilson(successes, trials, Z95),
        }
    }

    /// "92.3% [85.1–96.4] (60/65)", or "n/a (0)" for no trials.
    pub fn display(&self) -> String {
        match (self.value, self.ci95) {
            (Some(v), Some([lo, hi])) => format!(
                "{:.1}% [{:.1}–{:.1}] ({}/{})",
                v * 100.0,
                lo * 100.0,
                hi * 100.0,
                self.successes,
                self.trials
            ),
            _ => "n/a (0)".to_string(),
        }
    }
}

/// Wilson score interval for k successes in n trials at normal quantile z.
pub fn wilson(k: u64, n: u64, z: f64) -> Option<[f64; 2]> {
    if n == 0 {
        return None;
    }
    let n = n as f64;
    let p = k as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = p + z2 / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let lo = ((centre - half) / denom).max(0.0);
    let hi = ((centre + half) / denom).min(1.0);
    // At k = 0 or k = n one bound is exactly 0 or 1; rounding must not hide it.
    let lo = if k == 0 { 0.0 } else { lo };
    let hi = if k as f64 == n { 1.0 } else { hi };
    Some([lo, hi])
}
