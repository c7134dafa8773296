//! A Hugging Face `tokenizer.json` and `tokenizer_config.json` built from the
//! GGUF's vocabulary, merges, token types and special token ids: byte-level
//! BPE with the pre-tokenizer named by `tokenizer.ggml.pre`, laid out as the
//! upstream model's own tokenizer.json is, so the `tokenizers` crate (and
//! transformers / mlx-lm) encode exactly as the original model did.

use super::error::{GgufError, Result};
use super::reader::GgufFile;
use serde_json::{json, Map, Value};
use std::collections::HashSet;

/// ggml token types (llama.cpp's `llama_token_type`).
const TOKEN_CONTROL: i64 = 3;
const TOKEN_USER_DEFINED: i64 = 4;

/// Qwen2's split regex (transformers' `Qwen2Tokenizer.PRETOKENIZE_REGEX`).
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's split regex (digits in runs of up to three).
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// The pre-tokenizer families we can express, keyed by `tokenizer.ggml.pre`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PreTokenizer {
    /// Qwen2 / Qwen2.5 / Qwen3: NFC, single digits, Qwen's regex.
    Qwen2,
    /// Llama 3: digits in threes; merges ignored for whole-word hits.
    Llama3,
    /// SmolLM / StarCoder: each digit alone, then GPT-2's byte-level regex.
    Digits,
    /// GPT-2's byte-level regex.
    Gpt2,
}

const PRE_NAMES: &[(&str, PreTokenizer)] = &[
    ("qwen2", PreTokenizer::Qwen2),
    ("deepseek-r1-qwen", PreTokenizer::Qwen2),
    ("llama-bpe", PreTokenizer::Llama3),
    ("llama3", PreTokenizer::Llama3),
    ("llama-v3", PreTokenizer::Llama3),
    ("smaug-bpe", PreTokenizer::Llama3),
    ("smollm", PreTokenizer::Digits),
    ("starcoder", PreTokenizer::Digits),
    ("refact", PreTokenizer::Digits),
    ("gpt-2", PreTokenizer::Gpt2),
    ("default", PreTokenizer::Gpt2),
];

fn byte_level(use_regex: bool, trim_offsets: bool) -> Value {
    json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": trim_offsets, "use_regex": use_regex})
}

fn split(regex: &str) -> Value {
    json!({"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": false})
}

impl PreTokenizer {
    fn normalizer(self) -> Value {
        match self {
            // Qwen's tokenizer.json composes text (NFC) before splitting.
            PreTokenizer::Qwen2 => json!({"type": "NFC"}),
            _ => Value::Null,
        }
    }

    fn pre_tokenizer(self) -> Value {
        let seq = |a: Value, b: Value| json!({"type": "Sequence", "pretokenizers": [a, b]});
        match self {
            PreTokenizer::Qwen2 => seq(split(QWEN2_SPLIT), byte_level(false, false)),
            PreTokenizer::Llama3 => seq(split(LLAMA3_SPLIT), byte_level(false, true)),
            PreTokenizer::Digits => seq(
                json!({"type": "Digits", "individual_digits": true}),
                byte_level(true, true),
            ),
            PreTokenizer::Gpt2 => byte_level(true, true),
        }
    }

    /// Llama 3's tokenizer takes a pre-token whole when it is in the vocabulary.
    fn ignore_merges(self) -> bool {
        self == PreTokenizer::Llama3
    }
}

/// GPT-2's byte → printable character table (`bytes_to_unicode`).
pub fn byte_alphabet() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let c = if printable {
            u32::from(b)
        } else {
            next += 1;
            next - 1
        };
        table[usize::from(b)] = char::from_u32(c).expect("below 0x200");
    }
    table
}

/// The two files, as JSON values.
#[derive(Debug, Clone)]
pub struct TokenizerFiles {
    pub tokenizer_json: Value,
    pub tokenizer_config: Value,
}

fn tok_err(file: &GgufFile, what: String) -> GgufError {
    GgufError::Tokenizer {
        path: file.path().into(),
        what,
    }
}

/// The vocabulary (`tokenizer.ggml.tokens`) as strings.
fn tokens(file: &GgufFile) -> Result<Vec<&str>> {
    let key = "tokenizer.ggml.tokens";
    let arr = file.opt_array(key)?.ok_or_else(|| GgufError::MissingKey {
        path: file.path().into(),
        key: key.into(),
        why: "the vocabulary",
    })?;
    arr.iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().ok_or_else(|| {
                tok_err(
                    file,
                    format!("{key}[{i}] is {}, expected a string", v.describe()),
                )
            })
        })
        .collect()
}

fn token_types(file: &GgufFile, n: usize) -> Result<Vec<i64>> {
    let key = "tokenizer.ggml.token_type";
    let Some(arr) = file.opt_array(key)? else {
        return Ok(vec![1; n]);
    };
    if arr.len() != n {
        return Err(tok_err(
            file,
            format!("{key} has {} entries for {n} tokens", arr.len()),
        ));
    }
    arr.iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_i64().ok_or_else(|| {
                tok_err(
                    file,
                    format!("{key}[{i}] is {}, expected an integer", v.describe()),
                )
            })
        })
        .collect()
}

/// The text of special token `key` (`tokenizer.ggml.<key>_token_id`), if set.
fn special_token<'a>(file: &GgufFile, tokens: &[&'a str], key: &str) -> Result<Option<&'a str>> {
    let full = format!("tokenizer.ggml.{key}");
    match file.opt_u64(&full)? {
        None => Ok(None),
        Some(id) => tokens
            .get(usize::try_from(id).unwrap_or(usize::MAX))
            .map(|t| Some(*t))
            .ok_or_else(|| {
                tok_err(
                    file,
                    format!("{full} is {id}, past the vocabulary of {}", tokens.len()),
                )
            }),
    }
}

/// Token ids that end generation, as llama.cpp decides them: the eos, eot and
/// eom ids, then control tokens spelled like a known end-of-turn marker.
pub fn end_of_generation_ids(file: &GgufFile) -> Result<Vec<u64>> {
    let mut ids = Vec::new();
    for key in ["eos_token_id", "eot_token_id", "eom_token_id"] {
        if let Some(id) = file.opt_u64(&format!("tokenizer.ggml.{key}"))? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    const MARKERS: &[&str] = &[
        "<|eot_id|>",
        "<|im_end|>",
        "<|end|>",
        "<end_of_turn>",
        "<|endoftext|>",
        "<|eom_id|>",
        "<EOT>",
        "<|end_of_text|>",
    ];
    if file.get("tokenizer.ggml.tokens").is_some() {
        let toks = tokens(file)?;
        let types = token_types(file, toks.len())?;
        for (id, (t, ty)) in toks.iter().zip(&types).enumerate() {
            if *ty == TOKEN_CONTROL && MARKERS.contains(t) && !ids.contains(&(id as u64)) {
                ids.push(id as u64);
            }
        }
    }
    Ok(ids)
}

/// Builds tokenizer.json and tokenizer_config.json from the GGUF metadata.
pub fn build(file: &GgufFile) -> Result<TokenizerFiles> {
    let model = file.str("tokenizer.ggml.model", "the tokenizer type")?;
    if model != "gpt2" {
        return Err(tok_err(
            file,
            format!(
                "tokenizer.ggml.model is '{model}'; only byte-level BPE ('gpt2', as Qwen, \
                 Llama 3 and SmolLM use) can be imported"
            ),
        ));
    }
    let pre_name = file.opt_str("tokenizer.ggml.pre")?.unwrap_or("default");
    let pre = PRE_NAMES
        .iter()
        .find(|(n, _)| *n == pre_name)
        .map(|(_, p)| *p)
        .ok_or_else(|| {
            let known: Vec<_> = PRE_NAMES.iter().map(|(n, _)| *n).collect();
            tok_err(
                file,
                format!(
                    "tokenizer.ggml.pre is '{pre_name}', a pre-tokenizer this importer does not \
                     know; supported: {}",
                    known.join(", ")
                ),
            )
        })?;

    let toks = tokens(file)?;
    let types = token_types(file, toks.len())?;
    let alphabet = byte_alphabet();
    let spelled: HashSet<char> = alphabet.iter().copied().collect();
    let in_alphabet = |t: &str| t.chars().all(|c| spelled.contains(&c));

    // Tokens outside the byte alphabet (a converter's raw spelling) are
    // re-spelled byte by byte, as transformers' GGUF loader does.
    let mut vocab = Map::new();
    for (id, t) in toks.iter().enumerate() {
        let key = if in_alphabet(t) {
            (*t).to_string()
        } else {
            t.bytes().map(|b| alphabet[usize::from(b)]).collect()
        };
        vocab.insert(key, json!(id));
    }

    let merges_key = "tokenizer.ggml.merges";
    let merges = file
        .opt_array(merges_key)?
        .ok_or_else(|| GgufError::MissingKey {
            path: file.path().into(),
            key: merges_key.into(),
            why: "byte-level BPE needs its merges",
        })?;
    let merges = merges
        .iter()
        .enumerate()
        .map(|(i, m)| {
            m.as_str()
                .and_then(|s| s.split_once(' '))
                .map(|(a, b)| json!([a, b]))
                .ok_or_else(|| {
                    tok_err(
                        file,
                        format!("{merges_key}[{i}] is {}, expected \"A B\"", m.describe()),
                    )
                })
        })
        .collect::<Result<Vec<_>>>()?;

    // Control tokens become special added tokens, user-defined ones plain
    // added tokens (both matched whole before BPE). A control token outside
    // the byte alphabet is a converter mislabel and is left alone.
    let mut added = Vec::new();
    let mut decoder = Map::new();
    for (id, (t, ty)) in toks.iter().zip(&types).enumerate() {
        let special = match *ty {
            TOKEN_CONTROL if in_alphabet(t) => true,
            TOKEN_USER_DEFINED => false,
            _ => continue,
        };
        added.push(json!({
            "id": id, "content": t, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": special,
        }));
        decoder.insert(
            id.to_string(),
            json!({"content": t, "lstrip": false, "normalized": false, "rstrip": false,
                   "single_word": false, "special": special}),
        );
    }

    let bos = special_token(file, &toks, "bos_token_id")?;
    let eos = special_token(file, &toks, "eos_token_id")?;
    let pad = special_token(file, &toks, "padding_token_id")?;
    let unk = special_token(file, &toks, "unknown_token_id")?;
    let add_bos = file
        .opt_bool("tokenizer.ggml.add_bos_token")?
        .unwrap_or(false);
    let add_eos = file
        .opt_bool("tokenizer.ggml.add_eos_token")?
        .unwrap_or(false);
    let post_processor = post_processor(file, bos.filter(|_| add_bos), eos.filter(|_| add_eos))?;

    let tokenizer_json = json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": added,
        "normalizer": pre.normalizer(),
        "pre_tokenizer": pre.pre_tokenizer(),
        "post_processor": post_processor,
        "decoder": byte_level(false, false),
        "model": {
            "type": "BPE",
            "dropout": null,
            "unk_token": null,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": false,
            "byte_fallback": false,
            "ignore_merges": pre.ignore_merges(),
            "vocab": vocab,
            "merges": merges,
        },
    });

    let mut config = json!({
        "add_bos_token": add_bos,
        "add_eos_token": add_eos,
        "add_prefix_space": false,
        "added_tokens_decoder": decoder,
        "bos_token": bos,
        "eos_token": eos,
        "pad_token": pad,
        "unk_token": unk,
        "clean_up_tokenization_spaces": false,
        "errors": "replace",
        "split_special_tokens": false,
        // The tokenizer.json above is complete: load it as is, rather than
        // letting a model-specific class rebuild its own pipeline.
        "tokenizer_class": "PreTrainedTokenizerFast",
    });
    let m = config.as_object_mut().expect("json! object");
    if let Some(n) = file.opt_u64(&format!("{}.context_length", file.architecture()?))? {
        m.insert("model_max_length".into(), json!(n));
    }
    if let Some(t) = file.opt_str("tokenizer.chat_template")? {
        m.insert("chat_template".into(), json!(t));
    }
    Ok(TokenizerFiles {
        tokenizer_json,
        tokenizer_config: config,
    })
}

/// BOS/EOS insertion when the GGUF asks for it; otherwise the byte-level
/// no-op processor Qwen's tokenizer.json has.
fn post_processor(file: &GgufFile, bos: Option<&str>, eos: Option<&str>) -> Result<Value> {
    if bos.is_none() && eos.is_none() {
        return Ok(byte_level(false, false));
    }
    let mut specials = Map::new();
    let mut add = |key: &str, text: &str| -> Result<Value> {
        let id = file.u64(&format!("tokenizer.ggml.{key}"), "a special token")?;
        specials.insert(
            text.into(),
            json!({"id": text, "ids": [id], "tokens": [text]}),
        );
        Ok(json!({"SpecialToken": {"id": text, "type_id": 0}}))
    };
    let bos = bos.map(|t| add("bos_token_id", t)).transpose()?;
    let eos = eos.map(|t| add("eos_token_id", t)).transpose()?;
    let wrap = |seq: &str, type_id: u32| {
        let mut v: Vec<Value> = bos.iter().cloned().collect();
        v.push(json!({"Sequence": {"id": seq, "type_id": type_id}}));
        v.extend(eos.iter().cloned());
        v
    };
    let single = wrap("A", 0);
    let pair = [wrap("A", 0), wrap("B", 1)].concat();
    Ok(
        json!({"type": "TemplateProcessing", "single": single, "pair": pair, "special_tokens": specials}),
    )
}
