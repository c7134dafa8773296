//! Link settings that must come from the final binary's own build script:
//! `cargo:rustc-link-arg` does not propagate from a dependency.
use std::env;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // Set by crates/mlx-sys through `links = "mlx"` (only with feature `mlx`).
    let Ok(libdir) = env::var("DEP_MLX_LIBDIR") else {
        if env::var_os("CARGO_FEATURE_MLX").is_some() {
            // Our crates/mlx-sys publishes `libdir`; the crates.io one does
            // not. Cargo only *warns* when a [patch] stops applying (e.g.
            // mlx-rs moved off mlx-sys =0.7.0): make that a hard error.
            eprintln!(
                "error: feature `mlx` is on but DEP_MLX_LIBDIR is unset: the \
                 [patch.crates-io] mlx-sys = {{ path = \"crates/mlx-sys\" }} no longer \
                 applies. Check that mlx-rs still depends on mlx-sys =0.7.0."
            );
            std::process::exit(1);
        }
        return;
    };
    let os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let backend = env::var("DEP_MLX_BACKEND").unwrap_or_default();
    println!("cargo:rustc-env=PUNIE_MLX_BACKEND={backend}");
    // Find libmlx where the set-up unpacked it, without LD_LIBRARY_PATH.
    println!("cargo:rustc-link-arg=-Wl,-rpath,{libdir}");
    if os == "linux" {
        // The CPU wheel bundles reference (netlib) BLAS, 10-20x slower for
        // dense matmul. Linking Debian's OpenBLAS as a direct dependency of
        // the executable puts its cblas_* first in symbol lookup order, so
        // libmlx's calls bind to it. `doctor` reports which one won. Only
        // for the cpu backend: on cuda the matmuls run on the GPU, and the
        // binary should start on GPU hosts that have no OpenBLAS.
        if backend == "cpu"
            && (std::path::Path::new("/usr/lib/x86_64-linux-gnu/libopenblas.so.0").exists()
                || std::path::Path::new("/usr/lib/aarch64-linux-gnu/libopenblas.so.0").exists())
        {
            println!("cargo:rustc-link-arg=-Wl,--push-state,--no-as-needed,-l:libopenblas.so.0,--pop-state");
            println!("cargo:rustc-cfg=punie_openblas");
        }
        if backend == "cuda" {
            // libmlx's CUDA libraries come from LD_LIBRARY_PATH at run time.
            println!("cargo:rustc-link-arg=-Wl,--allow-shlib-undefined");
        }
    }
    println!("cargo:rustc-check-cfg=cfg(punie_openblas)");
}
