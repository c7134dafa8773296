//! Builds mlx-c (sources from the published mlx-sys 0.7.0 crate, unpacked by
//! `scripts/setup.sh`) against the official MLX 0.32.2 runtime wheel, and
//! generates the bindings mlx-rs 0.33.0 expects. Nothing is downloaded here:
//! a build that fetches source is fragile and impossible offline.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

// The pure checks (runtime present, right version and platform; backend
// choice; the libclang hint), shared with tests/build_checks.rs.
#[path = "build_checks.rs"]
mod checks;
use checks::{backend, check_runtime, libclang_missing, MLX_VERSION, SETUP};

fn main() {
    for var in [
        "PUNIE_CACHE",
        "PUNIE_MLX_DIR",
        "PUNIE_MLX_BACKEND",
        "PUNIE_MLX_C_DIR",
        "LIBCLANG_PATH",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build_checks.rs");
    println!("cargo:rerun-if-changed=overlay");
    if let Err(msg) = build() {
        // A panic would bury the message under a backtrace hint; print it
        // plainly and fail.
        eprintln!("\nerror: {msg}\n");
        println!("cargo:warning={}", msg.lines().next().unwrap_or(""));
        std::process::exit(1);
    }
}

fn build() -> Result<(), String> {
    let target_os = env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let requested = env::var("PUNIE_MLX_BACKEND").ok();
    let backend = backend(
        requested.as_deref(),
        env::var_os("CARGO_FEATURE_CUDA").is_some(),
        &target_os,
    )?;
    let cache = cache_dir();
    let mlx_dir = env::var_os("PUNIE_MLX_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("mlx").join(format!("{backend}-{MLX_VERSION}")));
    let include = mlx_dir.join("mlx/include");
    let lib_dir = mlx_dir.join("mlx/lib");
    check_runtime(&mlx_dir, &include, &lib_dir, &target_os, &backend)?;

    let mlx_c = env::var_os("PUNIE_MLX_C_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| cache.join("src/mlx-sys-0.7.0/src/mlx-c"));
    if !mlx_c.join("mlx/c/array.h").is_file() {
        return Err(format!(
            "mlx-c 0.7.0 sources not found at {} (expected mlx/c/array.h there).\n\
             They come from the published mlx-sys 0.7.0 crate; run `{SETUP}` \
             (or set PUNIE_MLX_C_DIR to an unpacked mlx-sys-0.7.0/src/mlx-c).",
            mlx_c.display()
        ));
    }
    let overlay = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("overlay");

    compile_mlx_c(&mlx_c, &overlay, &include)?;
    generate_bindings(&mlx_c, &overlay)?;

    println!("cargo:rustc-link-search=native={}", lib_dir.display());
    println!("cargo:rustc-link-lib=dylib=mlx");
    if target_os == "macos" {
        println!("cargo:rustc-link-lib=dylib=c++");
        for fw in ["Foundation", "Metal", "Accelerate", "QuartzCore"] {
            println!("cargo:rustc-link-lib=framework={fw}");
        }
    } else {
        println!("cargo:rustc-link-lib=dylib=stdc++");
    }
    // Published to dependents' build scripts as DEP_MLX_*: they add the rpath
    // (link args do not propagate from a dependency).
    println!("cargo:libdir={}", lib_dir.display());
    println!("cargo:backend={backend}");
    println!("cargo:version={MLX_VERSION}");
    Ok(())
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = env::var_os("PUNIE_CACHE") {
        return PathBuf::from(dir);
    }
    let home = env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".cache/punie-eval")
}

/// Force-included: it defines upstream's include guard (MLX_HALF_H), so
/// mlx-c's own `#include "half.h"` (same-directory lookup, which no -I
/// order can override) becomes a no-op.
fn half_h(overlay: &Path) -> PathBuf {
    overlay.join("mlx/c/half.h")
}

fn compile_mlx_c(mlx_c: &Path, overlay: &Path, include: &Path) -> Result<(), String> {
    let dir = mlx_c.join("mlx/c");
    let mut sources: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "cpp"))
        .collect();
    sources.sort();
    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++20")
        .warnings(false)
        .pic(true)
        .include(mlx_c)
        .include(include)
        .flag(format!(
            "-include{}",
            overlay.join("compat_format.h").display()
        ))
        .flag(format!("-include{}", half_h(overlay).display()))
        .files(&sources);
    build
        .try_compile("mlxc")
        .map_err(|e| format!("compiling mlx-c: {e}"))?;
    Ok(())
}

fn generate_bindings(mlx_c: &Path, overlay: &Path) -> Result<(), String> {
    let dir = mlx_c.join("mlx/c");
    let mut headers: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "h"))
        .collect();
    headers.sort();
    // bindgen panics with a terse message when libclang is missing; catch
    // it and say how to install it.
    let result = std::panic::catch_unwind(|| {
        let mut builder = bindgen::Builder::default()
            .rust_target("1.73.0".parse().expect("valid rust target"))
            .clang_arg(format!("-include{}", half_h(overlay).display()))
            .clang_arg(format!("-I{}", mlx_c.display()))
            .clang_arg("-DPUNIE_BINDGEN")
            .blocklist_function("malloc")
            .blocklist_function("realloc");
        for h in &headers {
            builder = builder.header(h.to_string_lossy());
        }
        builder.generate()
    });
    let bindings = match result {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return Err(format!("bindgen failed on the mlx-c headers: {e}")),
        Err(_) => return Err(libclang_missing()),
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.rs");
    bindings
        .write_to_file(&out)
        .map_err(|e| format!("writing {}: {e}", out.display()))
}
