//! Throughput of `parse::classify` (parse + schema validation) on one core
//! over Punie's real transcripts: every assistant turn of Phase 27 and
//! Phase 33 (tool calls in code mode, direct answers, promises, answers
//! after tool results). Run: `cargo bench --no-default-features --bench parse`.
//!
//! Plain harness: warm up, then five timed passes of at least one second
//! each over the whole corpus; prints the median and the spread.

use punie_eval::parse::classify;
use punie_eval::schema::Toolset;
use serde_json::Value;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let dir = std::env::var_os("PUNIE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/punie"));
    let phase27 = Toolset::punie_default();
    let phase33 = Toolset::punie_phase33();
    let mut corpus: Vec<(String, &Toolset)> = Vec::new();
    for (rel, toolset) in [
        ("phase27_cleaned/train.jsonl", &phase27),
        ("phase27_cleaned/valid.jsonl", &phase27),
        ("phase33_merged/train.jsonl", &phase33),
        ("phase33_merged/valid.jsonl", &phase33),
    ] {
        let path = dir.join(rel);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!(
                    "{}: {e} (set PUNIE_SHARED to the shared/punie folder)",
                    path.display()
                );
                std::process::exit(2);
            }
        };
        for line in text.lines() {
            let row: Value = serde_json::from_str(line).expect("corpus rows are JSON");
            for m in row["messages"].as_array().into_iter().flatten() {
                if m["role"] == "assistant" {
                    corpus.push((m["content"].as_str().unwrap_or("").to_string(), toolset));
                }
            }
        }
    }
    let bytes: usize = corpus.iter().map(|(c, _)| c.len()).sum();
    let calls = corpus
        .iter()
        .map(|(c, t)| classify(c, t).calls.len())
        .sum::<usize>();
    println!(
        "corpus: {} assistant turns, {:.2} MB, {calls} tool calls per pass",
        corpus.len(),
        bytes as f64 / 1e6
    );

    let pass = || {
        for (completion, toolset) in &corpus {
            black_box(classify(black_box(completion), toolset));
        }
    };
    let warmup = Instant::now();
    while warmup.elapsed() < Duration::from_millis(500) {
        pass();
    }
    let mut rates = Vec::new();
    let mut cpu_rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let cpu_start = thread_cpu_seconds();
        let mut n = 0usize;
        while start.elapsed() < Duration::from_secs(1) {
            pass();
            n += corpus.len();
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
        if let (Some(a), Some(b)) = (cpu_start, thread_cpu_seconds()) {
            cpu_rates.push(n as f64 / (b - a));
        }
    }
    rates.sort_by(f64::total_cmp);
    let median = rates[2];
    println!(
        "classify (parse + validate), 1 thread: median {:.0} completions/s ({:.1} MB/s); min {:.0}, max {:.0} over 5 passes of >= 1 s",
        median,
        median * bytes as f64 / corpus.len() as f64 / 1e6,
        rates[0],
        rates[4]
    );
    // On a shared machine the wall clock counts time the thread waited for
    // a core; per CPU second of this thread is what one core does.
    if cpu_rates.len() == 5 {
        cpu_rates.sort_by(f64::total_cmp);
        println!(
            "per CPU second of the benchmark thread: median {:.0} completions/s; min {:.0}, max {:.0}",
            cpu_rates[2], cpu_rates[0], cpu_rates[4]
        );
    }
}

/// This thread's user + system CPU time (Linux `/proc`, 10 ms ticks).
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the command name, which is parenthesised and may hold spaces.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
