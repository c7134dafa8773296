//! The verdict: what a completion *did*, independent of what was expected.
//! This is the contract between the parsers, the scorer, the reports and the
//! `parse` command's JSON output.

use super::profile::Profile;
use crate::schema::Fault;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What kind of answer a completion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// One or more tool calls that parsed (each may still be invalid).
    ToolCall,
    /// A direct answer: no call attempted, no promise of one.
    Direct,
    /// Tried to call a tool and broke the format. Never an abstention.
    MalformedCall,
    /// Prose promising a tool action ("I'll run the type checker.") without a call.
    Promise,
}

/// The wire format a call was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallFormat {
    /// `<tool_call>{"name": …, "arguments": …}</tool_call>` (Qwen3 / Hermes).
    QwenJson,
    /// `<function=NAME><parameter=P>…</parameter></function>` (Qwen3-Coder).
    QwenXml,
    /// Python inside `execute_code` (Punie's code mode).
    CodeMode,
    /// A ```json fence holding `{"name": …, "arguments": …}`.
    FencedJson,
    /// Bare JSON object `{"name": …, "arguments": …}` as the whole answer.
    BareJson,
    /// OpenAI-style `tool_calls` array.
    OpenAi,
}

/// One parsed tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: String,
    pub arguments: Map<String, Value>,
    /// Arguments satisfy the tool's schema and the tool is known.
    pub valid: bool,
    /// Schema errors (or "unknown tool"), human readable, with JSON pointers.
    #[serde(default)]
    pub errors: Vec<String>,
    /// The class of the first error (absent when valid).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    pub format: CallFormat,
    /// Code mode: fields read from the call's result (`result.error_count`
    /// → `error_count`), first level only, in order of first use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_fields: Vec<String>,
}

/// The full classification of one completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub kind: VerdictKind,
    #[serde(default)]
    pub calls: Vec<Call>,
    /// Why a completion is `malformed_call`, or notes on oddities (e.g.
    /// `run_command` used where a typed tool exists).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// The `<think>…</think>` content, kept apart and never parsed for calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<String>,
    /// The parse profile this verdict was reached under.
    #[serde(default)]
    pub profile: Profile,
}
