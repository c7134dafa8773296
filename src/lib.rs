//! punie-eval: does a local coding model call the right tool, with valid
//! arguments, when it should — and answer directly when it should not?
//!
//! Module map (one domain concept each):
//! - [`parse`]: raw completion → [`parse::Verdict`] (every tool-call format).
//! - [`schema`]: the tool schemas and toolsets; argument validation.
//! - [`suite`]: query packs (TOML files) and their expectations.
//! - [`score`]: verdict × expectation → pass/fail, suite metrics, intervals.
//! - [`results`]: the results contract (versioned JSON) between producers
//!   (run, bench) and consumers (report, compare).
//! - [`report`]: terminal / JSON / Markdown / JUnit / HTML output of results.
//! - [`run`]: suites, the runner, backends (replay, MLX), transcripts.
//! - [`sources`]: assembling a run's suites from pack files, plugins and
//!   the config file.
//! - [`plugin`]: query packs loaded from shared libraries.
//! - [`chat`]: tokenizer and chat-template rendering (exactly as transformers).
//! - [`gguf`]: GGUF reading, ggml dequantization, import into MLX folders.
//! - [`arch`]: the facts of each architecture, one file each (no MLX).
//! - [`model`]: the in-process MLX model runtime (feature `mlx`).
//! - [`provision`]: making model folders: default model, synth, quantize (feature `mlx`).
//! - [`bench`]: load/memory/warm-up/steady-state metrics (the procedure: feature `mlx`) and targets.
//! - [`runtime`]: facts about the linked MLX runtime (feature `mlx`).

pub mod arch;
pub mod bench;
pub mod cache;
pub mod chat;
pub mod gguf;
pub mod import;
pub mod parse;
pub mod plugin;
pub mod problem;
pub mod report;
pub mod results;
pub mod run;
pub mod schema;
pub mod score;
pub mod sources;
pub mod stats;
pub mod suite;
pub mod text;

#[cfg(feature = "mlx")]
pub mod model;
#[cfg(feature = "mlx")]
pub mod provision;
#[cfg(feature = "mlx")]
pub mod runtime;
