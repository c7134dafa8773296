//! `<think>…</think>`: reasoning is kept apart and never parsed for calls.

use std::borrow::Cow;

use super::tag::{THINK as OPEN, THINK_END as CLOSE};

/// A completion split into its reasoning and its answer.
pub(crate) struct Split<'a> {
    pub thinking: Option<String>,
    pub answer: Cow<'a, str>,
    /// Set when the completion ended inside `<think>`.
    pub unclosed: bool,
}

/// Splits off every think block. Qwen3 chat templates put the opening
/// `<think>` in the prompt, so a completion may start inside the block and
/// show only `</think>`.
pub(crate) fn split(completion: &str) -> Split<'_> {
    // `<think>` and `</think>` both hold "think>": one search clears the
    // common answer without reasoning.
    if !completion.contains("think>") {
        return Split {
            thinking: None,
            answer: Cow::Borrowed(completion),
            unclosed: false,
        };
    }
    let mut thoughts: Vec<&str> = Vec::new();
    let mut answer = String::new();
    let mut rest = completion;
    let mut unclosed = false;
    // A leading `</think>` with no `<think>` before it closes a block the
    // prompt opened.
    if let Some(close) = CLOSE.find(rest) {
        if !OPEN.is_in(&rest[..close]) {
            thoughts.push(&rest[..close]);
            rest = &rest[close + CLOSE.text.len()..];
        }
    }
    while let Some(open) = OPEN.find(rest) {
        answer.push_str(&rest[..open]);
        let inner = &rest[open + OPEN.text.len()..];
        match CLOSE.find(inner) {
            Some(close) => {
                thoughts.push(&inner[..close]);
                rest = &inner[close + CLOSE.text.len()..];
            }
            None => {
                thoughts.push(inner);
                rest = "";
                unclosed = true;
            }
        }
    }
    answer.push_str(rest);
    let thinking = thoughts
        .iter()
        .map(|t| t.trim())
        .collect::<Vec<_>>()
        .join("\n\n");
    Split {
        thinking: Some(thinking),
        answer: Cow::Owned(answer),
        unclosed,
    }
}
