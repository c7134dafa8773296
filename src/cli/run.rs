//! `punie-eval run`: load query packs, get a completion for every query from
//! a backend (saved transcripts now, the MLX model with issue #3), classify,
//! score, and write results JSON, transcripts JSONL and a terminal summary.

use super::CliResult;
use crate::parse::classify;
use crate::report::results::now_rfc3339;
use crate::report::terminal;
use crate::run::{run_suites_repeated, Backend, ReplayBackend, SuiteRun, TranscriptWriter};
use crate::schema::Toolset;
use crate::suite::LoadedPack;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// Query pack files (TOML, or JSON with the same fields).
    #[arg(long = "suite", value_name = "FILE", required_unless_present_any = ["plugins", "plugin_dirs"], num_args = 1..)]
    suites: Vec<PathBuf>,
    /// Query packs from plugins (`--plugin PATH`, `--plugin-dir DIR`).
    #[command(flatten)]
    plugins: super::packs::PluginArgs,
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
    /// Exit with 1 when the overall strict score is below X (a fraction, 0 to 1).
    #[arg(long, value_name = "X")]
    min_accuracy: Option<f64>,
    /// Also write a report, FORMAT:FILE (json, markdown, junit, html); repeatable.
    #[arg(long = "report", value_name = "FORMAT:FILE")]
    reports: Vec<crate::report::ReportSpec>,
}

pub fn run(args: Args) -> CliResult {
    if let Some(x) = args.min_accuracy {
        if !(0.0..=1.0).contains(&x) {
            return Err(format!(
                "--min-accuracy {x} is outside 0..1; fix: give a fraction (0.9 for 90%)"
            )
            .into());
        }
    }

    let (mut packs, mut toolsets) = load_suites(&args.suites, args.toolset.as_deref())?;
    let plugin_run = super::packs::add_plugin_packs(
        &args.plugins,
        args.toolset.as_deref(),
        &mut packs,
        &mut toolsets,
    )?;
    if let Some(m) = args.max_tokens {
        for p in &mut packs {
            p.pack.pack.generation.max_tokens = m;
        }
    }
    let suites = SuiteRun::zip(&packs, &toolsets);
    let mut backend = open_backend(&args)?;

    let out_dir = args.out.clone().unwrap_or_else(|| {
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
    let mut transcripts = TranscriptWriter::append(&transcripts_path).map_err(|e| {
        format!(
            "{}: cannot open for appending: {e}; fix: choose another --out",
            transcripts_path.display()
        )
    })?;

    let total: usize = packs.iter().map(|p| p.pack.queries.len()).sum();
    let bar = progress_bar(total as u64 * u64::from(args.repeats));
    let mut classify_with = |si: usize, text: &str| classify(text, &toolsets[si]);
    let mut on_done = |suite: &str, q: &crate::report::QueryResult| {
        bar.set_message(format!("{suite}/{}", q.id));
        bar.inc(1);
    };
    let results = run_suites_repeated(
        &suites,
        backend.as_mut(),
        &mut classify_with,
        &mut |si, id, v| plugin_run.check(si, id, v),
        Some(&mut transcripts),
        &mut on_done,
        args.repeats,
    )?;
    bar.finish_and_clear();

    let results_path = out_dir.join("results.json");
    write_atomically(&results_path, &serde_json::to_string_pretty(&results)?)?;
    for spec in &args.reports {
        crate::report::write(&results, spec.format, &spec.path)?;
    }
    // A closed stdout (`| head`) must not turn a finished run into a crash:
    // the files above are already written.
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{}", terminal::summary(&results));
    for w in &results.warnings {
        eprintln!("warning: {w}");
    }
    let _ = writeln!(
        stdout,
        "\nresults: {}\ntranscripts: {}",
        results_path.display(),
        transcripts_path.display()
    );
    drop(stdout);

    if let (Some(min), Some(strict)) = (args.min_accuracy, results.overall.strict.value) {
        if strict < min {
            eprintln!(
                "accuracy gate failed: strict score {:.1}% is below --min-accuracy {:.1}%",
                strict * 100.0,
                min * 100.0
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(plugin_run.exit_code())
}

pub(super) type Loaded = (Vec<LoadedPack>, Vec<Arc<Toolset>>);

/// Loads every pack and its toolset, reporting all broken packs at once.
pub(super) fn load_suites(
    paths: &[PathBuf],
    override_toolset: Option<&str>,
) -> Result<Loaded, String> {
    let overridden = override_toolset
        .map(|spec| {
            Toolset::open(spec)
                .map(Arc::new)
                .map_err(|e| format!("--toolset {spec:?}: {e}"))
        })
        .transpose()?;
    let mut cache: HashMap<String, Arc<Toolset>> = HashMap::new();
    let mut errors = Vec::new();
    let mut packs: Vec<LoadedPack> = Vec::new();
    let mut toolsets = Vec::new();
    for path in paths {
        let loaded = LoadedPack::from_file_with_toolset(path, |pack| {
            if let Some(t) = &overridden {
                return Ok(Arc::clone(t));
            }
            let spec = resolve_relative(&pack.pack.pack.toolset, pack.base_dir.as_deref());
            if let Some(t) = cache.get(&spec) {
                return Ok(Arc::clone(t));
            }
            let t = Arc::new(Toolset::open(&spec).map_err(|e| e.to_string())?);
            cache.insert(spec, Arc::clone(&t));
            Ok(t)
        });
        let (pack, toolset) = match loaded {
            Ok(p) => p,
            Err(e) => {
                errors.push(e.to_string());
                continue;
            }
        };
        if let Some(other) = packs.iter().find(|p| p.pack.pack.id == pack.pack.pack.id) {
            errors.push(format!(
                "{}: pack id {:?} is also the id of {}; fix: give each suite of a run its own \
                 pack id (transcripts and results are keyed by it)",
                pack.origin, pack.pack.pack.id, other.origin
            ));
            continue;
        }
        packs.push(pack);
        toolsets.push(toolset);
    }
    if errors.is_empty() {
        Ok((packs, toolsets))
    } else {
        Err(errors.join("\n"))
    }
}

/// A toolset named by a pack: a file beside the pack if one exists there,
/// else whatever `Toolset::open` makes of it (built-in name or path).
fn resolve_relative(spec: &str, base: Option<&Path>) -> String {
    match base {
        Some(dir) if !Path::new(spec).is_absolute() && dir.join(spec).is_file() => {
            dir.join(spec).display().to_string()
        }
        _ => spec.to_string(),
    }
}

pub(super) fn progress_bar(total: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:30} {pos}/{len} queries {elapsed_precise} {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Writes beside the target and renames, so a reader never sees half a file.
pub(super) fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("{}: cannot write results: {e}", path.display()))
}

/// `--replay FILE`, else `--model DIR`, else the default real model.
fn open_backend(args: &Args) -> Result<Box<dyn Backend>, Box<dyn std::error::Error>> {
    if let Some(replay) = &args.replay {
        return Ok(Box::new(ReplayBackend::from_file(replay)?));
    }
    #[cfg(feature = "mlx")]
    {
        let dir = match &args.model {
            Some(d) => d.clone(),
            None => crate::model::default::ensure_default_model()?,
        };
        let mut b = crate::run::mlx::MlxBackend::load(&dir)
            .map_err(|e| format!("loading the model: {e}"))?;
        b.reuse_prefix = !args.no_prefix_cache;
        Ok(Box::new(b))
    }
    #[cfg(not(feature = "mlx"))]
    {
        Err(
            "no backend: this punie-eval was built without the `mlx` feature; fix: pass \
             --replay TRANSCRIPTS.jsonl"
                .into(),
        )
    }
}
