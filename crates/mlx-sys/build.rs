//! Builds mlx-c (sources from the published mlx-sys 0.7.0 crate, unpacked by
//! `scripts/setup.sh`) against the official MLX 0.32.2 runtime wheel, and
//! generates the bindings mlx-rs 0.33.0 expects. Nothing is downloaded here:
//! a build that fetches source is fragile and impossible offline.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

const MLX_VERSION: &str = "0.32.2";
const SETUP: &str = "bash scripts/setup.sh";

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
    let backend = backend(&target_os)?;
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

fn backend(target_os: &str) -> Result<String, String> {
    let requested = env::var("PUNIE_MLX_BACKEND").ok().filter(|s| !s.is_empty());
    let default = if target_os == "macos" {
        "metal"
    } else if env::var_os("CARGO_FEATURE_CUDA").is_some() {
        "cuda"
    } else {
        "cpu"
    };
    let backend = requested.unwrap_or_else(|| default.to_string());
    match (backend.as_str(), target_os) {
        ("metal", "macos") | ("cpu", "linux") | ("cuda", "linux") => Ok(backend),
        _ => Err(format!(
            "PUNIE_MLX_BACKEND={backend} is not available on {target_os}: \
             use metal on macOS, cpu or cuda on Linux"
        )),
    }
}

/// The wheel must be present, of the pinned version and for this platform:
/// headers differ a lot between MLX patch releases.
fn check_runtime(
    mlx_dir: &Path,
    include: &Path,
    lib_dir: &Path,
    target_os: &str,
    backend: &str,
) -> Result<(), String> {
    let fix = format!("run `{SETUP}` (or `PUNIE_MLX_BACKEND={backend} {SETUP}`)");
    let version_h = include.join("mlx/version.h");
    let text = fs::read_to_string(&version_h).map_err(|_| {
        format!(
            "MLX runtime ({backend}) not found: expected the mlx-{backend} {MLX_VERSION} wheel \
             unpacked at {} (missing {}); {fix}",
            mlx_dir.display(),
            version_h.display()
        )
    })?;
    let num = |key: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("#define {key} ")))
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let found = format!(
        "{}.{}.{}",
        num("MLX_VERSION_MAJOR"),
        num("MLX_VERSION_MINOR"),
        num("MLX_VERSION_PATCH")
    );
    if found != MLX_VERSION {
        return Err(format!(
            "MLX runtime at {} is version {found}; punie-eval needs exactly {MLX_VERSION} \
             (mlx-c 0.7.0 headers must match); {fix}",
            mlx_dir.display()
        ));
    }
    let lib = if target_os == "macos" {
        "libmlx.dylib"
    } else {
        "libmlx.so"
    };
    if !lib_dir.join(lib).is_file() {
        return Err(format!(
            "{} has MLX headers but no {lib} in {}: a wheel for another platform? {fix}",
            mlx_dir.display(),
            lib_dir.display()
        ));
    }
    Ok(())
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
        Err(_) => {
            return Err(format!(
                "bindgen could not load libclang. Install it with `apt-get install libclang-dev` \
                 (or run `{SETUP}`), or set LIBCLANG_PATH to the folder holding libclang.so"
            ))
        }
    };
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.rs");
    bindings
        .write_to_file(&out)
        .map_err(|e| format!("writing {}: {e}", out.display()))
}
