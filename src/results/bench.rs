//! The `bench` sections of a results file: Punie's metrics measured
//! properly (disk, load, memory, warm-up, steady state) and the provenance
//! of what was measured. Every number carries its unit
//! ([`BenchMetrics::measurements`]) so `compare` never guesses.

use super::Unit;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Summary statistics of repeated timings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub min: f64,
    pub median: f64,
    pub max: f64,
    /// Coefficient of variation (sample std / mean); 0 for fewer than 2.
    pub cv: f64,
}

/// One timed completion of the benchmark query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timed {
    pub total_s: f64,
    pub time_to_first_token_s: f64,
    pub prompt_tokens: usize,
    pub generated_tokens: usize,
    pub prompt_tps: f64,
    pub generation_tps: f64,
}

/// The `bench` section of a bench result file (beside the run results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchMetrics {
    pub disk_bytes: u64,
    pub load_s: f64,
    pub active_memory_after_load_bytes: u64,
    pub peak_memory_bytes: u64,
    /// The suite/query timed for warm-up and steady state.
    pub benchmark_query: String,
    pub warmup_s: f64,
    pub warmup: Timed,
    pub steady: Vec<Timed>,
    pub steady_avg_s: f64,
    pub steady_summary: Option<Summary>,
    /// Whether every steady run produced the same text (greedy decoding
    /// should): a repeated greedy query is one observation, not several.
    pub steady_outputs_identical: bool,
    pub mean_ttft_s: f64,
    pub mean_generation_tps: f64,
    pub mean_prompt_tps: f64,
    /// The accuracy pass as a workload (absent in files written before it
    /// was measured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Throughput>,
}

/// What a whole suite costs, beside the one-query latency of the warm-up
/// and steady runs: the accuracy pass timed end to end. Never mistaken for
/// latency: a batched pass raises these figures and leaves those alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Throughput {
    /// Queries decoded together (1: one at a time).
    pub batch: usize,
    /// Completions generated in this pass; those an interrupted bench
    /// finished (`--resume`) are not timed again.
    pub queries: usize,
    pub wall_s: f64,
    pub queries_per_minute: f64,
    pub prompt_tokens: u64,
    pub generated_tokens: u64,
    /// Generated tokens over the pass's wall time, all queries together.
    pub generation_tps: f64,
    /// The pass's prefill time (shared prefix and each query's own tokens)
    /// and decode time, and the decode steps' generated tokens per second
    /// (each query's first token is its prefill's). Absent in files
    /// written before they were measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decode_s: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decode_tps: Option<f64>,
    /// Why `--batch auto` chose `batch` (absent when it was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_choice: Option<String>,
}

impl Throughput {
    /// From the pass's wall time and each generated completion's
    /// (prompt, generated) token counts.
    pub fn measure(batch: usize, wall_s: f64, completions: &[(usize, usize)]) -> Self {
        let per = |n: f64, unit: f64| if wall_s > 0.0 { n * unit / wall_s } else { 0.0 };
        let generated: u64 = completions.iter().map(|c| c.1 as u64).sum();
        Throughput {
            batch,
            queries: completions.len(),
            wall_s,
            queries_per_minute: per(completions.len() as f64, 60.0),
            prompt_tokens: completions.iter().map(|c| c.0 as u64).sum(),
            generated_tokens: generated,
            generation_tps: per(generated as f64, 1.0),
            prefill_s: None,
            decode_s: None,
            decode_tps: None,
            batch_choice: None,
        }
    }
}

impl BenchMetrics {
    /// Punie's RESULTS block, with the spread and the interval it lacked.
    pub fn results_block(&self, accuracy: &crate::score::Rate) -> String {
        let gb = |b: u64| b as f64 / 1e9;
        let mut s = String::from("RESULTS\n");
        s += &format!("Disk size:        {:.2} GB\n", gb(self.disk_bytes));
        s += &format!(
            "Memory:           {:.2} GB active after load, {:.2} GB peak during queries\n",
            gb(self.active_memory_after_load_bytes),
            gb(self.peak_memory_bytes)
        );
        s += &format!("Load time:        {:.2}s\n", self.load_s);
        s += &format!(
            "Warm-up time:     {:.2}s (first query: {} prompt + {} generated tokens, TTFT {:.2}s)\n",
            self.warmup_s,
            self.warmup.prompt_tokens,
            self.warmup.generated_tokens,
            self.warmup.time_to_first_token_s
        );
        match &self.steady_summary {
            Some(st) => {
                let each: Vec<String> = self
                    .steady
                    .iter()
                    .map(|t| format!("{:.2}s", t.total_s))
                    .collect();
                s += &format!(
                    "Steady-state avg: {:.2}s over {} runs [{}]; min {:.2}s / median {:.2}s / max {:.2}s, CV {:.1}%\n",
                    st.mean,
                    st.n,
                    each.join(", "),
                    st.min,
                    st.median,
                    st.max,
                    st.cv * 100.0
                );
                s += &format!(
                    "                  {:.1} prompt tok/s, {:.1} decode tok/s, TTFT {:.2}s{}\n",
                    self.mean_prompt_tps,
                    self.mean_generation_tps,
                    self.mean_ttft_s,
                    if self.steady_outputs_identical {
                        " (identical outputs: one observation for accuracy)"
                    } else {
                        ""
                    }
                );
            }
            None => s += "Steady-state avg: (no steady runs)\n",
        }
        if let Some(t) = &self.throughput {
            s += &format!(
                "Throughput:       {} queries in {:.1}s ({:.1} queries/min, {:.1} generated tok/s over the suite), batch {}\n",
                t.queries, t.wall_s, t.queries_per_minute, t.generation_tps, t.batch
            );
            if let (Some(p), Some(d), Some(tps)) = (t.prefill_s, t.decode_s, t.decode_tps) {
                s += &format!(
                    "                  prefill {p:.1}s, decode {d:.1}s ({tps:.1} tok/s over the decode steps)\n"
                );
            }
            if let Some(why) = &t.batch_choice {
                s += &format!("                  batch chosen: {why}\n");
            }
        }
        s += &match (accuracy.value, accuracy.ci95) {
            (Some(v), Some([lo, hi])) => format!(
                "Accuracy:         {}/{} strict ({:.1}%, 95% CI {:.1}-{:.1}%), each query counted once\n",
                accuracy.successes,
                accuracy.trials,
                v * 100.0,
                lo * 100.0,
                hi * 100.0
            ),
            _ => "Accuracy:         no scored queries\n".to_string(),
        };
        s
    }
}

/// One number of the `bench` section, with its dotted key and unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// e.g. `warmup.total_s`, `steady_summary.median`.
    pub key: String,
    pub unit: Unit,
    pub value: f64,
}

impl BenchMetrics {
    /// Every numeric measurement, in the order of the JSON section.
    pub fn measurements(&self) -> Vec<Measurement> {
        let mut out = Vec::new();
        let mut put = |key: &str, unit: Unit, value: f64| {
            out.push(Measurement {
                key: key.to_string(),
                unit,
                value,
            })
        };
        put("disk_bytes", Unit::Bytes, self.disk_bytes as f64);
        put("load_s", Unit::Seconds, self.load_s);
        put(
            "active_memory_after_load_bytes",
            Unit::Bytes,
            self.active_memory_after_load_bytes as f64,
        );
        put(
            "peak_memory_bytes",
            Unit::Bytes,
            self.peak_memory_bytes as f64,
        );
        put("warmup_s", Unit::Seconds, self.warmup_s);
        let w = &self.warmup;
        put("warmup.total_s", Unit::Seconds, w.total_s);
        put(
            "warmup.time_to_first_token_s",
            Unit::Seconds,
            w.time_to_first_token_s,
        );
        put("warmup.prompt_tokens", Unit::Plain, w.prompt_tokens as f64);
        put(
            "warmup.generated_tokens",
            Unit::Plain,
            w.generated_tokens as f64,
        );
        put("warmup.prompt_tps", Unit::PerSecond, w.prompt_tps);
        put("warmup.generation_tps", Unit::PerSecond, w.generation_tps);
        put("steady_avg_s", Unit::Seconds, self.steady_avg_s);
        if let Some(s) = &self.steady_summary {
            put("steady_summary.n", Unit::Plain, s.n as f64);
            put("steady_summary.mean", Unit::Seconds, s.mean);
            put("steady_summary.min", Unit::Seconds, s.min);
            put("steady_summary.median", Unit::Seconds, s.median);
            put("steady_summary.max", Unit::Seconds, s.max);
            put("steady_summary.cv", Unit::Plain, s.cv);
        }
        put("mean_ttft_s", Unit::Seconds, self.mean_ttft_s);
        put(
            "mean_generation_tps",
            Unit::PerSecond,
            self.mean_generation_tps,
        );
        put("mean_prompt_tps", Unit::PerSecond, self.mean_prompt_tps);
        if let Some(t) = &self.throughput {
            put("throughput.batch", Unit::Plain, t.batch as f64);
            put("throughput.queries", Unit::Plain, t.queries as f64);
            put("throughput.wall_s", Unit::Seconds, t.wall_s);
            put(
                "throughput.queries_per_minute",
                Unit::Plain,
                t.queries_per_minute,
            );
            put(
                "throughput.prompt_tokens",
                Unit::Plain,
                t.prompt_tokens as f64,
            );
            put(
                "throughput.generated_tokens",
                Unit::Plain,
                t.generated_tokens as f64,
            );
            put(
                "throughput.generation_tps",
                Unit::PerSecond,
                t.generation_tps,
            );
        }
        out
    }
}

/// What exactly was measured: so no run is ever silently scored against
/// the wrong model (Punie's eval once asked a server for `/v1/models[0]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    pub model_path: PathBuf,
    pub model_type: String,
    /// The model's default quantization (`null` for a float model).
    pub quantization: Option<QuantizationInfo>,
    /// sha256 of every file of the model folder by name (`null` with `--no-hash`).
    pub sha256: Option<BTreeMap<String, String>>,
    pub mlx_version: String,
    pub mlx_backend: String,
    pub device: String,
    pub punie_eval_version: String,
    pub settings: BenchSettings,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantizationInfo {
    pub bits: i32,
    pub group_size: i32,
}

/// The `bench` flags that shaped the measurements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchSettings {
    pub steady_runs: usize,
    pub max_tokens_override: Option<u32>,
    pub repeats: u32,
    pub suites: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_is_the_whole_pass_over_its_wall_time() {
        let t = Throughput::measure(1, 30.0, &[(100, 10), (200, 20)]);
        assert_eq!(
            (t.queries, t.prompt_tokens, t.generated_tokens),
            (2, 300, 30)
        );
        assert_eq!(t.queries_per_minute, 4.0);
        assert_eq!(t.generation_tps, 1.0);
        // A pass with nothing to generate (all resumed) has no rate.
        let none = Throughput::measure(1, 0.0, &[]);
        assert_eq!((none.queries, none.generation_tps), (0, 0.0));
    }
}
