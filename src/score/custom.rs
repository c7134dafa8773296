//! A plugin's custom check on one query: a rule a JSON expectation cannot
//! express. A failed check fails the query (strict) with the plugin's
//! message; the behaviour-kind score (soft) and discrimination stay as the
//! expectation decided them.

use super::query::QueryScore;
use serde::{Deserialize, Serialize};

/// What a custom check said about one query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomCheck {
    /// The plugin (pack id) whose check ran.
    pub plugin: String,
    pub pass: bool,
    pub message: String,
}

/// Folds a custom check into a query's score.
pub fn apply_custom_check(score: &mut QueryScore, check: &CustomCheck) {
    if check.pass {
        return;
    }
    let was = if score.strict { "passed" } else { "failed" };
    if score.strict {
        score.failure = Some(super::failure::Failure::CustomCheck);
    }
    score.strict = false;
    score.reason = format!(
        "custom check of plugin {} failed: {} (the expectation {was}: {})",
        check.plugin, check.message, score.reason
    );
}
