//! schemas/query-pack.schema.json describes the packs the loader accepts:
//! the shipped packs (read as TOML, handed over as JSON) validate, and
//! shapes the loader rejects are rejected by the schema too.

use punie_eval::suite::LoadedPack;
use serde_json::{json, Value};
use std::path::Path;

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/query-pack.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path().as_str()))
        .collect()
}

#[test]
fn shipped_packs_validate_against_the_schema() {
    let v = validator();
    for file in ["queries/protocol.toml", "queries/discrimination.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        // The document as written (TOML data model → JSON), not our re-serialization.
        let doc: Value = toml::from_str(&text).unwrap();
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{file}");
        // And what the loader hands to plugins round-trips through the schema too.
        let pack = LoadedPack::from_file(&path).unwrap();
        let json = serde_json::to_value(&pack.pack).unwrap();
        assert_eq!(
            errors(&v, &json),
            Vec::<String>::new(),
            "{file} (canonical)"
        );
    }
}

#[test]
fn schema_rejects_what_the_loader_rejects() {
    let v = validator();
    let good = json!({
        "pack": {"id": "p", "version": "1", "toolset": "punie-phase27"},
        "query": [{"id": "a", "user": "x", "expect": {"tool": "typecheck", "args": {"path": {"regex": "a"}}}}]
    });
    assert!(v.is_valid(&good), "{:?}", errors(&v, &good));
    for (what, patch) in [
        (
            "user and messages",
            json!({"id": "a", "user": "x", "messages": [{"role": "user", "content": "y"}], "expect": "direct"}),
        ),
        (
            "neither user nor messages",
            json!({"id": "a", "expect": "direct"}),
        ),
        (
            "unknown key",
            json!({"id": "a", "usr": "x", "expect": "direct"}),
        ),
        (
            "bad keyword",
            json!({"id": "a", "user": "x", "expect": "tool"}),
        ),
        (
            "two matchers",
            json!({"id": "a", "user": "x", "expect": {"tool": "t", "args": {"p": {"regex": "a", "equals": 1}}}}),
        ),
        (
            "bad match",
            json!({"id": "a", "user": "x", "expect": {"tool": "t", "match": "some"}}),
        ),
        (
            "empty tool list",
            json!({"id": "a", "user": "x", "expect": {"tool": []}}),
        ),
    ] {
        let mut doc = good.clone();
        doc["query"][0] = patch;
        assert!(!v.is_valid(&doc), "schema accepted {what}");
        let pack = LoadedPack::from_json(&doc.to_string(), "x");
        assert!(pack.is_err(), "loader accepted {what}");
    }
}
