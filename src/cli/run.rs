//! `punie-eval run`: load query packs, get a completion for every query from
//! a backend (saved transcripts now, the MLX model with issue #3), classify,
//! score, and write results JSON, transcripts JSONL and a terminal summary.

use super::packs::PluginArgs;
use super::progress::Progress;
use super::run_dir::RunDir;
use super::{CliResult, Failure, Outcome};
use punie_eval::report::terminal;
use punie_eval::run::{Backend, PreparedQuery, ReplayBackend, Runner, Suite};
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
    /// Early decision for every query (over the packs'): `after-call` ends a
    /// query at the first text after a closed tool call that opens no other
    /// call, `prose=K` after K tokens of answer with no call opened; both
    /// comma-separated. Recorded in the results; docs/batching.md has the
    /// measured agreement with full generation.
    #[arg(long, value_name = "RULES")]
    early_stop: Option<punie_eval::suite::EarlyStop>,
    /// Give up on a query still generating after SECS seconds (checked
    /// between tokens): it scores as no completion, with the reason.
    #[arg(long, value_name = "SECS")]
    query_timeout: Option<f64>,
    /// Decode N queries together (one weight read per step for all of
    /// them, each finished row refilled from the queue); `auto` chooses N
    /// from the memory free and says why; 1 keeps one at a time with the
    /// shared-prefix cache. Results are the same files in the same order
    /// whatever N is.
    #[arg(long, value_name = "N|auto", default_value = "auto")]
    batch: BatchArg,
    /// Print what the model would be given, one JSON line per query (suite,
    /// query_id, repeat, prompt, prompt_ids, max_tokens, temperature,
    /// stop_ids, stop), and generate nothing: to check a template or to
    /// feed the same prompts to another engine.
    #[arg(long, conflicts_with_all = ["replay", "out", "resume", "reports", "min_accuracy"])]
    render_only: bool,
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
    if let Some(e) = args.early_stop {
        suites.iter_mut().for_each(|s| s.set_early_stop(e));
    }
    if args.render_only {
        return render_only(&args, &suites);
    }
    let mut run_dir = RunDir::at("run", args.out.as_deref(), args.resume.as_deref())?;
    let mut outputs = run_dir.outputs();
    outputs.extend(args.reports.iter().map(|r| ("--report", r.path.as_path())));
    let mut inputs: Vec<&std::path::Path> = args.suites.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.replay.as_deref());
    super::refuse_overwrite(&outputs, &inputs)?;
    run_dir.open(args.resume.is_some(), args.force)?;
    // Checked before the model loads (minutes for a large one); written after.
    let queries = Runner::new(&suites)
        .repeats(args.repeats)
        .queries()
        .map_err(Failure::runtime)?;
    let mut backend = open_backend(&args, &queries)?;
    let (mut transcripts, finished) = run_dir.start()?;
    let mut resumed;
    let backend: &mut dyn Backend = match finished {
        Some(f) => {
            resumed = punie_eval::run::ResumeBackend::new(f, backend.as_mut());
            &mut resumed
        }
        None => backend.as_mut(),
    };

    let mut progress = Progress::new();
    let runner = Runner::new(&suites)
        .repeats(args.repeats)
        .profile(args.parse_profile);
    let results = runner
        .transcripts(&mut transcripts)
        .observer(&mut progress)
        .run(backend);
    progress.finish();
    let results = results.map_err(Failure::runtime)?;

    results.write(&run_dir.results)?;
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
        run_dir.results.display(),
        run_dir.transcripts.display()
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

/// `--batch`: a number of rows, or chosen from memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BatchArg {
    Auto,
    Rows(usize),
}

impl std::str::FromStr for BatchArg {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "auto" {
            return Ok(BatchArg::Auto);
        }
        match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(BatchArg::Rows(n)),
            _ => Err(format!(
                "`{s}` is not a batch size; fix: a whole number from 1, or `auto`"
            )),
        }
    }
}

impl BatchArg {
    #[cfg_attr(not(feature = "mlx"), allow(dead_code))]
    pub(super) fn rows(self) -> Option<usize> {
        match self {
            BatchArg::Auto => None,
            BatchArg::Rows(n) => Some(n),
        }
    }
}

/// `--model DIR`, else the default real model, loaded.
#[cfg(feature = "mlx")]
fn load_model(args: &Args) -> Result<punie_eval::run::mlx::MlxBackend, Failure> {
    let dir = match &args.model {
        Some(d) => d.clone(),
        None => punie_eval::provision::default::ensure_default_model().map_err(Failure::runtime)?,
    };
    punie_eval::run::mlx::MlxBackend::load(&dir)
        .map_err(|e| Failure::Runtime(format!("loading the model: {e}")))
}

/// `--render-only`: every query's prompt as the model would get it.
fn render_only(args: &Args, suites: &[Suite]) -> CliResult {
    #[cfg(feature = "mlx")]
    {
        let mut b = load_model(args)?;
        let queries = Runner::new(suites)
            .repeats(args.repeats)
            .queries()
            .map_err(Failure::runtime)?;
        for q in &queries {
            let line = b.render(q).map_err(|e| {
                Failure::Input(format!("suite {}, query {}: {e}", q.suite, q.query_id))
            })?;
            outln!("{line}");
        }
        Ok(Outcome::Ok)
    }
    #[cfg(not(feature = "mlx"))]
    {
        let _ = (args, suites);
        Err(Failure::Input(
            "--render-only needs the model's chat template: this punie-eval was built without \
             the `mlx` feature"
                .into(),
        ))
    }
}

/// `--replay FILE`, else `--model DIR`, else the default real model.
fn open_backend(args: &Args, queries: &[PreparedQuery]) -> Result<Box<dyn Backend>, Failure> {
    if let Some(replay) = &args.replay {
        return Ok(Box::new(ReplayBackend::from_file(replay)?));
    }
    #[cfg(feature = "mlx")]
    {
        let mut b = load_model(args)?;
        b.reuse_prefix = !args.no_prefix_cache;
        b.timeout = args.query_timeout.map(std::time::Duration::from_secs_f64);
        match args.batch.rows() {
            Some(n) => b.batch = n,
            None => {
                let c = b
                    .choose_batch(queries)
                    .map_err(|e| Failure::Runtime(e.to_string()))?;
                eprintln!("batch {}: {}", c.width, c.why);
            }
        }
        Ok(Box::new(b))
    }
    #[cfg(not(feature = "mlx"))]
    {
        let _ = queries;
        Err(Failure::Input(
            "no backend: this punie-eval was built without the `mlx` feature; fix: pass \
             --replay TRANSCRIPTS.jsonl"
                .into(),
        ))
    }
}
