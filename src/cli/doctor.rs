//! `punie-eval doctor`: the first thing to run when something is off.

use super::CliResult;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> CliResult {
    let model_dir = crate::cache::default_model_dir();
    let model_present = model_dir.join("config.json").is_file();
    #[cfg(feature = "mlx")]
    {
        let info = crate::runtime::info();
        if args.json {
            let v = serde_json::json!({
                "punie_eval_version": env!("CARGO_PKG_VERSION"),
                "runtime": info,
                "blas": info.blas_name(),
                "default_model": {"path": model_dir, "present": model_present},
            });
            println!("{}", serde_json::to_string_pretty(&v)?);
        } else {
            let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
            let or_unknown = |s: &Option<String>| s.clone().unwrap_or_else(|| "not found".into());
            println!("punie-eval       {}", env!("CARGO_PKG_VERSION"));
            println!(
                "MLX version      {} (bindings pinned to {})",
                info.mlx_version,
                crate::runtime::MLX_VERSION_PINNED
            );
            println!("backend          {}", info.backend);
            println!(
                "GPU available    {}",
                if info.gpu_available { "yes" } else { "no" }
            );
            println!("default device   {}", info.default_device);
            println!("memory limit     {:.2} GiB", gib(info.memory_limit_bytes));
            println!(
                "BLAS             {} ({})",
                info.blas_name(),
                or_unknown(&info.blas_library)
            );
            println!("MLX runtime lib  {}", or_unknown(&info.runtime_library));
            println!(
                "default model    {} ({})",
                model_dir.display(),
                if model_present {
                    "present"
                } else {
                    "missing: run `bash scripts/setup.sh`"
                }
            );
        }
        if info.mlx_version != crate::runtime::MLX_VERSION_PINNED {
            eprintln!(
                "error: the loaded MLX runtime is {}, but punie-eval was built for {}: \
                 rerun `bash scripts/setup.sh` and rebuild",
                info.mlx_version,
                crate::runtime::MLX_VERSION_PINNED
            );
            return Ok(ExitCode::from(1));
        }
        Ok(ExitCode::SUCCESS)
    }
    #[cfg(not(feature = "mlx"))]
    {
        let _ = args;
        println!("punie-eval       {}", env!("CARGO_PKG_VERSION"));
        println!("MLX              not linked (built without the `mlx` feature)");
        println!(
            "default model    {} ({})",
            model_dir.display(),
            if model_present { "present" } else { "missing" }
        );
        Ok(ExitCode::SUCCESS)
    }
}
