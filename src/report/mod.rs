//! Output of results: the versioned JSON results document and the terminal
//! summary (Markdown, JUnit and HTML arrive with issue #7).

pub mod results;
pub mod terminal;

pub use results::{QueryResult, RunResults, SuiteResult, FORMAT_VERSION};
