//! `punie-eval packs list|show|check`: the query packs a run could use —
//! files in `queries/` (or `--queries DIR`, `--pack FILE`) and plugins the
//! user names (`--plugin PATH`, `--plugin-dir DIR`). A broken source is
//! reported, naming its file, and the others are still listed.

use super::CliResult;
use crate::parse::Verdict;
use crate::plugin::{load_all, Plugin, PluginError, PluginPack};
use crate::schema::Toolset;
use crate::score::CustomCheck;
use crate::suite::{Expect, LoadedPack};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// `--plugin` / `--plugin-dir`, shared by `packs` and `run`. Nothing is
/// loaded that is not named here.
#[derive(clap::Args, Debug, Default, Clone)]
pub struct PluginArgs {
    /// A query-pack plugin (shared library) to load; repeatable.
    #[arg(long = "plugin", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
    /// Load every shared library (.so/.dylib/.dll) directly in DIR; repeatable.
    #[arg(long = "plugin-dir", value_name = "DIR")]
    pub plugin_dirs: Vec<PathBuf>,
}

impl PluginArgs {
    pub fn any(&self) -> bool {
        !self.plugins.is_empty() || !self.plugin_dirs.is_empty()
    }

    /// These flags plus the plugins named in the config file:
    /// `$PUNIE_EVAL_CONFIG`, else `./punie-eval.toml` when it exists. Still
    /// explicit: only what the user wrote there is loaded.
    pub fn with_config(&self) -> Result<PluginArgs, String> {
        let path = match std::env::var_os("PUNIE_EVAL_CONFIG") {
            Some(p) => Some(PathBuf::from(p)),
            None => Some(PathBuf::from("punie-eval.toml")).filter(|p| p.is_file()),
        };
        self.with_config_from(path.as_deref())
    }

    /// ```toml
    /// [plugins]
    /// paths = ["target/release/libpunie_git_pack.so"]  # relative to this file
    /// dirs = ["plugins/build"]
    /// ```
    pub fn with_config_from(&self, path: Option<&Path>) -> Result<PluginArgs, String> {
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
        let mut out = self.clone();
        let Some(path) = path else {
            return Ok(out);
        };
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read the config file: {e}", path.display()))?;
        let cfg: Config = toml::from_str(&text).map_err(|e| {
            format!(
                "{}: {e}fix: the config holds [plugins] with `paths` and `dirs` (arrays of paths)",
                path.display()
            )
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        let p = cfg.plugins.unwrap_or_default();
        out.plugins
            .extend(p.paths.into_iter().map(|x| base.join(x)));
        out.plugin_dirs
            .extend(p.dirs.into_iter().map(|x| base.join(x)));
        Ok(out)
    }
}

/// A plugin pack with its toolset resolved and expectations checked.
pub struct ReadyPlugin {
    pub pack: PluginPack,
    pub toolset: Toolset,
}

/// Loads the named plugins and resolves each pack's toolset (`base`, e.g.
/// `run --toolset`, replaces the pack's own); failures are returned beside
/// the packs that loaded.
pub fn load_plugins(
    args: &PluginArgs,
    base: Option<&Toolset>,
) -> (Vec<ReadyPlugin>, Vec<PluginError>) {
    let report = load_all(&args.plugins, &args.plugin_dirs);
    let mut errors = report.errors;
    let mut ready = Vec::new();
    for pack in report.packs {
        match pack.toolset(base) {
            Ok(toolset) => ready.push(ReadyPlugin { pack, toolset }),
            Err(e) => errors.push(e),
        }
    }
    (ready, errors)
}

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// One line per pack: id, version, queries, toolset, source.
    List(Sources),
    /// One pack's details and queries.
    Show {
        /// The pack id.
        id: String,
        /// Print the pack as canonical JSON (the plugin hand-over format).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        sources: Sources,
    },
    /// Check every pack (structure, toolset, expectations); exit 1 if any fails.
    Check(Sources),
}

#[derive(clap::Args)]
struct Sources {
    /// Directory of *.toml / *.json query packs.
    #[arg(long, value_name = "DIR", default_value = "queries")]
    queries: PathBuf,
    /// An extra query-pack file; repeatable.
    #[arg(long = "pack", value_name = "FILE")]
    packs: Vec<PathBuf>,
    #[command(flatten)]
    plugins: PluginArgs,
}

/// One pack from any source, ready to describe.
struct Entry {
    pack: LoadedPack,
    toolset: Toolset,
    source: String,
    added_tools: Vec<String>,
    custom_check: bool,
}

/// Every pack of the sources, and every error (one per broken source,
/// plus id collisions).
fn collect(sources: &Sources) -> (Vec<Entry>, Vec<String>) {
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    let mut files = sources.packs.clone();
    match pack_files(&sources.queries) {
        Ok(found) => files.extend(found),
        Err(e) => errors.push(e),
    }
    for path in &files {
        match load_file(path) {
            Ok((pack, toolset)) => entries.push(Entry {
                source: path.display().to_string(),
                pack,
                toolset,
                added_tools: Vec::new(),
                custom_check: false,
            }),
            Err(e) => errors.push(e),
        }
    }
    let plugin_args = match sources.plugins.with_config() {
        Ok(merged) => merged,
        Err(e) => {
            errors.push(e);
            sources.plugins.clone()
        }
    };
    let (plugins, plugin_errors) = load_plugins(&plugin_args, None);
    errors.extend(plugin_errors.iter().map(ToString::to_string));
    for ReadyPlugin { pack, toolset } in plugins {
        let manifest = pack.plugin.manifest();
        entries.push(Entry {
            source: format!(
                "plugin {} ({} {})",
                pack.plugin.path().display(),
                manifest.id,
                manifest.version
            ),
            added_tools: pack
                .tools
                .iter()
                .filter_map(|t| t.get("x-tool-name")?.as_str().map(str::to_string))
                .collect(),
            custom_check: pack.plugin.has_check(),
            pack: pack.loaded,
            toolset,
        });
    }
    // First come, first kept: files, then plugins in the order named.
    let mut kept: Vec<Entry> = Vec::new();
    for e in entries {
        if let Some(first) = kept
            .iter()
            .find(|k| k.pack.pack.pack.id == e.pack.pack.pack.id)
        {
            errors.push(format!(
                "{}: pack id {:?} is also the id of {}; fix: give every pack its own id \
                 (results and transcripts are keyed by it)",
                e.source, e.pack.pack.pack.id, first.source
            ));
        } else {
            kept.push(e);
        }
    }
    (kept, errors)
}

/// `*.toml` and `*.json` files in `dir`, sorted. A missing default
/// `queries/` directory is not an error (plugins alone are fine).
fn pack_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if !dir.exists() && dir == Path::new("queries") {
        return Ok(Vec::new());
    }
    let rd = std::fs::read_dir(dir).map_err(|e| {
        format!(
            "{}: cannot list query packs: {e}; fix: pass --queries DIR",
            dir.display()
        )
    })?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn load_file(path: &Path) -> Result<(LoadedPack, Toolset), String> {
    LoadedPack::from_file_with_toolset(path, |pack| {
        let spec = &pack.pack.pack.toolset;
        let local = pack.base_dir.as_deref().map(|d| d.join(spec));
        let spec = match local {
            Some(p) if !Path::new(spec).is_absolute() && p.is_file() => p.display().to_string(),
            _ => spec.clone(),
        };
        Toolset::open(&spec).map_err(|e| e.to_string())
    })
    .map_err(|e| e.to_string())
}

pub fn run(args: Args) -> CliResult {
    let mut out = std::io::stdout().lock();
    let sources = match &args.command {
        Cmd::List(s) | Cmd::Check(s) | Cmd::Show { sources: s, .. } => s,
    };
    let (entries, errors) = collect(sources);
    for e in &errors {
        eprintln!("error: {e}");
    }
    // A closed stdout (`| head`) is not an error worth a crash.
    match &args.command {
        Cmd::List(_) => {
            let _ = writeln!(
                out,
                "{:<28} {:<8} {:>7}  {:<38} SOURCE",
                "ID", "VERSION", "QUERIES", "TOOLSET"
            );
            for e in &entries {
                let mut flags = String::new();
                if e.custom_check {
                    flags.push_str(" [custom check]");
                }
                let _ = writeln!(
                    out,
                    "{:<28} {:<8} {:>7}  {:<38} {}{flags}",
                    e.pack.pack.pack.id,
                    e.pack.pack.pack.version,
                    e.pack.pack.queries.len(),
                    e.toolset.name(),
                    e.source
                );
            }
        }
        Cmd::Check(_) => {
            for e in &entries {
                let _ = writeln!(
                    out,
                    "ok  {} ({} queries, toolset {} with {} tools) from {}",
                    e.pack.pack.pack.id,
                    e.pack.pack.queries.len(),
                    e.toolset.name(),
                    e.toolset.len(),
                    e.source
                );
            }
            if !errors.is_empty() {
                let _ = writeln!(
                    out,
                    "{} pack(s) ok, {} problem(s) (see stderr)",
                    entries.len(),
                    errors.len()
                );
                return Ok(ExitCode::from(1));
            }
            let _ = writeln!(out, "{} pack(s) ok", entries.len());
        }
        Cmd::Show { id, json, .. } => {
            let Some(e) = entries.iter().find(|e| &e.pack.pack.pack.id == id) else {
                let ids: Vec<&str> = entries
                    .iter()
                    .map(|e| e.pack.pack.pack.id.as_str())
                    .collect();
                return Err(format!(
                    "no pack with id {id:?}; fix: use one of: {}",
                    if ids.is_empty() {
                        "(none loaded)".to_string()
                    } else {
                        ids.join(", ")
                    }
                )
                .into());
            };
            if *json {
                let _ = writeln!(out, "{}", serde_json::to_string_pretty(&e.pack.pack)?);
            } else {
                show(&mut out, e);
            }
        }
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn show(out: &mut impl Write, e: &Entry) {
    let p = &e.pack.pack;
    let _ = writeln!(out, "id:          {}", p.pack.id);
    let _ = writeln!(out, "version:     {}", p.pack.version);
    let _ = writeln!(out, "description: {}", p.pack.description);
    let _ = writeln!(out, "source:      {}", e.source);
    let _ = writeln!(
        out,
        "toolset:     {} ({} tools)",
        e.toolset.name(),
        e.toolset.len()
    );
    if !e.added_tools.is_empty() {
        let _ = writeln!(out, "adds tools:  {}", e.added_tools.join(", "));
    }
    let _ = writeln!(
        out,
        "custom check: {}",
        if e.custom_check { "yes" } else { "no" }
    );
    let _ = writeln!(out, "queries ({}):", p.queries.len());
    for q in &p.queries {
        let _ = writeln!(out, "  {:<36} {}", q.id, describe(&q.expect));
    }
}

fn describe(expect: &Expect) -> String {
    serde_json::to_string(expect).unwrap_or_default()
}

/// The plugin side of a `run`: which suites have a plugin (for custom
/// checks) and how many plugins failed to load.
pub struct PluginRun {
    /// Aligned with the run's packs; `None` for file packs.
    plugins: Vec<Option<Arc<Plugin>>>,
    failed: usize,
}

impl PluginRun {
    /// The custom check of suite `si` on one verdict. A check that itself
    /// fails (bad JSON, a panic) fails the query with that error.
    pub fn check(&self, si: usize, query_id: &str, verdict: &Verdict) -> Option<CustomCheck> {
        let plugin = self.plugins.get(si)?.as_ref()?;
        let (pass, message) = match plugin.check(query_id, verdict) {
            Ok(None) => return None,
            Ok(Some(o)) => (o.pass, o.message),
            Err(e) => (false, format!("the check itself failed: {e}")),
        };
        Some(CustomCheck {
            plugin: plugin.manifest().id.clone(),
            pass,
            message,
        })
    }

    /// 2 when a named plugin could not be loaded (the other packs ran).
    pub fn exit_code(&self) -> ExitCode {
        if self.failed == 0 {
            ExitCode::SUCCESS
        } else {
            eprintln!(
                "error: {} plugin(s) could not be loaded (see above); the other packs ran",
                self.failed
            );
            ExitCode::from(2)
        }
    }
}

/// Adds the named plugins' packs to a run's file packs. A plugin that fails
/// is reported on stderr and skipped; a pack id that collides is an error.
pub fn add_plugin_packs(
    args: &PluginArgs,
    override_toolset: Option<&str>,
    packs: &mut Vec<LoadedPack>,
    toolsets: &mut Vec<Arc<Toolset>>,
) -> Result<PluginRun, String> {
    let merged = args.with_config()?;
    let args = &merged;
    let mut plugins: Vec<Option<Arc<Plugin>>> = vec![None; packs.len()];
    if !args.any() {
        return Ok(PluginRun { plugins, failed: 0 });
    }
    let base = override_toolset
        .map(|spec| Toolset::open(spec).map_err(|e| format!("--toolset {spec:?}: {e}")))
        .transpose()?;
    let (ready, errors) = load_plugins(args, base.as_ref());
    for e in &errors {
        eprintln!("error: {e}");
    }
    let mut collisions = Vec::new();
    for ReadyPlugin { pack, toolset } in ready {
        if let Some(other) = packs.iter().find(|p| p.pack.pack.id == pack.id()) {
            collisions.push(format!(
                "{}: pack id {:?} is also the id of {}; fix: give every pack of a run its own id \
                 (results and transcripts are keyed by it)",
                pack.plugin.path().display(),
                pack.id(),
                other.origin
            ));
            continue;
        }
        plugins.push(Some(Arc::clone(&pack.plugin)));
        packs.push(pack.loaded);
        toolsets.push(Arc::new(toolset));
    }
    if !collisions.is_empty() {
        return Err(collisions.join("\n"));
    }
    if packs.is_empty() {
        return Err("no query pack could be loaded; fix: correct the plugins named above".into());
    }
    Ok(PluginRun {
        plugins,
        failed: errors.len(),
    })
}

#[cfg(test)]
mod config_tests {
    use super::PluginArgs;
    use std::path::PathBuf;

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
        let flags = PluginArgs {
            plugins: vec![PathBuf::from("b.so")],
            plugin_dirs: vec![],
        };
        let merged = flags.with_config_from(Some(&cfg)).unwrap();
        assert_eq!(
            merged.plugins,
            vec![PathBuf::from("b.so"), dir.join("libs/a.so")]
        );
        assert_eq!(merged.plugin_dirs, vec![dir.join("more")]);
        assert!(flags.with_config_from(None).unwrap().plugin_dirs.is_empty());

        std::fs::write(&cfg, "[plugins]\npath = [\"typo.so\"]\n").unwrap();
        let e = flags.with_config_from(Some(&cfg)).unwrap_err();
        assert!(e.contains("punie-eval.toml") && e.contains("path"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
