//! Scoring: a verdict against its query's expectation (pass/fail with a
//! reason, soft and strict), then suite metrics with Wilson 95% intervals.
//! See docs/scoring.md for every definition.

mod confusion;
mod custom;
mod failure;
mod matching;
mod metrics;
mod profiles;
mod query;
mod rate;
mod repeats;

pub use confusion::Confusion;
pub use custom::{apply_custom_check, CustomCheck};
pub use failure::Failure;
pub use metrics::{metrics, Binary, GroupMetrics, Metrics, Scored, ToolMetrics};
pub use profiles::{ProfileMetrics, ProfilePasses};
pub use query::{score_query, Observed, QueryScore, Response};
pub use rate::{wilson, Rate, Z95};
pub use repeats::{Outcome, QueryRepeats, Repeats};
