//! `bench`: Punie's metrics done right. Disk size of the model folder
//! (local paths too), load time, memory (MLX active after load and peak
//! during the queries — not weights-only), warm-up (first query), a
//! steady-state series with its spread, and accuracy over the suite with
//! every query counted once (Punie counted one greedy query four times).

pub mod provenance;
pub mod stats;
pub mod targets;

use serde::{Deserialize, Serialize};
use stats::Summary;

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
