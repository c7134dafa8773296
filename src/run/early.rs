//! Early decision (issue 16, opt-in): end a query's generation once its
//! verdict is settled, rather than at its end of turn. Two rules, each
//! measured against full generation in docs/batching.md:
//!
//! - `after_call`: a tool call closed (`</tool_call>`, `</function>`) and
//!   the text after it is something other than another call opening — a
//!   model going on to invent the tool's answer. The parse sees the
//!   closed call and that first stray token, as it would have seen the
//!   call and everything after it.
//! - `prose_tokens = K`: K tokens of answer and no call opened anywhere
//!   (no `<tool_call`, `<function`, fence, `{` or `[`): a direct answer.
//!   Only for packs that score the decision, not the answer's words.
//!
//! Nothing is decided inside an open think block.

use crate::chat::Tokenizer;
use crate::suite::EarlyStop;

/// Text that opens a call in some format punie-eval reads.
const OPENERS: [&str; 5] = ["<tool_call", "<function", "```", "{", "["];
/// Text that closes a tag-format call.
const CLOSERS: [&str; 2] = ["</tool_call>", "</function>"];

/// Watches one query's generated ids; `push` says whether to go on.
pub struct EarlyWatch<'a> {
    tokenizer: &'a Tokenizer,
    rule: Option<EarlyStop>,
    ids: Vec<u32>,
    /// Which rule ended it, once one did.
    pub fired: Option<&'static str>,
}

impl<'a> EarlyWatch<'a> {
    pub fn new(tokenizer: &'a Tokenizer, rule: Option<EarlyStop>) -> Self {
        EarlyWatch {
            tokenizer,
            rule: rule.filter(|r| r.after_call || r.prose_tokens.is_some()),
            ids: Vec::new(),
            fired: None,
        }
    }

    /// Adds one generated id; false once the verdict is settled.
    pub fn push(&mut self, id: u32) -> bool {
        let Some(rule) = self.rule else {
            return true;
        };
        if self.fired.is_some() {
            return false;
        }
        self.ids.push(id);
        let Ok(text) = self.tokenizer.decode(&self.ids) else {
            return true;
        };
        self.fired = settled(&text, self.ids.len(), rule);
        self.fired.is_none()
    }
}

/// Which rule settles `text` (`tokens` long), if any.
pub fn settled(text: &str, tokens: usize, rule: EarlyStop) -> Option<&'static str> {
    let answer = match text.find("</think>") {
        Some(end) => &text[end + "</think>".len()..],
        None if text.trim_start().starts_with("<think>") => return None,
        None => text,
    };
    if rule.after_call {
        let close = CLOSERS
            .iter()
            .filter_map(|c| answer.rfind(c).map(|i| i + c.len()))
            .max();
        if let Some(end) = close {
            let rest = answer[end..].trim_start();
            let opening = OPENERS
                .iter()
                .any(|o| o.starts_with(rest) || rest.starts_with(o));
            if !rest.is_empty() && !opening {
                return Some("after_call");
            }
        }
    }
    if let Some(k) = rule.prose_tokens {
        if tokens >= k.get() as usize && !OPENERS.iter().any(|o| answer.contains(o)) {
            return Some("prose_tokens");
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: EarlyStop = EarlyStop {
        after_call: true,
        prose_tokens: std::num::NonZeroU32::new(4),
    };

    #[test]
    fn a_closed_call_settles_at_the_first_text_that_opens_no_other() {
        let call = "<tool_call>\n{\"name\": \"git_status\", \"arguments\": {}}\n</tool_call>";
        assert_eq!(settled(call, 20, BOTH), None, "the turn may go on");
        assert_eq!(settled(&format!("{call}\n"), 21, BOTH), None);
        assert_eq!(settled(&format!("{call}\n<"), 22, BOTH), None);
        assert_eq!(settled(&format!("{call}\n<tool_call>\n{{"), 24, BOTH), None);
        assert_eq!(
            settled(&format!("{call}\n<tool_response>"), 23, BOTH),
            Some("after_call")
        );
        assert_eq!(
            settled(&format!("{call} The tree"), 23, BOTH),
            Some("after_call")
        );
        let off = EarlyStop {
            after_call: false,
            ..BOTH
        };
        assert_eq!(settled(&format!("{call} The tree"), 23, off), None);
    }

    #[test]
    fn prose_settles_after_k_tokens_with_no_call_opened() {
        assert_eq!(settled("The working tree", 3, BOTH), None, "fewer than K");
        assert_eq!(
            settled("The working tree is", 4, BOTH),
            Some("prose_tokens")
        );
        assert_eq!(settled("Let me check. <tool_call", 6, BOTH), None);
        assert_eq!(settled("Run this:\n```", 6, BOTH), None);
        assert_eq!(settled("{\"name\": \"git", 6, BOTH), None);
    }

    #[test]
    fn nothing_is_settled_inside_a_think_block() {
        assert_eq!(settled("<think>\nThe user wants", 9, BOTH), None);
        assert_eq!(
            settled("<think>\nhm\n</think>\n\nThe tree is clean", 12, BOTH),
            Some("prose_tokens")
        );
    }
}
