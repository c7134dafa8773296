//! `punie-eval import bfcl`: other benchmarks' data as query packs
//! (docs/bfcl.md). Library work is in `punie_eval::import`.

use super::{CliResult, Outcome};
use punie_eval::import::bfcl::{self, Options, Sample};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(clap::Subcommand)]
enum Cmd {
    /// The Berkeley Function Calling Leaderboard's single-turn categories as
    /// query packs (one JSON pack per category).
    ///
    /// SOURCE is a bfcl-eval wheel or its unpacked folder; without it the
    /// pinned wheel (bfcl-eval 2026.3.23) is fetched into the cache
    /// (${PUNIE_CACHE:-~/.cache/punie-eval}/bfcl/) and checked by sha256.
    Bfcl {
        /// A bfcl-eval wheel (.whl) or the folder it was unpacked into.
        #[arg(value_name = "SOURCE")]
        source: Option<PathBuf>,
        /// Where the packs go (bfcl-<category>.json; _import/toolset-none.json, _import/manifest.json).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only these categories (comma-separated, e.g. simple_python,multiple,irrelevance).
        #[arg(long, value_name = "A,B", value_delimiter = ',')]
        categories: Option<Vec<String>>,
        /// N entries of each category, chosen by --seed.
        #[arg(long, value_name = "N", requires = "seed")]
        sample: Option<usize>,
        /// The seed of --sample (the same seed gives the same entries everywhere).
        #[arg(long, value_name = "S", requires = "sample")]
        seed: Option<u64>,
        /// Replace pack files already in --out.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(args: Args) -> CliResult {
    match args.command {
        Cmd::Bfcl {
            source,
            out,
            categories,
            sample,
            seed,
            force,
        } => {
            let src = bfcl::source::open(source.as_deref())?;
            let opts = Options {
                categories,
                sample: sample.zip(seed).map(|(n, seed)| Sample { n, seed }),
            };
            let import = bfcl::import(&src, &opts)?;
            bfcl::write(&out, &src, &opts, &import, force)?;
            let version = src.version.as_deref().unwrap_or("unknown version");
            outln!("source: {} (bfcl-eval {version})", src.origin);
            if let Some(sha) = &src.sha256 {
                outln!("sha256: {sha}");
            }
            let (mut queries, mut skipped) = (0, 0);
            for p in &import.packs {
                let taken = if p.taken < p.entries {
                    format!("{} of {} entries", p.taken, p.entries)
                } else {
                    format!("{} entries", p.entries)
                };
                outln!(
                    "wrote {}: {} queries ({taken}{})",
                    out.join(&p.file_name).display(),
                    p.queries(),
                    if p.skipped.is_empty() {
                        String::new()
                    } else {
                        format!(", {} skipped", p.skipped.len())
                    }
                );
                for (id, why) in &p.skipped {
                    outln!("  skipped {id}: {why}");
                }
                queries += p.queries();
                skipped += p.skipped.len();
            }
            for s in &import.skipped {
                outln!(
                    "skipped category {} ({} entries): {}",
                    s.category,
                    s.entries,
                    s.why
                );
            }
            let left_out: usize = import.skipped.iter().map(|s| s.entries).sum();
            outln!(
                "{} packs, {queries} queries; {skipped} entries skipped; {} categories ({left_out} entries) not supported",
                import.packs.len(),
                import.skipped.len()
            );
            Ok(Outcome::Ok)
        }
    }
}
