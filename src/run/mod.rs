//! Running suites: a [`Suite`] is one pack with its toolset and plugin; the
//! [`Runner`] schedules every query onto a [`Backend`] (replay, in-process
//! MLX; batched and served backends take many jobs at once), scores each
//! answer and writes its transcript line; a [`Policy`] decides whether a
//! query takes another turn; an [`Observer`] sees progress.

mod backend;
pub mod early;
#[cfg(feature = "mlx")]
pub mod mlx;
mod observer;
mod prompt_tools;
mod replay;
mod resume;
mod runner;
mod steps;
mod suite;
mod transcript;

pub use backend::{
    Backend, BackendInfo, Completion, CompletionError, Flow, Job, PreparedQuery, Timings,
};
pub use observer::{Observer, Silent};
pub use prompt_tools::openai_tools;
pub use replay::{ReplayBackend, ReplayError};
pub use resume::{interrupted, Interrupted, ResumeBackend, ResumeError};
pub use runner::{RunError, Runner};
pub use steps::{Next, Policy, SingleTurn};
pub use suite::Suite;
pub use transcript::{TranscriptRecord, TranscriptWriter};
