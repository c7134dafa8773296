//! Special tokens of a model folder: the named ones templates may print
//! (`eos_token`, `bos_token`, …, from tokenizer_config.json, as transformers
//! passes its `special_tokens_map` to the template) and the ids that end
//! generation, chosen as mlx-lm chooses them.

use super::error::{read_json, ChatError};
use super::tokenizer::Tokenizer;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// transformers' `SPECIAL_TOKENS_ATTRIBUTES`, in its order.
const NAMED: [&str; 7] = [
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SpecialTokens {
    /// `(name, text)` for each named token that is set, e.g. `("eos_token", "<|im_end|>")`.
    pub named: Vec<(String, String)>,
}

impl SpecialTokens {
    /// Reads the named tokens of `tokenizer_config.json` (a string or an
    /// `{"content": ...}` object each; `null` means unset).
    pub fn from_tokenizer_config(path: &Path) -> Result<Self, ChatError> {
        let config = read_json(path)?;
        Self::from_config_value(&config, path)
    }

    pub(crate) fn from_config_value(config: &Value, path: &Path) -> Result<Self, ChatError> {
        let mut named = Vec::new();
        for key in NAMED {
            let text = match config.get(key) {
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => s.clone(),
                Some(Value::Object(o)) => match o.get("content") {
                    Some(Value::String(s)) => s.clone(),
                    _ => {
                        return Err(ChatError::Config {
                            file: path.into(),
                            key: format!("{key}.content"),
                            problem: "must be a string (the token's text)".into(),
                        })
                    }
                },
                Some(_) => {
                    return Err(ChatError::Config {
                        file: path.into(),
                        key: key.into(),
                        problem: "must be a string, an {\"content\": ...} object or null".into(),
                    })
                }
            };
            named.push((key.to_string(), text));
        }
        Ok(SpecialTokens { named })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.named
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    }
}

/// The ids that end generation, as mlx-lm 0.32 picks them: `eos_token_id`
/// of generation_config.json if set (int or list), else of config.json,
/// plus the tokenizer's own `eos_token`. Sorted, without duplicates.
pub fn eos_token_ids(
    dir: &Path,
    tokenizer: &Tokenizer,
    special: &SpecialTokens,
) -> Result<Vec<u32>, ChatError> {
    let mut ids = BTreeSet::new();
    let generation = dir.join("generation_config.json");
    let config = dir.join("config.json");
    let mut from_generation = false;
    if generation.exists() {
        let v = read_json(&generation)?;
        if let Some(found) = ids_of(&v, &generation)? {
            from_generation = !found.is_empty();
            ids.extend(found);
        }
    }
    if !from_generation && config.exists() {
        let v = read_json(&config)?;
        ids.extend(ids_of(&v, &config)?.unwrap_or_default());
    }
    if let Some(eos) = special.get("eos_token") {
        let id = tokenizer
            .token_to_id(eos)
            .ok_or_else(|| ChatError::Config {
                file: dir.join("tokenizer_config.json"),
                key: "eos_token".into(),
                problem: format!(
                    "is {eos:?}, which is not a token of {}",
                    tokenizer.path().display()
                ),
            })?;
        ids.insert(id);
    }
    Ok(ids.into_iter().collect())
}

/// `eos_token_id` of a config: absent/null/false → None, an id or a list of ids.
fn ids_of(config: &Value, path: &Path) -> Result<Option<Vec<u32>>, ChatError> {
    let bad = || ChatError::Config {
        file: path.into(),
        key: "eos_token_id".into(),
        problem: "must be a token id or a list of token ids".into(),
    };
    let as_id = |v: &Value| {
        v.as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(bad)
    };
    match config.get("eos_token_id") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Array(items)) => items.iter().map(as_id).collect::<Result<_, _>>().map(Some),
        Some(v) => Ok(Some(vec![as_id(v)?])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_tokens_accept_strings_objects_and_null() {
        let cfg = json!({"bos_token": null, "eos_token": "<|im_end|>",
                         "pad_token": {"content": "<|endoftext|>", "lstrip": false}});
        let s = SpecialTokens::from_config_value(&cfg, Path::new("tc.json")).unwrap();
        assert_eq!(
            s.named,
            vec![
                ("eos_token".to_string(), "<|im_end|>".to_string()),
                ("pad_token".to_string(), "<|endoftext|>".to_string())
            ]
        );
        let err = SpecialTokens::from_config_value(&json!({"eos_token": 5}), Path::new("tc.json"))
            .unwrap_err();
        assert!(err.to_string().contains("tc.json: `eos_token`"), "{err}");
    }

    #[test]
    fn eos_ids_parse_int_list_and_reject_junk() {
        let p = Path::new("g.json");
        assert_eq!(
            ids_of(&json!({"eos_token_id": 7}), p).unwrap(),
            Some(vec![7])
        );
        assert_eq!(
            ids_of(&json!({"eos_token_id": [1, 2]}), p).unwrap(),
            Some(vec![1, 2])
        );
        assert_eq!(ids_of(&json!({}), p).unwrap(), None);
        let err = ids_of(&json!({"eos_token_id": "x"}), p).unwrap_err();
        assert!(err.to_string().contains("g.json: `eos_token_id`"), "{err}");
    }
}
