//! The manifest a plugin describes itself with.

use super::abi::SYM_MANIFEST;
use super::error::PluginError;
use super::library::{parse_json, reported_error};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The id of the pack the plugin hands over.
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
}

/// What a manifest must look like, for error messages.
pub const MANIFEST_SHAPE: &str =
    "a JSON object {\"id\": \"…\", \"version\": \"…\", \"description\": \"…\"}";

impl Manifest {
    /// Reads the manifest text the plugin at `path` returned.
    pub fn read(path: &Path, text: &str) -> Result<Self, PluginError> {
        let shape = |message: String| PluginError::Shape {
            path: path.to_path_buf(),
            function: SYM_MANIFEST,
            message,
            what: MANIFEST_SHAPE,
        };
        let doc = parse_json(path, SYM_MANIFEST, text, MANIFEST_SHAPE)?;
        reported_error(path, SYM_MANIFEST, &doc)?;
        let manifest: Manifest = serde_json::from_value(doc).map_err(|e| shape(e.to_string()))?;
        if manifest.id.trim().is_empty() {
            return Err(shape("`id` is empty".into()));
        }
        Ok(manifest)
    }
}
