//! The config file: plugins a user names once instead of on every command
//! line. `$PUNIE_EVAL_CONFIG`, else `./punie-eval.toml` when it exists.
//! Still explicit: only what the user wrote there is loaded.
//!
//! ```toml
//! [plugins]
//! paths = ["target/release/libpunie_git_pack.so"]  # relative to this file
//! dirs = ["plugins/build"]
//! ```

use crate::problem::Problem;
use std::path::{Path, PathBuf};

/// Plugins named by the config file, paths resolved against its folder.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConfigPlugins {
    pub paths: Vec<PathBuf>,
    pub dirs: Vec<PathBuf>,
}

/// The config file in effect, if any.
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os("PUNIE_EVAL_CONFIG") {
        Some(p) => Some(PathBuf::from(p)),
        None => Some(PathBuf::from("punie-eval.toml")).filter(|p| p.is_file()),
    }
}

/// Reads the plugins of the config file at `path` (`None`: no file).
pub fn read_plugins(path: Option<&Path>) -> Result<ConfigPlugins, Problem> {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Plugins {
        #[serde(default)]
        paths: Vec<PathBuf>,
        #[serde(default)]
        dirs: Vec<PathBuf>,
    }
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Config {
        #[serde(default)]
        plugins: Option<Plugins>,
    }
    let Some(path) = path else {
        return Ok(ConfigPlugins::default());
    };
    let text = crate::text::read_utf8(path).map_err(|e| {
        Problem::new(format!(
            "{}: cannot read the config file: {e}",
            path.display()
        ))
        .fix("check the path (PUNIE_EVAL_CONFIG, or ./punie-eval.toml)")
    })?;
    let cfg: Config = toml::from_str(&text).map_err(|e| {
        Problem::new(format!("{}: {e}", path.display()))
            .fix("the config holds [plugins] with `paths` and `dirs` (arrays of paths)")
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let p = cfg.plugins.unwrap_or_default();
    Ok(ConfigPlugins {
        paths: p.paths.into_iter().map(|x| base.join(x)).collect(),
        dirs: p.dirs.into_iter().map(|x| base.join(x)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::read_plugins;

    #[test]
    fn config_adds_plugins_relative_to_its_file_and_rejects_unknown_keys() {
        let dir = std::env::temp_dir().join(format!("punie-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = dir.join("punie-eval.toml");
        std::fs::write(
            &cfg,
            "[plugins]\npaths = [\"libs/a.so\"]\ndirs = [\"more\"]\n",
        )
        .unwrap();
        let got = read_plugins(Some(&cfg)).unwrap();
        assert_eq!(got.paths, vec![dir.join("libs/a.so")]);
        assert_eq!(got.dirs, vec![dir.join("more")]);
        assert!(read_plugins(None).unwrap().dirs.is_empty());

        std::fs::write(&cfg, "[plugins]\npath = [\"typo.so\"]\n").unwrap();
        let e = read_plugins(Some(&cfg)).unwrap_err().to_string();
        assert!(e.contains("punie-eval.toml") && e.contains("path"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
