//! Tool schemas and toolsets: the JSON Schema 2020-12 of each tool's
//! arguments (with the positional order code mode binds by), compiled once,
//! and the named collections of tools a model is evaluated against.
//!
//! Files live in `schemas/tools/*.json` and `schemas/toolsets/*.json`; the
//! built-in ones are embedded so they work from any working directory.

mod embedded;
mod error;
mod fault;
mod rules;
mod tool;
mod toolset;

pub use error::{Issue, SchemaError};
pub use fault::{ArgError, Fault};
pub use rules::{Enums, Floats, Integers, Rules};
pub use tool::{JsonType, ToolSchema};
pub use toolset::{CodeMode, Toolset};
