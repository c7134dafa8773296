//! Errors of the chat layer: each names the file, the place in it and the fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "{path}:{line}:{column}: invalid JSON: {message}; fix the file (it must be valid JSON)"
    )]
    Json {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{file}: `{key}` {problem}")]
    Config {
        file: PathBuf,
        key: String,
        problem: String,
    },

    #[error("{origin}:{line}:{column}: chat template {message}; fix the template at that place")]
    TemplateSyntax {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{origin}:{line}: chat template failed while rendering: {message}")]
    TemplateRender {
        origin: String,
        line: usize,
        message: String,
    },

    #[error(
        "{dir}: no chat template: looked for chat_template.jinja and `chat_template` in \
         tokenizer_config.json; fix: copy the model's chat_template.jinja into the folder \
         (mlx_lm.convert writes one)"
    )]
    TemplateMissing { dir: PathBuf },

    #[error("{origin}: no chat template named `{name}`; available: {available}")]
    TemplateNotFound {
        origin: String,
        name: String,
        available: String,
    },

    #[error(
        "{path}: tokenizer.json not found; fix: put the model's tokenizer.json in the folder \
         (for the Qwen3 tokenizer run scripts/fetch-qwen3-tokenizer.sh)"
    )]
    TokenizerMissing { path: PathBuf },

    #[error("{path}: not a tokenizer the `tokenizers` library can load: {message}; fix: use a tokenizer.json saved by Hugging Face tokenizers/transformers")]
    TokenizerInvalid { path: PathBuf, message: String },

    #[error("{path}: {what} failed: {message}")]
    Tokenize {
        path: PathBuf,
        what: &'static str,
        message: String,
    },

    #[error("{origin}: {message}")]
    Input { origin: String, message: String },

    #[error("{origin}: {source}")]
    ToolSpec {
        origin: String,
        #[source]
        source: ToolSpecError,
    },
}

/// Why a JSON value is not a tool spec ([`Tool::from_value`](super::Tool::from_value)).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolSpecError {
    #[error("a tool must be a JSON object")]
    NotAnObject,
    #[error("`function.name` must be a string")]
    FunctionName,
    #[error(
        "expected {{\"type\": \"function\", \"function\": {{\"name\": ...}}}} or {{\"name\": ...}}"
    )]
    Shape,
}

impl ChatError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ChatError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn json(path: impl Into<PathBuf>, e: &serde_json::Error) -> Self {
        // serde_json appends " at line L column C"; we already say where.
        let message = e.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) => message[..i].to_string(),
            None => message,
        };
        ChatError::Json {
            path: path.into(),
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

/// Reads and parses a JSON file, naming the file and position on failure.
pub(crate) fn read_json(path: &std::path::Path) -> Result<serde_json::Value, ChatError> {
    let text = std::fs::read_to_string(path).map_err(|e| ChatError::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| ChatError::json(path, &e))
}
