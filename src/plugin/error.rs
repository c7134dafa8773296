//! Why a plugin could not be used. Every variant names the plugin file and
//! says what to do, so one broken plugin is reported and the others run.

use crate::schema::{Issue, SchemaError};
use crate::suite::PackError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("{path}: not a loadable shared library: {reason}; fix: name a plugin built as a cdylib / shared library (.so, .dylib, .dll) for this platform")]
    NotALibrary { path: PathBuf, reason: String },
    #[error("{path}: not a punie-eval plugin: it does not export `{symbol}`; fix: export the functions of plugins/include/punie_eval_plugin.h (Rust: punie_eval_plugin::export_plugin!)")]
    MissingSymbol { path: PathBuf, symbol: &'static str },
    #[error("{path}: plugin ABI version {found}, but this punie-eval speaks version {expected}; fix: rebuild the plugin against punie_eval_plugin.h / punie-eval-plugin for ABI {expected}")]
    AbiVersion {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{path}: `{function}` returned a null pointer; fix: return a JSON string (on failure {{\"error\": \"why\"}})")]
    NullPointer {
        path: PathBuf,
        function: &'static str,
    },
    #[error("{path}: `{function}` returned text that is not UTF-8 (byte {offset}); fix: return UTF-8 JSON")]
    NotUtf8 {
        path: PathBuf,
        function: &'static str,
        offset: usize,
    },
    #[error("{path}: `{function}` returned invalid JSON at line {line} column {column}: {message}; fix: return {what}")]
    InvalidJson {
        path: PathBuf,
        function: &'static str,
        line: usize,
        column: usize,
        message: String,
        what: &'static str,
    },
    #[error(
        "{path}: `{function}` returned JSON of the wrong shape: {message}; fix: return {what}"
    )]
    Shape {
        path: PathBuf,
        function: &'static str,
        message: String,
        what: &'static str,
    },
    #[error("{path}: the plugin reported an error from `{function}`: {message}")]
    Reported {
        path: PathBuf,
        function: &'static str,
        message: String,
    },
    #[error("{path}: plugin {id:?} hands over a pack with id {pack_id:?}; fix: make the manifest id and the pack id the same")]
    IdMismatch {
        path: PathBuf,
        id: String,
        pack_id: String,
    },
    /// The pack is invalid (the pack error names the plugin's pack).
    #[error("{source}")]
    Pack {
        path: PathBuf,
        #[source]
        source: PackError,
    },
    /// The toolset the pack names cannot be opened.
    #[error("{path}: pack.toolset {spec:?}: {source}; fix: name a built-in toolset ({builtins}) or an absolute toolset path")]
    Toolset {
        path: PathBuf,
        spec: String,
        #[source]
        source: Box<SchemaError>,
        builtins: String,
    },
    /// Tool schemas the plugin adds are invalid, or already in the toolset.
    #[error("{path}: invalid tool schemas ({}):\n  {}", problems.len(), list(problems))]
    Tools {
        path: PathBuf,
        problems: Vec<ToolProblem>,
    },
    /// The pack's toolset plus the plugin's tools do not make a toolset.
    #[error("{path}: {source}")]
    Extended {
        path: PathBuf,
        #[source]
        source: Box<SchemaError>,
    },
    #[error("{path}: cannot list plugins: {source}; fix: name an existing, readable directory")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl PluginError {
    /// The plugin file (or directory) the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            Self::NotALibrary { path, .. }
            | Self::MissingSymbol { path, .. }
            | Self::AbiVersion { path, .. }
            | Self::NullPointer { path, .. }
            | Self::NotUtf8 { path, .. }
            | Self::InvalidJson { path, .. }
            | Self::Shape { path, .. }
            | Self::Reported { path, .. }
            | Self::IdMismatch { path, .. }
            | Self::Pack { path, .. }
            | Self::Toolset { path, .. }
            | Self::Tools { path, .. }
            | Self::Extended { path, .. }
            | Self::Dir { path, .. } => path,
        }
    }
}

/// One problem with a tool schema a plugin adds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolProblem {
    #[error("{origin}: tool {name:?} is already in toolset {toolset}; fix: rename it, or drop it from the plugin's tools")]
    AlreadyInToolset {
        /// `PLUGIN tools[i]`.
        origin: String,
        name: String,
        toolset: String,
    },
    #[error("{0}")]
    Schema(Issue),
}

fn list(problems: &[ToolProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n  ")
}
