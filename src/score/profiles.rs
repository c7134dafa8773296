//! Format or decision: each query scored under both parse profiles, so a
//! report can say how much of a score is the call format (what the strict
//! profile refuses and the lenient one recovers) and how much the decision.

use super::rate::Rate;
use serde::{Deserialize, Serialize};

/// One query's pass (the strict score: right behaviour, right tools, valid
/// arguments) under each parse profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfilePasses {
    pub strict_profile: bool,
    pub lenient_profile: bool,
    /// The two profiles reached the same verdict (kind and calls).
    pub verdicts_agree: bool,
}

/// A run's queries under both profiles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileMetrics {
    /// Queries scored under both (those with a completion).
    pub queries: u64,
    pub accuracy_strict_profile: Rate,
    pub accuracy_lenient_profile: Rate,
    /// Queries whose verdicts differ between the profiles.
    pub disagreements: u64,
    /// Fail under strict, pass under lenient: the format, not the decision.
    pub format_errors: u64,
    /// Fail even under lenient: the decision (or the arguments) was wrong.
    pub decision_errors: u64,
}

#[derive(Default)]
pub(crate) struct ProfileCounter {
    n: u64,
    strict: u64,
    lenient: u64,
    disagree: u64,
    format: u64,
    decision: u64,
}

impl ProfileCounter {
    pub fn add(&mut self, p: &ProfilePasses) {
        self.n += 1;
        self.strict += u64::from(p.strict_profile);
        self.lenient += u64::from(p.lenient_profile);
        self.disagree += u64::from(!p.verdicts_agree);
        self.format += u64::from(!p.strict_profile && p.lenient_profile);
        self.decision += u64::from(!p.lenient_profile);
    }

    pub fn finish(&self) -> Option<ProfileMetrics> {
        (self.n > 0).then(|| ProfileMetrics {
            queries: self.n,
            accuracy_strict_profile: Rate::new(self.strict, self.n),
            accuracy_lenient_profile: Rate::new(self.lenient, self.n),
            disagreements: self.disagree,
            format_errors: self.format,
            decision_errors: self.decision,
        })
    }
}
