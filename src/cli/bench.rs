//! `punie-eval bench`: Punie's baseline metrics, measured properly, beside
//! the suite's accuracy; `--targets` turns it into a CI gate.

use super::CliResult;
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
    /// Cap on generated tokens for every query (overrides the packs).
    #[arg(long)]
    max_tokens: Option<u32>,
    /// Write the full result (run results + bench metrics + provenance).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Targets file (TOML): pass/fail lines and exit 1 on a miss.
    #[arg(long, value_name = "FILE")]
    targets: Option<PathBuf>,
    /// Query packs from plugins (`--plugin PATH`, `--plugin-dir DIR`).
    #[command(flatten)]
    plugins: super::packs::PluginArgs,
    /// Also write reports: html:FILE, junit:FILE, markdown:FILE, json:FILE.
    #[arg(long = "report", value_name = "FORMAT:FILE")]
    reports: Vec<crate::report::ReportSpec>,
    /// Skip hashing the model files for provenance (large models).
    #[arg(long)]
    no_hash: bool,
}

#[cfg(not(feature = "mlx"))]
pub fn run(_args: Args) -> CliResult {
    Err("bench needs the MLX runtime: this punie-eval was built without the `mlx` feature".into())
}

#[cfg(feature = "mlx")]
pub fn run(args: Args) -> CliResult {
    use crate::bench::{provenance, stats, targets::Targets, BenchMetrics, Timed};
    use crate::parse::classify;
    use crate::run::mlx::MlxBackend;
    use crate::run::{run_suites_repeated, Backend, PreparedQuery, SuiteRun};
    use serde_json::json;
    use std::process::ExitCode;
    use std::sync::Arc;

    let targets = match &args.targets {
        Some(p) => Some(Targets::load(p)?),
        None => None,
    };
    let suite_paths = if args.suites.is_empty() {
        vec![PathBuf::from("queries/protocol.toml")]
    } else {
        args.suites.clone()
    };
    let (mut packs, mut toolsets) = super::run::load_suites(&suite_paths, None)?;
    let plugin_run =
        super::packs::add_plugin_packs(&args.plugins, None, &mut packs, &mut toolsets)?;
    if let Some(m) = args.max_tokens {
        for p in &mut packs {
            p.pack.pack.generation.max_tokens = m;
        }
    }
    let first = packs
        .first()
        .and_then(|p| p.pack.queries.first().map(|q| (p, q)))
        .ok_or("the first suite has no queries: nothing to time")?;
    let dir = match &args.model {
        Some(d) => d.clone(),
        None => crate::model::default::ensure_default_model()?,
    };
    let disk_bytes = crate::model::info::disk_size(&dir)?;
    let hashes = if args.no_hash {
        None
    } else {
        Some(provenance::model_hashes(&dir)?)
    };

    mlx_rs::memory::reset_peak_memory()?;
    let mut backend = MlxBackend::load(&dir).map_err(|e| format!("loading the model: {e}"))?;
    let active_after_load = mlx_rs::memory::active_memory()? as u64;
    eprintln!("loaded {} in {:.2}s", dir.display(), backend.load_s);

    // Latency: every run prefills from scratch, as a user's first request would.
    backend.reuse_prefix = false;
    let (pack, query) = first;
    let prepared = PreparedQuery {
        suite: pack.pack.pack.id.clone(),
        query_id: query.id.clone(),
        messages: query.conversation(pack.pack.pack.system_prompt.as_deref()),
        generation: pack.pack.pack.generation.clone(),
        toolset: Arc::clone(&toolsets[0]),
        repeat: 0,
    };
    let mut timed = Vec::new();
    let mut texts = Vec::new();
    for i in 0..=args.steady {
        eprintln!(
            "{} {}/{} …",
            if i == 0 { "warm-up" } else { "steady" },
            prepared.suite,
            prepared.query_id
        );
        let c = backend
            .complete(&prepared)
            .map_err(|e| format!("benchmark query failed: {e}"))?;
        let s = backend
            .stats
            .last()
            .cloned()
            .ok_or("no statistics recorded")?;
        texts.push(c.text);
        timed.push(Timed {
            total_s: s.total_s,
            time_to_first_token_s: s.time_to_first_token_s,
            prompt_tokens: s.prompt_tokens,
            generated_tokens: s.generated_tokens,
            prompt_tps: s.prompt_tps,
            generation_tps: s.generation_tps,
        });
    }
    let warmup = timed.remove(0);
    let steady_texts = &texts[1..];
    let times: Vec<f64> = timed.iter().map(|t| t.total_s).collect();
    let summary = stats::summarize(&times);
    let mean = |f: &dyn Fn(&Timed) -> f64| {
        if timed.is_empty() {
            0.0
        } else {
            timed.iter().map(f).sum::<f64>() / timed.len() as f64
        }
    };

    // Accuracy: every query of every suite once.
    backend.reuse_prefix = true;
    let suites = SuiteRun::zip(&packs, &toolsets);
    let total: usize = packs.iter().map(|p| p.pack.queries.len()).sum();
    let bar = super::run::progress_bar(total as u64 * u64::from(args.repeats));
    let mut classify_with = |si: usize, text: &str| classify(text, &toolsets[si]);
    let mut on_done = |suite: &str, q: &crate::report::QueryResult| {
        bar.set_message(format!("{suite}/{}", q.id));
        bar.inc(1);
    };
    let results = run_suites_repeated(
        &suites,
        &mut backend as &mut dyn Backend,
        &mut classify_with,
        &mut |si, id, v| plugin_run.check(si, id, v),
        None,
        &mut on_done,
        args.repeats,
    )?;
    bar.finish_and_clear();
    let peak = mlx_rs::memory::peak_memory()? as u64;

    let metrics = BenchMetrics {
        disk_bytes,
        load_s: backend.load_s,
        active_memory_after_load_bytes: active_after_load,
        peak_memory_bytes: peak,
        benchmark_query: format!("{}/{}", prepared.suite, prepared.query_id),
        warmup_s: warmup.total_s,
        warmup,
        steady_avg_s: summary.as_ref().map(|s| s.mean).unwrap_or(0.0),
        steady_summary: summary,
        steady_outputs_identical: steady_texts.windows(2).all(|w| w[0] == w[1]),
        mean_ttft_s: mean(&|t| t.time_to_first_token_s),
        mean_generation_tps: mean(&|t| t.generation_tps),
        mean_prompt_tps: mean(&|t| t.prompt_tps),
        steady: timed.clone(),
    };
    print!("{}", crate::report::terminal::summary(&results));
    println!();
    print!("{}", metrics.results_block(&results.overall.strict));

    let provenance = json!({
        "model_path": dir,
        "model_type": backend.model().config.arch.model_type(),
        "quantization": backend.model().config.quantization.default.map(|q| json!({"bits": q.bits, "group_size": q.group_size})),
        "sha256": hashes,
        "mlx_version": crate::runtime::mlx_version(),
        "mlx_backend": crate::runtime::BACKEND,
        "device": crate::runtime::info().default_device,
        "punie_eval_version": env!("CARGO_PKG_VERSION"),
        "settings": {"steady_runs": args.steady, "max_tokens_override": args.max_tokens,
                      "repeats": args.repeats,
                      "suites": suite_paths},
    });
    if let Some(path) = &args.json {
        let mut v = serde_json::to_value(&results)?;
        if let Some(o) = v.as_object_mut() {
            o.insert("bench".into(), serde_json::to_value(&metrics)?);
            o.insert("provenance".into(), provenance);
        }
        super::run::write_atomically(path, &serde_json::to_string_pretty(&v)?)?;
        println!("\nresults: {}", path.display());
    }
    for spec in &args.reports {
        crate::report::write(&results, spec.format, &spec.path)?;
    }
    let mut code = plugin_run.exit_code();
    if let Some(t) = targets {
        println!("\nTARGETS");
        for c in t.check(&metrics, results.overall.strict.value) {
            println!("{}", c.line());
            if !c.pass {
                code = ExitCode::from(1);
            }
        }
    }
    Ok(code)
}
