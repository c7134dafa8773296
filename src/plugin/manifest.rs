//! The manifest a plugin describes itself with.

use serde::{Deserialize, Serialize};

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
