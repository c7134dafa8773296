//! Targets for CI gates, as Punie's baseline document states them
//! (load < 10 s, warm-up < 10 s, steady < 5 s, memory < 25 GB, disk < 25 GB,
//! 100% on the protocol query). A TOML file; every key optional:
//!
//! ```toml
//! load_s = 10.0
//! warmup_s = 10.0
//! steady_s = 5.0
//! memory_gb = 25.0    # peak MLX memory during the queries, 1 GB = 1e9 bytes
//! disk_gb = 25.0
//! accuracy = 1.0      # strict score over the suite(s), a fraction
//! ```

use super::BenchMetrics;
use crate::problem::Problem;
use serde::Deserialize;
use std::path::Path;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    pub load_s: Option<f64>,
    pub warmup_s: Option<f64>,
    pub steady_s: Option<f64>,
    pub memory_gb: Option<f64>,
    pub disk_gb: Option<f64>,
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetCheck {
    pub name: &'static str,
    pub measured: f64,
    pub limit: f64,
    /// Whether lower is better (times, sizes) or higher (accuracy).
    pub at_most: bool,
    pub pass: bool,
}

impl TargetCheck {
    pub fn line(&self) -> String {
        let op = if self.at_most { "<" } else { ">=" };
        format!(
            "{} {:<10} {:.3} {op} {:.3}",
            if self.pass { "PASS" } else { "FAIL" },
            self.name,
            self.measured,
            self.limit
        )
    }
}

impl Targets {
    pub fn load(path: &Path) -> Result<Targets, Problem> {
        let text = crate::text::read_utf8(path).map_err(|e| {
            Problem::new(format!("{}: cannot read targets: {e}", path.display()))
                .fix("check the --targets path")
        })?;
        let t: Targets = toml::from_str(&text).map_err(|e| {
            Problem::new(format!("{}: {e}", path.display()))
                .fix("keys are load_s, warmup_s, steady_s, memory_gb, disk_gb, accuracy")
        })?;
        t.validate().map_err(|mut p| {
            p.message = format!("{}: {}", path.display(), p.message);
            p
        })?;
        Ok(t)
    }

    /// Refuses targets that can never fail or never pass, before the bench
    /// spends minutes measuring: no target at all, a limit that is not a
    /// positive finite number, an accuracy outside 0..1 (a percentage).
    pub fn validate(&self) -> Result<(), Problem> {
        let limits = [
            ("load_s", self.load_s),
            ("warmup_s", self.warmup_s),
            ("steady_s", self.steady_s),
            ("memory_gb", self.memory_gb),
            ("disk_gb", self.disk_gb),
        ];
        if limits.iter().all(|(_, v)| v.is_none()) && self.accuracy.is_none() {
            return Err(Problem::new(
                "no targets: the file sets none, so it would pass with no checks",
            )
            .fix("set at least one of load_s, warmup_s, steady_s, memory_gb, disk_gb, accuracy"));
        }
        for (key, v) in limits {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0) {
                    return Err(Problem::new(format!(
                        "{key} = {v} can never be a meaningful limit"
                    ))
                    .fix("give a positive, finite number (seconds or GB)"));
                }
            }
        }
        if let Some(a) = self.accuracy {
            if !(0.0..=1.0).contains(&a) {
                return Err(Problem::new(format!("accuracy = {a} is outside 0..1"))
                    .fix("give a fraction (0.9 for 90%)"));
            }
        }
        Ok(())
    }

    /// One check per target given; `accuracy` is the strict score (None when
    /// no query was scored, which fails an accuracy target).
    pub fn check(&self, m: &BenchMetrics, accuracy: Option<f64>) -> Vec<TargetCheck> {
        let mut out = Vec::new();
        let mut below = |name, measured: f64, limit: Option<f64>| {
            if let Some(limit) = limit {
                out.push(TargetCheck {
                    name,
                    measured,
                    limit,
                    at_most: true,
                    pass: measured < limit,
                });
            }
        };
        below("load_s", m.load_s, self.load_s);
        below("warmup_s", m.warmup_s, self.warmup_s);
        below("steady_s", m.steady_avg_s, self.steady_s);
        below(
            "memory_gb",
            m.peak_memory_bytes as f64 / 1e9,
            self.memory_gb,
        );
        below("disk_gb", m.disk_bytes as f64 / 1e9, self.disk_gb);
        if let Some(limit) = self.accuracy {
            let measured = accuracy.unwrap_or(f64::NAN);
            out.push(TargetCheck {
                name: "accuracy",
                measured,
                limit,
                at_most: false,
                pass: measured >= limit,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_cannot_fail_or_pass_are_refused() {
        let parse = |t: &str| toml::from_str::<Targets>(t).unwrap().validate();
        assert!(parse("accuracy = 0.9\nload_s = 10.0").is_ok());
        for (text, says) in [
            ("accuracy = 90.0", "0.9 for 90%"),
            ("accuracy = -0.5", "outside 0..1"),
            ("accuracy = nan", "outside 0..1"),
            ("load_s = -1.0", "positive"),
            ("steady_s = inf", "positive"),
            ("memory_gb = nan", "positive"),
            ("", "no targets"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(says), "{text:?}: {e}");
        }
    }
    use crate::bench::Timed;

    fn metrics(load_s: f64, peak: u64) -> BenchMetrics {
        let t = Timed {
            total_s: 1.0,
            time_to_first_token_s: 0.5,
            prompt_tokens: 10,
            generated_tokens: 5,
            prompt_tps: 20.0,
            generation_tps: 10.0,
        };
        BenchMetrics {
            disk_bytes: 21_010_000_000,
            load_s,
            active_memory_after_load_bytes: 19_550_000_000,
            peak_memory_bytes: peak,
            benchmark_query: "protocol/protocol-usage".into(),
            warmup_s: 8.24,
            warmup: t.clone(),
            steady: vec![t.clone(), t.clone(), t],
            steady_avg_s: 2.36,
            steady_summary: None,
            steady_outputs_identical: true,
            mean_ttft_s: 0.5,
            mean_generation_tps: 10.0,
            mean_prompt_tps: 20.0,
            throughput: None,
        }
    }

    #[test]
    fn punies_shipped_targets_pass_and_fail_on_its_own_numbers() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("queries/targets/punie.toml");
        let t = Targets::load(&path).unwrap();
        // Punie's baseline: 6.46 s load, 19.55 GB — all within its targets.
        let ok = t.check(&metrics(6.46, 19_550_000_000), Some(1.0));
        assert_eq!(ok.len(), 6);
        assert!(ok.iter().all(|c| c.pass), "{ok:?}");
        // The seed's 8.06 s load passes; a 26 GB peak or 99% accuracy does not.
        let bad = t.check(&metrics(8.06, 26_000_000_000), Some(0.99));
        let failed: Vec<&str> = bad.iter().filter(|c| !c.pass).map(|c| c.name).collect();
        assert_eq!(failed, ["memory_gb", "accuracy"]);
        assert!(bad[3].line().starts_with("FAIL memory_gb"));
        // No scored query fails an accuracy target.
        assert!(!t.check(&metrics(1.0, 1), None)[5].pass);
    }

    #[test]
    fn unknown_keys_are_refused_with_the_list_of_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.toml");
        std::fs::write(&p, "load_seconds = 3\n").unwrap();
        let err = Targets::load(&p).unwrap_err().to_string();
        assert!(err.contains("t.toml"), "{err}");
        assert!(err.contains("keys are load_s, warmup_s"), "{err}");
    }
}
