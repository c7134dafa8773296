//! `punie-eval generate`: one completion, raw (special tokens visible), with
//! the statistics the evaluator records.

use super::CliResult;
#[cfg(feature = "mlx")]
use super::{Failure, Outcome};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// MLX model folder (default: the set-up's default model).
    #[arg(long)]
    model: Option<PathBuf>,
    /// The user message (or, with --raw, the whole model input).
    #[arg(long, required_unless_present = "prompt_file")]
    prompt: Option<String>,
    /// Read the prompt from a file instead of --prompt.
    #[arg(long, value_name = "FILE", conflicts_with = "prompt")]
    prompt_file: Option<PathBuf>,
    /// The prompt is already rendered: tokenize it as is, no chat template
    /// (benchmarks feed mlx-lm and punie-eval the same text this way).
    #[arg(long, conflicts_with_all = ["system", "tools"])]
    raw: bool,
    /// Print the rendered prompt and exit (no model weights are loaded).
    #[arg(long)]
    render_only: bool,
    /// Generate exactly --max-tokens tokens, ignoring EOS ids (speed runs).
    #[arg(long)]
    ignore_eos: bool,
    /// A system message.
    #[arg(long)]
    system: Option<String>,
    /// Tools offered to the model: a JSON file with an array of OpenAI-style
    /// tool specs, or a toolset file (schemas/toolsets/*.json).
    #[arg(long)]
    tools: Option<PathBuf>,
    #[arg(long, default_value_t = 256)]
    max_tokens: usize,
    /// 0 = greedy.
    #[arg(long, default_value_t = 0.0)]
    temperature: f32,
    #[arg(long, default_value_t = 1.0)]
    top_p: f32,
    #[arg(long, default_value_t = 0)]
    top_k: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Stop when the completion contains this string (repeatable); the
    /// printed completion still shows the stop string, the statistics say why
    /// generation stopped.
    #[arg(long = "stop", value_name = "TEXT")]
    stop: Vec<String>,
    /// Render with thinking on/off (templates that support it).
    #[arg(long)]
    enable_thinking: Option<bool>,
    /// Print the rendered prompt before the completion.
    #[arg(long)]
    show_prompt: bool,
    /// Print statistics as JSON on stderr instead of text.
    #[arg(long)]
    json: bool,
}

#[cfg(not(feature = "mlx"))]
pub fn run(_args: Args) -> CliResult {
    Err("this punie-eval was built without the `mlx` feature: no model runtime".into())
}

#[cfg(feature = "mlx")]
pub fn run(args: Args) -> CliResult {
    check_sampling(&args)?;
    use punie_eval::chat::{ChatPrompt, Message, RenderOptions};
    use punie_eval::model::generate::{generate, GenerateOptions};

    let dir = match args.model {
        Some(d) => {
            super::existing_model_dir(&d)?;
            d
        }
        None => punie_eval::provision::default::ensure_default_model().map_err(Failure::runtime)?,
    };
    let user = match (&args.prompt, &args.prompt_file) {
        (Some(p), _) => p.clone(),
        (None, Some(f)) => std::fs::read_to_string(f)
            .map_err(|e| format!("{}: cannot read the prompt: {e}", f.display()))?,
        (None, None) => return Err("give --prompt TEXT or --prompt-file FILE".into()),
    };
    let prompt = ChatPrompt::load(&dir).map_err(Failure::runtime)?;
    let text = if args.raw {
        user
    } else {
        let mut messages = Vec::new();
        if let Some(s) = args.system {
            messages.push(Message::system(s));
        }
        messages.push(Message::user(user));
        let tools = match &args.tools {
            Some(p) => Some(super::tools::load_tools(p)?),
            None => None,
        };
        let opts = RenderOptions {
            add_generation_prompt: true,
            enable_thinking: args.enable_thinking,
            template: None,
        };
        prompt.render(&messages, tools.as_deref(), &opts)?
    };
    if args.render_only {
        out!("{text}");
        return Ok(Outcome::Ok);
    }
    let load_start = std::time::Instant::now();
    let model = punie_eval::model::Model::load(&dir).map_err(Failure::runtime)?;
    let load_s = load_start.elapsed().as_secs_f64();
    if args.show_prompt {
        outln!("{text}");
        outln!("--- completion ---");
    }
    let ids = prompt.tokenizer().encode(&text)?;
    let mut stop_ids = prompt.eos_token_ids().to_vec();
    stop_ids.extend(&model.config.eos_token_ids);
    if args.ignore_eos {
        stop_ids.clear();
    }
    let gen = GenerateOptions {
        max_tokens: args.max_tokens,
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        seed: args.seed,
        stop_ids,
    };
    // Stream: decode the whole sequence each time and print the new suffix,
    // so multi-token characters come out whole.
    let tok = prompt.tokenizer();
    let mut shown = String::new();
    let mut seen: Vec<u32> = Vec::new();
    let mut cache = model.new_cache();
    let mut watch = punie_eval::chat::stop::StopWatch::new(tok, &args.stop);
    let (tokens, stats) = generate(&model, &ids, &gen, &mut cache, &mut |t| {
        if !watch.push(t) {
            return false;
        }
        seen.push(t);
        if let Ok(s) = tok.decode(&seen) {
            if s.len() > shown.len() && s.starts_with(&shown) && !s.ends_with('\u{fffd}') {
                out!("{}", &s[shown.len()..]);
                shown = s;
            }
        }
        true
    })
    .map_err(|e| Failure::runtime(e.in_model(&dir, "generating")))?;
    let full = tok.decode(&tokens)?;
    if full.len() > shown.len() && full.starts_with(&shown) {
        out!("{}", &full[shown.len()..]);
    }
    outln!();
    if args.json {
        let v = serde_json::json!({"load_s": load_s, "stats": stats, "stop_string": watch.hit().map(|h| h.1)});
        eprintln!("{}", serde_json::to_string(&v)?);
    } else {
        eprintln!(
            "load {:.2}s | prompt {} tok, {:.1} tok/s | generated {} tok, {:.1} tok/s | TTFT {:.3}s | total {:.2}s | active {:.2} GiB, peak {:.2} GiB | stop: {}",
            load_s,
            stats.prompt_tokens,
            stats.prompt_tps,
            stats.generated_tokens,
            stats.generation_tps,
            stats.time_to_first_token_s,
            stats.total_s,
            stats.active_memory_bytes as f64 / (1u64 << 30) as f64,
            stats.peak_memory_bytes as f64 / (1u64 << 30) as f64,
            match watch.hit() {
                Some((_, s)) => format!("stop string {s:?}"),
                None => format!("{:?}", stats.stop_reason),
            }
        );
    }
    Ok(Outcome::Ok)
}

/// The same bounds a pack's [pack.generation] has (`--temperature nan`,
/// `--top-p 5` or an empty stop string would otherwise run silently).
#[cfg(feature = "mlx")]
fn check_sampling(args: &Args) -> Result<(), Failure> {
    let bad = |m: String| Err(Failure::Input(m));
    if !(args.temperature.is_finite() && args.temperature >= 0.0) {
        return bad(format!(
            "--temperature {} is not a temperature; fix: 0 (greedy) or a positive number",
            args.temperature
        ));
    }
    if !(args.top_p > 0.0 && args.top_p <= 1.0) {
        return bad(format!(
            "--top-p {} is outside (0, 1]; fix: a probability mass such as 0.9 (1 = off)",
            args.top_p
        ));
    }
    if args.stop.iter().any(String::is_empty) {
        return bad(
            "--stop '' would stop before the first token; fix: give a non-empty string".into(),
        );
    }
    Ok(())
}
