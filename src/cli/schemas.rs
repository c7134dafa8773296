//! `punie-eval schemas`: lint toolsets and list their tools.

use super::{CliResult, Outcome};
use punie_eval::schema::Toolset;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Lint a toolset and its tool schemas (all built-in toolsets if none given).
    ///
    /// Checks: valid JSON, every schema compiles as JSON Schema 2020-12 with
    /// "type": "object", `required` and `x-positional-order` name declared
    /// properties, tool names unique. Exit 1 if any problem is found.
    Check {
        /// Toolset: a JSON file, or a built-in name.
        #[arg(long, value_name = "FILE")]
        toolset: Option<String>,
    },
    /// List a toolset's tools with their Python signatures.
    List {
        /// Toolset: a JSON file, or a built-in name.
        #[arg(long, value_name = "FILE", default_value = "punie-phase27")]
        toolset: String,
    },
}

pub fn run(args: Args) -> CliResult {
    match args.command {
        Command::Check { toolset } => check(toolset),
        Command::List { toolset } => list(&toolset),
    }
}

fn check(toolset: Option<String>) -> CliResult {
    let specs: Vec<String> = match toolset {
        Some(t) => vec![t],
        None => Toolset::builtin_names().map(str::to_string).collect(),
    };
    let mut problems = 0;
    for spec in specs {
        match Toolset::open(&spec) {
            Ok(t) => {
                let code_mode = t
                    .code_mode()
                    .map(|c| format!(", code mode {}({})", c.tool, c.parameter))
                    .unwrap_or_default();
                // Types mapped to JSON Schema (`"float"` → `"number"`):
                // loaded, but the author should know (issue #13, class 10).
                for w in t.warnings() {
                    outln!("warning: {w}");
                }
                outln!(
                    "ok: toolset {} ({}): {} tools{code_mode}",
                    t.name(),
                    t.origin(),
                    t.len()
                );
            }
            Err(e @ punie_eval::schema::SchemaError::Io { .. }) => return Err(e.into()),
            Err(e) => {
                let issues = e.issues();
                problems += issues.len();
                for issue in issues {
                    outln!("error: {issue}");
                }
                outln!("failed: toolset {spec}");
            }
        }
    }
    if problems > 0 {
        outln!("{problems} problem(s)");
        return Ok(Outcome::CheckFailed);
    }
    Ok(Outcome::Ok)
}

fn list(spec: &str) -> CliResult {
    let t = Toolset::open(spec)?;
    outln!("{} ({}): {}", t.name(), t.origin(), t.description());
    for tool in t.tools() {
        let signature = tool
            .schema()
            .get("x-python-signature")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}({})", tool.name(), tool.positional_order().join(", ")));
        outln!("  {signature}");
    }
    Ok(Outcome::Ok)
}
