//! `punie-eval doctor`: the first thing to run when something is off.

use super::{CliResult, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> CliResult {
    let model_dir = punie_eval::cache::default_model_dir();
    let model_present = model_dir.join("config.json").is_file();
    #[cfg(feature = "mlx")]
    {
        let info = punie_eval::runtime::info();
        if args.json {
            let v = serde_json::json!({
                "punie_eval_version": env!("CARGO_PKG_VERSION"),
                "runtime": info,
                "blas": info.blas_name(),
                "default_model": {"path": model_dir, "present": model_present},
            });
            outln!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            let or_unknown = |s: &Option<String>| s.clone().unwrap_or_else(|| "not found".into());
            outln!("punie-eval       {}", env!("CARGO_PKG_VERSION"));
            outln!(
                "MLX version      {} (bindings pinned to {})",
                info.mlx_version,
                punie_eval::runtime::MLX_VERSION_PINNED
            );
            outln!("backend          {}", info.backend);
            outln!(
                "GPU available    {}",
                if info.gpu_available { "yes" } else { "no" }
            );
            outln!("default device   {}", info.default_device);
            outln!("memory limit     {:.2} GiB", gib(info.memory_limit_bytes));
            outln!(
                "BLAS             {} ({})",
                info.blas_name(),
                or_unknown(&info.blas_library)
            );
            outln!("MLX runtime lib  {}", or_unknown(&info.runtime_library));
            outln!(
                "default model    {} ({})",
                model_dir.display(),
                if model_present {
                    "present"
                } else {
                    "missing: run `bash scripts/setup.sh`"
                }
            );
        }
        if info.mlx_version != punie_eval::runtime::MLX_VERSION_PINNED {
            eprintln!(
                "error: the loaded MLX runtime is {}, but punie-eval was built for {}: \
                 rerun `bash scripts/setup.sh` and rebuild",
                info.mlx_version,
                punie_eval::runtime::MLX_VERSION_PINNED
            );
            return Ok(Outcome::CheckFailed);
        }
        Ok(Outcome::Ok)
    }
    #[cfg(not(feature = "mlx"))]
    {
        let _ = args;
        outln!("punie-eval       {}", env!("CARGO_PKG_VERSION"));
        outln!("MLX              not linked (built without the `mlx` feature)");
        outln!(
            "default model    {} ({})",
            model_dir.display(),
            if model_present { "present" } else { "missing" }
        );
        Ok(Outcome::Ok)
    }
}
