//! Checks the mlx-sys build script runs before compiling anything, kept
//! free of build-script state so tests/build_checks.rs can exercise every
//! error: a missing runtime, a wheel of the wrong version or platform, an
//! unavailable backend, a missing libclang.

use std::fs;
use std::path::Path;

pub const MLX_VERSION: &str = "0.32.2";
pub const SETUP: &str = "bash scripts/setup.sh";

/// The backend: PUNIE_MLX_BACKEND if set, else metal on macOS, cuda with
/// the `cuda` feature, cpu otherwise; refused where the wheel does not exist.
pub fn backend(
    requested: Option<&str>,
    cuda_feature: bool,
    target_os: &str,
) -> Result<String, String> {
    let requested = requested.filter(|s| !s.is_empty()).map(str::to_string);
    let default = if target_os == "macos" {
        "metal"
    } else if cuda_feature {
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
pub fn check_runtime(
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

/// bindgen panics tersely when libclang is missing: what to say instead.
pub fn libclang_missing() -> String {
    format!(
        "bindgen could not load libclang. Install it with `apt-get install libclang-dev` \
         (or run `{SETUP}`), or set LIBCLANG_PATH to the folder holding libclang.so"
    )
}
