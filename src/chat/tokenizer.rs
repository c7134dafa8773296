//! The model's tokenizer: `tokenizer.json` through Hugging Face `tokenizers`.
//!
//! Prompts are encoded without adding special tokens: the chat template has
//! already written them, and mlx-lm encodes the rendered prompt with
//! `add_special_tokens=False`. Decoding keeps special tokens visible, so a
//! completion shows `<tool_call>` and `<|im_end|>` as the model wrote them.

use super::error::ChatError;
use std::path::{Path, PathBuf};
use std::str::FromStr;

pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    path: PathBuf,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("path", &self.path)
            .field("vocab_size", &self.vocab_size())
            .finish()
    }
}

impl Tokenizer {
    /// Loads `tokenizer.json`; a missing or unparsable file is an error that
    /// names it (and the line and column for JSON errors).
    pub fn from_file(path: &Path) -> Result<Self, ChatError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ChatError::TokenizerMissing { path: path.into() })
            }
            Err(e) => return Err(ChatError::io(path, e)),
        };
        let inner = tokenizers::Tokenizer::from_str(&text).map_err(|e| {
            // On failure only: a plain JSON parse pins a syntax error to its
            // exact place; valid JSON means the structure is wrong.
            if let Err(je) = serde_json::from_str::<serde::de::IgnoredAny>(&text) {
                return ChatError::json(path, &je);
            }
            ChatError::TokenizerInvalid {
                path: path.into(),
                message: e.to_string(),
            }
        })?;
        Ok(Tokenizer {
            inner,
            path: path.into(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Token ids of `text`, special tokens in it recognised, none added.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, ChatError> {
        self.inner
            .encode(text, false)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| self.failure("encoding", e))
    }

    /// Text of `ids` with special tokens kept visible.
    pub fn decode(&self, ids: &[u32]) -> Result<String, ChatError> {
        if let Some(bad) = ids.iter().find(|&&id| self.inner.id_to_token(id).is_none()) {
            return Err(ChatError::Tokenize {
                path: self.path.clone(),
                what: "decoding",
                message: format!(
                    "token id {bad} is outside the vocabulary (size {})",
                    self.vocab_size()
                ),
            });
        }
        self.inner
            .decode(ids, false)
            .map_err(|e| self.failure("decoding", e))
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    pub fn id_to_token(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// Vocabulary size including added (special) tokens.
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// mlx-lm's test for a thinking model: `<think>` and `</think>` are tokens.
    /// mlx-lm then passes `enable_thinking` = this unless told otherwise.
    pub fn has_thinking(&self) -> bool {
        self.token_to_id("<think>").is_some() && self.token_to_id("</think>").is_some()
    }

    /// The underlying `tokenizers` tokenizer (streaming decode, offsets).
    pub fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }

    fn failure(&self, what: &'static str, e: tokenizers::Error) -> ChatError {
        ChatError::Tokenize {
            path: self.path.clone(),
            what,
            message: e.to_string(),
        }
    }
}
