//! Raw completion → [`Verdict`]: which tool calls a completion makes (in any
//! of the formats local models emit), whether each is valid against the
//! toolset's schemas, or whether it answers directly, promises a call in
//! prose, or tried to call and broke the format.
//!
//! Entry point: [`classify`]. Detection order matters and is deliberate:
//! reasoning is removed first (never parsed), then the tagged formats
//! (`<tool_call>`, `<function=`), a JSON answer, JSON fences, calls in any
//! other wrapper or after prose, Python fences; only an answer with no call
//! attempt at all is checked for a promise.

mod bare_json;
mod big_int;
mod code_mode;
mod collect;
mod depth;
mod fenced;
mod json_call;
mod loose;
mod profile;
mod promise;
mod qwen_xml;
mod shell_advice;
mod tag;
mod think;
mod tool_call;
pub mod verdict;

pub use code_mode::EXPR_KEY;
pub use profile::Profile;
pub use verdict::{Call, CallFormat, Verdict, VerdictKind};

use crate::schema::Toolset;
use collect::Collector;

/// Prose longer than this around a ```python fence that calls a tool makes
/// the fence an example in an explanation rather than a broken call.
const EXPLANATION_MIN_CHARS: usize = 200;

/// Classifies one completion against a toolset under the strict profile.
/// Never fails: anything unparseable is a verdict (`malformed_call` with a
/// note saying what broke).
pub fn classify(completion: &str, toolset: &Toolset) -> Verdict {
    classify_with(completion, toolset, Profile::Strict)
}

/// [`classify`] under a chosen parse [`Profile`].
pub fn classify_with(completion: &str, toolset: &Toolset, profile: Profile) -> Verdict {
    let split = think::split(completion);
    let mut out = Collector::new(toolset, profile);
    let answer: &str = &split.answer;
    if tool_call::present(answer) {
        tool_call::parse(answer, &mut out);
        return out.finish(split.thinking);
    }
    if bare_json::parse(answer, &mut out) {
        return out.finish(split.thinking);
    }
    let (fences, prose) = fenced::split(answer);
    fenced::parse_json(&fences, &mut out);
    if !out.calls.is_empty() || !out.broken.is_empty() {
        return out.finish(split.thinking);
    }
    // Calls in other wrappers, in attribute-named XML, or after prose.
    loose::parse(answer, &mut out);
    if !out.calls.is_empty() || !out.broken.is_empty() {
        return out.finish(split.thinking);
    }
    let is_tool = |w: &str| toolset.contains(w);
    let promised = promise::detect(&prose, &is_tool);
    let shown = fenced::python_calls(&fences, toolset);
    if !shown.is_empty() {
        // A fence that calls a tool as plain code is a broken call when it
        // is the answer (alone, or after a line announcing it); inside a
        // longer explanation it is an example.
        if prose.trim().len() <= EXPLANATION_MIN_CHARS || promised.is_some() {
            out.broken.extend(
                shown
                    .into_iter()
                    .map(|s| format!("{s} as plain code instead of making a tool call")),
            );
            return out.finish(split.thinking);
        }
        out.notes.extend(
            shown
                .into_iter()
                .map(|s| format!("{s} as an example inside an explanation; not a call attempt")),
        );
    }
    if split.unclosed {
        out.notes.push(
            "the completion ends inside <think>: no answer after the reasoning (truncated?)"
                .to_string(),
        );
    }
    let mut verdict = out.finish(split.thinking);
    if let Some(sentence) = promised {
        verdict.kind = VerdictKind::Promise;
        verdict.notes.push(format!(
            "promises a tool action without calling a tool: {sentence:?}"
        ));
    }
    verdict
}
