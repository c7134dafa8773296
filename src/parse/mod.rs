//! Raw completion → [`Verdict`]: which tool calls a completion makes (in any
//! of the formats local models emit), whether each is valid against the
//! toolset's schemas, or whether it answers directly, promises a call in
//! prose, or tried to call and broke the format.
//!
//! Entry point: [`classify`]. Detection order matters and is deliberate:
//! reasoning is removed first (never parsed), then the tagged formats
//! (`<tool_call>`, `<function=`), a JSON answer, JSON and Python fences;
//! only an answer with no call attempt at all is checked for a promise.

mod bare_json;
mod code_mode;
mod collect;
mod fenced;
mod json_call;
mod promise;
mod qwen_xml;
mod shell_advice;
mod think;
mod tool_call;
pub mod verdict;

pub use code_mode::EXPR_KEY;
pub use verdict::{Call, CallFormat, Verdict, VerdictKind};

use crate::schema::Toolset;
use collect::Collector;

/// Classifies one completion against a toolset. Never fails: anything
/// unparseable is a verdict (`malformed_call` with a note saying what broke).
pub fn classify(completion: &str, toolset: &Toolset) -> Verdict {
    let split = think::split(completion);
    let mut out = Collector::new(toolset);
    let answer: &str = &split.answer;
    if tool_call::present(answer) {
        tool_call::parse(answer, &mut out);
        return out.finish(split.thinking);
    }
    if bare_json::parse(answer, &mut out) {
        return out.finish(split.thinking);
    }
    let (fences, prose) = fenced::split(answer);
    fenced::parse(&fences, &mut out);
    if !out.calls.is_empty() || !out.broken.is_empty() {
        return out.finish(split.thinking);
    }
    if split.unclosed {
        out.notes.push(
            "the completion ends inside <think>: no answer after the reasoning (truncated?)"
                .to_string(),
        );
    }
    let mut verdict = out.finish(split.thinking);
    if let Some(sentence) = promise::detect(&prose, &|w| toolset.contains(w)) {
        verdict.kind = VerdictKind::Promise;
        verdict.notes.push(format!(
            "promises a tool action without calling a tool: {sentence:?}"
        ));
    }
    verdict
}
