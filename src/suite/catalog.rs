//! What a pack needs to know about its toolset: the tool names and each
//! tool's argument names, to reject expectations on tools or arguments that
//! do not exist. A trait so any toolset representation (schema files,
//! plugin-provided lists) can be checked against without conversions.

use std::collections::BTreeMap;

pub trait ToolCatalog {
    /// A name for messages ("toolset punie-phase27").
    fn toolset_name(&self) -> String;
    /// Every tool name, in the toolset's order.
    fn tool_names(&self) -> Vec<String>;
    /// The argument names of a tool, `None` if the tool is unknown.
    fn argument_names(&self, tool: &str) -> Option<Vec<String>>;
}

impl ToolCatalog for crate::schema::Toolset {
    fn toolset_name(&self) -> String {
        self.name().to_string()
    }
    fn tool_names(&self) -> Vec<String> {
        self.tools().map(|t| t.name().to_string()).collect()
    }
    fn argument_names(&self, tool: &str) -> Option<Vec<String>> {
        let schema = self.get(tool)?;
        Some(
            schema
                .schema()
                .get("properties")
                .and_then(|p| p.as_object())
                .map(|p| p.keys().cloned().collect())
                .unwrap_or_default(),
        )
    }
}

impl<T: ToolCatalog + ?Sized> ToolCatalog for std::sync::Arc<T> {
    fn toolset_name(&self) -> String {
        (**self).toolset_name()
    }
    fn tool_names(&self) -> Vec<String> {
        (**self).tool_names()
    }
    fn argument_names(&self, tool: &str) -> Option<Vec<String>> {
        (**self).argument_names(tool)
    }
}

/// A plain list of tools and their arguments.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolList {
    pub name: String,
    pub tools: BTreeMap<String, Vec<String>>,
}

impl ToolList {
    pub fn new<I, S, A>(name: &str, tools: I) -> Self
    where
        I: IntoIterator<Item = (S, A)>,
        S: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        Self {
            name: name.to_string(),
            tools: tools
                .into_iter()
                .map(|(t, args)| (t.into(), args.into_iter().map(Into::into).collect()))
                .collect(),
        }
    }
}

impl ToolCatalog for ToolList {
    fn toolset_name(&self) -> String {
        self.name.clone()
    }
    fn tool_names(&self) -> Vec<String> {
        self.tools.keys().cloned().collect()
    }
    fn argument_names(&self, tool: &str) -> Option<Vec<String>> {
        self.tools.get(tool).cloned()
    }
}

/// The closest candidate within a small edit distance, for "did you mean".
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let tools = ["typecheck", "ruff_check", "git_diff"];
        assert_eq!(suggest("typchek", tools), Some("typecheck"));
        assert_eq!(suggest("git_dif", tools), Some("git_diff"));
        assert_eq!(suggest("deploy", tools), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
