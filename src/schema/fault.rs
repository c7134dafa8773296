//! What is wrong with one call's arguments, as a class a report can count
//! (the way the field's checkers type their errors), beside the message a
//! person reads.

use serde::{Deserialize, Serialize};

/// The class of a call's first problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    /// The tool is not in the toolset (a hallucinated name).
    UnknownTool,
    /// A required argument is absent.
    MissingArgument,
    /// An argument the tool does not have (or one positional too many).
    UnknownArgument,
    /// An argument of the wrong JSON type.
    WrongType,
    /// The right type, a value the schema rejects (enum, pattern, range…).
    WrongValue,
    /// The arguments could not be read at all (not an object; `*args` /
    /// `**kwargs` that only run time could bind).
    UnreadableArguments,
}

/// One problem with a call's arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    pub fault: Fault,
    pub message: String,
}

impl ArgError {
    pub fn new(fault: Fault, message: impl Into<String>) -> Self {
        Self {
            fault,
            message: message.into(),
        }
    }
}
