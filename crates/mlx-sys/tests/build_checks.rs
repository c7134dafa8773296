//! The build script's checks on bad set-ups: each error names what was
//! expected where and the command that fixes it.

#[path = "../build_checks.rs"]
mod checks;
use checks::{backend, check_runtime, libclang_missing, MLX_VERSION, SETUP};
use std::fs;
use std::path::Path;

fn wheel(root: &Path, version: (u32, u32, u32), with_lib: bool) {
    let inc = root.join("mlx/include/mlx");
    fs::create_dir_all(&inc).unwrap();
    fs::write(
        inc.join("version.h"),
        format!(
            "#pragma once\n#define MLX_VERSION_MAJOR {}\n#define MLX_VERSION_MINOR {}\n#define MLX_VERSION_PATCH {}\n",
            version.0, version.1, version.2
        ),
    )
    .unwrap();
    fs::create_dir_all(root.join("mlx/lib")).unwrap();
    if with_lib {
        fs::write(root.join("mlx/lib/libmlx.so"), b"").unwrap();
    }
}

fn check(root: &Path) -> Result<(), String> {
    check_runtime(
        root,
        &root.join("mlx/include"),
        &root.join("mlx/lib"),
        "linux",
        "cpu",
    )
}

#[test]
fn a_missing_runtime_names_the_folder_and_the_set_up_command() {
    let tmp = tempfile_dir();
    let err = check(&tmp.join("cpu-0.32.2")).unwrap_err();
    assert!(err.contains("MLX runtime (cpu) not found"), "{err}");
    assert!(err.contains("mlx-cpu 0.32.2 wheel"), "{err}");
    assert!(
        err.contains(&tmp.join("cpu-0.32.2").display().to_string()),
        "{err}"
    );
    assert!(err.contains("mlx/version.h"), "{err}");
    assert!(err.contains(SETUP), "{err}");
}

#[test]
fn a_wheel_of_another_version_is_refused_with_both_versions() {
    let tmp = tempfile_dir();
    wheel(&tmp, (0, 32, 4), true);
    let err = check(&tmp).unwrap_err();
    assert!(err.contains("is version 0.32.4"), "{err}");
    assert!(
        err.contains(&format!("needs exactly {MLX_VERSION}")),
        "{err}"
    );
    assert!(err.contains(SETUP), "{err}");
}

#[test]
fn a_wheel_without_the_linux_library_is_another_platform() {
    let tmp = tempfile_dir();
    wheel(&tmp, (0, 32, 2), false);
    let err = check(&tmp).unwrap_err();
    assert!(err.contains("no libmlx.so"), "{err}");
    assert!(err.contains("another platform"), "{err}");
    wheel(&tmp, (0, 32, 2), true);
    assert_eq!(check(&tmp), Ok(()));
}

#[test]
fn backend_choice_and_refusals() {
    assert_eq!(backend(None, false, "linux").unwrap(), "cpu");
    assert_eq!(backend(None, true, "linux").unwrap(), "cuda");
    assert_eq!(backend(Some(""), false, "macos").unwrap(), "metal");
    assert_eq!(backend(Some("cuda"), false, "linux").unwrap(), "cuda");
    let err = backend(Some("metal"), false, "linux").unwrap_err();
    assert!(
        err.contains("PUNIE_MLX_BACKEND=metal is not available on linux"),
        "{err}"
    );
    assert!(backend(Some("rocm"), false, "linux").is_err());
}

#[test]
fn the_libclang_hint_names_the_package_and_the_variable() {
    let msg = libclang_missing();
    assert!(msg.contains("apt-get install libclang-dev"), "{msg}");
    assert!(msg.contains("LIBCLANG_PATH"), "{msg}");
}

/// A fresh empty folder under the target dir (no dev-dependencies here).
fn tempfile_dir() -> std::path::PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let d = std::env::temp_dir().join(format!(
        "mlx-sys-checks-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}
