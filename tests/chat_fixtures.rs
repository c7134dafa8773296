//! Our rendering and tokenization against transformers' own output
//! (tests/fixtures/chat/*.json, written by scripts/gen_chat_fixtures.py):
//! prompt strings byte for byte, token ids exactly.

use crate::chat_support;

use chat_support::{fixture, manifest_dir, qwen3_assets};
use punie_eval::chat::{
    template_context, ChatPrompt, ChatTemplate, Message, RenderOptions, SpecialTokens, TemplateSet,
    Tokenizer, Tool,
};
use serde_json::{Map, Value};

struct Fixture {
    data: Value,
}

impl Fixture {
    fn special_tokens(&self) -> SpecialTokens {
        let named = self.data["special_tokens"]
            .as_object()
            .expect("special_tokens")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("token text").to_string()))
            .collect();
        SpecialTokens { named }
    }

    fn tools(&self) -> Vec<Tool> {
        self.data["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| Tool::from_value(t.clone()).expect("tool spec"))
            .collect()
    }

    fn messages(&self, conversation: &str) -> Vec<Message> {
        serde_json::from_value(self.data["conversations"][conversation].clone())
            .unwrap_or_else(|e| panic!("conversation {conversation}: {e}"))
    }

    fn cases(&self) -> &[Value] {
        self.data["cases"].as_array().expect("cases")
    }
}

fn tokenizer() -> Tokenizer {
    Tokenizer::from_file(&qwen3_assets().join("tokenizer.json")).expect("Qwen3 tokenizer")
}

/// Renders every case of a fixture with `template` and compares.
fn check_fixture(name: &str, template: &ChatTemplate) {
    let fx = Fixture {
        data: fixture(name),
    };
    let tok = tokenizer();
    let special = fx.special_tokens();
    let tools = fx.tools();
    assert_eq!(tools.len(), 14, "the 14 Punie tools");
    let mut checked = 0;
    for case in fx.cases() {
        let case_name = case["name"].as_str().unwrap();
        let messages = fx.messages(case["conversation"].as_str().unwrap());
        let with_tools = case["with_tools"].as_bool().unwrap();
        let mut extra = Map::new();
        if let Some(b) = case["enable_thinking"].as_bool() {
            extra.insert("enable_thinking".into(), Value::Bool(b));
        }
        let ctx = template_context(
            &messages,
            with_tools.then_some(tools.as_slice()),
            case["add_generation_prompt"].as_bool().unwrap(),
            &special,
            &extra,
        );
        let rendered = template.render(&ctx);
        if let Some(err) = case.get("error") {
            assert!(
                rendered.is_err(),
                "{name} {case_name}: transformers failed ({err}) but we rendered"
            );
            checked += 1;
            continue;
        }
        let rendered = rendered.unwrap_or_else(|e| panic!("{name} {case_name}: {e}"));
        let want = case["prompt"].as_str().unwrap();
        if rendered != want {
            let at = rendered
                .bytes()
                .zip(want.bytes())
                .position(|(a, b)| a != b)
                .unwrap_or(rendered.len().min(want.len()));
            let ctx_of = |s: &str| {
                s.get(at.saturating_sub(60)..(at + 60).min(s.len()))
                    .unwrap_or("")
                    .to_string()
            };
            panic!(
                "{name} {case_name}: prompt differs at byte {at}\n ours: {:?}\nthere: {:?}",
                ctx_of(&rendered),
                ctx_of(want)
            );
        }
        let ids = tok.encode(&rendered).expect("encode");
        let want_ids: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        assert_eq!(ids, want_ids, "{name} {case_name}: token ids");
        assert_eq!(
            tok.decode(&ids).unwrap(),
            want,
            "{name} {case_name}: decode"
        );
        checked += 1;
    }
    assert!(checked >= 18, "{name}: only {checked} cases");
}

#[test]
fn chat_qwen3_template_matches_transformers() {
    let set = TemplateSet::from_tokenizer_config(&qwen3_assets().join("tokenizer_config.json"))
        .expect("tokenizer_config.json")
        .expect("has a chat_template");
    check_fixture("qwen3.json", set.select(None, false).unwrap());
}

#[test]
fn chat_qwen2_5_template_matches_transformers() {
    let path = manifest_dir().join("tests/fixtures/chat/templates/qwen2_5.jinja");
    let text = std::fs::read_to_string(&path).unwrap();
    check_fixture(
        "qwen2_5.json",
        &ChatTemplate::new(text, path.display().to_string()).unwrap(),
    );
}

#[test]
fn chat_qwen3_coder_template_matches_transformers() {
    let path = manifest_dir().join("tests/fixtures/chat/templates/qwen3_coder.jinja");
    let text = std::fs::read_to_string(&path).unwrap();
    check_fixture(
        "qwen3_coder.json",
        &ChatTemplate::new(text, path.display().to_string()).unwrap(),
    );
}

/// The model-folder path (ChatPrompt) renders the same, and with
/// enable_thinking unset uses mlx-lm's default (on: the vocabulary has <think>).
#[test]
fn chat_prompt_from_model_folder_matches_transformers() {
    let fx = Fixture {
        data: fixture("qwen3.json"),
    };
    let prompt = ChatPrompt::load(qwen3_assets()).expect("load the Qwen3 asset folder");
    assert_eq!(prompt.special_tokens(), &fx.special_tokens());
    // tokenizer_config.json's eos_token <|im_end|>; no config.json here.
    assert_eq!(prompt.eos_token_ids(), &[151645]);
    let tools = fx.tools();
    let mut checked = 0;
    for case in fx.cases() {
        let Some(thinking) = case["enable_thinking"].as_bool() else {
            continue;
        };
        let messages = fx.messages(case["conversation"].as_str().unwrap());
        let tools = case["with_tools"]
            .as_bool()
            .unwrap()
            .then_some(tools.as_slice());
        let agp = case["add_generation_prompt"].as_bool().unwrap();
        let explicit = RenderOptions {
            add_generation_prompt: agp,
            enable_thinking: Some(thinking),
            template: None,
        };
        let ids = prompt.encode(&messages, tools, &explicit).unwrap();
        let want: Vec<u32> = serde_json::from_value(case["ids"].clone()).unwrap();
        assert_eq!(ids, want, "{}", case["name"]);
        if thinking {
            let default = RenderOptions {
                enable_thinking: None,
                ..explicit
            };
            assert_eq!(
                prompt.render(&messages, tools, &default).unwrap(),
                case["prompt"].as_str().unwrap(),
                "{}: mlx-lm default thinking",
                case["name"]
            );
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases");
}
