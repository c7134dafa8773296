//! Why a query failed, as one class a report can count — the taxonomy the
//! field's checkers use (BFCL's error types, tau-bench's fault classes),
//! beside the reason a person reads.

use crate::schema::Fault;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// A call was needed; the model answered directly.
    NoCall,
    /// A direct answer (or question) was needed; the model called, tried to
    /// call, or announced a call.
    UnwantedCall,
    /// A call was needed; the model tried and broke the format.
    UnparseableCall,
    /// Called a tool that is not in the toolset (a hallucinated name).
    UnknownTool,
    /// Called a tool of the toolset, not the one expected.
    WrongTool,
    /// A required or expected argument is absent.
    MissingArgument,
    /// An argument the tool does not have (or one that must be omitted).
    UnknownArgument,
    /// An argument of the wrong JSON type.
    WrongType,
    /// An argument with the wrong value (schema or expectation).
    WrongValue,
    /// Arguments that could not be read at all.
    UnreadableArguments,
    /// Too few or too many calls (some expected calls missing, or more
    /// calls than `calls` allows).
    WrongCallCount,
    /// The expected calls, not in the listed order (`order = "given"`).
    WrongOrder,
    /// A call was needed; the model promised one in prose and made none.
    Promise,
    /// A clarifying question was needed; the answer asks none.
    NoQuestion,
    /// The backend produced no completion.
    NoCompletion,
    /// The expectation passed; the plugin's own check failed.
    CustomCheck,
}

impl Failure {
    pub const ALL: [Failure; 16] = [
        Self::NoCall,
        Self::UnwantedCall,
        Self::UnparseableCall,
        Self::UnknownTool,
        Self::WrongTool,
        Self::MissingArgument,
        Self::UnknownArgument,
        Self::WrongType,
        Self::WrongValue,
        Self::UnreadableArguments,
        Self::WrongCallCount,
        Self::WrongOrder,
        Self::Promise,
        Self::NoQuestion,
        Self::NoCompletion,
        Self::CustomCheck,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoCall => "no_call",
            Self::UnwantedCall => "unwanted_call",
            Self::UnparseableCall => "unparseable_call",
            Self::UnknownTool => "unknown_tool",
            Self::WrongTool => "wrong_tool",
            Self::MissingArgument => "missing_argument",
            Self::UnknownArgument => "unknown_argument",
            Self::WrongType => "wrong_type",
            Self::WrongValue => "wrong_value",
            Self::UnreadableArguments => "unreadable_arguments",
            Self::WrongCallCount => "wrong_call_count",
            Self::WrongOrder => "wrong_order",
            Self::Promise => "promise",
            Self::NoQuestion => "no_question",
            Self::NoCompletion => "no_completion",
            Self::CustomCheck => "custom_check",
        }
    }

    /// One line for the reports' legend.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::NoCall => "no call when one was needed",
            Self::UnwantedCall => "a call (or an attempt) when none was needed",
            Self::UnparseableCall => "tried to call and broke the format",
            Self::UnknownTool => "called a tool not in the toolset",
            Self::WrongTool => "called the wrong tool",
            Self::MissingArgument => "a required or expected argument is missing",
            Self::UnknownArgument => "an argument the tool does not take",
            Self::WrongType => "an argument of the wrong type",
            Self::WrongValue => "an argument with the wrong value",
            Self::UnreadableArguments => "arguments that cannot be read",
            Self::WrongCallCount => "too few or too many calls",
            Self::WrongOrder => "the expected calls in another order",
            Self::Promise => "promised a tool action without a call",
            Self::NoQuestion => "expected a clarifying question",
            Self::NoCompletion => "no completion",
            Self::CustomCheck => "the plugin's own check failed",
        }
    }
}

impl From<Fault> for Failure {
    fn from(f: Fault) -> Self {
        match f {
            Fault::UnknownTool => Self::UnknownTool,
            Fault::MissingArgument => Self::MissingArgument,
            Fault::UnknownArgument => Self::UnknownArgument,
            Fault::WrongType => Self::WrongType,
            Fault::WrongValue => Self::WrongValue,
            Fault::UnreadableArguments => Self::UnreadableArguments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Failure;

    #[test]
    fn names_round_trip_through_serde() {
        for f in Failure::ALL {
            let json = serde_json::to_string(&f).unwrap();
            assert_eq!(json, format!("\"{}\"", f.as_str()));
            assert_eq!(serde_json::from_str::<Failure>(&json).unwrap(), f);
        }
    }
}
