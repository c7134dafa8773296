//! `punie-eval run`: load query packs, get a completion for every query from
//! a backend (saved transcripts now, the MLX model with issue #3), classify,
//! score, and write results JSON, transcripts JSONL and a terminal summary.

use super::packs::PluginArgs;
use super::progress::Progress;
use super::{CliResult, Failure, Outcome};
use punie_eval::report::terminal;
use punie_eval::results::now_rfc3339;
use punie_eval::run::{Backend, ReplayBackend, Runner, Suite, TranscriptWriter};
use punie_eval::sources::Sources;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Query pack files (TOML, or JSON with the same fields).
    #[arg(long = "suite", value_name = "FILE", required_unless_present_any = ["plugins", "plugin_dirs"], num_args = 1..)]
    suites: Vec<PathBuf>,
    /// Query packs from plugins (`--plugin PATH`, `--plugin-dir DIR`).
    #[command(flatten)]
    plugins: PluginArgs,
    /// Score saved transcripts (JSONL: {"query_id", "completion"} per line) instead of a model.
    #[arg(long, value_name = "TRANSCRIPTS.jsonl", conflicts_with = "model")]
    replay: Option<PathBuf>,
    /// MLX model folder to generate with [default: the set-up's default model].
    #[arg(long, value_name = "DIR")]
    model: Option<PathBuf>,
    /// Run every query K times (seed, seed+1, …): pass^k, pass@k and
    /// per-query stability in the results. Needs sampling (a temperature
    /// in the packs) to say anything: greedy runs repeat one observation.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,
    /// Cap on generated tokens for every query (overrides the packs).
    #[arg(long, value_name = "N")]
    max_tokens: Option<u32>,
    /// Give up on a query still generating after SECS seconds (checked
    /// between tokens): it scores as no completion, with the reason.
    #[arg(long, value_name = "SECS")]
    query_timeout: Option<f64>,
    /// Prefill every query from scratch instead of reusing the KV cache of
    /// the prompt prefix shared with the previous query.
    #[arg(long)]
    no_prefix_cache: bool,
    /// Score every pack against this toolset (file or built-in name) instead of its own.
    #[arg(long, value_name = "FILE")]
    toolset: Option<String>,
    /// Directory for results.json and transcripts.jsonl [default: results/run-<UTC time>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the run already in --out (its results.json and
    /// transcripts.jsonl); without it a non-empty --out is refused.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Finish the interrupted run in DIR (its --out): the queries its
    /// transcripts.jsonl has are kept, the others run; the same suites and
    /// model as the interrupted run.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["out", "replay"])]
    resume: Option<PathBuf>,
    /// Exit with 1 when the overall strict score is below X (a fraction, 0 to 1).
    #[arg(long, value_name = "X")]
    min_accuracy: Option<f64>,
    /// Also write a report, FORMAT:FILE (json, markdown, junit, html); repeatable.
    #[arg(long = "report", value_name = "FORMAT:FILE")]
    reports: Vec<punie_eval::report::ReportSpec>,
    /// Parse profile the scores are under: strict (a call format broken
    /// anywhere is malformed) or lenient (recover what the serving engines
    /// recover). Every query is scored under both; the report splits format
    /// errors from decision errors.
    #[arg(long, value_name = "PROFILE", default_value = "strict")]
    parse_profile: punie_eval::parse::Profile,
}

pub fn run(args: Args) -> CliResult {
    if let Some(x) = args.min_accuracy {
        if !(0.0..=1.0).contains(&x) {
            return Err(Failure::Input(format!(
                "--min-accuracy {x} is outside 0..1; fix: give a fraction (0.9 for 90%)"
            )));
        }
    }
    if let Some(t) = args.query_timeout {
        if !(t.is_finite() && t > 0.0) {
            return Err(Failure::Input(format!(
                "--query-timeout {t} is not a positive number of seconds; fix: e.g. --query-timeout 120"
            )));
        }
    }
    if let (None, Some(dir)) = (&args.replay, &args.model) {
        super::existing_model_dir(dir)?;
    }
    let sources = Sources {
        files: args.suites.clone(),
        toolset: args.toolset.clone(),
        ..args.plugins.sources()
    };
    let (mut suites, plugin_failures) = assemble_for_run(&sources)?;
    if let Some(m) = args.max_tokens {
        suites.iter_mut().for_each(|s| s.cap_tokens(m));
    }
    let out_dir = args
        .resume
        .clone()
        .or_else(|| args.out.clone())
        .unwrap_or_else(|| {
            let stamp: String = now_rfc3339()
                .chars()
                .filter(|c| *c != ':' && *c != '-')
                .collect();
            PathBuf::from("results").join(format!("run-{stamp}"))
        });
    std::fs::create_dir_all(&out_dir).map_err(|e| {
        format!(
            "{}: cannot create the output directory: {e}; fix: choose another --out",
            out_dir.display()
        )
    })?;
    let transcripts_path = out_dir.join("transcripts.jsonl");
    let results_path = out_dir.join("results.json");
    let mut outputs = vec![
        ("results", results_path.as_path()),
        ("transcripts", transcripts_path.as_path()),
    ];
    outputs.extend(args.reports.iter().map(|r| ("--report", r.path.as_path())));
    let mut inputs: Vec<&std::path::Path> = args.suites.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.replay.as_deref());
    super::refuse_overwrite(&outputs, &inputs)?;
    // A second run into the same folder used to append to the first one's
    // transcripts (duplicates that --replay then refuses) and replace its
    // results: refuse unless --force says to replace it.
    let previous: Vec<&PathBuf> = [&results_path, &transcripts_path]
        .into_iter()
        .filter(|p| p.exists())
        .collect();
    // --resume: the interrupted run's finished queries, its torn last line
    // (a kill mid-write) dropped from the file.
    let interrupted = match &args.resume {
        Some(_) => {
            let i = punie_eval::run::interrupted(&transcripts_path)?;
            if i.torn_bytes > 0 {
                eprintln!(
                    "note: {}: dropped a torn last line ({} bytes, cut by the interruption); its query runs again",
                    transcripts_path.display(),
                    i.torn_bytes
                );
            }
            eprintln!(
                "resuming {}: {} finished queries kept",
                out_dir.display(),
                i.finished.len()
            );
            Some(i)
        }
        None => None,
    };
    if !previous.is_empty() && !args.force && interrupted.is_none() {
        return Err(Failure::Input(format!(
            "{}: already holds a run ({}); fix: pass --resume {} to finish it, --force to replace it, or choose another --out",
            out_dir.display(),
            previous
                .iter()
                .filter_map(|p| p.file_name())
                .map(|n| n.to_string_lossy())
                .collect::<Vec<_>>()
                .join(", "),
            out_dir.display()
        )));
    }
    // Checked before the model loads (minutes for a large one); written after.
    let mut backend = open_backend(&args)?;
    for p in previous.into_iter().filter(|_| interrupted.is_none()) {
        std::fs::remove_file(p).map_err(|e| {
            format!(
                "{}: cannot replace: {e}; fix: check permissions",
                p.display()
            )
        })?;
    }
    let mut transcripts = TranscriptWriter::append(&transcripts_path).map_err(|e| {
        format!(
            "{}: cannot open for writing: {e}; fix: choose another --out",
            transcripts_path.display()
        )
    })?;
    let mut resumed;
    let backend: &mut dyn Backend = match interrupted {
        Some(i) => {
            transcripts = transcripts.already_written(i.finished.keys().collect::<Vec<_>>());
            resumed = punie_eval::run::ResumeBackend::new(i.finished, backend.as_mut());
            &mut resumed
        }
        None => backend.as_mut(),
    };

    let mut progress = Progress::new();
    let results = Runner::new(&suites)
        .repeats(args.repeats)
        .profile(args.parse_profile)
        .transcripts(&mut transcripts)
        .observer(&mut progress)
        .run(backend);
    progress.finish();
    let results = results.map_err(Failure::runtime)?;

    results.write(&results_path)?;
    for spec in &args.reports {
        punie_eval::report::write(&results, spec.format, &spec.path)?;
    }
    // The files above are written before anything is printed.
    out!("{}", terminal::summary(&results));
    for w in &results.warnings {
        eprintln!("warning: {w}");
    }
    outln!(
        "\nresults: {}\ntranscripts: {}",
        results_path.display(),
        transcripts_path.display()
    );

    if let (Some(min), Some(strict)) = (args.min_accuracy, results.overall.strict.value) {
        if strict < min {
            eprintln!(
                "accuracy gate failed: strict score {:.1}% is below --min-accuracy {:.1}%",
                strict * 100.0,
                min * 100.0
            );
            return Ok(Outcome::CheckFailed);
        }
    }
    Ok(plugin_outcome(plugin_failures))
}

/// The suites of a run or bench: broken pack files, a bad `--toolset` and
/// id collisions stop it (every problem listed); a plugin that failed to
/// load is reported and the other packs run (exit 2 at the end).
pub(super) fn assemble_for_run(sources: &Sources) -> Result<(Vec<Suite>, usize), Failure> {
    let assembly = sources.assemble();
    let mut fatal: Vec<String> = assembly
        .pack_errors
        .iter()
        .map(ToString::to_string)
        .collect();
    fatal.extend(assembly.collisions.iter().cloned());
    if !fatal.is_empty() {
        return Err(Failure::Input(fatal.join("\n")));
    }
    for e in &assembly.plugin_errors {
        eprintln!("error: {e}");
    }
    if assembly.sources.is_empty() {
        return Err(Failure::Input(
            "no query pack could be loaded; fix: correct the plugins named above".into(),
        ));
    }
    Ok((assembly.suites(), assembly.plugin_errors.len()))
}

/// Exit 2 when a named plugin could not be loaded (the other packs ran).
pub(super) fn plugin_outcome(failed: usize) -> Outcome {
    if failed == 0 {
        Outcome::Ok
    } else {
        eprintln!("error: {failed} plugin(s) could not be loaded (see above); the other packs ran");
        Outcome::InputProblems
    }
}

/// `--replay FILE`, else `--model DIR`, else the default real model.
fn open_backend(args: &Args) -> Result<Box<dyn Backend>, Failure> {
    if let Some(replay) = &args.replay {
        return Ok(Box::new(ReplayBackend::from_file(replay)?));
    }
    #[cfg(feature = "mlx")]
    {
        let dir = match &args.model {
            Some(d) => d.clone(),
            None => {
                punie_eval::provision::default::ensure_default_model().map_err(Failure::runtime)?
            }
        };
        let mut b = punie_eval::run::mlx::MlxBackend::load(&dir)
            .map_err(|e| Failure::Runtime(format!("loading the model: {e}")))?;
        b.reuse_prefix = !args.no_prefix_cache;
        b.timeout = args.query_timeout.map(std::time::Duration::from_secs_f64);
        Ok(Box::new(b))
    }
    #[cfg(not(feature = "mlx"))]
    {
        Err(Failure::Input(
            "no backend: this punie-eval was built without the `mlx` feature; fix: pass \
             --replay TRANSCRIPTS.jsonl"
                .into(),
        ))
    }
}
