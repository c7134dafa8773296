//! `<think>…</think>`: reasoning is kept apart and never parsed for calls.

use std::borrow::Cow;

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

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
    if !completion.contains(OPEN) && !completion.contains(CLOSE) {
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
    if let Some(close) = rest.find(CLOSE) {
        if rest[..close].find(OPEN).is_none() {
            thoughts.push(&rest[..close]);
            rest = &rest[close + CLOSE.len()..];
        }
    }
    while let Some(open) = rest.find(OPEN) {
        answer.push_str(&rest[..open]);
        let inner = &rest[open + OPEN.len()..];
        match inner.find(CLOSE) {
            Some(close) => {
                thoughts.push(&inner[..close]);
                rest = &inner[close + CLOSE.len()..];
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
