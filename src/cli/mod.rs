//! The command line: each subcommand lives in its own file with its `Args`
//! and a `run` that parses, calls the library and prints. This file wires
//! them together and owns the one exit policy.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[macro_use]
mod output;
mod bench;
mod compare;
mod doctor;
mod generate;
mod import;
mod model;
mod packs;
mod parse;
mod progress;
mod run;
mod run_dir;
mod schemas;
#[cfg(feature = "mlx")]
mod tools;

const EXIT_CODES: &str = "Exit codes: 0 success; 1 a check failed (a target, the accuracy gate, \
a pack check); 2 bad input or usage (the message names the file, the place and the fix); \
3 a runtime failure (the model, the MLX runtime or the backend).";

#[derive(Parser)]
#[command(name = "punie-eval", version, about = "Evaluate a local coding model's tool calling", long_about = None, after_help = EXIT_CODES)]
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
    /// Import other benchmarks' data as query packs (BFCL).
    Import(import::Args),
}

/// How a command ended, when it ran to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A check the user asked for failed (targets, `--min-accuracy`, `packs check`).
    CheckFailed,
    /// The command did what it could, but part of its input was bad (a
    /// plugin that did not load, lines that were not completions).
    InputProblems,
}

/// Why a command stopped early.
#[derive(Debug)]
pub enum Failure {
    /// Bad input or usage: the message names the file, the place and the fix.
    Input(String),
    /// The model, the MLX runtime or a backend failed.
    Runtime(String),
}

impl Failure {
    pub fn runtime(e: impl std::fmt::Display) -> Self {
        Self::Runtime(e.to_string())
    }
}

/// Library errors arrive as input problems unless a command says otherwise
/// (`Failure::runtime`): most of them are about a file the user gave.
impl<E: Into<Box<dyn std::error::Error>>> From<E> for Failure {
    fn from(e: E) -> Self {
        Self::Input(e.into().to_string())
    }
}

/// The result of every command handler.
pub type CliResult = Result<Outcome, Failure>;

/// The one place outcomes become exit codes.
fn exit_code(result: &CliResult) -> u8 {
    match result {
        Ok(Outcome::Ok) => 0,
        Ok(Outcome::CheckFailed) => 1,
        Ok(Outcome::InputProblems) | Err(Failure::Input(_)) => 2,
        Err(Failure::Runtime(_)) => 3,
    }
}

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
        Command::Import(a) => import::run(a),
    };
    if let Err(Failure::Input(m) | Failure::Runtime(m)) = &result {
        eprintln!("error: {m}");
    }
    quiesce();
    ExitCode::from(exit_code(&result))
}

/// Whatever the outcome, no MLX work may still run when the process exits
/// (OpenBLAS's exit handler deadlocks on it: `runtime::quiesce`).
fn quiesce() {
    #[cfg(feature = "mlx")]
    punie_eval::runtime::quiesce();
}

/// A `--model DIR` the user named must exist: a missing folder is a usage
/// error (exit 2), while a folder that exists and fails to load is a model
/// failure (exit 3).
pub fn existing_model_dir(dir: &std::path::Path) -> Result<(), Failure> {
    if dir.is_dir() {
        return Ok(());
    }
    Err(Failure::Input(format!(
        "{}: no such model folder; fix: pass a folder with config.json and *.safetensors \
         (or leave out --model for the default model)",
        dir.display()
    )))
}

/// Refuses an output path that is also an input (or another output): the
/// run would overwrite what it reads, or one report would replace another.
pub fn refuse_overwrite(
    outputs: &[(&str, &std::path::Path)],
    inputs: &[&std::path::Path],
) -> Result<(), Failure> {
    // Outputs may not exist yet: compare their folder's real path + name.
    let key = |p: &std::path::Path| -> Option<std::path::PathBuf> {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        Some(dir.canonicalize().ok()?.join(p.file_name()?))
    };
    for (i, (flag, out)) in outputs.iter().enumerate() {
        let Some(k) = key(out) else { continue };
        if let Some(input) = inputs.iter().find(|p| key(p).as_ref() == Some(&k)) {
            return Err(Failure::Input(format!(
                "{flag} {} would overwrite the input {}; fix: write it to another file",
                out.display(),
                input.display()
            )));
        }
        if let Some((other, _)) = outputs[..i]
            .iter()
            .find(|(_, p)| key(p).as_ref() == Some(&k))
        {
            return Err(Failure::Input(format!(
                "{flag} {} is also the file of {other}; fix: give each output its own file",
                out.display()
            )));
        }
    }
    Ok(())
}
