//! Printing to stdout. A closed stdout (`punie-eval … | head -1`) ends the
//! command quietly with success: whoever closed it has what they wanted,
//! and everything the command writes to files is written before it prints.
//! (`print!` would panic there; ignoring the error would keep working for
//! nobody.)

use std::io::Write;

/// Writes to stdout; on failure (the reader went away) exits quietly.
pub fn write_stdout(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if out.write_fmt(args).and_then(|()| out.flush()).is_err() {
        closed();
    }
}

/// The reader of stdout is gone: stop now, quietly, with success.
pub fn closed() -> ! {
    super::quiesce();
    std::process::exit(0)
}

/// `print!` that ends quietly on a closed stdout.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::output::write_stdout(format_args!($($arg)*)) };
}

/// `println!` that ends quietly on a closed stdout.
macro_rules! outln {
    () => { $crate::cli::output::write_stdout(format_args!("\n")) };
    ($($arg:tt)*) => {{
        $crate::cli::output::write_stdout(format_args!($($arg)*));
        $crate::cli::output::write_stdout(format_args!("\n"));
    }};
}
