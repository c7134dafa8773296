//! A suite: one pack, the toolset its queries are scored against and, for a
//! pack that came from a plugin, that plugin (its custom checks). The three
//! travel as one value from assembly to the runner.

use crate::parse::Verdict;
use crate::plugin::Plugin;
use crate::results::PackInfo;
use crate::schema::{SchemaError, Toolset};
use crate::score::CustomCheck;
use crate::suite::{LoadedPack, ToolsMode};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Suite {
    pub pack: LoadedPack,
    /// The pack's own toolset, or the `--toolset` override.
    pub toolset: Arc<Toolset>,
    /// The plugin the pack came from (`None` for pack files).
    pub plugin: Option<Arc<Plugin>>,
}

impl Suite {
    /// A pack file's suite (no plugin).
    pub fn new(pack: LoadedPack, toolset: Arc<Toolset>) -> Self {
        Self {
            pack,
            toolset,
            plugin: None,
        }
    }

    /// The pack id: transcripts and results are keyed by it.
    pub fn id(&self) -> &str {
        &self.pack.pack.pack.id
    }

    /// The toolset the suite's calls are validated under: the pack's type
    /// rules (`integers`, `enums`, `optional_null`) applied.
    pub fn scoring_toolset(&self) -> Result<Arc<Toolset>, SchemaError> {
        let rules = self.pack.pack.pack.rules();
        if rules.is_default() {
            return Ok(Arc::clone(&self.toolset));
        }
        self.toolset.with_rules(rules).map(Arc::new)
    }

    /// The tools query `query` is shown and scored against: `base` (from
    /// [`Self::scoring_toolset`]), with the query's own tools added or
    /// instead.
    pub fn query_toolset(
        &self,
        base: &Arc<Toolset>,
        query: usize,
    ) -> Result<Arc<Toolset>, SchemaError> {
        let Some(q) = self.pack.pack.queries.get(query) else {
            return Ok(Arc::clone(base));
        };
        if q.tools.is_none() {
            return Ok(Arc::clone(base));
        }
        let own = q.own_tools(&self.pack.origin).map_err(|wrong| {
            SchemaError::Invalid(wrong.into_iter().flat_map(|(_, issues)| issues).collect())
        })?;
        let only = q.tools_mode == ToolsMode::Only;
        base.with_tools(own, only, self.pack.pack.pack.rules())
            .map(Arc::new)
    }

    /// The plugin's custom check on one verdict: `None` when the suite has no
    /// plugin or the plugin no rule for the query. A check that itself fails
    /// (bad JSON, a panic) fails the query with that error.
    pub fn custom_check(&self, query_id: &str, verdict: &Verdict) -> Option<CustomCheck> {
        let plugin = self.plugin.as_ref()?;
        let (pass, message) = match plugin.check(query_id, verdict) {
            Ok(None) => return None,
            Ok(Some(o)) => (o.pass, o.message),
            Err(e) => (false, format!("the check itself failed: {e}")),
        };
        Some(CustomCheck {
            plugin: plugin.manifest().id.clone(),
            pass,
            message,
        })
    }

    /// What the results file says about the pack.
    pub fn info(&self) -> PackInfo {
        let p = &self.pack.pack.pack;
        PackInfo {
            id: p.id.clone(),
            version: p.version.clone(),
            description: p.description.clone(),
            source: self.pack.origin.clone(),
            toolset: self.toolset.name().to_string(),
        }
    }

    /// Caps every query's generated tokens (`--max-tokens`).
    pub fn cap_tokens(&mut self, max_tokens: u32) {
        self.pack.pack.pack.generation.max_tokens = max_tokens;
    }

    /// Early decision for every query (`--early-stop`, over the pack's).
    pub fn set_early_stop(&mut self, e: crate::suite::EarlyStop) {
        self.pack.pack.pack.generation.early_stop = Some(e);
    }
}
