//! Tokenizer and chat-template rendering, exactly as transformers (and so
//! mlx-lm) render prompts: same template engine settings, same Python value
//! formatting, same tokenizer. See docs/chat-templates.md.
//!
//! - [`template`]: one chat template, compiled like transformers' jinja2.
//! - [`pyfmt`]: Python `str()` / `json.dumps()` for template values.
//! - [`messages`]: the conversation and tool specs (OpenAI form).
//! - [`tokenizer`]: tokenizer.json through Hugging Face `tokenizers`.
//! - [`special_tokens`]: named special tokens and end-of-sequence ids.
//! - [`prompt`]: a model folder's template(s) + tokenizer → prompt text and ids.
//! - [`stop`]: stop strings, matched on the decoded text as it is generated.

pub mod error;
pub mod messages;
pub mod prompt;
pub mod pyfmt;
pub mod special_tokens;
pub mod stop;
pub mod template;
pub mod tokenizer;

pub use error::{ChatError, ToolSpecError};
pub use messages::{tools_from_file, FunctionCall, Message, Role, Tool, ToolCall};
pub use prompt::{template_context, ChatPrompt, RenderOptions, TemplateSet};
pub use special_tokens::{eos_token_ids, SpecialTokens};
pub use template::ChatTemplate;
pub use tokenizer::Tokenizer;
