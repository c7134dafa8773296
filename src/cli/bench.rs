//! `punie-eval bench`: Punie's baseline metrics, measured properly, beside
//! the suite's accuracy; `--targets` turns it into a CI gate.

use super::packs::PluginArgs;
use super::{CliResult, Failure};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// MLX model folder [default: the set-up's default model].
    #[arg(long)]
    model: Option<PathBuf>,
    /// Query packs; the first query of the first pack is the timed
    /// benchmark query [default: queries/protocol.toml].
    #[arg(long = "suite", value_name = "FILE", num_args = 1..)]
    suites: Vec<PathBuf>,
    /// Steady-state runs of the benchmark query after the warm-up.
    #[arg(long, default_value_t = 3)]
    steady: usize,
    /// Run every query K times (seed, seed+1, …): pass^k, pass@k and
    /// per-query stability in the results. Needs sampling (a temperature
    /// in the packs) to say anything: greedy runs repeat one observation.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    repeats: u32,
    /// Decode N queries of the accuracy pass together (the throughput
    /// section; `auto`: chosen from the memory free, and said why); the
    /// timed latency runs stay one at a time.
    #[arg(long, value_name = "N|auto", default_value = "auto")]
    batch: super::run::BatchArg,
    /// Early decision for every query (over the packs'): `after-call` ends a
    /// query at the first text after a closed tool call that opens no other
    /// call, `prose=K` after K tokens of answer with no call opened; both
    /// comma-separated. Recorded in the results; docs/batching.md has the
    /// measured agreement with full generation.
    #[arg(long, value_name = "RULES")]
    early_stop: Option<punie_eval::suite::EarlyStop>,
    /// Cap on generated tokens for every query (overrides the packs).
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Also write the full result (run results + bench metrics +
    /// provenance) to FILE; it is always written to --out/results.json.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Directory for results.json and transcripts.jsonl (one line per
    /// query of the accuracy pass, as it finishes) [default:
    /// results/bench-<UTC time>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Replace the bench already in --out; without it a non-empty --out is
    /// refused.
    #[arg(long, conflicts_with = "resume")]
    force: bool,
    /// Finish the interrupted bench in DIR (its --out): the accuracy pass
    /// keeps the queries its transcripts.jsonl has and runs the others;
    /// load, warm-up and steady state are measured again. The same suites
    /// and model as the interrupted bench.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    resume: Option<PathBuf>,
    /// Targets file (TOML): pass/fail lines and exit 1 on a miss.
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// Query packs from plugins (`--plugin PATH`, `--plugin-dir DIR`).
    #[command(flatten)]
    plugins: PluginArgs,
    /// Also write reports: html:FILE, junit:FILE, markdown:FILE, json:FILE.
    #[arg(long = "report", value_name = "FORMAT:FILE")]
    reports: Vec<punie_eval::report::ReportSpec>,
    /// Skip hashing the model files for provenance (large models).
    #[arg(long)]
    no_hash: bool,
    /// Parse profile the scores are under: strict (a call format broken
    /// anywhere is malformed) or lenient (recover what the serving engines
    /// recover). Every query is scored under both; the report splits format
    /// errors from decision errors.
    #[arg(long, value_name = "PROFILE", default_value = "strict")]
    parse_profile: punie_eval::parse::Profile,
}

#[cfg(not(feature = "mlx"))]
pub fn run(_args: Args) -> CliResult {
    Err(Failure::Input(
        "bench needs the MLX runtime: this punie-eval was built without the `mlx` feature".into(),
    ))
}

#[cfg(feature = "mlx")]
pub fn run(args: Args) -> CliResult {
    use super::progress::Progress;
    use super::run_dir::RunDir;
    use super::Outcome;
    use punie_eval::bench::{bench, targets::Targets, BenchError, BenchRecord, BenchRequest};
    use punie_eval::sources::Sources;

    if let Some(dir) = &args.model {
        super::existing_model_dir(dir)?;
    }
    let targets = match &args.targets {
        Some(p) => Some(Targets::load(p)?),
        None => None,
    };
    let suite_paths = if args.suites.is_empty() {
        vec![PathBuf::from("queries/protocol.toml")]
    } else {
        args.suites.clone()
    };
    let sources = Sources {
        files: suite_paths.clone(),
        ..args.plugins.sources()
    };
    let (suites, plugin_failures) = super::run::assemble_for_run(&sources)?;
    // Bad packs are reported before the output folder is made.
    let mut run_dir = RunDir::at("bench", args.out.as_deref(), args.resume.as_deref())?;
    let mut outputs = run_dir.outputs();
    if let Some(p) = &args.json {
        outputs.push(("--json", p.as_path()));
    }
    outputs.extend(args.reports.iter().map(|r| ("--report", r.path.as_path())));
    let mut inputs: Vec<&std::path::Path> = suite_paths.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.targets.as_deref());
    super::refuse_overwrite(&outputs, &inputs)?;
    run_dir.open(args.resume.is_some(), args.force)?;
    let request = BenchRequest {
        model: args.model.clone(),
        suites,
        suite_paths,
        steady: args.steady,
        repeats: args.repeats,
        max_tokens: args.max_tokens,
        early_stop: args.early_stop,
        hash: !args.no_hash,
        profile: args.parse_profile,
        batch: args.batch.rows(),
    };
    let (mut transcripts, finished) = run_dir.start()?;
    let record = BenchRecord {
        transcripts: Some(&mut transcripts),
        finished,
    };
    let mut progress = Progress::new();
    let results = bench(request, record, &mut progress);
    progress.finish();
    let results = results.map_err(|e| match e {
        BenchError::Input(m) => Failure::Input(m),
        BenchError::Runtime(m) => Failure::Runtime(m),
    })?;
    let Some(metrics) = &results.bench else {
        return Err(Failure::Runtime("bench returned no measurements".into()));
    };

    // Files first: a closed stdout must not lose them.
    results.write(&run_dir.results)?;
    if let Some(path) = &args.json {
        results.write(path)?;
    }
    for spec in &args.reports {
        punie_eval::report::write(&results, spec.format, &spec.path)?;
    }
    out!("{}", punie_eval::report::terminal::summary(&results));
    outln!();
    out!("{}", metrics.results_block(&results.overall.strict));
    outln!(
        "\nresults: {}\ntranscripts: {}",
        run_dir.results.display(),
        run_dir.transcripts.display()
    );
    let mut outcome = super::run::plugin_outcome(plugin_failures);
    if let Some(t) = targets {
        outln!("\nTARGETS");
        for c in t.check(metrics, results.overall.strict.value) {
            outln!("{}", c.line());
            if !c.pass {
                outcome = Outcome::CheckFailed;
            }
        }
    }
    Ok(outcome)
}
