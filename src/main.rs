//! The `punie-eval` command line: a thin layer over the library
//! (`punie_eval`), which knows nothing of it.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
