//! `punie-eval model info|synth|import-gguf`.

use super::CliResult;
#[cfg(feature = "mlx")]
use super::Outcome;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ModelCommand,
}

#[derive(Subcommand)]
enum ModelCommand {
    /// Architecture, parameters, quantization, disk size, tensor count.
    Info {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Write a random-weight model folder (real Qwen3 tokenizer and template).
    Synth {
        /// llama, qwen2, qwen3 or qwen3_moe.
        #[arg(long)]
        arch: String,
        /// tiny (tests) or qwen3-30b-a3b (the production shape; qwen3_moe).
        #[arg(long, default_value = "tiny")]
        preset: String,
        /// Quantize to MLX affine bits (group 64); MoE gates stay 8-bit.
        #[arg(long)]
        bits: Option<i32>,
        /// Storage type of scales, biases, norms and unquantized weights:
        /// f32, f16 or bf16 (what mlx-lm's converted checkpoints hold).
        #[arg(long, default_value = "f32")]
        dtype: String,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Folder with tokenizer.json + tokenizer_config.json
        /// [default: the cache's Qwen3 tokenizer].
        #[arg(long)]
        tokenizer: Option<PathBuf>,
        out: PathBuf,
    },
    /// Convert a GGUF file (llama.cpp / Ollama) into an MLX model folder.
    ImportGguf {
        file: PathBuf,
        out: PathBuf,
        /// Re-quantize to MLX affine 4/5/8-bit (group 64); default: f16 weights.
        #[arg(long)]
        bits: Option<i32>,
        /// Storage type of unquantized tensors: f32 (fastest on CPU), f16, bf16.
        #[arg(long, default_value = "f32")]
        dtype: String,
    },
}

pub fn run(args: Args) -> CliResult {
    match args.command {
        ModelCommand::Info { dir, json } => info(dir, json),
        ModelCommand::ImportGguf {
            file,
            out,
            bits,
            dtype,
        } => import(file, out, bits, &dtype),
        ModelCommand::Synth {
            arch,
            preset,
            bits,
            dtype,
            seed,
            tokenizer,
            out,
        } => synth(&arch, &preset, bits, &dtype, seed, tokenizer, out),
    }
}

#[cfg(not(feature = "mlx"))]
fn info(_dir: PathBuf, _json: bool) -> CliResult {
    Err("built without the `mlx` feature".into())
}

#[cfg(feature = "mlx")]
fn info(dir: PathBuf, json: bool) -> CliResult {
    let i = punie_eval::model::info::model_info(&dir)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&i)?);
        return Ok(Outcome::Ok);
    }
    outln!("path          {}", i.path);
    outln!("architecture  {}", i.model_type);
    outln!(
        "shape         {} layers, hidden {}, vocab {}",
        i.layers,
        i.hidden_size,
        i.vocab_size
    );
    if let Some((e, k)) = i.experts {
        outln!("experts       {e} (top-{k})");
    }
    outln!(
        "parameters    {:.3} B ({})",
        i.parameters as f64 / 1e9,
        i.parameters
    );
    match i.quantization {
        Some((b, g)) => outln!("quantization  {b}-bit, group {g} (affine)"),
        None => outln!("quantization  none"),
    }
    outln!(
        "disk size     {:.2} GB ({} bytes)",
        i.disk_bytes as f64 / 1e9,
        i.disk_bytes
    );
    outln!("tensors       {}", i.tensors);
    Ok(Outcome::Ok)
}

#[cfg(not(feature = "mlx"))]
fn import(_f: PathBuf, _o: PathBuf, _b: Option<i32>, _d: &str) -> CliResult {
    Err("built without the `mlx` feature".into())
}

#[cfg(feature = "mlx")]
fn import(file: PathBuf, out: PathBuf, bits: Option<i32>, dtype: &str) -> CliResult {
    use punie_eval::gguf::sink::{FloatType, TensorSink, Unquantized};
    let float = FloatType::parse(dtype)?;
    let model = punie_eval::gguf::import::GgufModel::open(&file)?;
    let mut quant;
    let mut plain;
    let sink: &mut dyn TensorSink = match bits {
        Some(b @ (4 | 5 | 8)) => {
            quant = punie_eval::provision::quantize::MlxQuantizer {
                bits: b,
                group_size: 64,
                float,
            };
            &mut quant
        }
        Some(b) => return Err(format!("--bits {b}: expected 4, 5 or 8").into()),
        None => {
            plain = Unquantized(float);
            &mut plain
        }
    };
    let mut sink = punie_eval::gguf::sink::WithProgress::new(sink);
    let summary = punie_eval::gguf::folder::write_mlx_folder(&model, &out, &mut sink)?;
    eprintln!(
        "wrote {} ({} tensors in {} shard(s))",
        summary.dir.display(),
        summary.tensors_out,
        summary.shards.len()
    );
    Ok(Outcome::Ok)
}

#[cfg(not(feature = "mlx"))]
fn synth(
    _a: &str,
    _p: &str,
    _b: Option<i32>,
    _d: &str,
    _s: u64,
    _t: Option<PathBuf>,
    _o: PathBuf,
) -> CliResult {
    Err("built without the `mlx` feature".into())
}

#[cfg(feature = "mlx")]
fn synth(
    arch: &str,
    preset: &str,
    bits: Option<i32>,
    dtype: &str,
    seed: u64,
    tokenizer: Option<PathBuf>,
    out: PathBuf,
) -> CliResult {
    use punie_eval::provision::synth::{synthesize, Preset, Spec};
    let spec = Spec {
        arch,
        preset: Preset::parse(preset)?,
        bits,
        dtype: punie_eval::gguf::sink::FloatType::parse(dtype)?,
        seed,
    };
    let tok =
        tokenizer.unwrap_or_else(|| punie_eval::cache::cache_dir().join("assets/qwen3-tokenizer"));
    let dir = synthesize(&spec, &tok, &out, &mut |done, total| {
        eprint!("\rwriting shard {done}/{total}");
    })?;
    eprintln!();
    eprintln!("wrote {}", dir.display());
    Ok(Outcome::Ok)
}
