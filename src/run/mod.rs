//! Running suites: the backend seam ([`Backend`]), the replay backend, the
//! transcript writer and the run loop. The MLX backend plugs in through
//! [`Backend`] (issue #3).

mod backend;
#[cfg(feature = "mlx")]
pub mod mlx;
mod prompt_tools;
mod replay;
mod runner;
mod transcript;

pub use backend::{Backend, BackendInfo, Completion, CompletionError, PreparedQuery, Timings};
pub use prompt_tools::openai_tools;
pub use replay::{ReplayBackend, ReplayError};
pub use runner::{
    run_suites, run_suites_checked, run_suites_repeated, CustomCheckFn, RunError, SuiteRun,
};
pub use transcript::{TranscriptRecord, TranscriptWriter};
