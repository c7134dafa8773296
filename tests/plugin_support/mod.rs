//! Builds the plugins the plugin tests load: the Rust example plugins (with
//! cargo, into a target dir of their own so the outer `cargo test` lock is
//! not contended) and C plugins from plugins/c-example (with `cc`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lib_name(stem: &str) -> String {
    format!(
        "{}{stem}.{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_EXTENSION
    )
}

pub struct RustPlugins {
    pub git: PathBuf,
    pub toolset_change: PathBuf,
    pub panicking: PathBuf,
}

/// Builds the Rust plugins once per test binary.
pub fn rust_plugins() -> &'static RustPlugins {
    static BUILT: OnceLock<RustPlugins> = OnceLock::new();
    BUILT.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-build");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        // Target flags apply to every selected package, so the libraries and
        // the example are two builds.
        let builds: [&[&str]; 2] = [
            &[
                "-p",
                "punie-git-pack",
                "-p",
                "punie-toolset-change",
                "--lib",
            ],
            &["-p", "punie-eval-plugin", "--example", "panicking"],
        ];
        for args in builds {
            let status = Command::new(&cargo)
                .current_dir(repo())
                .env("CARGO_TARGET_DIR", &target)
                .args(["build", "--quiet"])
                .args(args)
                .status()
                .expect("run cargo build for the plugins");
            assert!(
                status.success(),
                "building the example plugins failed: {args:?}"
            );
        }
        let debug = target.join("debug");
        RustPlugins {
            git: debug.join(lib_name("punie_git_pack")),
            toolset_change: debug.join(lib_name("punie_toolset_change")),
            panicking: debug.join("examples").join(lib_name("panicking")),
        }
    })
}

/// Compiles plugins/c-example/c_example.c with `defines` into `dir`.
pub fn c_plugin(dir: &Path, name: &str, defines: &[&str]) -> PathBuf {
    let out = dir.join(lib_name(name));
    let mut cmd = Command::new("cc");
    cmd.args(["-shared", "-fPIC", "-o"])
        .arg(&out)
        .arg("-I")
        .arg(repo().join("plugins/include"))
        .arg(repo().join("plugins/c-example/c_example.c"));
    for d in defines {
        cmd.arg(format!("-D{d}"));
    }
    let status = cmd.status().expect("run cc");
    assert!(status.success(), "cc failed for {name}");
    out
}

/// A shared library that exports nothing of the plugin ABI.
pub fn not_a_plugin(dir: &Path) -> PathBuf {
    let src = dir.join("plain.c");
    std::fs::write(&src, "int add(int a, int b) { return a + b; }\n").unwrap();
    let out = dir.join(lib_name("plain"));
    let status = Command::new("cc")
        .args(["-shared", "-fPIC", "-o"])
        .arg(&out)
        .arg(&src)
        .status()
        .expect("run cc");
    assert!(status.success());
    out
}

/// A file with a library's name that is not a library.
pub fn not_a_library(dir: &Path) -> PathBuf {
    let out = dir.join(lib_name("notalib"));
    std::fs::write(&out, "this is text, not ELF\n").unwrap();
    out
}
