//! The sources of a run, assembled once for `run`, `bench` and `packs`:
//! query-pack files (named, or every file of a folder), plugins (named, in
//! a folder, or in the config file), each pack's toolset resolved (its own,
//! beside the pack or built in, or the `--toolset` override), and pack ids
//! checked for collisions (first come, first kept). A broken source is
//! reported, naming its file, and the others still load.

pub mod config;

use crate::plugin::{load_all, PluginError};
use crate::problem::Problem;
use crate::run::Suite;
use crate::schema::{SchemaError, Toolset};
use crate::suite::{LoadedPack, PackError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the user named.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    /// Pack files (`--suite`, `--pack`), in the order named.
    pub files: Vec<PathBuf>,
    /// A folder of `*.toml` / `*.json` packs (`packs --queries`); the
    /// default `queries/` may be absent.
    pub folder: Option<PathBuf>,
    /// Plugin libraries (`--plugin`) and folders of them (`--plugin-dir`).
    pub plugins: Vec<PathBuf>,
    pub plugin_dirs: Vec<PathBuf>,
    /// Add the plugins the config file names.
    pub use_config: bool,
    /// Score every pack against this toolset (file or built-in name).
    pub toolset: Option<String>,
}

/// One assembled suite and where it came from, as shown to people.
#[derive(Debug, Clone)]
pub struct Source {
    pub suite: Suite,
    /// The file path, or `plugin PATH (ID VERSION)`.
    pub origin: String,
    /// Tools a plugin added to the pack's toolset.
    pub added_tools: Vec<String>,
}

/// Why a pack file, the packs folder, the config file or `--toolset` could
/// not be used. Each names the file and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("--toolset {spec:?}: {source}")]
    Toolset { spec: String, source: SchemaError },
    #[error("{}: cannot list query packs: {source}; fix: pass --queries DIR", dir.display())]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    Config(#[from] Problem),
}

/// Everything that loaded, and everything that did not.
#[derive(Debug, Default)]
pub struct Assembly {
    pub sources: Vec<Source>,
    /// Pack files, folders, the config file or the `--toolset` that failed.
    pub pack_errors: Vec<SourceError>,
    /// Plugins that failed to load (the other packs are still there).
    pub plugin_errors: Vec<PluginError>,
    /// Packs dropped because an earlier one has their id.
    pub collisions: Vec<String>,
}

impl Assembly {
    pub fn suites(&self) -> Vec<Suite> {
        self.sources.iter().map(|s| s.suite.clone()).collect()
    }

    /// Every problem, one message each: packs, plugins, then collisions.
    pub fn problems(&self) -> Vec<String> {
        let mut all: Vec<String> = self.pack_errors.iter().map(ToString::to_string).collect();
        all.extend(self.plugin_errors.iter().map(ToString::to_string));
        all.extend(self.collisions.iter().cloned());
        all
    }
}

impl Sources {
    /// Loads every source; never stops at the first problem.
    pub fn assemble(&self) -> Assembly {
        let mut out = Assembly::default();
        let overridden = match self.toolset.as_deref().map(open_override).transpose() {
            Ok(t) => t,
            Err(e) => {
                out.pack_errors.push(e);
                return out;
            }
        };
        let mut files = self.files.clone();
        if let Some(dir) = &self.folder {
            match pack_files(dir) {
                Ok(found) => files.extend(found),
                Err(e) => out.pack_errors.push(e),
            }
        }
        let mut toolsets: HashMap<String, Arc<Toolset>> = HashMap::new();
        for path in &files {
            match load_file(path, overridden.as_ref(), &mut toolsets) {
                Ok(suite) => out.push(Source {
                    suite,
                    origin: path.display().to_string(),
                    added_tools: Vec::new(),
                }),
                Err(e) => out.pack_errors.push(e.into()),
            }
        }
        let (mut paths, mut dirs) = (self.plugins.clone(), self.plugin_dirs.clone());
        if self.use_config {
            match config::read_plugins(config::config_path().as_deref()) {
                Ok(c) => {
                    paths.extend(c.paths);
                    dirs.extend(c.dirs);
                }
                Err(e) => out.pack_errors.push(e.into()),
            }
        }
        let report = load_all(&paths, &dirs);
        out.plugin_errors.extend(report.errors);
        for pack in report.packs {
            let toolset = match pack.toolset(overridden.as_deref()) {
                Ok(t) => Arc::new(t),
                Err(e) => {
                    out.plugin_errors.push(e);
                    continue;
                }
            };
            let manifest = pack.plugin.manifest();
            let origin = format!(
                "plugin {} ({} {})",
                pack.plugin.path().display(),
                manifest.id,
                manifest.version
            );
            let added_tools = pack
                .tools
                .iter()
                .filter_map(|t| t.get("x-tool-name")?.as_str().map(str::to_string))
                .collect();
            out.push(Source {
                suite: Suite {
                    pack: pack.loaded,
                    toolset,
                    plugin: Some(Arc::clone(&pack.plugin)),
                },
                origin,
                added_tools,
            });
        }
        out
    }
}

impl Assembly {
    /// Keeps the first pack of each id; a later one is a collision.
    fn push(&mut self, source: Source) {
        if let Some(first) = self
            .sources
            .iter()
            .find(|k| k.suite.id() == source.suite.id())
        {
            self.collisions.push(format!(
                "{}: pack id {:?} is also the id of {}; fix: give every pack its own id \
                 (results and transcripts are keyed by it)",
                source.origin,
                source.suite.id(),
                first.origin
            ));
        } else {
            self.sources.push(source);
        }
    }
}

fn open_override(spec: &str) -> Result<Arc<Toolset>, SourceError> {
    Toolset::open(spec)
        .map(Arc::new)
        .map_err(|source| SourceError::Toolset {
            spec: spec.to_string(),
            source,
        })
}

/// `*.toml` and `*.json` files in `dir`, sorted. A missing default
/// `queries/` directory is not an error (plugins alone are fine).
fn pack_files(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    if !dir.exists() && dir == Path::new("queries") {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir).map_err(|source| SourceError::Folder {
        dir: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// One pack file and its toolset: the override, else the pack's own
/// (shared between packs that name the same one).
fn load_file(
    path: &Path,
    overridden: Option<&Arc<Toolset>>,
    toolsets: &mut HashMap<String, Arc<Toolset>>,
) -> Result<Suite, PackError> {
    let (pack, toolset) = LoadedPack::from_file_with_toolset(path, |pack| {
        if let Some(t) = overridden {
            return Ok(Arc::clone(t));
        }
        let spec = resolve_relative(&pack.pack.pack.toolset, pack.base_dir.as_deref());
        if let Some(t) = toolsets.get(&spec) {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(Toolset::open(&spec)?);
        toolsets.insert(spec, Arc::clone(&t));
        Ok::<_, SchemaError>(t)
    })?;
    Ok(Suite::new(pack, toolset))
}

/// A toolset named by a pack: a file beside the pack if one exists there,
/// else whatever `Toolset::open` makes of it (built-in name or path).
fn resolve_relative(spec: &str, base: Option<&Path>) -> String {
    match base {
        Some(dir) if !Path::new(spec).is_absolute() && dir.join(spec).is_file() => {
            dir.join(spec).display().to_string()
        }
        _ => spec.to_string(),
    }
}
