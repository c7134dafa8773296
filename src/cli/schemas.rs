use super::{not_yet, CliResult};

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> CliResult {
    not_yet("schemas check", 5)
}
