//! The command line. Each subcommand lives in its own file with its `Args`
//! struct and a `run` function; this file only wires them together.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod bench;
mod compare;
mod doctor;
mod generate;
mod model;
mod packs;
mod parse;
mod run;
mod schemas;
#[cfg(feature = "mlx")]
mod tools;

#[derive(Parser)]
#[command(name = "punie-eval", version, about = "Evaluate a local coding model's tool calling", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report the MLX runtime, backend, device, BLAS and default model.
    Doctor(doctor::Args),
    /// Generate one completion with a model and print it with statistics.
    Generate(generate::Args),
    /// Inspect, synthesize or import models.
    Model(model::Args),
    /// Classify completions (JSONL on stdin) into verdicts (JSONL on stdout).
    Parse(parse::Args),
    /// Lint tool schemas and toolsets.
    Schemas(schemas::Args),
    /// Run query suites through a model (or replay transcripts) and score them.
    Run(run::Args),
    /// List, show and check query packs (files and plugins).
    Packs(packs::Args),
    /// Measure load, memory, warm-up, steady-state latency and accuracy.
    Bench(bench::Args),
    /// Compare result files: deltas, side-by-side tables, McNemar tests.
    Compare(compare::Args),
}

/// Exit codes: 0 success, 1 a check failed (targets, accuracy gate),
/// 2 bad input or usage (the message says what and where).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Doctor(a) => doctor::run(a),
        Command::Generate(a) => generate::run(a),
        Command::Model(a) => model::run(a),
        Command::Parse(a) => parse::run(a),
        Command::Schemas(a) => schemas::run(a),
        Command::Run(a) => run::run(a),
        Command::Packs(a) => packs::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Compare(a) => compare::run(a),
    };
    // Whatever the outcome, no MLX work may still run when the process
    // exits (OpenBLAS's exit handler deadlocks on it: runtime::quiesce).
    #[cfg(feature = "mlx")]
    crate::runtime::quiesce();
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// The error type of command handlers: a message for the user.
pub type CliResult = Result<ExitCode, Box<dyn std::error::Error>>;

/// For subcommands whose issue has not landed yet: says so plainly.
#[allow(dead_code)]
fn not_yet(what: &str, issue: u32) -> CliResult {
    Err(format!("`punie-eval {what}` is not available yet (tracked in issue #{issue})").into())
}
