//! A model folder's prompt format: its chat template(s), tokenizer and
//! special tokens, rendering a conversation exactly as transformers'
//! `apply_chat_template` (and so mlx-lm) does, and encoding it to ids.
//!
//! Templates are found where transformers looks: `chat_template.jinja` (plus
//! named ones in `additional_chat_templates/*.jinja`), else the
//! `chat_template` of tokenizer_config.json — a string, or a list of
//! `{"name", "template"}`. With several, "tool_use" is used when tools are
//! given and it exists, else "default", unless a name is asked for.

use super::error::{read_json, ChatError};
use super::messages::{Message, Tool};
use super::special_tokens::{eos_token_ids, SpecialTokens};
use super::template::ChatTemplate;
use super::tokenizer::Tokenizer;
use minijinja::Value as JinjaValue;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// One template, or several by name.
#[derive(Debug)]
pub enum TemplateSet {
    Single(Box<ChatTemplate>),
    Named {
        origin: String,
        templates: Vec<(String, ChatTemplate)>,
    },
}

impl TemplateSet {
    /// Loads the template(s) of a model folder.
    pub fn load(dir: &Path) -> Result<Self, ChatError> {
        let jinja = dir.join("chat_template.jinja");
        let extra_dir = dir.join("additional_chat_templates");
        let mut named = Vec::new();
        if jinja.is_file() {
            named.push(("default".to_string(), read_template(&jinja)?));
        }
        if extra_dir.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&extra_dir)
                .map_err(|e| ChatError::io(&extra_dir, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "jinja"))
                .collect();
            files.sort();
            for f in files {
                let name = f
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                named.push((name, read_template(&f)?));
            }
        }
        if !named.is_empty() {
            return Ok(Self::from_named(dir.display().to_string(), named));
        }
        let config = dir.join("tokenizer_config.json");
        if config.is_file() {
            if let Some(set) = Self::from_tokenizer_config(&config)? {
                return Ok(set);
            }
        }
        Err(ChatError::TemplateMissing { dir: dir.into() })
    }

    /// The `chat_template` of a tokenizer_config.json, if it has one.
    pub fn from_tokenizer_config(path: &Path) -> Result<Option<Self>, ChatError> {
        let config = read_json(path)?;
        let origin = |key: &str| format!("{} (`{key}`)", path.display());
        match config.get("chat_template") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(TemplateSet::Single(Box::new(ChatTemplate::new(
                s.clone(),
                origin("chat_template"),
            )?)))),
            Some(Value::Array(items)) => {
                let mut named = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let key = format!("chat_template[{i}]");
                    let (Some(Value::String(name)), Some(Value::String(text))) =
                        (item.get("name"), item.get("template"))
                    else {
                        return Err(ChatError::Config {
                            file: path.into(),
                            key,
                            problem: "must be {\"name\": string, \"template\": string}".into(),
                        });
                    };
                    named.push((
                        name.clone(),
                        ChatTemplate::new(text.clone(), origin(&format!("{key} {name}")))?,
                    ));
                }
                Ok(Some(Self::from_named(path.display().to_string(), named)))
            }
            Some(_) => Err(ChatError::Config {
                file: path.into(),
                key: "chat_template".into(),
                problem: "must be a string or a list of {\"name\", \"template\"}".into(),
            }),
        }
    }

    fn from_named(origin: String, mut named: Vec<(String, ChatTemplate)>) -> Self {
        if named.len() == 1 && named[0].0 == "default" {
            TemplateSet::Single(Box::new(named.remove(0).1))
        } else {
            TemplateSet::Named {
                origin,
                templates: named,
            }
        }
    }

    /// The template to use: `name` if given, else transformers' choice.
    pub fn select(&self, name: Option<&str>, has_tools: bool) -> Result<&ChatTemplate, ChatError> {
        match self {
            TemplateSet::Single(t) => match name {
                None | Some("default") => Ok(t),
                Some(other) => Err(ChatError::TemplateNotFound {
                    origin: t.origin().to_string(),
                    name: other.into(),
                    available: "default".into(),
                }),
            },
            TemplateSet::Named { origin, templates } => {
                let find = |n: &str| templates.iter().find(|(k, _)| k == n).map(|(_, t)| t);
                let wanted = match name {
                    Some(n) => Some(n),
                    None if has_tools && find("tool_use").is_some() => Some("tool_use"),
                    None => Some("default"),
                };
                wanted
                    .and_then(find)
                    .ok_or_else(|| ChatError::TemplateNotFound {
                        origin: origin.clone(),
                        name: wanted.unwrap_or("default").into(),
                        available: templates
                            .iter()
                            .map(|(k, _)| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
            }
        }
    }
}

fn read_template(path: &Path) -> Result<ChatTemplate, ChatError> {
    let text = std::fs::read_to_string(path).map_err(|e| ChatError::io(path, e))?;
    ChatTemplate::new(text, path.display().to_string())
}

/// How to render: the switches templates read.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// End with the header of the assistant's turn (for generation).
    pub add_generation_prompt: bool,
    /// `None`: mlx-lm's default, on when the tokenizer has `<think>` tokens.
    pub enable_thinking: Option<bool>,
    /// A named template; `None` picks as transformers does.
    pub template: Option<String>,
}

/// The variables a template sees, as transformers builds them: `messages`,
/// `tools` (`None` when absent), `documents` (`None`), `add_generation_prompt`,
/// the named special tokens, then `extra` (e.g. `enable_thinking`).
pub fn template_context(
    messages: &[Message],
    tools: Option<&[Tool]>,
    add_generation_prompt: bool,
    special: &SpecialTokens,
    extra: &Map<String, Value>,
) -> JinjaValue {
    let mut ctx = Map::new();
    for (name, text) in &special.named {
        ctx.insert(name.clone(), Value::String(text.clone()));
    }
    ctx.insert(
        "messages".into(),
        Value::Array(messages.iter().map(Message::to_template).collect()),
    );
    ctx.insert(
        "tools".into(),
        match tools {
            Some(t) => Value::Array(t.iter().map(|t| t.as_json().clone()).collect()),
            None => Value::Null,
        },
    );
    ctx.insert("documents".into(), Value::Null);
    ctx.insert(
        "add_generation_prompt".into(),
        Value::Bool(add_generation_prompt),
    );
    for (k, v) in extra {
        ctx.insert(k.clone(), v.clone());
    }
    JinjaValue::from_serialize(&ctx)
}

/// A model folder's complete prompt format.
#[derive(Debug)]
pub struct ChatPrompt {
    templates: TemplateSet,
    tokenizer: Tokenizer,
    special: SpecialTokens,
    eos_ids: Vec<u32>,
}

impl ChatPrompt {
    /// Loads tokenizer.json, the template(s), tokenizer_config.json's special
    /// tokens and the end-of-sequence ids of the model folder `dir`.
    pub fn load(dir: &Path) -> Result<Self, ChatError> {
        let tokenizer = Tokenizer::from_file(&dir.join("tokenizer.json"))?;
        let templates = TemplateSet::load(dir)?;
        let config = dir.join("tokenizer_config.json");
        let special = if config.is_file() {
            SpecialTokens::from_tokenizer_config(&config)?
        } else {
            SpecialTokens::default()
        };
        let eos_ids = eos_token_ids(dir, &tokenizer, &special)?;
        Ok(ChatPrompt {
            templates,
            tokenizer,
            special,
            eos_ids,
        })
    }

    /// Assembles a prompt format from parts (e.g. a template read from GGUF metadata).
    pub fn from_parts(
        templates: TemplateSet,
        tokenizer: Tokenizer,
        special: SpecialTokens,
        eos_ids: Vec<u32>,
    ) -> Self {
        ChatPrompt {
            templates,
            tokenizer,
            special,
            eos_ids,
        }
    }

    /// The prompt text for `messages` (and `tools`, in OpenAI form).
    pub fn render(
        &self,
        messages: &[Message],
        tools: Option<&[Tool]>,
        opts: &RenderOptions,
    ) -> Result<String, ChatError> {
        let template = self
            .templates
            .select(opts.template.as_deref(), tools.is_some())?;
        let mut extra = Map::new();
        let thinking = opts
            .enable_thinking
            .unwrap_or_else(|| self.tokenizer.has_thinking());
        extra.insert("enable_thinking".into(), Value::Bool(thinking));
        let ctx = template_context(
            messages,
            tools,
            opts.add_generation_prompt,
            &self.special,
            &extra,
        );
        template.render(&ctx)
    }

    /// The prompt's token ids, as mlx-lm feeds them to the model.
    pub fn encode(
        &self,
        messages: &[Message],
        tools: Option<&[Tool]>,
        opts: &RenderOptions,
    ) -> Result<Vec<u32>, ChatError> {
        self.tokenizer.encode(&self.render(messages, tools, opts)?)
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    pub fn templates(&self) -> &TemplateSet {
        &self.templates
    }

    pub fn special_tokens(&self) -> &SpecialTokens {
        &self.special
    }

    /// Ids that end generation (see [`eos_token_ids`]).
    pub fn eos_token_ids(&self) -> &[u32] {
        &self.eos_ids
    }
}
