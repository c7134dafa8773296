//! Loading the plugins a user named: files (`--plugin PATH`) and every
//! shared library in a directory (`--plugin-dir DIR`, not recursive). A
//! failure is recorded and loading goes on, so one broken plugin does not
//! take the other packs down.

use super::error::PluginError;
use super::library::Plugin;
use super::pack::PluginPack;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The packs that loaded and the plugins that did not, in the order named.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub packs: Vec<PluginPack>,
    pub errors: Vec<PluginError>,
}

/// The shared libraries directly in `dir` (this platform's extension),
/// sorted by name so the load order is stable.
pub fn plugin_files(dir: &Path) -> Result<Vec<PathBuf>, PluginError> {
    let err = |source| PluginError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let path = entry.map_err(err)?.path();
        let is_lib = path
            .extension()
            .is_some_and(|e| e == std::env::consts::DLL_EXTENSION);
        if is_lib && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Loads every named plugin file and every plugin in the named directories.
pub fn load_all(files: &[PathBuf], dirs: &[PathBuf]) -> LoadReport {
    let mut report = LoadReport::default();
    let mut paths: Vec<PathBuf> = files.to_vec();
    for dir in dirs {
        match plugin_files(dir) {
            Ok(found) => paths.extend(found),
            Err(e) => report.errors.push(e),
        }
    }
    for path in paths {
        match Plugin::load(&path).and_then(|p| PluginPack::from_plugin(Arc::new(p))) {
            Ok(pack) => report.packs.push(pack),
            Err(e) => report.errors.push(e),
        }
    }
    report
}
