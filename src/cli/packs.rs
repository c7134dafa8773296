//! `punie-eval packs list|show|check`: the query packs a run could use —
//! files in `queries/` (or `--queries DIR`, `--pack FILE`) and plugins the
//! user names (`--plugin PATH`, `--plugin-dir DIR`, the config file). A
//! broken source is reported, naming its file, and the others are still
//! listed. Assembly is the library's (`punie_eval::sources`).

use super::{CliResult, Outcome};
use punie_eval::sources::{Source, Sources};
use punie_eval::suite::Expect;
use std::path::PathBuf;

/// `--plugin` / `--plugin-dir`, shared by `packs`, `run` and `bench`.
/// Nothing is loaded that is not named here or in the config file.
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
    /// These plugins, plus the config file's.
    pub fn sources(&self) -> Sources {
        Sources {
            plugins: self.plugins.clone(),
            plugin_dirs: self.plugin_dirs.clone(),
            use_config: true,
            ..Sources::default()
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// One line per pack: id, version, queries, toolset, source.
    List(SourceArgs),
    /// One pack's details and queries.
    Show {
        /// The pack id.
        id: String,
        /// Print the pack as canonical JSON (the plugin hand-over format).
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        sources: SourceArgs,
    },
    /// Check every pack (structure, toolset, expectations); exit 1 if any fails.
    Check(SourceArgs),
}

#[derive(clap::Args)]
struct SourceArgs {
    /// Directory of *.toml / *.json query packs.
    #[arg(long, value_name = "DIR", default_value = "queries")]
    queries: PathBuf,
    /// An extra query-pack file; repeatable.
    #[arg(long = "pack", value_name = "FILE")]
    packs: Vec<PathBuf>,
    #[command(flatten)]
    plugins: PluginArgs,
}

pub fn run(args: Args) -> CliResult {
    let s = match &args.command {
        Cmd::List(s) | Cmd::Check(s) | Cmd::Show { sources: s, .. } => s,
    };
    let assembly = Sources {
        files: s.packs.clone(),
        folder: Some(s.queries.clone()),
        ..s.plugins.sources()
    }
    .assemble();
    let errors = assembly.problems();
    let entries = &assembly.sources;
    for e in &errors {
        eprintln!("error: {e}");
    }
    match &args.command {
        Cmd::List(_) => {
            outln!(
                "{:<28} {:<8} {:>7}  {:<38} SOURCE",
                "ID",
                "VERSION",
                "QUERIES",
                "TOOLSET"
            );
            for e in entries {
                let mut flags = String::new();
                if has_check(e) {
                    flags.push_str(" [custom check]");
                }
                outln!(
                    "{:<28} {:<8} {:>7}  {:<38} {}{flags}",
                    e.suite.id(),
                    e.suite.pack.pack.pack.version,
                    e.suite.pack.pack.queries.len(),
                    e.suite.toolset.name(),
                    e.origin
                );
            }
        }
        Cmd::Check(_) => {
            for e in entries {
                outln!(
                    "ok  {} ({} queries, toolset {} with {} tools) from {}",
                    e.suite.id(),
                    e.suite.pack.pack.queries.len(),
                    e.suite.toolset.name(),
                    e.suite.toolset.len(),
                    e.origin
                );
            }
            if !errors.is_empty() {
                outln!(
                    "{} pack(s) ok, {} problem(s) (see stderr)",
                    entries.len(),
                    errors.len()
                );
                return Ok(Outcome::CheckFailed);
            }
            outln!("{} pack(s) ok", entries.len());
        }
        Cmd::Show { id, json, .. } => {
            let Some(e) = entries.iter().find(|e| e.suite.id() == id.as_str()) else {
                let ids: Vec<&str> = entries.iter().map(|e| e.suite.id()).collect();
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
                outln!("{}", serde_json::to_string_pretty(&e.suite.pack.pack)?);
            } else {
                show(e);
            }
        }
    }
    Ok(if errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::InputProblems
    })
}

fn has_check(e: &Source) -> bool {
    e.suite.plugin.as_ref().is_some_and(|p| p.has_check())
}

fn show(e: &Source) {
    let p = &e.suite.pack.pack;
    outln!("id:          {}", p.pack.id);
    outln!("version:     {}", p.pack.version);
    outln!("description: {}", p.pack.description);
    outln!("source:      {}", e.origin);
    outln!(
        "toolset:     {} ({} tools)",
        e.suite.toolset.name(),
        e.suite.toolset.len()
    );
    if !e.added_tools.is_empty() {
        outln!("adds tools:  {}", e.added_tools.join(", "));
    }
    outln!("custom check: {}", if has_check(e) { "yes" } else { "no" });
    outln!("queries ({}):", p.queries.len());
    for q in &p.queries {
        outln!("  {:<36} {}", q.id, describe(&q.expect));
    }
}

fn describe(expect: &Expect) -> String {
    serde_json::to_string(expect).unwrap_or_default()
}
