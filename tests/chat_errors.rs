//! Bad input to the chat layer: every failure is an error naming the file,
//! the place in it and the fix — never a panic.

use crate::chat_support;

use chat_support::{model_dir_with_tokenizer, qwen3_assets};
use punie_eval::chat::{
    tools_from_file, ChatError, ChatPrompt, Message, RenderOptions, TemplateSet, Tokenizer, Tool,
};
use std::fs;

fn message(e: &ChatError) -> String {
    e.to_string()
}

#[test]
fn chat_template_syntax_error_names_file_line_and_column() {
    let dir = model_dir_with_tokenizer();
    let path = dir.path().join("chat_template.jinja");
    fs::write(
        &path,
        "{%- for m in messages %}\n{{ m.content }}\n{%- endfor %}\n{{ 'x' + }}\n",
    )
    .unwrap();
    let err = ChatPrompt::load(dir.path()).unwrap_err();
    let msg = message(&err);
    assert!(
        matches!(err, ChatError::TemplateSyntax { line: 4, .. }),
        "{msg}"
    );
    assert!(
        msg.starts_with(&format!("{}:4:", path.display())),
        "names the file and line: {msg}"
    );
    assert!(msg.contains("fix the template"), "{msg}");
}

#[test]
fn chat_template_syntax_error_inside_tokenizer_config_names_the_key() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"eos_token": "<|im_end|>", "chat_template": "ok\n{% if %}"}"#,
    )
    .unwrap();
    let msg = message(&ChatPrompt::load(dir.path()).unwrap_err());
    assert!(
        msg.contains("tokenizer_config.json (`chat_template`):2:"),
        "{msg}"
    );
}

#[test]
fn chat_missing_template_says_where_it_looked_and_the_fix() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"eos_token": "<|im_end|>"}"#,
    )
    .unwrap();
    let err = ChatPrompt::load(dir.path()).unwrap_err();
    assert!(matches!(err, ChatError::TemplateMissing { .. }), "{err}");
    let msg = message(&err);
    assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
    assert!(
        msg.contains("chat_template.jinja") && msg.contains("fix:"),
        "{msg}"
    );
}

#[test]
fn chat_missing_tokenizer_json_names_it_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let err = ChatPrompt::load(dir.path()).unwrap_err();
    assert!(matches!(err, ChatError::TokenizerMissing { .. }), "{err}");
    let msg = message(&err);
    assert!(
        msg.contains("tokenizer.json") && msg.contains("fix:"),
        "{msg}"
    );
}

#[test]
fn chat_truncated_tokenizer_json_reports_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokenizer.json");
    let full = fs::read_to_string(qwen3_assets().join("tokenizer.json")).unwrap();
    // Cut in the middle of the file: a JSON syntax error far from the start.
    fs::write(&path, &full[..full.len() / 2]).unwrap();
    let err = Tokenizer::from_file(&path).unwrap_err();
    match &err {
        ChatError::Json { line, column, .. } => assert!(*line >= 1 && *column >= 1),
        other => panic!("expected a JSON error, got {other:?}"),
    }
    assert!(message(&err).starts_with(&format!("{}:", path.display())));

    fs::write(
        &path,
        r#"{"version": "1.0", "model": {"type": "Nonsense"}}"#,
    )
    .unwrap();
    let err = Tokenizer::from_file(&path).unwrap_err();
    assert!(matches!(err, ChatError::TokenizerInvalid { .. }), "{err}");
    assert!(message(&err).contains("fix:"), "{err}");
}

#[test]
fn chat_bad_config_values_name_file_and_key() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"chat_template": 42}"#,
    )
    .unwrap();
    let msg = message(&ChatPrompt::load(dir.path()).unwrap_err());
    assert!(
        msg.contains("tokenizer_config.json: `chat_template`"),
        "{msg}"
    );

    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"chat_template": "x", "eos_token": "<not-a-token>"}"#,
    )
    .unwrap();
    let msg = message(&ChatPrompt::load(dir.path()).unwrap_err());
    assert!(
        msg.contains("`eos_token`") && msg.contains("<not-a-token>"),
        "{msg}"
    );

    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"chat_template": "x", "eos_token": "<|im_end|>"}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("generation_config.json"),
        "{\n  \"eos_token_id\": [1,\n",
    )
    .unwrap();
    let err = ChatPrompt::load(dir.path()).unwrap_err();
    assert!(
        matches!(err, ChatError::Json { line: 3, .. }),
        "generation_config.json position: {err}"
    );
}

#[test]
fn chat_eos_ids_follow_mlx_lm() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"chat_template": "x", "eos_token": "<|im_end|>"}"#,
    )
    .unwrap();
    fs::write(
        dir.path().join("config.json"),
        r#"{"eos_token_id": 151643}"#,
    )
    .unwrap();
    let p = ChatPrompt::load(dir.path()).unwrap();
    assert_eq!(p.eos_token_ids(), &[151643, 151645]);
    // generation_config.json wins over config.json.
    fs::write(
        dir.path().join("generation_config.json"),
        r#"{"eos_token_id": [151645, 151644]}"#,
    )
    .unwrap();
    let p = ChatPrompt::load(dir.path()).unwrap();
    assert_eq!(p.eos_token_ids(), &[151644, 151645]);
}

#[test]
fn chat_template_selection_like_transformers() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("tokenizer_config.json"),
        r#"{"chat_template": [
            {"name": "default", "template": "D{{ messages[0].content }}"},
            {"name": "tool_use", "template": "T{{ tools | length }}"}
        ]}"#,
    )
    .unwrap();
    let p = ChatPrompt::load(dir.path()).unwrap();
    let msgs = [Message::user("hi")];
    let opts = RenderOptions::default();
    assert_eq!(p.render(&msgs, None, &opts).unwrap(), "Dhi");
    let tools = [Tool::function(
        "git_status",
        "Status",
        serde_json::json!({}),
    )];
    assert_eq!(p.render(&msgs, Some(&tools), &opts).unwrap(), "T1");
    let named = RenderOptions {
        template: Some("rag".into()),
        ..Default::default()
    };
    let msg = message(&p.render(&msgs, None, &named).unwrap_err());
    assert!(
        msg.contains("`rag`") && msg.contains("default, tool_use"),
        "{msg}"
    );

    // chat_template.jinja wins over tokenizer_config.json, as in transformers.
    fs::write(
        dir.path().join("chat_template.jinja"),
        "J{{ messages | length }}\n",
    )
    .unwrap();
    let p = ChatPrompt::load(dir.path()).unwrap();
    assert_eq!(p.render(&msgs, Some(&tools), &opts).unwrap(), "J1");
    assert!(matches!(p.templates(), TemplateSet::Single(_)));
}

#[test]
fn chat_raise_exception_and_render_failures_name_the_line() {
    let dir = model_dir_with_tokenizer();
    fs::write(
        dir.path().join("chat_template.jinja"),
        "{%- if messages[0].role != 'user' %}\n{{- raise_exception('first message must be user') }}\n{%- endif %}\n{{ messages[0].content + 1 }}",
    )
    .unwrap();
    let p = ChatPrompt::load(dir.path()).unwrap();
    let opts = RenderOptions::default();
    let msg = message(&p.render(&[Message::system("s")], None, &opts).unwrap_err());
    assert!(msg.contains("chat_template.jinja:2:"), "{msg}");
    assert!(msg.contains("first message must be user"), "{msg}");
    let msg = message(&p.render(&[Message::user("u")], None, &opts).unwrap_err());
    assert!(msg.contains("chat_template.jinja:4:"), "{msg}");
}

#[test]
fn chat_bad_tools_file_names_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tools.json");
    fs::write(&path, r#"[{"name": "ok"}, {"description": "no name"}]"#).unwrap();
    let msg = message(&tools_from_file(&path).unwrap_err());
    assert!(msg.contains("tools.json [1]"), "{msg}");
    fs::write(&path, r#"{"not": "a list"}"#).unwrap();
    assert!(tools_from_file(&path).is_err());
}

#[test]
fn chat_decode_rejects_ids_outside_the_vocabulary() {
    let tok = Tokenizer::from_file(&qwen3_assets().join("tokenizer.json")).unwrap();
    let msg = message(&tok.decode(&[151645, 9_999_999]).unwrap_err());
    assert!(
        msg.contains("9999999") && msg.contains("outside the vocabulary"),
        "{msg}"
    );
    assert_eq!(tok.decode(&[151644, 872]).unwrap(), "<|im_start|>user");
}
