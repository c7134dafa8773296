//! `punie-eval compare A.json B.json [C.json …]`: deltas against the first
//! file (two files) or a side-by-side table (three or more), the exact
//! McNemar test over shared queries, and the queries that flipped.

use super::{CliResult, Outcome};
use punie_eval::parse::Profile;
use punie_eval::report::compare::{compare_with, profile_problem, text, Loaded};
use punie_eval::report::{markdown, write_file};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Results files (results.json of `run` or `bench`); the first is the baseline.
    #[arg(value_name = "RESULTS.json", num_args = 2.., required = true)]
    files: Vec<PathBuf>,
    /// Also write the comparison as Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
    /// Also write the comparison as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Pass or fail every file's queries under this parse profile (strict
    /// or lenient) [default: as each file was scored].
    #[arg(long, value_name = "PROFILE")]
    parse_profile: Option<Profile>,
}

pub fn run(args: Args) -> CliResult {
    let inputs: Vec<&std::path::Path> = args.files.iter().map(PathBuf::as_path).collect();
    let mut outputs = Vec::new();
    if let Some(p) = &args.markdown {
        outputs.push(("--markdown", p.as_path()));
    }
    if let Some(p) = &args.json {
        outputs.push(("--json", p.as_path()));
    }
    super::refuse_overwrite(&outputs, &inputs)?;
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for f in &args.files {
        match Loaded::read(f) {
            Ok(l) => loaded.push(l),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(errors.join("\n").into());
    }
    if let Some(problem) = args.parse_profile.and_then(|p| profile_problem(&loaded, p)) {
        return Err(problem.into());
    }
    let c = compare_with(&loaded, args.parse_profile);
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    if let Some(path) = &args.markdown {
        write_file(path, &markdown::comparison(&c))?;
    }
    if let Some(path) = &args.json {
        write_file(path, &(serde_json::to_string_pretty(&c)? + "\n"))?;
    }
    // A closed stdout (`| head`) is not an error: the files are written.
    out!("{}", text(&c));
    Ok(Outcome::Ok)
}
