//! The query pack data model: one serde model read from TOML files and from
//! JSON (plugins hand packs over as JSON with the same fields).

use super::expect::Expect;
use crate::schema::{Enums, Floats, Integers, Issue, Rules, ToolSchema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A query pack: metadata, defaults and the queries.
///
/// `E` is the form of each query's `expect`: [`Expect`] once loaded; the
/// loader first reads it as raw JSON (`Pack<serde_json::Value>`) so the
/// expectation parser's problems stay typed (message, fix, key path) rather
/// than travelling through serde as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pack<E = Expect> {
    pub pack: PackMeta,
    #[serde(rename = "query", default = "Vec::new")]
    pub queries: Vec<Query<E>>,
}

/// `[pack]`: identity, toolset and defaults shared by every query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    pub id: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// A toolset file (relative to the pack file) or a builtin toolset name.
    pub toolset: String,
    /// System prompt of every query that does not bring its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default)]
    pub generation: Generation,
    /// Whether `3.0` is an integer (`json_schema`, the default) or not
    /// (`python`, as BFCL's checker says).
    #[serde(default, skip_serializing_if = "is_default")]
    pub integers: Integers,
    /// Whether `1` is a float inside an array of floats (`json_schema`, the
    /// default) or not (`python`, as BFCL's nested type check says).
    #[serde(default, skip_serializing_if = "is_default")]
    pub floats: Floats,
    /// `ignore`: `enum` lists in the tool schemas are not checked.
    #[serde(default, skip_serializing_if = "is_default")]
    pub enums: Enums,
    /// `null` is accepted for an argument that is not required.
    #[serde(default, skip_serializing_if = "is_default")]
    pub optional_null: bool,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl PackMeta {
    /// The type rules the pack's calls are validated under.
    pub fn rules(&self) -> Rules {
        Rules {
            integers: self.integers,
            floats: self.floats,
            enums: self.enums,
            optional_null: self.optional_null,
        }
    }
}

/// How a query's own tools combine with the pack's toolset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolsMode {
    /// Added to the pack's toolset.
    #[default]
    Add,
    /// Instead of it: the query's tools only.
    Only,
}

/// Sampling settings. Defaults are greedy decoding with Punie's 512-token
/// budget and thinking off, so a pack that says nothing is deterministic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Generation {
    pub max_tokens: u32,
    /// 0 means greedy.
    pub temperature: f64,
    pub top_p: f64,
    /// 0 disables top-k.
    pub top_k: u32,
    pub seed: u64,
    /// Passed to chat templates that know it (Qwen3); they default it to on.
    pub enable_thinking: bool,
    /// Stop strings: generation ends when the text contains one, and the
    /// completion is cut where it begins (EOS ids always stop too).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// Early decision (opt-in): end generation once the verdict is settled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub early_stop: Option<EarlyStop>,
}

/// When a query's generation may end before its end of turn, its verdict
/// settled (issue 16; docs/batching.md measures each rule against full
/// generation). Off unless a pack or `--early-stop` asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EarlyStop {
    /// At the first text after a closed tool call that does not open
    /// another call (a model going on to invent the tool's answer).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub after_call: bool,
    /// After this many tokens of answer with no call opened: for packs
    /// that score the decision, not the answer's words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prose_tokens: Option<std::num::NonZeroU32>,
}

impl std::str::FromStr for EarlyStop {
    type Err = String;
    /// `after-call`, `prose=K`, or both, comma-separated (`--early-stop`).
    fn from_str(s: &str) -> Result<Self, String> {
        let mut e = EarlyStop::default();
        for item in s.split(',').map(str::trim) {
            match item.split_once('=') {
                None if item == "after-call" => e.after_call = true,
                Some(("prose", k)) => match k.parse::<std::num::NonZeroU32>() {
                    Ok(k) => e.prose_tokens = Some(k),
                    _ => return Err(format!("`{item}`: K must be a whole number from 1")),
                },
                _ => {
                    return Err(format!(
                        "`{item}` is not an early-stop rule; fix: `after-call`, `prose=K`, or both \
                         comma-separated"
                    ))
                }
            }
        }
        Ok(e)
    }
}

impl Default for Generation {
    fn default() -> Self {
        Self {
            max_tokens: 512,
            temperature: 0.0,
            top_p: 1.0,
            top_k: 0,
            seed: 0,
            enable_thinking: false,
            stop: Vec::new(),
            early_stop: None,
        }
    }
}

/// `[[query]]`: one prompt and what it expects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query<E = Expect> {
    pub id: String,
    /// The user turn (the pack's system prompt goes before it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// A full conversation instead of `user`, for multi-turn queries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    /// Overrides the pack's system prompt for this query.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    pub expect: E,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Free text for pack authors (why this query, where it came from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The query's own tool schemas (JSON Schema objects with
    /// `x-tool-name`), shown to the model and scored against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub tools_mode: ToolsMode,
}

/// One chat message of a multi-turn query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    System,
    User,
    Assistant,
    /// A tool result handed back to the model.
    Tool,
}

impl<E> Query<E> {
    /// The same query with its expectation in another form.
    pub(crate) fn with_expect<F>(self, expect: F) -> Query<F> {
        Query {
            id: self.id,
            user: self.user,
            messages: self.messages,
            system_prompt: self.system_prompt,
            expect,
            tags: self.tags,
            note: self.note,
            tools: self.tools,
            tools_mode: self.tools_mode,
        }
    }

    /// The query's own tools, compiled; each failure is `(index, issues)`.
    pub fn own_tools(&self, origin: &str) -> Result<Vec<ToolSchema>, Vec<(usize, Vec<Issue>)>> {
        let mut tools = Vec::new();
        let mut wrong = Vec::new();
        for (j, v) in self.tools.iter().flatten().enumerate() {
            let at = format!("{origin}: query {:?} tools[{j}]", self.id);
            match ToolSchema::from_value(v.clone(), &at) {
                Ok(t) => tools.push(t),
                Err(issues) => wrong.push((j, issues)),
            }
        }
        if wrong.is_empty() {
            Ok(tools)
        } else {
            Err(wrong)
        }
    }

    /// The conversation the model sees: system prompt (query's, else the
    /// pack's, unless the messages bring one) then the user turn or messages.
    pub fn conversation(&self, pack_system: Option<&str>) -> Vec<Message> {
        let system = self.system_prompt.as_deref().or(pack_system);
        let mut out = Vec::new();
        let brings_system = self
            .messages
            .as_ref()
            .and_then(|m| m.first())
            .is_some_and(|m| m.role == Role::System);
        if let (Some(s), false) = (system, brings_system) {
            out.push(Message {
                role: Role::System,
                content: s.to_string(),
            });
        }
        if let Some(msgs) = &self.messages {
            out.extend(msgs.iter().cloned());
        } else if let Some(u) = &self.user {
            out.push(Message {
                role: Role::User,
                content: u.clone(),
            });
        }
        out
    }
}
